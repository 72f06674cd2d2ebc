/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ratelimit.h"

static void test_burst_then_window(void **state) {
        (void) state;
        RateLimit rl = { .interval_usec = 1000, .burst = 3 };

        for (int k = 0; k < 3; k++) {
                assert_int_equal(ratelimit_next_usec(&rl, 100), 100);
                assert_true(ratelimit_allow(&rl, 100 + k));
        }
        assert_false(ratelimit_allow(&rl, 200));
        assert_false(ratelimit_allow(&rl, 1099));
        assert_int_equal(ratelimit_next_usec(&rl, 500), 1100);
        /* The window ends 1000 µs after its first event. */
        assert_true(ratelimit_allow(&rl, 1100));
        assert_int_equal(rl.used, 1);
        assert_int_equal(rl.window_start_usec, 1100);
}

static void test_edges(void **state) {
        (void) state;
        RateLimit none = { .interval_usec = 1000, .burst = 0 };
        RateLimit unlimited = { .interval_usec = 0, .burst = 0 };
        RateLimit back = { .interval_usec = 1000, .burst = 1 };

        assert_false(ratelimit_allow(&none, 5));
        assert_false(ratelimit_allow(&none, 5000));
        for (int k = 0; k < 100; k++)
                assert_true(ratelimit_allow(&unlimited, 7));
        assert_true(ratelimit_allow(&back, 5000));
        assert_false(ratelimit_allow(&back, 5001));
        /* The clock went back: a new window, not a wait of ~forever. */
        assert_true(ratelimit_allow(&back, 10));
        assert_true(ratelimit_allow(&(RateLimit) { .interval_usec = UINT64_MAX, .burst = 1 }, UINT64_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_burst_then_window),
                cmocka_unit_test(test_edges),
        };
        return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
