/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <inttypes.h>
#include <time.h>
#include <glib.h>

#include <systemd/sd-journal.h>

#include "alert.h"
#include "bus-common.h"
#include "instance.h"
#include "log.h"
#include "manager.h"
#include "supervisor.h"
#include "unit-watcher.h"
#include "unit-driver.h"

int unit_object_path(const char *unit, char **ret) {
        return sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, ret);
}

int instance_new(Manager *m, InstanceRecord *record, Instance **ret) {
        _cleanup_(instance_freep) Instance *i = NULL;
        int r;

        i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;
        i->manager = m;
        instance_record_init(&i->record);
        i->state = INSTANCE_REGISTERED;

        i->unit = instance_unit_name(record->config.name);
        if (!i->unit)
                return -ENOMEM;
        r = unit_object_path(i->unit, &i->unit_path);
        if (r < 0)
                return r;
        r = sd_bus_path_encode(ORCHD_INSTANCE_PATH_PREFIX, record->config.name, &i->object_path);
        if (r < 0)
                return r;

        /* Take the record only once nothing can fail any more. */
        i->record = *record;
        instance_record_init(record);
        i->state = i->record.last_result ? INSTANCE_STOPPED : INSTANCE_REGISTERED;

        *ret = TAKE_PTR(i);
        return 0;
}

Instance *instance_free(Instance *i) {
        if (!i)
                return NULL;
        sd_event_source_disable_unref(i->restart_timer);
        sd_event_source_disable_unref(i->stable_timer);
        instance_record_done(&i->record);
        free(i->unit);
        free(i->unit_path);
        free(i->object_path);
        free(i);
        return NULL;
}

InstanceState instance_state_derive(const UnitStatus *s, bool want_running, bool ever_started) {
        const char *a = s->active_state;

        if (s->loaded) {
                if (streq(a, "active") || streq(a, "reloading"))
                        return INSTANCE_RUNNING;
                if (streq(a, "activating"))
                        return INSTANCE_STARTING;
                if (streq(a, "deactivating"))
                        return INSTANCE_STOPPING;
                if (streq(a, "failed"))
                        return INSTANCE_FAILED;
        }

        /* Inactive, or unloaded (a transient unit that ended cleanly is collected at once). */
        if (!ever_started)
                return INSTANCE_REGISTERED;
        if (!isempty(s->result) && !streq(s->result, "success"))
                return INSTANCE_FAILED;
        /* It ended cleanly: because we stopped it, or because the program was done. */
        return want_running ? INSTANCE_EXITED : INSTANCE_STOPPED;
}

void instance_mark_changed(Instance *i) {
        Manager *m = i->manager;

        if (i->changed || i->removed)
                return;
        i->changed = true;
        g_ptr_array_add(m->changed_instances, i);
        manager_schedule_changes(m);
}

int instance_save(Instance *i) {
        int r;

        r = store_save_instance(i->manager->store, &i->record);
        if (r < 0)
                return log_error_errno(r, "Failed to save instance %s: %m", i->record.config.name);
        return 0;
}

static int on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Instance *i = userdata;

        (void) s, (void) usec;
        i->restart_timer = sd_event_source_disable_unref(i->restart_timer);
        /* Not saved here: until the start is over (and saved), the restart time on disk makes
         * an orchd killed meanwhile restart it when it is back. */
        i->record.restart_at_usec = 0;
        i->record.start_pending = true;
        i->record.restart_count++;
        i->manager->counters.restarts++;
        log_info("Instance %s: restarting (restart %u).", i->record.config.name, i->record.restart_count);
        (void) operation_submit(i, OPERATION_START, NULL);
        /* From here the state follows the unit again. */
        instance_apply_unit_status(i);
        return 0;
}

static void arm_restart_timer(Instance *i) {
        uint64_t now = now_realtime_usec();
        uint64_t delay = i->record.restart_at_usec > now ? i->record.restart_at_usec - now : 0;
        int r;

        i->restart_timer = sd_event_source_disable_unref(i->restart_timer);
        r = sd_event_add_time_relative(i->manager->event, &i->restart_timer, CLOCK_BOOTTIME, delay,
                                       USEC_PER_MSEC, on_restart_timer, i);
        if (r < 0) {
                log_error_errno(r, "Instance %s: failed to schedule the restart: %m", i->record.config.name);
                return;
        }
        i->state = INSTANCE_RESTARTING;
        instance_mark_changed(i);
}

