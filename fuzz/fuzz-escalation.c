/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The alert state machine (escalation.h) driven the way alert.c drives it, by a sequence of
 * operations from the input on a few instances, each with its list of alerts: an instance that
 * gives up raises a new alert only when none of its alerts is unresolved (otherwise that one gets
 * FAILED_AGAIN), people and timers send events to any alert, at times from the input (the clock
 * may go back), and alerts are loaded "from disk" with a progress from the input. After every step:
 * every alert is in a valid state, no level went down, a resolved alert refused the event and did
 * not change, an event was refused exactly when the documented rules say, a refusal changed
 * nothing, and no instance has more than one unresolved alert. */
#include "escalation.h"
#include "fuzz.h"

#define N_INSTANCES 4
#define N_ALERTS 12
#define N_STEPS 256

typedef struct Instance {
        AlertProgress alerts[N_ALERTS];
        size_t n_alerts;
} Instance;

static const uint64_t interesting_usec[] = {
        0, 1, 2, 1000, 1000000, 300000000, 1800000000, UINT64_C(1) << 62, UINT64_MAX - 1, UINT64_MAX,
};

static uint64_t pick_usec(FuzzReader *r) {
        return fuzz_u64_interesting(r, interesting_usec, sizeof interesting_usec / sizeof interesting_usec[0]);
}

static bool progress_equal(const AlertProgress *a, const AlertProgress *b) {
        return a->state == b->state && a->level == b->level && a->next_action_usec == b->next_action_usec;
}

static AlertProgress *unresolved(Instance *in) {
        AlertProgress *found = NULL;
        unsigned n = 0;

        for (size_t i = 0; i < in->n_alerts; i++)
                if (in->alerts[i].state != ALERT_RESOLVED) {
                        found = &in->alerts[i];
                        n++;
                }
        FUZZ_CHECK_MSG(n <= 1, "an instance has %u unresolved alerts", n);
        return found;
}

static uint64_t timer_from(uint64_t now, uint64_t delay) {
        return now > UINT64_MAX - delay ? UINT64_MAX : now + delay;
}

/* The documented rules: when an event does not apply. */
static bool event_refused(const AlertProgress *p, AlertEvent e, uint64_t now) {
        if (p->state == ALERT_RESOLVED)
                return true;
        switch (e) {
        case ALERT_EVENT_ACKNOWLEDGE:
                return p->state != ALERT_OPEN;
        case ALERT_EVENT_ESCALATE:
                return p->level >= ALERT_LEVEL_MAX;
        case ALERT_EVENT_TIMER:
                return p->state != ALERT_OPEN || p->next_action_usec == 0 || now < p->next_action_usec;
        default:
                return false;
        }
}

static void apply_event(AlertProgress *p, AlertEvent e, const EscalationPolicy *policy, uint64_t now) {
        AlertProgress before = *p;
        AlertOutcome out = { .changed = true, .escalated = true, .notify_level = 99 };
        int r;

        r = alert_progress_apply(p, e, policy, now, &out);
        if (e < 0 || e >= _ALERT_EVENT_MAX) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(progress_equal(p, &before));
                return;
        }
        FUZZ_CHECK_MSG((r == -EBUSY) == event_refused(&before, e, now), "event %s on a %s alert at level %u: %d",
                       alert_event_to_string(e), alert_state_to_string(before.state), before.level, r);
        if (r < 0) {
                FUZZ_CHECK(r == -EBUSY);
                FUZZ_CHECK(progress_equal(p, &before));
                return;
        }
        FUZZ_CHECK(r == 0);

        FUZZ_CHECK(alert_progress_is_valid(p));
        FUZZ_CHECK(out.changed);
        FUZZ_CHECK_MSG(p->level >= before.level && p->level <= before.level + 1, "level %u → %u", before.level, p->level);
        FUZZ_CHECK(out.escalated == (p->level > before.level));
        FUZZ_CHECK(out.notify_level == 0 || out.notify_level == p->level);
        switch (e) {
        case ALERT_EVENT_ACKNOWLEDGE:
                FUZZ_CHECK(p->state == ALERT_ACKNOWLEDGED && p->level == before.level && p->next_action_usec == 0);
                FUZZ_CHECK(out.notify_level == 0);
                break;
        case ALERT_EVENT_ESCALATE:
                FUZZ_CHECK(p->state == ALERT_OPEN && p->level == before.level + 1 && out.notify_level == p->level);
                break;
        case ALERT_EVENT_RESOLVE:
        case ALERT_EVENT_STABLE:
                FUZZ_CHECK(p->state == ALERT_RESOLVED && p->level == before.level && p->next_action_usec == 0);
                break;
        case ALERT_EVENT_FAILED_AGAIN:
                FUZZ_CHECK(p->state == before.state && p->level == before.level && out.notify_level == p->level);
                break;
        case ALERT_EVENT_TIMER:
                FUZZ_CHECK(p->state == ALERT_OPEN && out.notify_level == p->level);
                FUZZ_CHECK(p->level == MIN(before.level + 1, ALERT_LEVEL_MAX));
                break;
        default:
                abort();
        }
        /* An open alert's timer: the acknowledgement timeout below the top, the repeat at the top. */
        if (p->state == ALERT_OPEN && (e != ALERT_EVENT_FAILED_AGAIN || before.state == ALERT_OPEN)) {
                uint64_t expected = p->level < ALERT_LEVEL_MAX ? timer_from(now, policy->ack_timeout_usec) :
                                    policy->repeat_usec > 0 ? timer_from(now, policy->repeat_usec) : 0;
                FUZZ_CHECK(p->next_action_usec == expected);
        }
}

