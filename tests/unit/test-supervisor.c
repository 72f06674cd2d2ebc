/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "supervisor.h"

static const BackoffPolicy policy = {
        .initial_usec = 100000, .max_usec = 30000000, .factor = 2.0, .jitter = 0.1,
};
#define MID (UINT32_MAX / 2 + 1)

static void test_backoff_schedule(void **state) {
        (void) state;
        /* Without jitter (random in the middle): 0.1, 0.2, 0.4, ... capped at 30 s. */
        assert_int_equal(backoff_delay_usec(&policy, 1, MID), 100000);
        assert_int_equal(backoff_delay_usec(&policy, 2, MID), 200000);
        assert_int_equal(backoff_delay_usec(&policy, 3, MID), 400000);
        assert_int_equal(backoff_delay_usec(&policy, 9, MID), 25600000);
        assert_int_equal(backoff_delay_usec(&policy, 10, MID), 30000000);
        assert_int_equal(backoff_delay_usec(&policy, 1000000, MID), 30000000);
        assert_int_equal(backoff_delay_usec(&policy, 0, MID), 100000);
}

static void test_backoff_jitter_bounds(void **state) {
        (void) state;
        assert_int_equal(backoff_delay_usec(&policy, 1, 0), 90000);
        assert_int_equal(backoff_delay_usec(&policy, 1, UINT32_MAX), 110000);
        /* The cap holds with jitter too. */
        assert_int_equal(backoff_delay_usec(&policy, 20, UINT32_MAX), 30000000);
        assert_int_equal(backoff_delay_usec(&policy, 20, 0), 27000000);
        for (uint32_t r = 0; r < UINT32_MAX - 9999999; r += 9999999) {
                uint64_t d = backoff_delay_usec(&policy, 4, r);
                assert_true(d >= 720000 && d <= 880000);
        }
}

static void test_policy(void **state) {
        (void) state;
        assert_false(restart_policy_wants_restart(RESTART_NO, false));
        assert_false(restart_policy_wants_restart(RESTART_NO, true));
        assert_true(restart_policy_wants_restart(RESTART_ON_FAILURE, false));
        assert_false(restart_policy_wants_restart(RESTART_ON_FAILURE, true));
        assert_true(restart_policy_wants_restart(RESTART_ALWAYS, true));
        assert_true(restart_policy_wants_restart(RESTART_ALWAYS, false));
}

static void test_budget_trips_after_exactly_n(void **state) {
        uint64_t start = 0;
        uint32_t failures = 0;
        (void) state;

        /* 5 attempts in 60 s: the fifth failure spends the budget. */
        for (int k = 1; k <= 4; k++)
                assert_false(restart_budget_spend(&start, &failures, 1000000 + k, 5, 60000000));
        assert_true(restart_budget_spend(&start, &failures, 1000010, 5, 60000000));
        assert_int_equal(failures, 5);
}

static void test_budget_window_resets(void **state) {
        uint64_t start = 0;
        uint32_t failures = 0;
        (void) state;

        assert_false(restart_budget_spend(&start, &failures, 1000000, 3, 60000000));
        assert_false(restart_budget_spend(&start, &failures, 2000000, 3, 60000000));
        /* After the window, counting starts over. */
        assert_false(restart_budget_spend(&start, &failures, 62000001, 3, 60000000));
        assert_int_equal(failures, 1);
        assert_int_equal(start, 62000001);
        /* A clock that went back also opens a new window. */
        assert_false(restart_budget_spend(&start, &failures, 5, 3, 60000000));
        assert_int_equal(failures, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_backoff_schedule),
                cmocka_unit_test(test_backoff_jitter_bounds),
                cmocka_unit_test(test_policy),
                cmocka_unit_test(test_budget_trips_after_exactly_n),
                cmocka_unit_test(test_budget_window_resets),
        };
        return cmocka_run_group_tests_name("supervisor", tests, NULL, NULL);
}
