/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <string.h>

#include "escalation.h"
#include "macro.h"

static const char *const alert_state_table[_ALERT_STATE_MAX] = {
        [ALERT_OPEN] = "open",
        [ALERT_ACKNOWLEDGED] = "acknowledged",
        [ALERT_RESOLVED] = "resolved",
};

static const char *const alert_event_table[_ALERT_EVENT_MAX] = {
        [ALERT_EVENT_ACKNOWLEDGE] = "acknowledge",
        [ALERT_EVENT_ESCALATE] = "escalate",
        [ALERT_EVENT_RESOLVE] = "resolve",
        [ALERT_EVENT_STABLE] = "stable",
        [ALERT_EVENT_FAILED_AGAIN] = "failed-again",
        [ALERT_EVENT_TIMER] = "timer",
};

const char *alert_state_to_string(AlertState s) {
        return s >= 0 && s < _ALERT_STATE_MAX ? alert_state_table[s] : NULL;
}

AlertState alert_state_from_string(const char *s) {
        if (!s)
                return _ALERT_STATE_INVALID;
        for (int i = 0; i < _ALERT_STATE_MAX; i++)
                if (strcmp(s, alert_state_table[i]) == 0)
                        return i;
        return _ALERT_STATE_INVALID;
}

const char *alert_event_to_string(AlertEvent e) {
        return e >= 0 && e < _ALERT_EVENT_MAX ? alert_event_table[e] : NULL;
}

static uint64_t add_clamped(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The timer an open alert at LEVEL needs from NOW: the acknowledgement timeout below the top
 * level, the repeat at the top. */
static uint64_t open_timer(unsigned level, const EscalationPolicy *policy, uint64_t now_usec) {
        if (level < ALERT_LEVEL_MAX)
                return add_clamped(now_usec, policy->ack_timeout_usec);
        return policy->repeat_usec > 0 ? add_clamped(now_usec, policy->repeat_usec) : 0;
}

bool alert_progress_is_valid(const AlertProgress *p) {
        if (!p || p->state < 0 || p->state >= _ALERT_STATE_MAX)
                return false;
        if (p->level < ALERT_LEVEL_OPERATORS || p->level > ALERT_LEVEL_MAX)
                return false;
        /* Only an open alert waits for anything; below the top level it always does. */
        if (p->state != ALERT_OPEN)
                return p->next_action_usec == 0;
        return p->level == ALERT_LEVEL_MAX || p->next_action_usec > 0;
}

void alert_progress_raise(AlertProgress *p, const EscalationPolicy *policy, uint64_t now_usec, AlertOutcome *ret) {
        *p = (AlertProgress) {
                .state = ALERT_OPEN,
                .level = ALERT_LEVEL_OPERATORS,
                .next_action_usec = open_timer(ALERT_LEVEL_OPERATORS, policy, now_usec),
        };
        *ret = (AlertOutcome) { .changed = true, .notify_level = ALERT_LEVEL_OPERATORS };
}

int alert_progress_apply(AlertProgress *p, AlertEvent event, const EscalationPolicy *policy, uint64_t now_usec,
                         AlertOutcome *ret) {
        AlertProgress next;
        AlertOutcome out = {};

        if (!alert_progress_is_valid(p) || !policy || !ret)
                return -EINVAL;
        if (event < 0 || event >= _ALERT_EVENT_MAX)
                return -EINVAL;
        if (p->state == ALERT_RESOLVED)
                return -EBUSY;  /* final: nothing applies */
        next = *p;

        switch (event) {
        case ALERT_EVENT_ACKNOWLEDGE:
                if (p->state != ALERT_OPEN)
                        return -EBUSY;
                next.state = ALERT_ACKNOWLEDGED;
                next.next_action_usec = 0;
                break;

        case ALERT_EVENT_ESCALATE:
                if (p->level >= ALERT_LEVEL_MAX)
                        return -EBUSY;
                next.state = ALERT_OPEN;
                next.level = p->level + 1;
                next.next_action_usec = open_timer(next.level, policy, now_usec);
                out.escalated = true;
                out.notify_level = next.level;
                break;

        case ALERT_EVENT_RESOLVE:
        case ALERT_EVENT_STABLE:
                next.state = ALERT_RESOLVED;
                next.next_action_usec = 0;
                break;

        case ALERT_EVENT_FAILED_AGAIN:
                /* Whoever has it now hears of it; an acknowledged alert stays with its taker. */
                next.next_action_usec = p->state == ALERT_OPEN ? open_timer(p->level, policy, now_usec) : 0;
                out.notify_level = p->level;
                break;

        case ALERT_EVENT_TIMER:
                if (p->state != ALERT_OPEN || p->next_action_usec == 0 || now_usec < p->next_action_usec)
                        return -EBUSY;
                if (p->level < ALERT_LEVEL_MAX) {
                        next.level = p->level + 1;
                        out.escalated = true;
                }
                next.next_action_usec = open_timer(next.level, policy, now_usec);
                out.notify_level = next.level;
                break;

        default:
                return -EINVAL;
        }

        out.changed = true;
        *p = next;
        *ret = out;
        return 0;
}
