/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "escalation.h"

#define SEC 1000000ULL
static const EscalationPolicy policy = { .ack_timeout_usec = 300 * SEC, .repeat_usec = 1800 * SEC };

static AlertProgress raised(uint64_t now) {
        AlertProgress p;
        AlertOutcome o;

        alert_progress_raise(&p, &policy, now, &o);
        assert_true(o.changed);
        assert_int_equal(o.notify_level, 1);
        assert_false(o.escalated);
        return p;
}

static void test_raise(void **state) {
        (void) state;
        AlertProgress p = raised(1000);

        assert_int_equal(p.state, ALERT_OPEN);
        assert_int_equal(p.level, 1);
        assert_int_equal(p.next_action_usec, 1000 + 300 * SEC);
        assert_true(alert_progress_is_valid(&p));
}

static void test_timeout_escalates_then_repeats(void **state) {
        (void) state;
        AlertProgress p = raised(0 + 1);
        AlertOutcome o;

        /* Not due yet: refused, untouched. */
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_TIMER, &policy, 299 * SEC, &o), -EBUSY);
        assert_int_equal(p.level, 1);

        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_TIMER, &policy, 300 * SEC + 1, &o), 0);
        assert_true(o.escalated);
        assert_int_equal(o.notify_level, 2);
        assert_int_equal(p.level, 2);
        assert_int_equal(p.state, ALERT_OPEN);
        assert_int_equal(p.next_action_usec, 2100 * SEC + 1);

        /* At the top level the timer repeats: same level, notified again, no escalation. */
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_TIMER, &policy, 2100 * SEC + 1, &o), 0);
        assert_false(o.escalated);
        assert_int_equal(o.notify_level, 2);
        assert_int_equal(p.level, 2);
        assert_int_equal(p.next_action_usec, 3900 * SEC + 1);
}

static void test_no_repeat_when_disabled(void **state) {
        (void) state;
        const EscalationPolicy once = { .ack_timeout_usec = 10, .repeat_usec = 0 };
        AlertProgress p;
        AlertOutcome o;

        alert_progress_raise(&p, &once, 100, &o);
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_TIMER, &once, 110, &o), 0);
        assert_int_equal(p.level, 2);
        assert_int_equal(p.next_action_usec, 0);
        assert_true(alert_progress_is_valid(&p));
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_TIMER, &once, 1000000, &o), -EBUSY);
}

static void test_acknowledge_stops_escalation(void **state) {
        (void) state;
        AlertProgress p = raised(1);
        AlertOutcome o;

        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_ACKNOWLEDGE, &policy, 10 * SEC, &o), 0);
        assert_int_equal(p.state, ALERT_ACKNOWLEDGED);
        assert_int_equal(p.next_action_usec, 0);
        assert_int_equal(o.notify_level, 0);
        /* No timer fires any more; a second acknowledgement is a bad state. */
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_TIMER, &policy, 1000 * SEC, &o), -EBUSY);
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_ACKNOWLEDGE, &policy, 11 * SEC, &o), -EBUSY);
        /* A failure again is told to the one who took it, without a timer. */
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_FAILED_AGAIN, &policy, 12 * SEC, &o), 0);
        assert_int_equal(o.notify_level, 1);
        assert_int_equal(p.state, ALERT_ACKNOWLEDGED);
        assert_int_equal(p.next_action_usec, 0);
}

static void test_escalate_by_person(void **state) {
        (void) state;
        AlertProgress p = raised(1);
        AlertOutcome o;

        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_ACKNOWLEDGE, &policy, 5 * SEC, &o), 0);
        /* "Cannot fix": an acknowledged alert goes up and is open again for the superiors. */
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_ESCALATE, &policy, 6 * SEC, &o), 0);
        assert_true(o.escalated);
        assert_int_equal(o.notify_level, 2);
        assert_int_equal(p.state, ALERT_OPEN);
        assert_int_equal(p.level, 2);
        assert_int_equal(p.next_action_usec, 1806 * SEC);
        assert_int_equal(alert_progress_apply(&p, ALERT_EVENT_ESCALATE, &policy, 7 * SEC, &o), -EBUSY);
        assert_int_equal(p.level, 2);
}