void instance_resume_restart(Instance *i) {
        if (i->record.restart_at_usec != 0 && i->record.want_running)
                arm_restart_timer(i);
}

void instance_reset_supervision(Instance *i, bool keep_running) {
        i->restart_timer = sd_event_source_disable_unref(i->restart_timer);
        i->record.restart_at_usec = 0;
        if (keep_running) {
                /* A person asked for it to run: a fresh budget and backoff. */
                i->record.gave_up = false;
                i->record.consecutive_failures = 0;
                i->record.restart_window_start_usec = 0;
                i->record.restart_window_failures = 0;
        }
}

/* A run ended while the instance is meant to run: restart it after the backoff, or give up when
 * the budget is spent. Called once per run (by its InvocationID), also for runs that ended while
 * orchd was not running. */
static void supervise_run_end(Instance *i) {
        InstanceRecord *rec = &i->record;
        const InstanceConfig *c = &rec->config;
        const Config *conf = &i->manager->config;
        const BackoffPolicy backoff = {
                .initial_usec = conf->restart_delay_usec,
                .max_usec = conf->restart_max_delay_usec,
                .factor = BACKOFF_FACTOR_DEFAULT,
                .jitter = BACKOFF_JITTER_DEFAULT,
        };
        /* systemd sends the Unit's ActiveState before the Service's Result: judge by the state,
         * a service that failed is "failed", one that exited cleanly "inactive". */
        bool success = !streq(i->status.active_state, "failed") &&
                       (isempty(i->status.result) || streq(i->status.result, "success"));
        uint64_t now = now_realtime_usec();
        uint64_t delay;

        memcpy(rec->handled_invocation, i->status.invocation_id, sizeof rec->handled_invocation);
        rec->start_pending = false;     /* it ran */
        if (!success)
                i->manager->counters.failures++;
        manager_mark_changed(i->manager);
        if (!restart_policy_wants_restart(c->restart, success)) {
                (void) instance_save(i);
                return;
        }

        if (restart_budget_spend(&rec->restart_window_start_usec, &rec->restart_window_failures, now,
                                 c->restart_attempts, c->restart_window_usec)) {
                rec->gave_up = true;
                i->state = INSTANCE_FAILED;
                (void) sd_journal_send("MESSAGE_ID=%s", ORCHD_MESSAGE_GAVE_UP,
                                       "MESSAGE=Instance %s: %u failure%s within %" PRIu64 " s; gave up.", c->name,
                                       rec->restart_window_failures, rec->restart_window_failures == 1 ? "" : "s",
                                       c->restart_window_usec / USEC_PER_SEC,
                                       "PRIORITY=%i", LOG_WARNING,
                                       "SYSLOG_IDENTIFIER=orchd",
                                       "ORCHD_INSTANCE=%s", c->name,
                                       "ORCHD_INSTANCE_ID=%s", c->id,
                                       "OBJECT_SYSTEMD_UNIT=%s", i->unit,
                                       NULL);
                i->manager->counters.give_ups++;
                (void) sd_bus_emit_signal(i->manager->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE,
                                          "InstanceGaveUp", "ss", c->id, c->name);
                /* The alert is saved first: an orchd killed in between sees the run's end
                 * again when it is back (HandledInvocation is not saved yet), gives up again
                 * and finds the alert open. */
                (void) alert_raise_for_instance(i);
                (void) instance_save(i);
                return;
        }

        /* A run that lasted StableSec resets the backoff. */
        if (i->status.active_enter_usec > 0 && now > i->status.active_enter_usec &&
            now - i->status.active_enter_usec >= conf->stable_usec)
                rec->consecutive_failures = 0;
        rec->consecutive_failures++;
        delay = backoff_delay_usec(&backoff, rec->consecutive_failures, g_random_int());
        rec->restart_at_usec = now + delay;
        /* Logged before the save (which may wait for the disk): the delay counts from here. */
        log_info("Instance %s: run ended (%s); restarting in %.3f s.", c->name,
                 success ? "exited" : "failed", (double) delay / USEC_PER_SEC);
        (void) instance_save(i);
        arm_restart_timer(i);
}

