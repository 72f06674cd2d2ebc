/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The alert state machine (ARCHITECTURE.md, "Escalation"). Pure: the caller passes the clock and
 * the policy and carries out the returned actions (notify, persist, signal, arm the timer). An
 * alert is open at level 1 (the operators) or 2 (the superiors), acknowledged, or resolved; the
 * only timer it ever needs is NextActionUSec: the acknowledgement timeout below the top level, the
 * repeat at the top level, none once acknowledged or resolved. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define ALERT_LEVEL_OPERATORS 1U
#define ALERT_LEVEL_SUPERIORS 2U
#define ALERT_LEVEL_MAX ALERT_LEVEL_SUPERIORS

typedef enum AlertState {
        ALERT_OPEN,             /* waiting for someone at its level to acknowledge */
        ALERT_ACKNOWLEDGED,     /* someone took it: no escalation, no repeat */
        ALERT_RESOLVED,         /* final */
        _ALERT_STATE_MAX,
        _ALERT_STATE_INVALID = -EINVAL,
} AlertState;

typedef enum AlertEvent {
        ALERT_EVENT_ACKNOWLEDGE,  /* a person: "I'll take it" */
        ALERT_EVENT_ESCALATE,     /* a person: "cannot fix", to the next level now */
        ALERT_EVENT_RESOLVE,      /* a person: fixed */
        ALERT_EVENT_STABLE,       /* the instance ran StableSec again */
        ALERT_EVENT_FAILED_AGAIN, /* the instance gave up again while the alert was not resolved */
        ALERT_EVENT_TIMER,        /* NextActionUSec came: escalate or repeat */
        _ALERT_EVENT_MAX,
        _ALERT_EVENT_INVALID = -EINVAL,
} AlertEvent;

typedef struct EscalationPolicy {
        uint64_t ack_timeout_usec;  /* AckTimeoutSec: level 1 → 2 without acknowledgement */
        uint64_t repeat_usec;       /* RepeatSec: re-notify the top level; 0: never */
} EscalationPolicy;

/* The part of an alert the state machine reads and writes. */
typedef struct AlertProgress {
        AlertState state;
        unsigned level;             /* 1..ALERT_LEVEL_MAX */
        uint64_t next_action_usec;  /* 0: none */
} AlertProgress;

/* What the caller must do after a transition. */
typedef struct AlertOutcome {
        bool changed;               /* state, level or timer changed: persist and signal */
        bool escalated;             /* the level went up */
        unsigned notify_level;      /* notify this level's recipients (0: nobody) */
} AlertOutcome;

/* A new alert at NOW: open at level 1, notify level 1, timer at the acknowledgement timeout. */
void alert_progress_raise(AlertProgress *p, const EscalationPolicy *policy, uint64_t now_usec, AlertOutcome *ret);

/* Applies EVENT at NOW. Returns 0, or -EBUSY when the event does not apply to the alert's state
 * (acknowledging an alert not open, escalating at the top level or when resolved, resolving a
 * resolved alert, a timer that is not due), leaving P untouched. -EINVAL for a P that is not a
 * state the machine can be in, or an unknown event. */
int alert_progress_apply(AlertProgress *p, AlertEvent event, const EscalationPolicy *policy, uint64_t now_usec,
                         AlertOutcome *ret);

/* Whether P is a state the machine can be in (for loaded records). */
bool alert_progress_is_valid(const AlertProgress *p);

const char *alert_state_to_string(AlertState s);
AlertState alert_state_from_string(const char *s);
const char *alert_event_to_string(AlertEvent e);
