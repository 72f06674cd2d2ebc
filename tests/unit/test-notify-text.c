/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What orchd-notify shows for an alert (src/notify/notify-text.c). Runs with TZ=UTC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "notify-text.h"

#define BIT(a) (1U << (a))
/* 2026-12-02 10:00:00 UTC */
#define T0 UINT64_C(1796205600000000)

static void test_action_table(void **state) {
        (void) state;
        for (NotifyAction a = 0; a < _NOTIFY_ACTION_MAX; a++) {
                assert_non_null(notify_action_to_string(a));
                assert_non_null(notify_action_label(a));
                assert_non_null(notify_action_verb(a));
                assert_int_equal(notify_action_from_string(notify_action_to_string(a)), a);
        }
        assert_int_equal(notify_action_from_string("reboot"), _NOTIFY_ACTION_INVALID);
        assert_int_equal(notify_action_from_string(NULL), _NOTIFY_ACTION_INVALID);
        assert_null(notify_action_to_string(_NOTIFY_ACTION_MAX));
        assert_string_equal(notify_action_label(NOTIFY_ACTION_LOG), "Show log");
}

static void test_actions_from_orchd(void **state) {
        const char *const all[] = { "acknowledge", "escalate", "restart", "resolve", NULL };
        const char *const odd[] = { "log", "reboot", "restart", NULL };

        (void) state;
        assert_int_equal(notify_actions_from_strv(all),
                         BIT(NOTIFY_ACTION_ACKNOWLEDGE) | BIT(NOTIFY_ACTION_ESCALATE) | BIT(NOTIFY_ACTION_RESTART) |
                                 BIT(NOTIFY_ACTION_RESOLVE));
        /* "log" is the agent's own; unknown names are ignored. */
        assert_int_equal(notify_actions_from_strv(odd), BIT(NOTIFY_ACTION_RESTART));
        assert_int_equal(notify_actions_from_strv(NULL), 0);
}

static AlertView view_new(const char *id, unsigned level) {
        const char *const all[] = { "acknowledge", "escalate", "restart", "resolve", NULL };
        return (AlertView) {
                .alert_id = g_strdup(id),
                .instance = g_strdup("walle"),
                .level = level,
                .summary = g_strdup("walle: gave up (level 1)"),
                .body = g_strdup("Instance walle gave up: 3 failures.\n\nLast log lines:\nwalle: <battery> & 3%"),
                .offered = notify_actions_from_strv(all),
        };
}

static void test_actions_shown(void **state) {
        AlertView v = view_new("0190-a", 1);

        (void) state;
        assert_int_equal(alert_view_actions(&v), BIT(NOTIFY_ACTION_ACKNOWLEDGE) | BIT(NOTIFY_ACTION_RESTART) |
                                                         BIT(NOTIFY_ACTION_ESCALATE) | BIT(NOTIFY_ACTION_LOG) |
                                                         BIT(NOTIFY_ACTION_RESOLVE));
        assert_int_equal(alert_view_urgency(&v), 1);
        /* Acknowledged: no second acknowledgement. */
        v.acknowledged = true;
        assert_false(alert_view_actions(&v) & BIT(NOTIFY_ACTION_ACKNOWLEDGE));
        assert_true(alert_view_actions(&v) & BIT(NOTIFY_ACTION_ESCALATE));
        /* At the top level: nowhere to escalate to; critical while nobody acknowledged it. */
        v.acknowledged = false;
        v.level = 2;
        assert_false(alert_view_actions(&v) & BIT(NOTIFY_ACTION_ESCALATE));
        assert_int_equal(alert_view_urgency(&v), 2);
        v.acknowledged = true;
        assert_int_equal(alert_view_urgency(&v), 1);
        v.level = 1;
        v.escalated_level = 2;
        assert_false(alert_view_actions(&v) & BIT(NOTIFY_ACTION_ESCALATE));
        alert_view_clear(&v);

        /* A grouped notification has no answers. */
        v = view_new("", 1);
        assert_int_equal(alert_view_actions(&v), 0);
        alert_view_clear(&v);
}

