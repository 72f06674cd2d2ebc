/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "parse-util.h"
#include "validate.h"

static void test_parse_u64(void **state) {
        uint64_t v = 42;

        (void) state;
        assert_int_equal(parse_u64("0", &v), 0);
        assert_true(v == 0);
        assert_int_equal(parse_u64("007", &v), 0);
        assert_true(v == 7);
        assert_int_equal(parse_u64("18446744073709551615", &v), 0);
        assert_true(v == UINT64_MAX);

        v = 42;
        assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
        assert_int_equal(parse_u64("99999999999999999999999", &v), -ERANGE);
        assert_int_equal(parse_u64("", &v), -EINVAL);
        assert_int_equal(parse_u64(NULL, &v), -EINVAL);
        assert_int_equal(parse_u64("-1", &v), -EINVAL);
        assert_int_equal(parse_u64("+1", &v), -EINVAL);
        assert_int_equal(parse_u64(" 1", &v), -EINVAL);
        assert_int_equal(parse_u64("1 ", &v), -EINVAL);
        assert_int_equal(parse_u64("1x", &v), -EINVAL);
        assert_int_equal(parse_u64("0x10", &v), -EINVAL);
        assert_true(v == 42); /* untouched on failure */
}

static void test_parse_u32(void **state) {
        uint32_t v = 42;

        (void) state;
        assert_int_equal(parse_u32("4294967295", &v), 0);
        assert_true(v == UINT32_MAX);
        assert_int_equal(parse_u32("5", &v), 0);
        assert_int_equal(v, 5);

        v = 42;
        assert_int_equal(parse_u32("4294967296", &v), -ERANGE);
        assert_int_equal(parse_u32("-5", &v), -EINVAL);
        assert_int_equal(parse_u32("5.0", &v), -EINVAL);
        assert_int_equal(v, 42);
}

