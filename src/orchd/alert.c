/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-messages.h>

#include "alert-dbus.h"
#include "alert.h"
#include "bus-common.h"
#include "instance.h"
#include "log.h"
#include "notifier.h"
#include "uuid7.h"

Alert *alert_free(Alert *a) {
        if (!a)
                return NULL;
        sd_event_source_disable_unref(a->timer);
        sd_event_source_disable_unref(a->log_io);
        sd_event_source_disable_unref(a->log_timeout);
        sd_journal_close(a->log_journal);
        alert_record_done(&a->record);
        free(a->object_path);
        free(a);
        return NULL;
}

static EscalationPolicy manager_escalation_policy(Manager *m) {
        return (EscalationPolicy) {
                .ack_timeout_usec = m->config.ack_timeout_usec,
                .repeat_usec = m->config.repeat_usec,
        };
}

/* Takes REC. */
static int alert_new(Manager *m, AlertRecord *rec, Alert **ret) {
        _cleanup_(alert_freep) Alert *a = calloc(1, sizeof(Alert));
        int r;

        if (!a)
                return -ENOMEM;
        a->manager = m;
        a->record = *rec;
        alert_record_init(rec);
        r = sd_bus_path_encode(ORCHD_ALERT_PATH_PREFIX, a->record.id, &a->object_path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

Alert *manager_find_alert(Manager *m, const char *id) {
        return id ? g_hash_table_lookup(m->alerts, id) : NULL;
}

Alert *alert_find_open(Manager *m, const char *instance_id) {
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, m->alerts);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                Alert *a = value;
                if (a->record.progress.state != ALERT_RESOLVED && streq(a->record.instance_id, instance_id))
                        return a;
        }
        return NULL;
}

unsigned alerts_count_unresolved(Manager *m) {
        GHashTableIter it;
        gpointer value;
        unsigned n = 0;

        g_hash_table_iter_init(&it, m->alerts);
        while (g_hash_table_iter_next(&it, NULL, &value))
                n += ((Alert *) value)->record.progress.state != ALERT_RESOLVED;
        return n;
}

/* Keeps text to what an alert record accepts: one line, no control characters, valid UTF-8, at
 * most MAX bytes (cut at a character boundary). */
static char *sanitize_line(const char *s, size_t len, size_t max) {
        GString *out = g_string_sized_new(MIN(len, max) + 1);
        const char *p = s, *end = s + len;

        while (p < end && *p) {
                gunichar c = g_utf8_get_char_validated(p, end - p);
                const char *next;

                if (c == (gunichar) -1 || c == (gunichar) -2) {
                        c = 0xFFFD;
                        next = p + 1;
                } else
                        next = g_utf8_next_char(p);
                if (c < 0x20 || c == 0x7f)
                        c = c == '\t' ? '\t' : ' ';
                if (c >= 0x80 && c < 0xa0)
                        c = 0xFFFD;
                char buf[6];
                int n = g_unichar_to_utf8(c, buf);
                if (out->len + n > max)
                        break;
                g_string_append_len(out, buf, n);
                p = next;
        }
        return g_string_free(out, false);
}

/* Whether the journal entry at J has FIELD=VALUE (VALUE NULL: has no FIELD at all). */
static bool entry_field_is(sd_journal *j, const char *field, const char *value) {
        const void *data;
        size_t len, n = strlen(field);

        if (sd_journal_get_data(j, field, &data, &len) < 0)
                return !value;
        return value && len == n + 1 + strlen(value) && memcmp((const char *) data + n + 1, value, len - n - 1) == 0;
}

/* systemd's own account of a run's end (sd-messages.h): the lines before it are in the journal
 * too, since the program wrote them before it exited. */
static bool entry_is_run_end(sd_journal *j) {
        return entry_field_is(j, "MESSAGE_ID", SD_MESSAGE_UNIT_PROCESS_EXIT_STR) ||
               entry_field_is(j, "MESSAGE_ID", SD_MESSAGE_UNIT_FAILURE_RESULT_STR) ||
               entry_field_is(j, "MESSAGE_ID", SD_MESSAGE_UNIT_SUCCESS_STR);
}

#define LOG_ENTRIES_SCANNED_MAX 500U

