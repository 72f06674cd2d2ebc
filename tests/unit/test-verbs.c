/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "verbs.h"

static int last_argc;
static const char *last_verb;

static int record(int argc, char *argv[], void *userdata) {
        last_argc = argc;
        last_verb = argv[0];
        return userdata ? *(int *) userdata : 0;
}

static const Verb verbs[] = {
        { "list", 1, 1, VERB_DEFAULT, record },
        { "start", 2, VERB_ANY, 0, record },
        { "show", 2, 3, 0, record },
        {}
};

static int setup(void **state) {
        (void) state;
        last_argc = -1;
        last_verb = NULL;
        return 0;
}

static void test_find(void **state) {
        (void) state;
        assert_ptr_equal(verbs_find(verbs, "start"), &verbs[1]);
        assert_ptr_equal(verbs_find(verbs, NULL), &verbs[0]);
        assert_null(verbs_find(verbs, "stop"));
        assert_null(verbs_find(verbs, ""));
}

static void test_default_verb(void **state) {
        (void) state;
        assert_int_equal(dispatch_verb(0, NULL, verbs, NULL), 0);
        assert_int_equal(last_argc, 1);
        assert_string_equal(last_verb, "list");
}

static void test_argument_counts(void **state) {
        char *start_none[] = { (char *) "start", NULL };
        char *start_three[] = { (char *) "start", (char *) "a", (char *) "b", NULL };
        char *show_four[] = { (char *) "show", (char *) "a", (char *) "-p", (char *) "x", NULL };
        char *list_extra[] = { (char *) "list", (char *) "x", NULL };

        (void) state;
        assert_int_equal(dispatch_verb(1, start_none, verbs, NULL), -EINVAL);
        assert_null(last_verb);
        assert_int_equal(dispatch_verb(3, start_three, verbs, NULL), 0);
        assert_int_equal(last_argc, 3);
        assert_int_equal(dispatch_verb(4, show_four, verbs, NULL), -EINVAL);
        assert_int_equal(dispatch_verb(3, show_four, verbs, NULL), 0);
        assert_int_equal(dispatch_verb(2, list_extra, verbs, NULL), -EINVAL);
}

static void test_unknown_verb(void **state) {
        char *argv[] = { (char *) "frobnicate", NULL };

        (void) state;
        assert_int_equal(dispatch_verb(1, argv, verbs, NULL), -EINVAL);
        assert_null(last_verb);
}

static void test_result_passed_through(void **state) {
        char *argv[] = { (char *) "show", (char *) "x", NULL };
        int result = 42;

        (void) state;
        assert_int_equal(dispatch_verb(2, argv, verbs, &result), 42);
        assert_string_equal(last_verb, "show");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_find, setup),
                cmocka_unit_test_setup(test_default_verb, setup),
                cmocka_unit_test_setup(test_argument_counts, setup),
                cmocka_unit_test_setup(test_unknown_verb, setup),
                cmocka_unit_test_setup(test_result_passed_through, setup),
        };
        return cmocka_run_group_tests_name("verbs", tests, NULL, NULL);
}
