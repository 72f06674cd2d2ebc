/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"
#include "macro.h"

/* An in-memory stream to write into and read back. */
typedef struct Buffer {
        FILE *f;
        char *data;
        size_t size;
} Buffer;

static void buffer_open(Buffer *b) {
        *b = (Buffer) {};
        b->f = open_memstream(&b->data, &b->size);
        assert_non_null(b->f);
}

/* Closes the stream and checks what was written; frees it. */
static void buffer_check(Buffer *b, const char *expected) {
        assert_int_equal(fclose(b->f), 0);
        assert_string_equal(b->data, expected);
        free(b->data);
}

static void check_literal(const char *s, size_t n, const char *expected) {
        Buffer b;

        buffer_open(&b);
        json_write_string_literal(b.f, s, n);
        buffer_check(&b, expected);
}

static void test_format_strings(void **state) {
        (void) state;
        assert_string_equal(json_format_to_string(JSON_FORMAT_OFF), "off");
        assert_string_equal(json_format_to_string(JSON_FORMAT_SHORT), "short");
        assert_string_equal(json_format_to_string(JSON_FORMAT_PRETTY), "pretty");
        assert_null(json_format_to_string(_JSON_FORMAT_MAX));
        assert_null(json_format_to_string(_JSON_FORMAT_INVALID));
        for (JsonFormat f = 0; f < _JSON_FORMAT_MAX; f++)
                assert_int_equal(json_format_from_string(json_format_to_string(f)), f);
        assert_int_equal(json_format_from_string("Pretty"), _JSON_FORMAT_INVALID);
        assert_int_equal(json_format_from_string(""), _JSON_FORMAT_INVALID);
        assert_int_equal(json_format_from_string(NULL), _JSON_FORMAT_INVALID);
}

static void test_string_literal(void **state) {
        (void) state;
        check_literal("", 0, "\"\"");
        check_literal("plain", 5, "\"plain\"");
        check_literal("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"");
        check_literal("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
        check_literal("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
        check_literal("nul\0x", 5, "\"nul\\u0000x\"");
        check_literal("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
        check_literal("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"");
        check_literal("bad\xff", 4, "\"bad\\ufffd\"");
        check_literal("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");        /* overlong: each byte replaced */
        check_literal("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
        check_literal("cut\xe2\x82", 5, "\"cut\\ufffd\\ufffd\"");
}

/* The same document in both formats. */
static void write_document(JsonWriter *j) {
        json_begin_object(j);
        json_key(j, "name");
        json_string(j, "robot");
        json_key(j, "restarts");
        json_unsigned(j, UINT64_MAX);
        json_key(j, "code");
        json_integer(j, INT64_MIN);
        json_key(j, "running");
        json_boolean(j, true);
        json_key(j, "nothing");
        json_null(j);
        json_key(j, "null-string");
        json_string(j, NULL);
        json_key(j, "argv");
        json_begin_array(j);
        json_string(j, "/bin/sh");
        json_string_n(j, "-cX", 2);
        json_end_array(j);
        json_key(j, "empty");
        json_begin_array(j);
        json_end_array(j);
        json_key(j, "nested");
        json_begin_object(j);
        json_key(j, "o");
        json_begin_object(j);
        json_end_object(j);
        json_end_object(j);
        json_end_object(j);
}

static void test_short(void **state) {
        JsonWriter j;
        Buffer b;

        (void) state;
        buffer_open(&b);
        json_writer_init(&j, b.f, JSON_FORMAT_SHORT);
        write_document(&j);
        buffer_check(&b, "{\"name\":\"robot\",\"restarts\":18446744073709551615,\"code\":-9223372036854775808,"
                         "\"running\":true,\"nothing\":null,\"null-string\":null,\"argv\":[\"/bin/sh\",\"-c\"],"
                         "\"empty\":[],\"nested\":{\"o\":{}}}\n");
}

static void test_pretty(void **state) {
        JsonWriter j;
        Buffer b;

        (void) state;
        buffer_open(&b);
        json_writer_init(&j, b.f, JSON_FORMAT_PRETTY);
        write_document(&j);
        buffer_check(&b,
                     "{\n"
                     "  \"name\": \"robot\",\n"
                     "  \"restarts\": 18446744073709551615,\n"
                     "  \"code\": -9223372036854775808,\n"
                     "  \"running\": true,\n"
                     "  \"nothing\": null,\n"
                     "  \"null-string\": null,\n"
                     "  \"argv\": [\n"
                     "    \"/bin/sh\",\n"
                     "    \"-c\"\n"
                     "  ],\n"
                     "  \"empty\": [],\n"
                     "  \"nested\": {\n"
                     "    \"o\": {}\n"
                     "  }\n"
                     "}\n");
}

static void test_top_level_stream(void **state) {
        JsonWriter j;
        Buffer b;

        (void) state;
        /* Several top-level values: one per line, as `logs --json=short` writes entries. */
        buffer_open(&b);
        json_writer_init(&j, b.f, JSON_FORMAT_SHORT);
        for (int i = 0; i < 3; i++) {
                json_begin_object(&j);
                json_key(&j, "i");
                json_integer(&j, i);
                json_end_object(&j);
        }
        json_string(&j, "s");
        json_begin_array(&j);
        json_end_array(&j);
        buffer_check(&b, "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n\"s\"\n[]\n");

        buffer_open(&b);
        json_writer_init(&j, b.f, JSON_FORMAT_PRETTY);
        json_begin_array(&j);
        json_end_array(&j);
        json_begin_array(&j);
        json_begin_array(&j);
        json_end_array(&j);
        json_end_array(&j);
        buffer_check(&b, "[]\n[\n  []\n]\n");
}

static void test_deep_nesting(void **state) {
        JsonWriter j;
        Buffer b;
        char *expected;
        size_t n = JSON_DEPTH_MAX + 8;

        (void) state;
        /* Deeper than the writer tracks: no overflow, and still valid. */
        buffer_open(&b);
        json_writer_init(&j, b.f, JSON_FORMAT_SHORT);
        for (size_t i = 0; i < n; i++)
                json_begin_array(&j);
        json_unsigned(&j, 1);
        for (size_t i = 0; i < n; i++)
                json_end_array(&j);

        expected = calloc(2 * n + 3, 1);
        assert_non_null(expected);
        memset(expected, '[', n);
        expected[n] = '1';
        memset(expected + n + 1, ']', n);
        expected[2 * n + 1] = '\n';
        buffer_check(&b, expected);
        free(expected);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format_strings),
                cmocka_unit_test(test_string_literal),
                cmocka_unit_test(test_short),
                cmocka_unit_test(test_pretty),
                cmocka_unit_test(test_top_level_stream),
                cmocka_unit_test(test_deep_nesting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