int alert_read_log(const char *unit, const char *invocation_id, unsigned max_lines, char ***ret,
                   bool *ret_complete) {
        sd_journal *j = NULL;
        _cleanup_free_ char *m1 = NULL, *m2 = NULL, *m3 = NULL;
        GPtrArray *lines;
        uint64_t run_start = UINT64_MAX;
        unsigned scanned = 0;
        int r;

        *ret = NULL;
        if (ret_complete)
                *ret_complete = false;
        if (isempty(invocation_id) || max_lines == 0)
                return 0;
        if (asprintf(&m1, "_SYSTEMD_INVOCATION_ID=%s", invocation_id) < 0 ||
            asprintf(&m2, "INVOCATION_ID=%s", invocation_id) < 0 ||
            asprintf(&m3, "_SYSTEMD_UNIT=%s", unit) < 0)
                return -ENOMEM;
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        /* The program's own lines, systemd's about its run ("Main process exited, ..."), and the
         * unit's lines journald could not tell the run of (a program that exits at once is gone
         * before journald looks up its cgroup): those count if they fall within the run. */
        r = sd_journal_add_match(j, m1, 0);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        if (r >= 0)
                r = sd_journal_add_match(j, m2, 0);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        if (r >= 0)
                r = sd_journal_add_match(j, m3, 0);
        if (r >= 0)
                r = sd_journal_seek_tail(j);
        if (r < 0) {
                sd_journal_close(j);
                return r;
        }

        /* Newest first: (time, line) of this run's entries and of the unit's unattributed ones. */
        lines = g_ptr_array_new_with_free_func(g_free);
        GArray *times = g_array_new(false, false, sizeof(uint64_t));
        while (lines->len < max_lines * 4 && scanned++ < LOG_ENTRIES_SCANNED_MAX && sd_journal_previous(j) > 0) {
                const void *data;
                size_t len;
                uint64_t t = 0;
                bool ours = entry_field_is(j, "_SYSTEMD_INVOCATION_ID", invocation_id) ||
                            entry_field_is(j, "INVOCATION_ID", invocation_id);

                if (!ours && !entry_field_is(j, "_SYSTEMD_INVOCATION_ID", NULL)) {
                        if (run_start != UINT64_MAX)
                                break;  /* an earlier run's: ours has been passed */
                        continue;       /* a later run's */
                }
                (void) sd_journal_get_realtime_usec(j, &t);
                if (ours) {
                        run_start = t;
                        if (ret_complete && entry_is_run_end(j))
                                *ret_complete = true;
                }
                if (sd_journal_get_data(j, "MESSAGE", &data, &len) < 0 || len < 8)
                        continue;
                g_ptr_array_add(lines, sanitize_line((const char *) data + 8, len - 8, ALERT_LOG_LINE_MAX));
                g_array_append_val(times, t);
        }
        sd_journal_close(j);

        /* Oldest first, as a log reads; unattributed lines only from within the run. */
        char **l = calloc(MIN(lines->len, max_lines) + 1, sizeof(char *));
        size_t n = 0;
        if (!l) {
                g_array_free(times, true);
                g_ptr_array_free(lines, true);
                return -ENOMEM;
        }
        for (guint k = lines->len; k > 0; k--) {
                if (g_array_index(times, uint64_t, k - 1) < run_start)
                        continue;
                l[n++] = g_steal_pointer(&lines->pdata[k - 1]);
        }
        /* The last MAX_LINES. */
        if (n > max_lines) {
                for (size_t k = 0; k < n - max_lines; k++)
                        g_free(l[k]);
                memmove(l, l + (n - max_lines), max_lines * sizeof(char *));
                l[max_lines] = NULL;
        }
        g_array_free(times, true);
        g_ptr_array_free(lines, true);
        *ret = l;
        return 0;
}

int alert_read_own_log(const Alert *a, char ***ret, bool *ret_complete) {
        _cleanup_free_ char *unit = NULL;

        if (asprintf(&unit, "orchd-%s.service", a->record.instance_name) < 0)
                return -ENOMEM;
        return alert_read_log(unit, a->record.invocation_id, ALERT_LOG_LINES_MAX, ret, ret_complete);
}