static void test_parse_size_iec(void **state) {
        uint64_t v = 42;

        (void) state;
        assert_int_equal(parse_size_iec("0", &v), 0);
        assert_true(v == 0);
        assert_int_equal(parse_size_iec("1024", &v), 0);
        assert_true(v == 1024);
        assert_int_equal(parse_size_iec("100B", &v), 0);
        assert_true(v == 100);
        assert_int_equal(parse_size_iec("1K", &v), 0);
        assert_true(v == 1024);
        assert_int_equal(parse_size_iec("1k", &v), 0);
        assert_true(v == 1024);
        assert_int_equal(parse_size_iec("512M", &v), 0);
        assert_true(v == UINT64_C(512) << 20);
        assert_int_equal(parse_size_iec("2G", &v), 0);
        assert_true(v == UINT64_C(2) << 30);
        assert_int_equal(parse_size_iec("2GiB", &v), 0);
        assert_true(v == UINT64_C(2) << 30);
        assert_int_equal(parse_size_iec("2GB", &v), 0);
        assert_true(v == UINT64_C(2) << 30);
        assert_int_equal(parse_size_iec("3T", &v), 0);
        assert_true(v == UINT64_C(3) << 40);
        assert_int_equal(parse_size_iec("1.5G", &v), 0);
        assert_true(v == UINT64_C(3) << 29);
        assert_int_equal(parse_size_iec("0.5K", &v), 0);
        assert_true(v == 512);
        assert_int_equal(parse_size_iec(".5K", &v), 0);
        assert_true(v == 512);
        assert_int_equal(parse_size_iec("0.1K", &v), 0);
        assert_true(v == 102); /* 102.4, a fraction of a byte dropped */
        assert_int_equal(parse_size_iec("1.9", &v), 0);
        assert_true(v == 1);
        assert_int_equal(parse_size_iec("0.333333333333333333333333333M", &v), 0);
        assert_true(v == 349525); /* 1048576 / 3 = 349525.33 */
        assert_int_equal(parse_size_iec("infinity", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_size_iec("16777215T", &v), 0);
        assert_true(v == (UINT64_C(16777215) << 40));

        v = 42;
        assert_int_equal(parse_size_iec("16777216T", &v), -ERANGE); /* 2^64 */
        assert_int_equal(parse_size_iec("18446744073709551615", &v), -ERANGE); /* that is infinity */
        assert_int_equal(parse_size_iec("99999999999999999999", &v), -ERANGE);
        assert_int_equal(parse_size_iec("", &v), -EINVAL);
        assert_int_equal(parse_size_iec(NULL, &v), -EINVAL);
        assert_int_equal(parse_size_iec("G", &v), -EINVAL);
        assert_int_equal(parse_size_iec("1X", &v), -EINVAL);
        assert_int_equal(parse_size_iec("1P", &v), -EINVAL);
        assert_int_equal(parse_size_iec("1Gi", &v), -EINVAL);
        assert_int_equal(parse_size_iec("1GiBs", &v), -EINVAL);
        assert_int_equal(parse_size_iec("1 G", &v), -EINVAL);
        assert_int_equal(parse_size_iec("-1G", &v), -EINVAL);
        assert_int_equal(parse_size_iec("1.", &v), -EINVAL);
        assert_int_equal(parse_size_iec(".", &v), -EINVAL);
        assert_int_equal(parse_size_iec("1.2.3", &v), -EINVAL);
        assert_int_equal(parse_size_iec("Infinity", &v), -EINVAL);
        assert_true(v == 42);
}

static void test_parse_sec(void **state) {
        uint64_t v = 42;

        (void) state;
        assert_int_equal(parse_sec("0", &v), 0);
        assert_true(v == 0);
        assert_int_equal(parse_sec("60", &v), 0);
        assert_true(v == 60 * USEC_PER_SEC);
        assert_int_equal(parse_sec("1.5", &v), 0);
        assert_true(v == 1500000);
        assert_int_equal(parse_sec("0.1", &v), 0);
        assert_true(v == 100000);
        assert_int_equal(parse_sec(".25", &v), 0);
        assert_true(v == 250000);
        assert_int_equal(parse_sec("0.0000005", &v), 0);
        assert_true(v == 1); /* half a microsecond rounds up */
        assert_int_equal(parse_sec("0.0000004", &v), 0);
        assert_true(v == 0);
        assert_int_equal(parse_sec("1.0000014999", &v), 0);
        assert_true(v == 1000001);
        assert_int_equal(parse_sec("500ms", &v), 0);
        assert_true(v == 500000);
        assert_int_equal(parse_sec("250us", &v), 0);
        assert_true(v == 250);
        assert_int_equal(parse_sec("1.5ms", &v), 0);
        assert_true(v == 1500);
        assert_int_equal(parse_sec("10s", &v), 0);
        assert_true(v == 10 * USEC_PER_SEC);
        assert_int_equal(parse_sec("1.5min", &v), 0);
        assert_true(v == 90 * USEC_PER_SEC);
        assert_int_equal(parse_sec("2h", &v), 0);
        assert_true(v == 7200 * USEC_PER_SEC);
        assert_int_equal(parse_sec("1d", &v), 0);
        assert_true(v == 86400 * USEC_PER_SEC);
        assert_int_equal(parse_sec("18446744073709.551615", &v), 0);
        assert_true(v == UINT64_MAX);

        v = 42;
        assert_int_equal(parse_sec("18446744073709.551616", &v), -ERANGE);
        assert_int_equal(parse_sec("18446744073710", &v), -ERANGE);
        assert_int_equal(parse_sec("", &v), -EINVAL);
        assert_int_equal(parse_sec(NULL, &v), -EINVAL);
        assert_int_equal(parse_sec("s", &v), -EINVAL);
        assert_int_equal(parse_sec("-1", &v), -EINVAL);
        assert_int_equal(parse_sec("1 s", &v), -EINVAL);
        assert_int_equal(parse_sec("1m", &v), -EINVAL); /* minutes or milli? refused */
        assert_int_equal(parse_sec("1sec", &v), -EINVAL);
        assert_int_equal(parse_sec("5.", &v), -EINVAL);
        assert_int_equal(parse_sec("1e3", &v), -EINVAL);
        assert_true(v == 42);
}

static void test_parse_lines(void **state) {
        uint64_t v = 42;

        (void) state;
        assert_int_equal(parse_lines("0", &v), 0);
        assert_true(v == 0);
        assert_int_equal(parse_lines("10", &v), 0);
        assert_true(v == 10);
        assert_int_equal(parse_lines("all", &v), 0);
        assert_true(v == LINES_ALL);

        v = 42;
        assert_int_equal(parse_lines("18446744073709551615", &v), -ERANGE); /* that is "all" */
        assert_int_equal(parse_lines("-1", &v), -EINVAL);
        assert_int_equal(parse_lines("ALL", &v), -EINVAL);
        assert_int_equal(parse_lines("", &v), -EINVAL);
        assert_true(v == 42);
}

static void check_name(const char *command, const char *expected) {
        char *name = NULL;

        assert_int_equal(instance_name_from_command(command, &name), 0);
        assert_string_equal(name, expected);
        assert_true(instance_name_is_valid(name));
        free(name);
}

static void check_no_name(const char *command) {
        char *name = (char *) "untouched";

        assert_int_equal(instance_name_from_command(command, &name), -EINVAL);
        assert_string_equal(name, "untouched");
}

static void test_instance_name_from_command(void **state) {
        (void) state;
        check_name("/bin/sleep", "sleep");
        check_name("sleep", "sleep");
        check_name("/usr/bin/python3.11", "python3.11");
        check_name("/opt/app/run-server_2", "run-server_2");
        check_name("./build.sh", "build.sh");
        check_name("/opt/my app/run me.sh", "run_me.sh");
        check_name("/x/a  &&  b", "a_b");               /* a run becomes one '_' */
        check_name("/x/.hidden", "hidden");             /* no leading '.' */
        check_name("/x/-dash", "dash");
        check_name("/x/_under", "under");
        check_name("/x/___9lives", "9lives");
        check_name("/x/trailing!!", "trailing");        /* no trailing '_' from a run */
        check_name("/x/trailing_", "trailing_");        /* a real '_' stays */
        check_name("/usr/bin/caf\xc3\xa9", "caf");
        check_name("/usr/bin/\xc3\xa9t\xc3\xa9", "t");
        check_name("/x/a\nb", "a_b");

        /* Cut to the longest name. */
        {
                char long_cmd[200], expected[ORCHD_INSTANCE_NAME_MAX + 1];

                memset(long_cmd, 'a', sizeof long_cmd - 1);
                long_cmd[sizeof long_cmd - 1] = '\0';
                memset(expected, 'a', ORCHD_INSTANCE_NAME_MAX);
                expected[ORCHD_INSTANCE_NAME_MAX] = '\0';
                check_name(long_cmd, expected);

                /* The '_' of a run at the very end of the limit is not left dangling. */
                memset(long_cmd, 'b', sizeof long_cmd - 1);
                long_cmd[ORCHD_INSTANCE_NAME_MAX - 1] = ' ';
                memset(expected, 'b', ORCHD_INSTANCE_NAME_MAX - 1);
                expected[ORCHD_INSTANCE_NAME_MAX - 1] = '\0';
                check_name(long_cmd, expected);
                long_cmd[ORCHD_INSTANCE_NAME_MAX - 2] = ' ';      /* "b…b _b…": room for both */
                long_cmd[ORCHD_INSTANCE_NAME_MAX - 1] = 'b';
                memset(expected, 'b', ORCHD_INSTANCE_NAME_MAX);
                expected[ORCHD_INSTANCE_NAME_MAX - 2] = '_';
                expected[ORCHD_INSTANCE_NAME_MAX] = '\0';
                check_name(long_cmd, expected);
        }

        check_no_name("/");
        check_no_name("/usr/bin/");
        check_no_name("");
        check_no_name("...");
        check_no_name("/x/-_-");
        check_no_name("/x/\xc3\xa9\xc3\xa9");
        check_no_name(NULL);
}

static void test_utf8_decode_char(void **state) {
        uint32_t cp = 0;

        (void) state;
        assert_int_equal(utf8_decode_char("a", 1, &cp), 1);
        assert_int_equal(cp, 'a');
        assert_int_equal(utf8_decode_char("\xc3\xa9x", 3, &cp), 2);
        assert_int_equal(cp, 0xe9);
        assert_int_equal(utf8_decode_char("\xe2\x82\xac", 3, &cp), 3);
        assert_int_equal(cp, 0x20ac);
        assert_int_equal(utf8_decode_char("\xf4\x8f\xbf\xbf", 4, &cp), 4);
        assert_int_equal(cp, 0x10ffff);

        cp = 7;
        assert_int_equal(utf8_decode_char("\xc3\xa9", 1, &cp), -EINVAL);      /* truncated */
        assert_int_equal(utf8_decode_char("\xc0\xaf", 2, &cp), -EINVAL);      /* overlong */
        assert_int_equal(utf8_decode_char("\xed\xa0\x80", 3, &cp), -EINVAL);  /* surrogate */
        assert_int_equal(utf8_decode_char("\xf4\x90\x80\x80", 4, &cp), -EINVAL);
        assert_int_equal(utf8_decode_char("\x80", 1, &cp), -EINVAL);
        assert_int_equal(utf8_decode_char("\xff", 1, &cp), -EINVAL);
        assert_int_equal(utf8_decode_char("\xc3(", 2, &cp), -EINVAL);
        assert_int_equal(utf8_decode_char("a", 0, &cp), -EINVAL);
        assert_int_equal(cp, 7);
}

static void check_escape(const char *s, size_t n, bool keep_newline, const char *expected) {
        char *e = escape_for_terminal(s, n, keep_newline);

        assert_non_null(e);
        assert_string_equal(e, expected);
        free(e);
}

static void test_escape_for_terminal(void **state) {
        (void) state;
        check_escape("", 0, false, "");
        check_escape("plain text", 10, false, "plain text");
        check_escape("tab\there", 8, false, "tab\there");
        check_escape("a\nb", 3, false, "a\\x0ab");
        check_escape("a\nb", 3, true, "a\nb");
        check_escape("\x1b[31mred", 8, false, "\\x1b[31mred");
        check_escape("cr\r", 3, true, "cr\\x0d");
        check_escape("del\x7f", 4, false, "del\\x7f");
        check_escape("csi\xc2\x9b", 5, false, "csi\\xc2\\x9b");          /* U+009B, a C1 control */
        check_escape("caf\xc3\xa9 \xe2\x82\xac", 9, false, "caf\xc3\xa9 \xe2\x82\xac");
        check_escape("bad\xff\xfe", 5, false, "bad\\xff\\xfe");
        check_escape("cut\xe2\x82", 5, false, "cut\\xe2\\x82");           /* truncated sequence */
        check_escape("nul\0x", 5, false, "nul\\x00x");
        check_escape("back\\slash", 10, false, "back\\slash");
        check_escape("\x01\x01\x01\x01", 4, false, "\\x01\\x01\\x01\\x01"); /* the worst case size */
}

static void check_quote(char **argv, const char *expected) {
        char *q = quote_command_line(argv);

        assert_non_null(q);
        assert_string_equal(q, expected);
        free(q);
}

static void test_quote_command_line(void **state) {
        (void) state;
        check_quote(NULL, "");
        check_quote((char *[]) { NULL }, "");
        check_quote((char *[]) { (char *) "/bin/sleep", (char *) "100", NULL }, "/bin/sleep 100");
        check_quote((char *[]) { (char *) "/bin/sh", (char *) "-c", (char *) "echo \"hi $X\"; exit 3", NULL },
                    "/bin/sh -c 'echo \"hi $X\"; exit 3'");
        check_quote((char *[]) { (char *) "/bin/echo", (char *) "it's", NULL }, "/bin/echo 'it'\\''s'");
        check_quote((char *[]) { (char *) "/bin/echo", (char *) "", NULL }, "/bin/echo ''");
        check_quote((char *[]) { (char *) "/bin/prog", (char *) "--opt=a,b", (char *) "x@y:1%2+3", NULL },
                    "/bin/prog --opt=a,b x@y:1%2+3");
        check_quote((char *[]) { (char *) "/bin/ls", (char *) "~", (char *) "*", (char *) "#c", NULL },
                    "/bin/ls '~' '*' '#c'");
        check_quote((char *[]) { (char *) "''", NULL }, "''\\'''\\'''");
}

static void check_timespan(uint64_t usec, const char *expected) {
        char buf[FORMAT_TIMESPAN_MAX];

        assert_string_equal(format_timespan(buf, sizeof buf, usec), expected);
}

static void test_format_timespan(void **state) {
        char small[4];

        (void) state;
        check_timespan(0, "0");
        check_timespan(1, "1us");
        check_timespan(999, "999us");
        check_timespan(1000, "1ms");
        check_timespan(1500, "1ms 500us");
        check_timespan(250 * USEC_PER_MSEC, "250ms");
        check_timespan(5 * USEC_PER_SEC, "5s");
        check_timespan(5 * USEC_PER_SEC + 250 * USEC_PER_MSEC, "5s 250ms");
        check_timespan(182 * USEC_PER_SEC, "3min 2s");
        check_timespan(3600 * USEC_PER_SEC + 300 * USEC_PER_SEC + 7 * USEC_PER_SEC, "1h 5min");
        check_timespan(3600 * USEC_PER_SEC + 7 * USEC_PER_SEC, "1h"); /* only the next unit */
        check_timespan((2 * 86400 + 3 * 3600) * USEC_PER_SEC, "2d 3h");
        check_timespan(UINT64_MAX, "213503982d 8h");

        /* Too small a buffer cuts, but terminates. */
        assert_string_equal(format_timespan(small, sizeof small, 182 * USEC_PER_SEC), "3mi");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_u64),
                cmocka_unit_test(test_parse_u32),
                cmocka_unit_test(test_parse_size_iec),
                cmocka_unit_test(test_parse_sec),
                cmocka_unit_test(test_parse_lines),
                cmocka_unit_test(test_instance_name_from_command),
                cmocka_unit_test(test_utf8_decode_char),
                cmocka_unit_test(test_escape_for_terminal),
                cmocka_unit_test(test_quote_command_line),
                cmocka_unit_test(test_format_timespan),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