/* An instance gave up: a new alert, or FAILED_AGAIN to its unresolved one (alert.c). */
static void give_up(Instance *in, const EscalationPolicy *policy, uint64_t now) {
        AlertProgress *open = unresolved(in), *p;
        AlertOutcome out = {};

        if (open) {
                apply_event(open, ALERT_EVENT_FAILED_AGAIN, policy, now);
                FUZZ_CHECK(open->state != ALERT_RESOLVED);
                return;
        }
        if (in->n_alerts >= N_ALERTS)
                return;
        p = &in->alerts[in->n_alerts++];
        alert_progress_raise(p, policy, now, &out);
        FUZZ_CHECK(alert_progress_is_valid(p));
        FUZZ_CHECK(p->state == ALERT_OPEN && p->level == ALERT_LEVEL_OPERATORS);
        FUZZ_CHECK(p->next_action_usec == timer_from(now, policy->ack_timeout_usec));
        FUZZ_CHECK(out.changed && !out.escalated && out.notify_level == ALERT_LEVEL_OPERATORS);
}

/* An alert as a state file may hold it: refused whole if it is no valid state. */
static void load(Instance *in, FuzzReader *r, const EscalationPolicy *policy, uint64_t now) {
        AlertProgress p = {
                .state = (AlertState) ((int) (fuzz_u8(r) % 5) - 1),
                .level = fuzz_u8(r) % 4,
                .next_action_usec = fuzz_bool(r) ? 0 : pick_usec(r),
        };
        AlertProgress before = p;
        AlertOutcome out = {};

        if (!alert_progress_is_valid(&p)) {
                /* The machine refuses what it could never be in, and changes nothing. */
                for (int e = 0; e < _ALERT_EVENT_MAX; e++) {
                        FUZZ_CHECK(alert_progress_apply(&p, e, policy, now, &out) == -EINVAL);
                        FUZZ_CHECK(progress_equal(&p, &before));
                }
                return;
        }
        FUZZ_CHECK(p.state >= 0 && p.state < _ALERT_STATE_MAX);
        FUZZ_CHECK(p.level >= ALERT_LEVEL_OPERATORS && p.level <= ALERT_LEVEL_MAX);
        FUZZ_CHECK(p.state == ALERT_OPEN || p.next_action_usec == 0);
        FUZZ_CHECK(p.state != ALERT_OPEN || p.level == ALERT_LEVEL_MAX || p.next_action_usec > 0);
        /* The store keeps one unresolved alert per instance too. */
        if (in->n_alerts >= N_ALERTS || (p.state != ALERT_RESOLVED && unresolved(in)))
                return;
        in->alerts[in->n_alerts++] = p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzReader r = fuzz_reader(data, size);
        Instance instances[N_INSTANCES] = {};
        EscalationPolicy policy = {
                .ack_timeout_usec = pick_usec(&r),
                .repeat_usec = pick_usec(&r),
        };
        uint64_t now = pick_usec(&r) | 1;       /* CLOCK_REALTIME is never 0 */

        for (size_t step = 0; step < N_STEPS && !fuzz_done(&r); step++) {
                uint8_t op = fuzz_u8(&r);
                Instance *in = &instances[op % N_INSTANCES];
                uint8_t how = fuzz_u8(&r);
                uint64_t delta = how & 0x80 ? pick_usec(&r) : how & 0x3f;

                if (how & 0x40)
                        now = now > delta ? now - delta : 1;    /* the clock went back */
                else
                        now = timer_from(now, delta);

                switch ((op / N_INSTANCES) % 4) {
                case 0:
                        give_up(in, &policy, now);
                        break;
                case 1:
                        load(in, &r, &policy, now);
                        break;
                default: {
                        AlertEvent e = (AlertEvent) (fuzz_u8(&r) % (_ALERT_EVENT_MAX + 1));
                        AlertProgress *p;
                        uint8_t level_before;

                        if (in->n_alerts == 0)
                                break;
                        p = &in->alerts[fuzz_u8(&r) % in->n_alerts];
                        level_before = (uint8_t) p->level;
                        apply_event(p, e, &policy, now);
                        FUZZ_CHECK(p->level >= level_before);
                        break;
                }
                }

                for (size_t i = 0; i < N_INSTANCES; i++) {
                        (void) unresolved(&instances[i]);
                        for (size_t k = 0; k < instances[i].n_alerts; k++)
                                FUZZ_CHECK(alert_progress_is_valid(&instances[i].alerts[k]));
                }
        }

        /* The names, both ways. */
        for (int s = -1; s <= _ALERT_STATE_MAX; s++) {
                const char *name = alert_state_to_string(s);

                FUZZ_CHECK(!name == (s < 0 || s >= _ALERT_STATE_MAX));
                if (name)
                        FUZZ_CHECK(alert_state_from_string(name) == s);
        }
        for (int e = -1; e <= _ALERT_EVENT_MAX; e++)
                FUZZ_CHECK(!alert_event_to_string(e) == (e < 0 || e >= _ALERT_EVENT_MAX));
        FUZZ_CHECK(alert_state_from_string(NULL) == _ALERT_STATE_INVALID);
        return 0;
}
