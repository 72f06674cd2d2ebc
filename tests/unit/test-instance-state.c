/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "instance-state.h"
#include "macro.h"

/* The strings are part of the D-Bus contract and of the state files: spell them out here so that
 * renaming one in the table fails the test. */
static const struct {
        InstanceState state;
        const char *string;
} instance_states[] = {
        { INSTANCE_REGISTERED, "registered" },
        { INSTANCE_STARTING,   "starting" },
        { INSTANCE_RUNNING,    "running" },
        { INSTANCE_STOPPING,   "stopping" },
        { INSTANCE_STOPPED,    "stopped" },
        { INSTANCE_RESTARTING, "restarting" },
        { INSTANCE_FAILED,     "failed" },
        { INSTANCE_EXITED,     "exited" },
};

static const struct {
        RestartPolicy policy;
        const char *string;
} restart_policies[] = {
        { RESTART_NO,         "no" },
        { RESTART_ON_FAILURE, "on-failure" },
        { RESTART_ALWAYS,     "always" },
};

static void test_instance_state_strings(void **state) {
        (void) state;
        assert_int_equal(ELEMENTSOF(instance_states), _INSTANCE_STATE_MAX);

        for (size_t i = 0; i < ELEMENTSOF(instance_states); i++) {
                assert_string_equal(instance_state_to_string(instance_states[i].state), instance_states[i].string);
                assert_int_equal(instance_state_from_string(instance_states[i].string), instance_states[i].state);
        }
}

static void test_instance_state_round_trip(void **state) {
        (void) state;
        for (InstanceState s = 0; s < _INSTANCE_STATE_MAX; s++) {
                const char *string = instance_state_to_string(s);

                assert_non_null(string);
                assert_int_equal(instance_state_from_string(string), s);

                /* No two states share a string. */
                for (InstanceState t = s + 1; t < _INSTANCE_STATE_MAX; t++)
                        assert_string_not_equal(string, instance_state_to_string(t));
        }
}

static void test_instance_state_invalid(void **state) {
        (void) state;
        assert_int_equal(_INSTANCE_STATE_INVALID, -EINVAL);

        assert_null(instance_state_to_string(_INSTANCE_STATE_MAX));
        assert_null(instance_state_to_string(_INSTANCE_STATE_INVALID));
        assert_null(instance_state_to_string((InstanceState) -1));
        assert_null(instance_state_to_string((InstanceState) 1000));

        assert_int_equal(instance_state_from_string(NULL), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string(""), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string("Running"), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string("RUNNING"), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string("running "), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string(" running"), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string("run"), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string("active"), _INSTANCE_STATE_INVALID);
        assert_int_equal(instance_state_from_string("on-failure"), _INSTANCE_STATE_INVALID);
}

static void test_restart_policy_strings(void **state) {
        (void) state;
        assert_int_equal(ELEMENTSOF(restart_policies), _RESTART_POLICY_MAX);

        for (size_t i = 0; i < ELEMENTSOF(restart_policies); i++) {
                assert_string_equal(restart_policy_to_string(restart_policies[i].policy), restart_policies[i].string);
                assert_int_equal(restart_policy_from_string(restart_policies[i].string), restart_policies[i].policy);
        }
}

static void test_restart_policy_round_trip(void **state) {
        (void) state;
        for (RestartPolicy p = 0; p < _RESTART_POLICY_MAX; p++) {
                const char *string = restart_policy_to_string(p);

                assert_non_null(string);
                assert_int_equal(restart_policy_from_string(string), p);

                for (RestartPolicy q = p + 1; q < _RESTART_POLICY_MAX; q++)
                        assert_string_not_equal(string, restart_policy_to_string(q));
        }
}

static void test_restart_policy_invalid(void **state) {
        (void) state;
        assert_int_equal(_RESTART_POLICY_INVALID, -EINVAL);

        assert_null(restart_policy_to_string(_RESTART_POLICY_MAX));
        assert_null(restart_policy_to_string(_RESTART_POLICY_INVALID));
        assert_null(restart_policy_to_string((RestartPolicy) -1));
        assert_null(restart_policy_to_string((RestartPolicy) 1000));

        assert_int_equal(restart_policy_from_string(NULL), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string(""), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("on_failure"), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("onfailure"), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("On-Failure"), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("No"), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("yes"), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("always "), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("on-abnormal"), _RESTART_POLICY_INVALID);
        assert_int_equal(restart_policy_from_string("running"), _RESTART_POLICY_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_instance_state_strings),
                cmocka_unit_test(test_instance_state_round_trip),
                cmocka_unit_test(test_instance_state_invalid),
                cmocka_unit_test(test_restart_policy_strings),
                cmocka_unit_test(test_restart_policy_round_trip),
                cmocka_unit_test(test_restart_policy_invalid),
        };

        return cmocka_run_group_tests_name("instance-state", tests, NULL, NULL);
}
