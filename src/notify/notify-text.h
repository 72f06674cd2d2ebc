/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What orchd-notify shows for an alert, decided without a bus or a notification server: the
 * actions offered, the urgency, and the body people read. Pure, so that the unit tests cover it. */

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The answers a notification offers, in the order its buttons appear. The first four are orchd's
 * own action names (Agent.Notify's actions); "log" is the agent's own. */
typedef enum NotifyAction {
        NOTIFY_ACTION_ACKNOWLEDGE,
        NOTIFY_ACTION_RESTART,
        NOTIFY_ACTION_ESCALATE,
        NOTIFY_ACTION_LOG,
        NOTIFY_ACTION_RESOLVE,
        _NOTIFY_ACTION_MAX,
        _NOTIFY_ACTION_INVALID = -EINVAL,
} NotifyAction;

const char *notify_action_to_string(NotifyAction a);
NotifyAction notify_action_from_string(const char *s);
/* The button's label: "Acknowledge", "Restart", "Escalate", "Show log", "Resolve". */
const char *notify_action_label(NotifyAction a);
/* The verb of a failure message: "acknowledge", "restart", ... ("show the log of"). */
const char *notify_action_verb(NotifyAction a);

/* Bits of (1u << NotifyAction) from orchd's action names; unknown names are ignored. */
unsigned notify_actions_from_strv(const char *const *names);

/* The highest level orchd has: 1 the operators, 2 the superiors (the contract's Alert.Level). */
#define NOTIFY_LEVEL_MAX 2U

/* One alert as the agent knows it: what orchd's last Notify said, and what it learned since. */
typedef struct AlertView {
        char *alert_id;             /* "" for a grouped notification */
        char *instance;
        unsigned level;             /* of the last Notify */
        unsigned escalated_level;   /* from AlertEscalated, when above level */
        char *summary, *body;       /* as orchd sent them */
        unsigned offered;           /* bits of NotifyAction orchd offered */
        uint64_t raised_usec;       /* CLOCK_REALTIME µs; 0: not known */
        bool acknowledged;
        char *acknowledged_by;      /* "uid 1000 (alice)", or NULL */
        char *status;               /* the outcome of the person's last action, or NULL */
} AlertView;

void alert_view_clear(AlertView *v);

/* The actions to show now: what orchd offered, less what no longer applies (acknowledging an
 * acknowledged alert, escalating at the top level), plus "Show log" for a single alert. None for
 * a grouped notification. */
unsigned alert_view_actions(const AlertView *v);

/* Urgency as the Desktop Notifications spec numbers it (0 low, 1 normal, 2 critical): critical for
 * the superiors (level 2) while nobody has acknowledged the alert, normal otherwise. */
unsigned alert_view_urgency(const AlertView *v);

/* "Since 14:03:27 (5 min ago)" from RAISED_USEC, relative to NOW_USEC (both CLOCK_REALTIME µs),
 * in the local time zone; the date too when it was not today. NULL if RAISED_USEC is 0. */
char *notify_format_since(uint64_t raised_usec, uint64_t now_usec);

/* The body: the outcome of the last action, who acknowledged, "since when", then orchd's body
 * (the message and the log excerpt) as sent. WHO_AM_I ("uid 1000 (alice)" prefix match: "uid
 * 1000 ") turns the acknowledger into "you". With MARKUP every piece is escaped for servers that
 * read body markup; WITHOUT_ACTIONS adds the orchctl commands for servers without buttons. */
char *alert_view_body(const AlertView *v, uid_t uid, uint64_t now_usec, bool markup, bool without_actions);

/* The command line that shows an alert in a terminal: TERMINAL_ARGV (e.g. "xterm", "-e") followed
 * by a shell that runs `orchctl alert ID` and waits for Enter. A new NULL-terminated vector. */
char **notify_terminal_argv(const char *const *terminal_argv, const char *orchctl, const char *alert_id);
