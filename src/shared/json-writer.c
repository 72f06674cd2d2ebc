/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <string.h>

#include "json-writer.h"
#include "macro.h"
#include "parse-util.h"

static const char * const json_format_table[_JSON_FORMAT_MAX] = {
        [JSON_FORMAT_OFF]    = "off",
        [JSON_FORMAT_SHORT]  = "short",
        [JSON_FORMAT_PRETTY] = "pretty",
};

const char *json_format_to_string(JsonFormat f) {
        if (f < 0 || f >= _JSON_FORMAT_MAX)
                return NULL;
        return json_format_table[f];
}

JsonFormat json_format_from_string(const char *s) {
        if (!s)
                return _JSON_FORMAT_INVALID;
        for (size_t i = 0; i < ELEMENTSOF(json_format_table); i++)
                if (streq(json_format_table[i], s))
                        return (JsonFormat) i;
        return _JSON_FORMAT_INVALID;
}

void json_writer_init(JsonWriter *w, FILE *f, JsonFormat format) {
        *w = (JsonWriter) {
                .f = f,
                .pretty = format == JSON_FORMAT_PRETTY,
        };
}

static unsigned level(const JsonWriter *w) {
        return MIN(w->depth, JSON_DEPTH_MAX);
}

static void indent(JsonWriter *w) {
        fputc('\n', w->f);
        for (unsigned i = 0; i < w->depth; i++)
                fputs("  ", w->f);
}

/* Before any value or key: the comma and the line break that separate it from the previous one. */
static void before_item(JsonWriter *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (w->depth == 0)
                return;
        if (w->need_comma[level(w)])
                fputc(',', w->f);
        if (w->pretty)
                indent(w);
        w->need_comma[level(w)] = true;
}

/* After a complete value: a top-level value ends its line. */
static void after_value(JsonWriter *w) {
        if (w->depth == 0)
                fputc('\n', w->f);
}

static void begin(JsonWriter *w, char c) {
        before_item(w);
        fputc(c, w->f);
        w->depth++;
        w->need_comma[level(w)] = false;
}

static void end(JsonWriter *w, char c) {
        bool had_items = w->need_comma[level(w)];

        if (w->depth > 0)
                w->depth--;
        if (w->pretty && had_items)
                indent(w);
        fputc(c, w->f);
        after_value(w);
}

void json_begin_object(JsonWriter *w) {
        begin(w, '{');
}

void json_end_object(JsonWriter *w) {
        end(w, '}');
}

void json_begin_array(JsonWriter *w) {
        begin(w, '[');
}

void json_end_array(JsonWriter *w) {
        end(w, ']');
}

void json_key(JsonWriter *w, const char *key) {
        before_item(w);
        json_write_string_literal(w->f, key, strlen(key));
        fputs(w->pretty ? ": " : ":", w->f);
        w->after_key = true;
}

void json_write_string_literal(FILE *f, const char *s, size_t n) {
        fputc('"', f);
        for (size_t i = 0; i < n;) {
                uint32_t cp;
                int len;

                len = utf8_decode_char(s + i, n - i, &cp);
                if (len < 0) {
                        fputs("\\ufffd", f);
                        i++;
                        continue;
                }
                switch (cp) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\b':
                        fputs("\\b", f);
                        break;
                case '\f':
                        fputs("\\f", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029)
                                fprintf(f, "\\u%04" PRIx32, cp);
                        else
                                fwrite(s + i, 1, (size_t) len, f);
                }
                i += (size_t) len;
        }
        fputc('"', f);
}

void json_string_n(JsonWriter *w, const char *s, size_t n) {
        before_item(w);
        json_write_string_literal(w->f, s, n);
        after_value(w);
}

void json_string(JsonWriter *w, const char *s) {
        if (!s) {
                json_null(w);
                return;
        }
        json_string_n(w, s, strlen(s));
}

void json_unsigned(JsonWriter *w, uint64_t v) {
        before_item(w);
        fprintf(w->f, "%" PRIu64, v);
        after_value(w);
}

void json_integer(JsonWriter *w, int64_t v) {
        before_item(w);
        fprintf(w->f, "%" PRIi64, v);
        after_value(w);
}

void json_boolean(JsonWriter *w, bool b) {
        before_item(w);
        fputs(b ? "true" : "false", w->f);
        after_value(w);
}

void json_null(JsonWriter *w) {
        before_item(w);
        fputs("null", w->f);
        after_value(w);
}