static void alert_save(Alert *a) {
        int r = store_save_alert(a->manager->store, &a->record);
        if (r < 0)
                log_error_errno(r, "Failed to save alert %s: %m", a->record.id);
}

static const char *event_message_id(AlertEvent event, const AlertOutcome *out) {
        switch (event) {
        case ALERT_EVENT_ACKNOWLEDGE:
                return ORCHD_MESSAGE_ALERT_ACKNOWLEDGED;
        case ALERT_EVENT_RESOLVE:
        case ALERT_EVENT_STABLE:
                return ORCHD_MESSAGE_ALERT_RESOLVED;
        case ALERT_EVENT_ESCALATE:
                return ORCHD_MESSAGE_ALERT_ESCALATED;
        case ALERT_EVENT_TIMER:
                return out->escalated ? ORCHD_MESSAGE_ALERT_ESCALATED : ORCHD_MESSAGE_ALERT_REPEATED;
        case ALERT_EVENT_FAILED_AGAIN:
                return ORCHD_MESSAGE_ALERT_REPEATED;
        default:
                return NULL;
        }
}

/* One structured journal entry per transition; OBJECT_SYSTEMD_UNIT (orchd is uid 0) makes it show
 * in `journalctl -u` and `systemctl status` of the instance's unit. */
static void alert_journal(Alert *a, const char *message_id, int priority, const char *actor, const char *text) {
        const AlertRecord *r = &a->record;

        (void) sd_journal_send("MESSAGE_ID=%s", message_id,
                               "MESSAGE=%s", text,
                               "PRIORITY=%i", priority,
                               "SYSLOG_IDENTIFIER=orchd",
                               "ORCHD_ALERT_ID=%s", r->id,
                               "ORCHD_ALERT_LEVEL=%u", r->progress.level,
                               "ORCHD_ALERT_STATE=%s", alert_state_to_string(r->progress.state),
                               "ORCHD_INSTANCE=%s", r->instance_name,
                               "ORCHD_INSTANCE_ID=%s", r->instance_id,
                               "ORCHD_ACTOR=%s", strempty(actor),
                               "OBJECT_SYSTEMD_UNIT=orchd-%s.service", r->instance_name,
                               NULL);
        log_debug("%s", text);
}

static int on_alert_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Alert *a = userdata;
        int r;

        (void) s, (void) usec;
        r = alert_event(a, ALERT_EVENT_TIMER, "orchd", NULL);
        if (r == -EBUSY)
                /* Early by the clock (the wall clock was set back): wait again. */
                alert_arm_timer(a);
        return 0;
}

void alert_arm_timer(Alert *a) {
        uint64_t at = a->record.progress.next_action_usec;
        int r;

        if (at == 0) {
                a->timer = sd_event_source_disable_unref(a->timer);
                return;
        }
        if (a->timer) {
                r = sd_event_source_set_time(a->timer, at);
                if (r >= 0)
                        r = sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
        } else
                /* A wall-clock deadline: it was persisted as one, and it holds across reboots. */
                r = sd_event_add_time(a->manager->event, &a->timer, CLOCK_REALTIME, at, USEC_PER_MSEC,
                                      on_alert_timer, a);
        if (r < 0)
                log_error_errno(r, "Alert %s: failed to arm its timer: %m", a->record.id);
}

static void replace_string(char **p, const char *v) {
        char *copy = v ? strdup(v) : NULL;
        if (v && !copy)
                return;
        free(*p);
        *p = copy;
}

static void prune_resolved(Manager *m) {
        GHashTableIter it;
        gpointer value;
        unsigned n_resolved = 0;
        Alert *oldest = NULL;

        for (;;) {
                n_resolved = 0;
                oldest = NULL;
                g_hash_table_iter_init(&it, m->alerts);
                while (g_hash_table_iter_next(&it, NULL, &value)) {
                        Alert *a = value;
                        if (a->record.progress.state != ALERT_RESOLVED)
                                continue;
                        n_resolved++;
                        if (!oldest || a->record.resolved_usec < oldest->record.resolved_usec)
                                oldest = a;
                }
                if (n_resolved <= ALERTS_RESOLVED_KEPT || !oldest)
                        return;
                (void) store_remove_alert(m->store, oldest->record.id);
                (void) alert_emit_removed(oldest);
                g_hash_table_remove(m->alerts, oldest->record.id);
        }
}