static void test_resolve(void **state) {
        (void) state;
        AlertOutcome o;

        for (AlertEvent e = ALERT_EVENT_RESOLVE; e <= ALERT_EVENT_STABLE; e++) {
                AlertProgress p = raised(1);

                assert_int_equal(alert_progress_apply(&p, e, &policy, 5, &o), 0);
                assert_int_equal(p.state, ALERT_RESOLVED);
                assert_int_equal(p.next_action_usec, 0);
                assert_int_equal(o.notify_level, 0);
                /* Final: every event is refused and leaves it untouched. */
                for (AlertEvent f = 0; f < _ALERT_EVENT_MAX; f++) {
                        AlertProgress before = p;
                        assert_int_equal(alert_progress_apply(&p, f, &policy, UINT64_MAX, &o), -EBUSY);
                        assert_memory_equal(&before, &p, sizeof p);
                }
        }
}

static void test_invalid(void **state) {
        (void) state;
        AlertOutcome o;
        AlertProgress bad_level = { .state = ALERT_OPEN, .level = 3, .next_action_usec = 1 };
        AlertProgress no_timer = { .state = ALERT_OPEN, .level = 1, .next_action_usec = 0 };
        AlertProgress acked_timer = { .state = ALERT_ACKNOWLEDGED, .level = 1, .next_action_usec = 5 };
        AlertProgress bad_state = { .state = 7, .level = 1 };
        AlertProgress ok = raised(1);

        assert_false(alert_progress_is_valid(&bad_level));
        assert_false(alert_progress_is_valid(&no_timer));
        assert_false(alert_progress_is_valid(&acked_timer));
        assert_false(alert_progress_is_valid(&bad_state));
        assert_false(alert_progress_is_valid(NULL));
        assert_int_equal(alert_progress_apply(&no_timer, ALERT_EVENT_RESOLVE, &policy, 1, &o), -EINVAL);
        assert_int_equal(alert_progress_apply(&ok, _ALERT_EVENT_MAX, &policy, 1, &o), -EINVAL);
        assert_int_equal(alert_progress_apply(&ok, -1, &policy, 1, &o), -EINVAL);
}

/* Every sequence of events keeps the machine in a valid state (a small exhaustive walk). */
static void walk(AlertProgress p, unsigned depth, uint64_t now) {
        if (depth == 0)
                return;
        for (AlertEvent e = 0; e < _ALERT_EVENT_MAX; e++) {
                AlertProgress q = p;
                AlertOutcome o;
                uint64_t t = e == ALERT_EVENT_TIMER && q.next_action_usec ? q.next_action_usec : now + 1;
                int r = alert_progress_apply(&q, e, &policy, t, &o);

                assert_true(r == 0 || r == -EBUSY);
                assert_true(alert_progress_is_valid(&q));
                if (r == 0) {
                        assert_true(o.changed);
                        assert_true(o.notify_level <= ALERT_LEVEL_MAX);
                        assert_true(!o.escalated || q.level == p.level + 1);
                        assert_true(q.level >= p.level);
                }
                walk(q, depth - 1, t);
        }
}

static void test_every_sequence_valid(void **state) {
        (void) state;
        walk(raised(1), 6, 1);
}

static void test_strings(void **state) {
        (void) state;
        for (AlertState s = 0; s < _ALERT_STATE_MAX; s++)
                assert_int_equal(alert_state_from_string(alert_state_to_string(s)), s);
        assert_int_equal(alert_state_from_string("closed"), _ALERT_STATE_INVALID);
        assert_int_equal(alert_state_from_string(NULL), _ALERT_STATE_INVALID);
        assert_null(alert_state_to_string(_ALERT_STATE_MAX));
        assert_string_equal(alert_event_to_string(ALERT_EVENT_TIMER), "timer");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_raise),
                cmocka_unit_test(test_timeout_escalates_then_repeats),
                cmocka_unit_test(test_no_repeat_when_disabled),
                cmocka_unit_test(test_acknowledge_stops_escalation),
                cmocka_unit_test(test_escalate_by_person),
                cmocka_unit_test(test_resolve),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_every_sequence_valid),
                cmocka_unit_test(test_strings),
        };
        return cmocka_run_group_tests_name("escalation", tests, NULL, NULL);
}
