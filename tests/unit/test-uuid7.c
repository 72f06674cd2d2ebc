/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "uuid7.h"

/* RFC 9562 Appendix A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3, rand_b 0x18C4DC0C0C07398F. */
static const uint8_t rfc_rand[UUID7_RANDOM_SIZE] = { 0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f };
#define RFC_UNIX_MS UINT64_C(0x017F22E279B0)
#define RFC_UUID "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"

static uint64_t now_ms(void) {
        struct timespec ts;

        assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* The 48-bit timestamp of a valid id, from its first 12 hex digits. */
static uint64_t uuid7_timestamp(const char *id) {
        uint64_t ms = 0;

        for (size_t i = 0; i < 13; i++) {
                char c = id[i];

                if (c == '-')
                        continue;
                ms = ms * 16 + (uint64_t) (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return ms;
}

static void test_format_known_answer(void **state) {
        char out[UUID7_STRING_SIZE];

        (void) state;
        assert_int_equal(uuid7_format(RFC_UNIX_MS, rfc_rand, out), 0);
        assert_string_equal(out, RFC_UUID);
        assert_true(uuid7_is_valid(out));
}

static void test_format_ignores_bits_that_do_not_fit(void **state) {
        /* The high nibble of byte 0 and the two high bits of byte 2 are the version and variant
         * positions: they must be overwritten, not leak through. */
        uint8_t r[UUID7_RANDOM_SIZE];
        char out[UUID7_STRING_SIZE];

        (void) state;
        memcpy(r, rfc_rand, sizeof(r));
        r[0] |= 0xf0;
        r[2] |= 0xc0;
        assert_int_equal(uuid7_format(RFC_UNIX_MS, r, out), 0);
        assert_string_equal(out, RFC_UUID);
}

static void test_format_version_and_variant_bits(void **state) {
        uint8_t zeros[UUID7_RANDOM_SIZE] = {}, ones[UUID7_RANDOM_SIZE];
        char out[UUID7_STRING_SIZE];

        (void) state;
        memset(ones, 0xff, sizeof(ones));

        assert_int_equal(uuid7_format(0, zeros, out), 0);
        assert_string_equal(out, "00000000-0000-7000-8000-000000000000");
        assert_true(uuid7_is_valid(out));

        assert_int_equal(uuid7_format((UINT64_C(1) << 48) - 1, ones, out), 0);
        assert_string_equal(out, "ffffffff-ffff-7fff-bfff-ffffffffffff");
        assert_true(uuid7_is_valid(out));
}

static void test_format_errors_leave_output_untouched(void **state) {
        char out[UUID7_STRING_SIZE];

        (void) state;
        memset(out, 'x', sizeof(out));
        assert_int_equal(uuid7_format(UINT64_C(1) << 48, rfc_rand, out), -ERANGE);
        assert_int_equal(uuid7_format(UINT64_MAX, rfc_rand, out), -ERANGE);
        assert_int_equal(uuid7_format(RFC_UNIX_MS, NULL, out), -EINVAL);
        for (size_t i = 0; i < sizeof(out); i++)
                assert_int_equal(out[i], 'x');

        assert_int_equal(uuid7_format(RFC_UNIX_MS, rfc_rand, NULL), -EINVAL);
        assert_int_equal(uuid7_generate(NULL), -EINVAL);
}

static int compare_ids(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

static void test_generate_many_valid_and_distinct(void **state) {
        enum { N = 1000 };
        char ids[N][UUID7_STRING_SIZE];
        char *sorted[N];

        (void) state;
        for (size_t i = 0; i < N; i++) {
                assert_int_equal(uuid7_generate(ids[i]), 0);
                assert_int_equal(strlen(ids[i]), UUID7_STRING_LEN);
                assert_true(uuid7_is_valid(ids[i]));
                assert_int_equal(ids[i][14], '7');
                assert_non_null(strchr("89ab", ids[i][19]));
                sorted[i] = ids[i];
        }

        /* 74 random bits: a collision among 1000 means the random part is broken. */
        qsort(sorted, N, sizeof(sorted[0]), compare_ids);
        for (size_t i = 1; i < N; i++)
                assert_string_not_equal(sorted[i - 1], sorted[i]);
}

static void test_generate_timestamp_is_now_and_ordered(void **state) {
        char a[UUID7_STRING_SIZE], b[UUID7_STRING_SIZE];
        struct timespec pause = { .tv_nsec = 3 * 1000 * 1000 };
        uint64_t before, after;

        (void) state;
        before = now_ms();
        assert_int_equal(uuid7_generate(a), 0);
        after = now_ms();
        assert_in_range(uuid7_timestamp(a), before, after);

        /* A few milliseconds later the timestamp part must sort after the first one. */
        assert_int_equal(nanosleep(&pause, NULL), 0);
        assert_int_equal(uuid7_generate(b), 0);
        assert_true(strncmp(a, b, 13) < 0);
        assert_true(strcmp(a, b) < 0);
        assert_true(uuid7_timestamp(a) < uuid7_timestamp(b));
}

static void test_is_valid_rejects(void **state) {
        (void) state;
        assert_true(uuid7_is_valid(RFC_UUID));

        assert_false(uuid7_is_valid(NULL));
        assert_false(uuid7_is_valid(""));
        /* uppercase */
        assert_false(uuid7_is_valid("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"));
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398F"));
        /* variant other than 10xx: 0xxx, 110x, 111x */
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-18c4-dc0c0c07398f"));
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-78c4-dc0c0c07398f"));
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-c8c4-dc0c0c07398f"));
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-e8c4-dc0c0c07398f"));
        /* other versions */
        assert_false(uuid7_is_valid("017f22e2-79b0-4cc3-98c4-dc0c0c07398f"));
        assert_false(uuid7_is_valid("017f22e2-79b0-8cc3-98c4-dc0c0c07398f"));
        /* lengths */
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398"));
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f0"));
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f\n"));
        assert_false(uuid7_is_valid("017f22e279b07cc398c4dc0c0c07398f"));
        /* dashes misplaced, missing or replaced */
        assert_false(uuid7_is_valid("017f22e279-b0-7cc3-98c4-dc0c0c07398f"));
        assert_false(uuid7_is_valid("017f22e2_79b0-7cc3-98c4-dc0c0c07398f"));
        assert_false(uuid7_is_valid("{017f22e2-79b0-7cc3-98c4-dc0c0c0739}"));
        /* non-hex */
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398g"));
        assert_false(uuid7_is_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398 "));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format_known_answer),
                cmocka_unit_test(test_format_ignores_bits_that_do_not_fit),
                cmocka_unit_test(test_format_version_and_variant_bits),
                cmocka_unit_test(test_format_errors_leave_output_untouched),
                cmocka_unit_test(test_generate_many_valid_and_distinct),
                cmocka_unit_test(test_generate_timestamp_is_now_and_ordered),
                cmocka_unit_test(test_is_valid_rejects),
        };

        return cmocka_run_group_tests_name("uuid7", tests, NULL, NULL);
}