int alert_event(Alert *a, AlertEvent event, const char *actor, const char *note) {
        Manager *m = a->manager;
        AlertRecord *rec = &a->record;
        EscalationPolicy policy = manager_escalation_policy(m);
        uint64_t now = now_realtime_usec();
        AlertOutcome out;
        _cleanup_free_ char *text = NULL;
        int r, priority = LOG_NOTICE;

        r = alert_progress_apply(&rec->progress, event, &policy, now, &out);
        if (r < 0)
                return r;

        if (!isempty(note))
                replace_string(&rec->note, note);
        switch (event) {
        case ALERT_EVENT_ACKNOWLEDGE:
                rec->acknowledged_usec = now;
                replace_string(&rec->acknowledged_by, actor);
                m->counters.acknowledged++;
                m->counters.ack_usec_sum += now > rec->raised_usec ? now - rec->raised_usec : 0;
                r = asprintf(&text, "Alert for %s acknowledged by %s%s%s.", rec->instance_name, actor,
                             isempty(note) ? "" : ": ", strempty(note));
                break;
        case ALERT_EVENT_RESOLVE:
        case ALERT_EVENT_STABLE:
                rec->resolved_usec = now;
                replace_string(&rec->resolved_by, actor);
                m->counters.resolved++;
                m->counters.resolve_usec_sum += now > rec->raised_usec ? now - rec->raised_usec : 0;
                r = asprintf(&text, "Alert for %s resolved by %s%s%s.", rec->instance_name, actor,
                             event == ALERT_EVENT_STABLE ? " (the instance ran stably again)" :
                             isempty(note) ? "" : ": ",
                             event == ALERT_EVENT_STABLE ? "" : strempty(note));
                break;
        case ALERT_EVENT_FAILED_AGAIN:
                rec->failures++;
                priority = LOG_WARNING;
                r = asprintf(&text, "Instance %s gave up again (%u times); level %u notified again.",
                             rec->instance_name, rec->failures, rec->progress.level);
                break;
        case ALERT_EVENT_ESCALATE:
        case ALERT_EVENT_TIMER:
                priority = LOG_WARNING;
                if (out.escalated) {
                        rec->escalated_usec = now;
                        m->counters.escalations++;
                        r = asprintf(&text, "Alert for %s escalated to level %u (%s)%s%s.", rec->instance_name,
                                     rec->progress.level,
                                     event == ALERT_EVENT_TIMER ? "not acknowledged in time" : actor,
                                     isempty(note) ? "" : ": ", strempty(note));
                } else
                        r = asprintf(&text, "Alert for %s still not acknowledged; level %u notified again.",
                                     rec->instance_name, rec->progress.level);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                text = NULL;

        alert_save(a);
        if (text)
                alert_journal(a, event_message_id(event, &out), priority, actor, text);

        switch (event) {
        case ALERT_EVENT_ACKNOWLEDGE:
                (void) sd_bus_emit_signal(m->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE,
                                          "AlertAcknowledged", "ss", rec->id, strempty(actor));
                break;
        case ALERT_EVENT_RESOLVE:
        case ALERT_EVENT_STABLE:
                (void) sd_bus_emit_signal(m->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE,
                                          "AlertResolved", "ss", rec->id, strempty(actor));
                break;
        default:
                if (out.escalated)
                        (void) sd_bus_emit_signal(m->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE,
                                                  "AlertEscalated", "ssu", rec->id, rec->instance_name,
                                                  rec->progress.level);
        }

        if (out.notify_level > 0)
                notifier_alert(m->notifier, a, out.notify_level, alert_event_to_string(event));
        alert_arm_timer(a);
        (void) alert_emit_changed(a);
        manager_mark_changed(m);
        if (rec->progress.state == ALERT_RESOLVED)
                prune_resolved(m);
        return 0;
}

static void log_wait_end(Alert *a) {
        unsigned level = a->log_notify_level;

        a->log_io = sd_event_source_disable_unref(a->log_io);
        a->log_timeout = sd_event_source_disable_unref(a->log_timeout);
        a->log_journal = (sd_journal_close(a->log_journal), NULL);
        a->log_notify_level = 0;
        if (level > 0 && a->record.progress.state != ALERT_RESOLVED) {
                notifier_alert(a->manager->notifier, a, level, "raised");
                /* Its Notifications count says, after a restart of orchd, that it was sent. */
                alert_save(a);
        }
}

/* Reads the run's log again; if systemd's line on the run's end is in, takes it and notifies. */
static bool log_wait_try(Alert *a) {
        char **lines = NULL;
        bool complete;

        if (alert_read_own_log(a, &lines, &complete) < 0 || !complete) {
                strv_free(lines);
                return false;
        }
        strv_free(a->record.log_lines);
        a->record.log_lines = lines;
        alert_save(a);
        log_wait_end(a);
        return true;
}

/* journald writes an entry within a millisecond or so, but tells readers (inotify) from a timer
 * of its own, 250 to 500 ms later: besides that wake-up, the journal is read again a few times
 * early on, then the notification goes out without the line at ALERT_LOG_WAIT_USEC. */
static const uint64_t log_rereads_usec[] = { 5 * USEC_PER_MSEC, 15 * USEC_PER_MSEC, 40 * USEC_PER_MSEC };

static int on_log_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Alert *a = userdata;
        uint64_t next;

        if (log_wait_try(a))
                return 0;
        if (a->log_reread < ELEMENTSOF(log_rereads_usec))
                next = a->log_wait_start + log_rereads_usec[a->log_reread++];
        else if (usec < a->log_wait_start + ALERT_LOG_WAIT_USEC)
                next = a->log_wait_start + ALERT_LOG_WAIT_USEC;
        else {
                log_debug("Alert %s: no end of run %s in the journal yet; notifying without.", a->record.id,
                          a->record.invocation_id);
                log_wait_end(a);
                return 0;
        }
        if (sd_event_source_set_time(s, next) < 0 || sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0)
                log_wait_end(a);
        return 0;
}