/* The instance has run StableSec: the backoff starts over and its open alert resolves itself. */
static int on_stable_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Instance *i = userdata;
        Alert *a;

        (void) s, (void) usec;
        i->stable_timer = sd_event_source_disable_unref(i->stable_timer);
        if (i->state != INSTANCE_RUNNING)
                return 0;
        if (i->record.consecutive_failures > 0) {
                log_debug("Instance %s ran stably: backoff reset.", i->record.config.name);
                i->record.consecutive_failures = 0;
                (void) instance_save(i);
        }
        a = alert_find_open(i->manager, i->record.config.id);
        if (a)
                (void) alert_event(a, ALERT_EVENT_STABLE, "orchd", NULL);
        instance_mark_changed(i);
        return 0;
}

/* Armed while the instance runs and there is something a stable run clears. */
static void update_stable_timer(Instance *i) {
        bool want = i->state == INSTANCE_RUNNING && !i->removed &&
                    (i->record.consecutive_failures > 0 || alert_find_open(i->manager, i->record.config.id));
        uint64_t since = i->status.active_enter_usec ?: now_realtime_usec();
        int r;

        if (!want) {
                i->stable_timer = sd_event_source_disable_unref(i->stable_timer);
                return;
        }
        if (i->stable_timer)
                return;
        r = sd_event_add_time(i->manager->event, &i->stable_timer, CLOCK_REALTIME,
                              since + i->manager->config.stable_usec, USEC_PER_MSEC, on_stable_timer, i);
        if (r < 0)
                log_error_errno(r, "Instance %s: failed to arm the stable-run timer: %m", i->record.config.name);
}

void instance_apply_unit_status(Instance *i) {
        UnitStatus *s = &i->status;
        InstanceRecord *rec = &i->record;
        bool ever_started = rec->last_result || !isempty(s->invocation_id) || s->exec_main_code != 0;
        bool dirty = false;
        InstanceState state;

        /* Once a run has ended, its result and exit code are what `status` shows. */
        if (s->exec_main_code != 0 && !isempty(s->result) &&
            (streq(s->active_state, "failed") || streq(s->active_state, "inactive") || !s->loaded)) {
                int32_t code = s->exec_main_code == CLD_EXITED ? s->exec_main_status : 128 + s->exec_main_status;

                if (!rec->last_result || !streq(rec->last_result, s->result) || rec->last_exit_code != code) {
                        char *copy = strdup(s->result);
                        if (copy) {
                                free(rec->last_result);
                                rec->last_result = copy;
                                rec->last_exit_code = code;
                                dirty = true;
                        }
                }
        }

        state = instance_state_derive(s, rec->want_running, ever_started);
        if (!streq(s->invocation_id, i->last_invocation)) {
                memcpy(i->last_invocation, s->invocation_id, sizeof i->last_invocation);
                i->invocation_asked = false;
        }
        /* A run has ended when its unit failed, was collected, or went from up to inactive. A unit
         * that is "inactive" with a new InvocationID is only about to start; so is a "failed" one
         * whose Result systemd has just reset to "success" for the next start (systemd 252 sends
         * that Result, then the Unit's new InvocationID while ActiveState still says "failed"). */
        bool was_up = active_state_is_up(i->last_active_state);
        bool ended = (streq(s->active_state, "failed") && !streq(s->result, "success")) || !s->loaded ||
                     (streq(s->active_state, "inactive") && was_up);
        /* The end of a run is told apart by its InvocationID; if systemd has not said it, ask (only
         * then: one call per ended run, not per start). */
        if (ended && s->loaded && isempty(s->invocation_id) && !i->invocation_asked) {
                i->invocation_asked = true;
                (void) unit_watcher_fetch(i);
        }
        snprintf(i->last_active_state, sizeof i->last_active_state, "%s", s->loaded ? s->active_state : "");
        if (ended && (state == INSTANCE_FAILED || state == INSTANCE_EXITED) && rec->want_running && !i->removed &&
            !rec->gave_up && !i->restart_timer && !isempty(s->invocation_id) &&
            !streq(s->invocation_id, rec->handled_invocation)) {
                i->state = state;
                supervise_run_end(i);
                update_stable_timer(i);
                instance_mark_changed(i);
                return;
        }
        if (i->restart_timer)
                state = INSTANCE_RESTARTING;
        if (state != i->state) {
                log_debug("Instance %s: %s → %s (unit %s/%s).", rec->config.name,
                          instance_state_to_string(i->state), instance_state_to_string(state),
                          s->active_state, s->sub_state);
                i->state = state;
        }
        if (dirty)
                (void) instance_save(i);
        update_stable_timer(i);
        instance_mark_changed(i);
}
