/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "presence.h"

static void test_plan(void **state) {
        (void) state;
        ChannelPlan p;

        /* At the desktop with an agent: the desktop first, the rest only if not acknowledged. */
        p = presence_plan(true, true, true, true);
        assert_int_equal(p.now, CHANNEL_MASK_AGENT);
        assert_int_equal(p.fallback, CHANNEL_MASK_EXEC | CHANNEL_MASK_WEBHOOK);
        p = presence_plan(true, true, false, false);
        assert_int_equal(p.now, CHANNEL_MASK_AGENT);
        assert_int_equal(p.fallback, 0);
        /* An agent but no graphical session: everything at once. */
        p = presence_plan(true, false, true, false);
        assert_int_equal(p.now, CHANNEL_MASK_AGENT | CHANNEL_MASK_EXEC);
        assert_int_equal(p.fallback, 0);
        /* A graphical session but no agent: exec and webhook at once. */
        p = presence_plan(false, true, true, true);
        assert_int_equal(p.now, CHANNEL_MASK_EXEC | CHANNEL_MASK_WEBHOOK);
        assert_int_equal(p.fallback, 0);
        p = presence_plan(false, false, false, false);
        assert_int_equal(p.now, 0);
        assert_int_equal(p.fallback, 0);
}

static void test_no_session_for_nobody(void **state) {
        (void) state;
        /* No logind session of uid 65534 on a build machine (and no crash without logind). */
        assert_false(presence_user_at_desktop(65534));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_no_session_for_nobody),
        };
        return cmocka_run_group_tests_name("presence", tests, NULL, NULL);
}
