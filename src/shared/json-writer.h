/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A small streaming JSON writer for command-line output (--json=pretty|short): values are written
 * to a FILE as they come, with commas, indentation and string escaping done here. It never
 * allocates. Invalid UTF-8 in strings becomes U+FFFD, so the output is always valid JSON. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum JsonFormat {
        JSON_FORMAT_OFF,    /* no JSON: the human-readable output */
        JSON_FORMAT_SHORT,  /* one line per top-level value */
        JSON_FORMAT_PRETTY, /* indented by two spaces */
        _JSON_FORMAT_MAX,
        _JSON_FORMAT_INVALID = -EINVAL,
} JsonFormat;

const char *json_format_to_string(JsonFormat f);
JsonFormat json_format_from_string(const char *s);

#define JSON_DEPTH_MAX 32U

typedef struct JsonWriter {
        FILE *f;
        bool pretty;
        unsigned depth;
        bool need_comma[JSON_DEPTH_MAX + 1]; /* per level: a value was written at this level */
        bool after_key;                      /* a key was written, its value comes next */
} JsonWriter;

/* FORMAT must be JSON_FORMAT_SHORT or JSON_FORMAT_PRETTY. Every top-level value ends with a
 * newline, so a stream of top-level values is one value per line in the short format. */
void json_writer_init(JsonWriter *w, FILE *f, JsonFormat format);

/* Containers. Nesting deeper than JSON_DEPTH_MAX is a programming error and is not checked at
 * run time beyond not writing out of bounds (the extra levels share the last slot). */
void json_begin_object(JsonWriter *w);
void json_end_object(JsonWriter *w);
void json_begin_array(JsonWriter *w);
void json_end_array(JsonWriter *w);

/* In an object, each value is preceded by its key. */
void json_key(JsonWriter *w, const char *key);

void json_string(JsonWriter *w, const char *s); /* NULL is written as null */
void json_string_n(JsonWriter *w, const char *s, size_t n);
void json_unsigned(JsonWriter *w, uint64_t v);
void json_integer(JsonWriter *w, int64_t v);
void json_boolean(JsonWriter *w, bool b);
void json_null(JsonWriter *w);

/* Writes S (N bytes) as a quoted JSON string literal: '"', '\\' and control characters
 * escaped (\n, \t, ... or \u00XX), DEL and U+2028/U+2029 as \uXXXX too (so that the output is
 * also safe inside JavaScript), and every byte that is not part of valid UTF-8 as \ufffd. */
void json_write_string_literal(FILE *f, const char *s, size_t n);