static int on_log_journal(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Alert *a = userdata;

        (void) s, (void) fd, (void) revents;
        if (sd_journal_process(a->log_journal) != SD_JOURNAL_NOP)
                (void) log_wait_try(a);
        return 0;
}

/* Notifies LEVEL now if the alert has its log lines, else once the journal has them (or after
 * ALERT_LOG_WAIT_USEC). */
static void notify_with_log(Alert *a, unsigned level) {
        Manager *m = a->manager;
        int r, fd;

        if (a->log_complete || isempty(a->record.invocation_id))
                goto now;
        r = sd_journal_open(&a->log_journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                goto now;
        fd = sd_journal_get_fd(a->log_journal);
        if (fd < 0)
                goto now;
        r = sd_event_add_io(m->event, &a->log_io, fd, (uint32_t) sd_journal_get_events(a->log_journal),
                            on_log_journal, a);
        if (r < 0)
                goto now;
        r = sd_event_now(m->event, CLOCK_MONOTONIC, &a->log_wait_start);
        if (r >= 0)
                r = sd_event_add_time(m->event, &a->log_timeout, CLOCK_MONOTONIC,
                                      a->log_wait_start + log_rereads_usec[0], 1, on_log_timeout, a);
        if (r < 0)
                goto now;
        a->log_reread = 1;
        a->log_notify_level = level;
        /* Lines that arrived between the first read and the watch. */
        (void) log_wait_try(a);
        return;
now:
        a->log_notify_level = level;
        log_wait_end(a);
}

static char *give_up_message(Instance *i) {
        const InstanceRecord *rec = &i->record;
        char *s = NULL;

        if (asprintf(&s, "Instance %s gave up: %u failure%s within %" PRIu64 " s (last: %s, exit code %d).",
                     rec->config.name, rec->restart_window_failures, rec->restart_window_failures == 1 ? "" : "s",
                     rec->config.restart_window_usec / USEC_PER_SEC, strna(rec->last_result),
                     rec->last_exit_code) < 0)
                return NULL;
        return s;
}

int alert_raise_for_instance(Instance *i) {
        Manager *m = i->manager;
        _cleanup_(alert_record_done) AlertRecord rec;
        EscalationPolicy policy = manager_escalation_policy(m);
        _cleanup_free_ char *message = NULL;
        AlertOutcome out;
        Alert *a;
        bool log_complete = false;
        char id[UUID7_STRING_SIZE];
        int r;

        alert_record_init(&rec);
        message = give_up_message(i);
        if (!message)
                return log_oom();

        a = alert_find_open(m, i->record.config.id);
        if (a) {
                /* At most one open alert per instance: this one carries the news. */
                replace_string(&a->record.message, message);
                memcpy(a->record.invocation_id, i->record.handled_invocation, sizeof a->record.invocation_id);
                strv_free(a->record.log_lines);
                (void) alert_read_own_log(a, &a->record.log_lines, NULL);
                return alert_event(a, ALERT_EVENT_FAILED_AGAIN, "orchd", NULL);
        }

        r = uuid7_generate(id);
        if (r < 0)
                return log_error_errno(r, "Failed to generate an alert id: %m");
        rec.id = strdup(id);
        rec.instance_id = strdup(i->record.config.id);
        rec.instance_name = strdup(i->record.config.name);
        rec.message = TAKE_PTR(message);
        if (!rec.id || !rec.instance_id || !rec.instance_name)
                return log_oom();
        memcpy(rec.invocation_id, i->record.handled_invocation, sizeof rec.invocation_id);
        r = alert_read_log(i->unit, rec.invocation_id, ALERT_LOG_LINES_MAX, &rec.log_lines, &log_complete);
        if (r < 0)
                log_warning_errno(r, "Instance %s: failed to read the log of run %s: %m", rec.instance_name,
                                  rec.invocation_id);
        rec.raised_usec = now_realtime_usec();
        rec.failures = 1;
        alert_progress_raise(&rec.progress, &policy, rec.raised_usec, &out);

        r = alert_new(m, &rec, &a);
        if (r < 0)
                return log_error_errno(r, "Failed to create an alert: %m");
        a->log_complete = log_complete;
        g_hash_table_replace(m->alerts, a->record.id, a);
        m->counters.alerts_raised++;

        alert_save(a);
        alert_journal(a, ORCHD_MESSAGE_ALERT_RAISED, LOG_ERR, "orchd", a->record.message);
        (void) alert_emit_added(a);
        (void) sd_bus_emit_signal(m->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE, "AlertRaised", "ssu",
                                  a->record.id, a->record.instance_name, a->record.progress.level);
        notify_with_log(a, out.notify_level);
        alert_arm_timer(a);
        instance_mark_changed(i);
        manager_mark_changed(m);
        return 0;
}

static int on_loaded_unnotified(sd_event_source *s, void *userdata) {
        Alert *a = userdata;

        (void) s;
        a->log_timeout = sd_event_source_disable_unref(a->log_timeout);
        if (a->record.progress.state == ALERT_OPEN)
                notify_with_log(a, a->record.progress.level);
        return 0;
}

int alerts_load(Manager *m) {
        AlertRecord *records = NULL;
        size_t n = 0;
        int r;

        r = store_load_alerts(m->store, &records, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to load alerts: %m");
        for (size_t k = 0; k < n; k++) {
                Alert *a;

                if (g_hash_table_contains(m->alerts, records[k].id) ||
                    (records[k].progress.state != ALERT_RESOLVED && alert_find_open(m, records[k].instance_id))) {
                        log_warning("Alert %s: a second open alert of instance %s; ignored.", records[k].id,
                                    records[k].instance_name);
                        continue;
                }
                r = alert_new(m, &records[k], &a);
                if (r < 0) {
                        log_oom();
                        continue;
                }
                g_hash_table_replace(m->alerts, a->record.id, a);
                alert_arm_timer(a);
                /* Raised, but orchd stopped before anyone was told: tell them once the loop runs
                 * (with systemd connected, for the exec channel). */
                if (a->record.progress.state == ALERT_OPEN && a->record.notifications == 0 &&
                    sd_event_add_defer(m->event, &a->log_timeout, on_loaded_unnotified, a) < 0)
                        log_warning("Alert %s: failed to schedule its first notification.", a->record.id);
        }
        alert_records_free(records, n);
        if (n > 0)
                log_info("Loaded %zu alerts.", n);
        return 0;
}