static void test_since(void **state) {
        g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        (void) state;
        assert_null(notify_format_since(0, T0));
        a = notify_format_since(T0, T0 + 10 * G_USEC_PER_SEC);
        assert_string_equal(a, "Since 10:00:00 (just now)");
        b = notify_format_since(T0, T0 + 5 * 60 * G_USEC_PER_SEC + 7 * G_USEC_PER_SEC);
        assert_string_equal(b, "Since 10:00:00 (5 min ago)");
        c = notify_format_since(T0, T0 + (15 * 3600 + 90) * (uint64_t) G_USEC_PER_SEC);
        assert_string_equal(c, "Since 2026-12-02 10:00 (15 h 1 min ago)");
        /* A clock that went back does not make it negative. */
        d = notify_format_since(T0, T0 - G_USEC_PER_SEC);
        assert_string_equal(d, "Since 10:00:00 (just now)");
}

static void test_body(void **state) {
        AlertView v = view_new("0190-a", 1);
        g_autofree char *plain = NULL, *markup = NULL, *mine = NULL, *theirs = NULL, *bare = NULL;

        (void) state;
        v.raised_usec = T0;
        plain = alert_view_body(&v, 1000, T0 + 120 * G_USEC_PER_SEC, false, false);
        assert_string_equal(plain, "Since 10:00:00 (2 min ago)\n\nInstance walle gave up: 3 failures.\n\n"
                                   "Last log lines:\nwalle: <battery> & 3%");
        /* Markup servers get the log escaped: a log line is never markup. */
        markup = alert_view_body(&v, 1000, T0, true, false);
        assert_non_null(strstr(markup, "walle: &lt;battery&gt; &amp; 3%"));

        v.acknowledged = true;
        v.acknowledged_by = g_strdup("uid 1000 (alice)");
        mine = alert_view_body(&v, 1000, T0, false, false);
        assert_true(g_str_has_prefix(mine, "Acknowledged by you.\nSince"));
        /* uid 100 is not uid 1000. */
        theirs = alert_view_body(&v, 100, T0, false, false);
        assert_true(g_str_has_prefix(theirs, "Acknowledged by uid 1000 (alice).\n"));

        g_free(v.body);
        v.body = g_strdup("");
        v.raised_usec = 0;
        v.acknowledged = false;
        v.status = g_strdup("Could not acknowledge: Not authorized");
        v.escalated_level = 2;
        bare = alert_view_body(&v, 1000, T0, false, true);
        assert_string_equal(bare, "Could not acknowledge: Not authorized\nEscalated to level 2 (the superiors).\n\n"
                                  "Answer with: orchctl ack|escalate|resolve 0190-a");
        alert_view_clear(&v);
}

static void test_terminal(void **state) {
        const char *const xterm[] = { "xterm", "-e", NULL };
        g_auto(GStrv) argv = notify_terminal_argv(xterm, "/usr/bin/orchctl", "0190-a; rm -rf /");

        (void) state;
        assert_int_equal(g_strv_length(argv), 7);
        assert_string_equal(argv[0], "xterm");
        assert_string_equal(argv[1], "-e");
        assert_string_equal(argv[2], "sh");
        assert_string_equal(argv[3], "-c");
        /* The id is an argument of the script, never part of it. */
        assert_null(strstr(argv[4], "0190"));
        assert_string_equal(argv[5], "/usr/bin/orchctl");
        assert_string_equal(argv[6], "0190-a; rm -rf /");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_action_table),
                cmocka_unit_test(test_actions_from_orchd),
                cmocka_unit_test(test_actions_shown),
                cmocka_unit_test(test_since),
                cmocka_unit_test(test_body),
                cmocka_unit_test(test_terminal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
