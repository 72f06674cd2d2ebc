/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Alerts at run time: the record (alert-record.h) with its object on the bus and its one timer.
 * Every transition goes through alert_event(): the state machine (escalation.h) decides, then the
 * record is persisted, the signal sent, the journal written (a fixed MESSAGE_ID per event type,
 * catalog/orchd.catalog) and the recipients notified (notifier.h). */

#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>

#include "alert-record.h"
#include "manager.h"

/* The journal's MESSAGE_IDs, one per event type (documented in catalog/orchd.catalog). */
#define ORCHD_MESSAGE_GAVE_UP "31cda369eef8483bbddc6d786d48f2ba"
#define ORCHD_MESSAGE_ALERT_RAISED "246be3abad71478399fbdc6a64287818"
#define ORCHD_MESSAGE_ALERT_ESCALATED "4bc433ff997b46df9e59ffc2bfd2fb9f"
#define ORCHD_MESSAGE_ALERT_ACKNOWLEDGED "89b01df2b5d5441f8815fc57bdedcdbb"
#define ORCHD_MESSAGE_ALERT_RESOLVED "bd5532c5c7714916b956a0cb14f4dedc"
#define ORCHD_MESSAGE_ALERT_REPEATED "ae13b3499aa34886badaf574e7ac113c"
#define ORCHD_MESSAGE_NOTIFICATION_FAILED "4a5f83ebf1004a78aae0049466f01f97"

/* How long the first notification waits for the failing run's log lines to reach the journal. */
#define ALERT_LOG_WAIT_USEC (500 * USEC_PER_MSEC)

/* Resolved alerts kept (oldest forgotten first), so that `orchctl alerts --all` shows history. */
#define ALERTS_RESOLVED_KEPT 200U

typedef struct Instance Instance;

typedef struct Alert {
        Manager *manager;
        AlertRecord record;
        char *object_path;
        sd_event_source *timer;     /* at record.progress.next_action_usec */
        /* The failing run's last lines may reach the journal after systemd said the run ended:
         * the first notification waits for them (journal changes, event-driven) a short while. */
        sd_journal *log_journal;
        sd_event_source *log_io, *log_timeout;
        unsigned log_notify_level;
        unsigned log_reread;        /* early re-reads done (alert.c: log_rereads_usec) */
        uint64_t log_wait_start;    /* CLOCK_MONOTONIC */
        bool log_complete;          /* the log lines read include systemd's line on the run's end */
} Alert;

Alert *alert_free(Alert *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(Alert *, alert_free);

/* The instance gave up: opens its alert, or tells the current level that it failed again. */
int alert_raise_for_instance(Instance *i);

/* A person (ACTOR, e.g. "uid 1000 (alice)") or orchd acts on the alert. -EBUSY: not in a state
 * where EVENT applies. */
int alert_event(Alert *a, AlertEvent event, const char *actor, const char *note);

/* (Re)arms the timer at the record's NextActionUSec, or disarms it. */
void alert_arm_timer(Alert *a);

/* The instance's open (unresolved) alert, or NULL. */
Alert *alert_find_open(Manager *m, const char *instance_id);
Alert *manager_find_alert(Manager *m, const char *id);

/* Loads the alerts from the store, publishes them and arms their timers (a timer that came due
 * while orchd was not running fires at once). */
int alerts_load(Manager *m);

/* The number of alerts not resolved (NAlerts). */
unsigned alerts_count_unresolved(Manager *m);

/* Reads the last lines of the journal entries of INVOCATION_ID (a run of UNIT); *RET_COMPLETE (if
 * not NULL) says whether systemd's entry on the run's end was among them. */
int alert_read_log(const char *unit, const char *invocation_id, unsigned max_lines, char ***ret,
                   bool *ret_complete);
/* The same for the run the alert is about. */
int alert_read_own_log(const Alert *a, char ***ret, bool *ret_complete);
