/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus-util.h"
#include "instance.h"
#include "log.h"
#include "manager.h"
#include "unit-driver.h"
#include "unit-watcher.h"

#define SYSTEMD_PRIVATE_SOCKET "unix:path=/run/systemd/private"
#define UNIT_PATH_PREFIX "/org/freedesktop/systemd1/unit/"

static void copy_string(char *dst, size_t size, const char *src) {
        (void) snprintf(dst, size, "%s", strempty(src));
}

int unit_status_read_property(UnitStatus *s, const char *name, sd_bus_message *m) {
        const char *str;
        int r;

        if (streq(name, "ActiveState") || streq(name, "SubState") || streq(name, "Result") ||
            streq(name, "LoadState")) {
                r = sd_bus_message_read(m, "v", "s", &str);
                if (r < 0)
                        return r;
                if (streq(name, "ActiveState"))
                        copy_string(s->active_state, sizeof s->active_state, str);
                else if (streq(name, "SubState"))
                        copy_string(s->sub_state, sizeof s->sub_state, str);
                else if (streq(name, "Result"))
                        copy_string(s->result, sizeof s->result, str);
                else
                        s->loaded = streq(str, "loaded");
                return 0;
        }
        if (streq(name, "MainPID"))
                return sd_bus_message_read(m, "v", "u", &s->main_pid);
        if (streq(name, "ExecMainCode"))
                return sd_bus_message_read(m, "v", "i", &s->exec_main_code);
        if (streq(name, "ExecMainStatus"))
                return sd_bus_message_read(m, "v", "i", &s->exec_main_status);
        if (streq(name, "ActiveEnterTimestamp"))
                return sd_bus_message_read(m, "v", "t", &s->active_enter_usec);
        if (streq(name, "InvocationID")) {
                const void *p;
                size_t n;
                r = sd_bus_message_enter_container(m, 'v', "ay");
                if (r < 0)
                        return r;
                r = sd_bus_message_read_array(m, 'y', &p, &n);
                if (r < 0)
                        return r;
                if (n == 16) {
                        const uint8_t *b = p;
                        for (size_t k = 0; k < 16; k++)
                                (void) snprintf(s->invocation_id + 2 * k, 3, "%02x", b[k]);
                } else
                        s->invocation_id[0] = '\0';
                return sd_bus_message_exit_container(m);
        }
        return sd_bus_message_skip(m, "v");
}

static int read_property(sd_bus_message *m, const char *name, void *userdata) {
        int r = unit_status_read_property(userdata, name, m);
        return r < 0 ? r : 1;
}

/* Reads an a{sv} of properties into the status. */
static int read_properties(UnitStatus *s, sd_bus_message *m) {
        return bus_message_for_each_property(m, read_property, s);
}

static int unit_fetch(Manager *m, Instance *i, const char *interface);

/* A call about one unit in flight: a reply carries no path, so the call names its unit itself
 * (the instance may be removed meanwhile: it is looked up again on the reply). */
typedef struct UnitFetch {
        Manager *manager;
        char unit[];
} UnitFetch;

static Instance *instance_by_unit_path(Manager *m, const char *path) {
        _cleanup_free_ char *unit = NULL;

        if (sd_bus_path_decode(path, "/org/freedesktop/systemd1/unit", &unit) <= 0)
                return NULL;
        return g_hash_table_lookup(m->instances_by_unit, unit);
}

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        Instance *i;
        const char *interface;
        int r;

        (void) ret_error;
        i = instance_by_unit_path(m, sd_bus_message_get_path(msg));
        if (!i)
                return 0;
        r = sd_bus_message_read(msg, "s", &interface);
        if (r < 0)
                return 0;
        if (!streq(interface, "org.freedesktop.systemd1.Unit") &&
            !streq(interface, "org.freedesktop.systemd1.Service"))
                return 0;
        r = read_properties(&i->status, msg);
        if (r < 0) {
                log_warning_errno(r, "Malformed PropertiesChanged for %s: %m", i->unit);
                return 0;
        }
        /* Properties that changed without their value (e.g. a new unit's InvocationID): ask. */
        r = sd_bus_message_enter_container(msg, 'a', "s");
        if (r > 0) {
                const char *name;
                bool fetch = false;
                while (sd_bus_message_read_basic(msg, 's', &name) > 0)
                        if (streq(name, "InvocationID"))
                                fetch = true;
                if (fetch && !i->invocation_asked) {
                        i->invocation_asked = true;
                        (void) unit_fetch(m, i, "org.freedesktop.systemd1.Unit");
                }
        }
        /* A unit that sends properties is loaded (a collected one sends UnitRemoved). */
        i->status.loaded = true;
        instance_apply_unit_status(i);
        return 0;
}

static int on_job_removed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const char *job, *unit, *result;
        uint32_t id;

        (void) ret_error;
        if (sd_bus_message_read(msg, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        unit_driver_job_removed(m, job, result);
        return 0;
}

/* A transient unit that ended cleanly is collected: orchd keeps its last result. */
static void unit_collected(Instance *i) {
        i->status.loaded = false;
        copy_string(i->status.active_state, sizeof i->status.active_state, "inactive");
        copy_string(i->status.sub_state, sizeof i->status.sub_state, "dead");
        i->status.main_pid = 0;
        instance_apply_unit_status(i);
}

static int unit_list_one(Manager *m, Instance *i);

/* The instance a UnitNew or UnitRemoved ("so": unit, path) is about, or NULL if none of ours. */
static Instance *unit_signal_instance(Manager *m, sd_bus_message *msg, const char **ret_unit) {
        const char *path;

        if (sd_bus_message_read(msg, "so", ret_unit, &path) < 0)
                return NULL;
        return g_hash_table_lookup(m->instances_by_unit, *ret_unit);
}

static int on_unit_removed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const char *unit;
        Instance *i;

        (void) ret_error;
        i = unit_signal_instance(m, msg, &unit);
        if (!i)
                return 0;
        /* systemd frees and loads again every unit while it reloads, and says UnitRemoved for
         * each (after Reloading(true)): no unit's end; the listing after the reload tells. */
        if (m->systemd_reloading) {
                log_debug("UnitRemoved for %s while systemd reloads: waiting for the listing after it.", unit);
                return 0;
        }
        unit_collected(i);
        return 0;
}

/* The reply to a listing of one unit (after its UnitNew): collected meanwhile, or what it is. */
static int on_unit_listed(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        UnitFetch *f = userdata;
        const char *unit, *load_state, *active_state, *sub_state;
        Instance *i;
        int r;

        (void) ret_error;
        i = g_hash_table_lookup(f->manager->instances_by_unit, f->unit);
        if (!i || sd_bus_message_is_method_error(reply, NULL))
                return 0;
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r >= 0)
                r = sd_bus_message_read(reply, "(ssssssouso)", &unit, NULL, &load_state, &active_state,
                                        &sub_state, NULL, NULL, NULL, NULL, NULL);
        if (r < 0) {
                log_warning_errno(r, "Malformed listing of %s: %m", f->unit);
                return 0;
        }
        if (r == 0 || !streq(unit, f->unit)) {
                unit_collected(i);
                return 0;
        }
        /* Only a unit systemd has (loaded or failed) is asked for its properties: asking for
         * one it does not have makes it load a stub, which says UnitNew in turn. */
        i->status.loaded = streq(load_state, "loaded");
        copy_string(i->status.active_state, sizeof i->status.active_state, active_state);
        copy_string(i->status.sub_state, sizeof i->status.sub_state, sub_state);
        if (i->status.loaded)
                (void) unit_watcher_fetch(i);
        instance_apply_unit_status(i);
        return 0;
}

/* systemd's first signal of a unit it has just loaded -- created, or loaded again by a reload or
 * re-exec -- is UnitNew, not PropertiesChanged: the state it changed to is only had by asking. */
static int on_unit_new(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const char *unit;
        Instance *i;

        (void) ret_error;
        i = unit_signal_instance(m, msg, &unit);
        if (i) {
                log_debug("UnitNew for %s: reading its state.", unit);
                (void) unit_list_one(m, i);
        }
        return 0;
}

static int resync(Manager *m);

static int on_reloading(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        int b;

        (void) ret_error;
        if (sd_bus_message_read(msg, "b", &b) < 0)
                return 0;
        m->systemd_reloading = b;
        /* A JobRemoved sent during a reload has been lost before (systemd PR #8803). */
        if (!b) {
                log_info("systemd finished reloading; reconciling.");
                (void) resync(m);
        }
        return 0;
}

static int on_systemd_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const char *name, *old_owner, *new_owner;

        (void) ret_error;
        if (sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (!isempty(new_owner)) {
                log_info("systemd is back on the bus (re-exec); reconciling.");
                /* Its Reloading(false) may have gone out before it had its name again. */
                m->systemd_reloading = false;
                /* Its subscribers are not always carried over a re-exec: without one, PID 1
                 * sends no unit signals (AlreadySubscribed, if it was, is harmless). */
                (void) sd_bus_call_method_async(m->systemd, NULL, "org.freedesktop.systemd1",
                                                "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                                "Subscribe", NULL, NULL, "");
                (void) resync(m);
        }
        return 0;
}

/* GetAll of one unit: the state orchd adopts. */
static int on_unit_get_all(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        UnitFetch *f = userdata;
        Instance *i;
        int r;

        (void) ret_error;
        if (sd_bus_message_is_method_error(reply, NULL)) {
                log_debug("Properties of %s not read: %s", f->unit, sd_bus_message_get_error(reply)->message);
                return 0;
        }
        i = g_hash_table_lookup(f->manager->instances_by_unit, f->unit);
        if (!i)
                return 0;
        r = read_properties(&i->status, reply);
        if (r < 0) {
                log_warning_errno(r, "Malformed properties of %s: %m", f->unit);
                return 0;
        }
        instance_apply_unit_status(i);
        return 0;
}

/* Calls METHOD on PATH for the unit of I; the handler gets a UnitFetch naming the unit. */
static int unit_call(Manager *m, Instance *i, const char *path, const char *interface, const char *method,
                     sd_bus_message_handler_t handler, const char *signature, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        size_t len = strlen(i->unit) + 1;
        UnitFetch *f;
        va_list ap;
        int r;

        if (!m->systemd)
                return -ENOTCONN;
        r = sd_bus_message_new_method_call(m->systemd, &call, "org.freedesktop.systemd1", path, interface, method);
        if (r < 0)
                return r;
        va_start(ap, signature);
        r = sd_bus_message_appendv(call, signature, ap);
        va_end(ap);
        if (r < 0)
                return r;
        f = malloc(sizeof(UnitFetch) + len);
        if (!f)
                return -ENOMEM;
        f->manager = m;
        memcpy(f->unit, i->unit, len);
        r = sd_bus_call_async(m->systemd, &slot, call, handler, f, 0);
        if (r < 0) {
                free(f);
                return r;
        }
        /* The bus owns the call from here; F goes with it (reply, or the connection's end). */
        (void) sd_bus_slot_set_destroy_callback(slot, free);
        return sd_bus_slot_set_floating(slot, 1);
}

static int unit_fetch(Manager *m, Instance *i, const char *interface) {
        return unit_call(m, i, i->unit_path, "org.freedesktop.DBus.Properties", "GetAll", on_unit_get_all,
                         "s", interface);
}

/* ListUnitsByPatterns never loads a unit (GetAll on a unit's path would). */
static int unit_list_one(Manager *m, Instance *i) {
        return unit_call(m, i, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                         "ListUnitsByPatterns", on_unit_listed, "asas", 0, 1, i->unit);
}

int unit_watcher_fetch(Instance *i) {
        int r = unit_fetch(i->manager, i, "org.freedesktop.systemd1.Service");
        if (r < 0)
                return r;
        return unit_fetch(i->manager, i, "org.freedesktop.systemd1.Unit");
}

static int request_jobs(Manager *m);

/* The reply of ListUnitsByPatterns: every orchd-*.service unit systemd has loaded. */
static int on_list_units(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        g_autoptr(GHashTable) seen = NULL;
        GPtrArray *stray = g_ptr_array_new();
        const char *unit, *load_state, *active_state, *sub_state;
        GHashTableIter it;
        gpointer value;
        int r;

        (void) ret_error;
        if (e) {
                log_error("Failed to list orchd's units: %s", e->message);
                g_ptr_array_free(stray, true);
                (void) request_jobs(m);
                return manager_request_name(m);
        }
        seen = g_hash_table_new(g_str_hash, g_str_equal);

        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                goto malformed;
        while ((r = sd_bus_message_read(reply, "(ssssssouso)", &unit, NULL, &load_state,
                                        &active_state, &sub_state, NULL, NULL, NULL, NULL, NULL)) > 0) {
                Instance *i = g_hash_table_lookup(m->instances_by_unit, unit);
                if (!i) {
                        /* Not ours, or left by a registration that is gone: tell, never touch. */
                        if (!streq(active_state, "inactive"))
                                g_ptr_array_add(stray, strdup(unit));
                        continue;
                }
                g_hash_table_add(seen, i);
                i->status.loaded = streq(load_state, "loaded");
                copy_string(i->status.active_state, sizeof i->status.active_state, active_state);
                copy_string(i->status.sub_state, sizeof i->status.sub_state, sub_state);
                /* The state is known from the listing already; PID, invocation and result follow. */
                instance_apply_unit_status(i);
                (void) unit_fetch(m, i, "org.freedesktop.systemd1.Unit");
                (void) unit_fetch(m, i, "org.freedesktop.systemd1.Service");
        }
        if (r < 0)
                goto malformed;

        /* Instances whose unit systemd no longer has: collected while we were away, or gone with a
         * reboot. Those marked to run are started again. */
        g_hash_table_iter_init(&it, m->instances_by_name);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                Instance *i = value;
                if (g_hash_table_contains(seen, i))
                        continue;
                if (i->status.loaded) {
                        i->status.loaded = false;
                        copy_string(i->status.active_state, sizeof i->status.active_state, "inactive");
                        i->status.main_pid = 0;
                }
                if (m->recreate_after_boot && i->record.want_running && !i->ops_head) {
                        log_info("Instance %s is marked to run but has no unit after boot: starting it.",
                                 i->record.config.name);
                        (void) operation_submit(i, OPERATION_START, NULL);
                }
                instance_apply_unit_status(i);
        }

        m->recreate_after_boot = false;

        g_ptr_array_add(stray, NULL);
        strv_free(m->stray_units);
        m->stray_units = (char **) g_ptr_array_free(stray, false);
        STRV_FOREACH(u, m->stray_units)
                log_warning("Unit %s runs in orchd's namespace but no instance is registered for it; "
                            "leaving it alone.", *u);
        manager_mark_changed(m);
        (void) request_jobs(m);
        return manager_request_name(m);

malformed:
        log_error_errno(r, "Malformed reply to ListUnitsByPatterns: %m");
        g_ptr_array_free(stray, true);
        (void) request_jobs(m);
        return manager_request_name(m);
}

static int on_list_jobs(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        g_autoptr(GHashTable) live = NULL;
        const char *job;
        int r;

        (void) ret_error;
        m->resync_in_flight = false;
        if (m->resync_again) {
                m->resync_again = false;
                (void) resync(m);
        }
        if (sd_bus_message_is_method_error(reply, NULL))
                return 0;       /* systemd is away: its return starts another resync */
        live = g_hash_table_new(g_str_hash, g_str_equal);
        r = sd_bus_message_enter_container(reply, 'a', "(usssoo)");
        if (r < 0)
                return 0;
        while ((r = sd_bus_message_read(reply, "(usssoo)", NULL, NULL, NULL, NULL, &job, NULL)) > 0)
                g_hash_table_add(live, (gpointer) job);
        if (r < 0)
                return 0;
        unit_driver_reconcile(m, live);
        /* The units' state is current now (this reply follows every GetAll the listing sent). */
        unit_driver_resume_parked(m);
        if (!m->adopted) {
                m->adopted = true;
                unit_driver_adopt(m);
        }
        return 0;
}

/* The second half of a resync, sent once the listing's GetAll calls are out, so that its reply
 * comes after theirs (PID 1 answers in order). */
static int request_jobs(Manager *m) {
        int r;

        r = m->systemd ? sd_bus_call_method_async(m->systemd, NULL, "org.freedesktop.systemd1",
                                                  "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                                  "ListJobs", on_list_jobs, m, "") : -ENOTCONN;
        if (r < 0) {
                m->resync_in_flight = false;
                return log_error_errno(r, "Failed to list jobs: %m");
        }
        return 0;
}

/* Re-lists the units (and then the jobs) and reconciles. */
static int resync(Manager *m) {
        int r;

        if (m->resync_in_flight) {
                /* What changed after that one's listing is read by the next. */
                m->resync_again = true;
                return 0;
        }
        r = m->systemd ? sd_bus_call_method_async(m->systemd, NULL, "org.freedesktop.systemd1",
                                                  "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                                  "ListUnitsByPatterns", on_list_units, m, "asas", 0, 1,
                                                  "orchd-*.service") : -ENOTCONN;
        if (r < 0)
                return log_error_errno(r, "Failed to list units: %m");
        m->resync_in_flight = true;
        return 0;
}

void unit_watcher_systemd_away(Manager *m) {
        /* A closed connection is opened again, and a re-executed systemd announces itself, each
         * with a resync; an open one (the system bus) is asked now whether systemd answers. */
        if (m->systemd && sd_bus_is_open(m->systemd) > 0)
                (void) resync(m);
}

static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* The private socket closes when systemd re-executes: connect again (a timer only while
 * disconnected; an idle orchd has none). */
static int on_systemd_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        uint64_t delay;
        int r;

        (void) ret_error;
        if (msg)
                log_warning("Lost the connection to systemd; reconnecting.");
        else
                log_debug("systemd is not reachable yet; trying again.");
        m->systemd = sd_bus_flush_close_unref(m->systemd);
        /* Every call in flight has failed; operations whose job is unknown are judged later. */
        delay = MIN(10 * USEC_PER_MSEC << MIN(m->systemd_reconnect_attempt, 8U), 2 * USEC_PER_SEC);
        m->systemd_reconnect_attempt++;
        r = sd_event_add_time_relative(m->event, &m->systemd_reconnect, CLOCK_MONOTONIC, delay, 0,
                                       on_reconnect_timer, m);
        if (r < 0)
                log_error_errno(r, "Failed to schedule reconnecting to systemd: %m");
        return 0;
}

static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r;

        (void) usec;
        m->systemd_reconnect = sd_event_source_unref(m->systemd_reconnect);
        (void) s;
        r = unit_watcher_connect(m);
        if (r < 0) {
                /* Try again, with a longer delay. */
                sd_bus_message *none = NULL;
                return on_systemd_disconnected(none, m, NULL);
        }
        return 0;
}

static int add_signal_match(Manager *m, const char *path_rule, const char *interface,
                            const char *member, sd_bus_message_handler_t handler) {
        _cleanup_free_ char *rule = NULL;

        /* On the system bus, only PID 1's own connection may feed us: sender= is resolved by
         * the bus to the owner of org.freedesktop.systemd1, so a forged signal never matches. */
        if (asprintf(&rule, "type='signal',%sinterface='%s',member='%s'%s%s",
                     m->systemd_private ? "" : "sender='org.freedesktop.systemd1',",
                     interface, member, path_rule ? "," : "", strempty(path_rule)) < 0)
                return -ENOMEM;
        return sd_bus_add_match(m->systemd, NULL, rule, handler, m);
}

int unit_watcher_connect(Manager *m) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        /* As root, PID 1's private socket: no dbus-daemon limits, and nobody else speaks on it
         * (what systemctl does as root). Otherwise the system bus. */
        if (geteuid() == 0 && (m->systemd_private_seen || access("/run/systemd/private", F_OK) == 0)) {
                r = sd_bus_new(&bus);
                if (r < 0)
                        return log_error_errno(r, "Failed to allocate a bus: %m");
                (void) sd_bus_set_description(bus, "systemd-private");
                r = sd_bus_set_address(bus, SYSTEMD_PRIVATE_SOCKET);
                if (r < 0)
                        return log_error_errno(r, "Failed to set the bus address: %m");
                r = sd_bus_start(bus);
                m->systemd_private = r >= 0;
                /* Once connected there, a failure is systemd re-executing (its socket refuses
                 * for a moment): try again later, rather than fall back to the system bus,
                 * where signals sent before systemd has its name again are lost. */
                if (r < 0 && m->systemd_private_seen)
                        return log_debug_errno(r, "Failed to connect to systemd's private socket: %m");
                if (r < 0) {
                        log_warning_errno(r, "Failed to connect to systemd's private socket, using the system bus: %m");
                        bus = sd_bus_flush_close_unref(bus);
                }
                if (r >= 0)
                        m->systemd_private_seen = true;
        } else
                m->systemd_private = false;
        if (!bus) {
                r = sd_bus_open_system_with_description(&bus, "systemd");
                if (r < 0)
                        return log_error_errno(r, "Failed to connect to the system bus: %m");
        }
        m->systemd = TAKE_PTR(bus);

        r = sd_bus_attach_event(m->systemd, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach to the event loop: %m");

        r = add_signal_match(m, "path_namespace='/org/freedesktop/systemd1/unit'",
                             "org.freedesktop.DBus.Properties", "PropertiesChanged", on_properties_changed);
        if (r >= 0)
                r = add_signal_match(m, "path='/org/freedesktop/systemd1'",
                                     "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed);
        if (r >= 0)
                r = add_signal_match(m, "path='/org/freedesktop/systemd1'",
                                     "org.freedesktop.systemd1.Manager", "UnitNew", on_unit_new);
        if (r >= 0)
                r = add_signal_match(m, "path='/org/freedesktop/systemd1'",
                                     "org.freedesktop.systemd1.Manager", "UnitRemoved", on_unit_removed);
        if (r >= 0)
                r = add_signal_match(m, "path='/org/freedesktop/systemd1'",
                                     "org.freedesktop.systemd1.Manager", "Reloading", on_reloading);
        if (r >= 0 && !m->systemd_private)
                r = sd_bus_add_match(m->systemd, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                     "arg0='org.freedesktop.systemd1'",
                                     on_systemd_owner_changed, m);
        if (r >= 0 && m->systemd_private)
                r = sd_bus_match_signal(m->systemd, NULL, NULL, "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected",
                                        on_systemd_disconnected, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add matches for systemd's signals: %m");

        /* Without Subscribe, PID 1 sends no unit signals. */
        r = sd_bus_call_method_async(m->systemd, NULL, "org.freedesktop.systemd1",
                                     "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                     "Subscribe", NULL, NULL, "");
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to systemd: %m");

        m->systemd_reconnect_attempt = 0;
        m->resync_in_flight = m->resync_again = false;  /* one on the old connection never ends */
        m->systemd_reloading = false;   /* a re-exec's Reloading(false) went to the old connection */
        return resync(m);
}

void unit_watcher_disconnect(Manager *m) {
        m->systemd_reconnect = sd_event_source_disable_unref(m->systemd_reconnect);
        m->systemd = sd_bus_flush_close_unref(m->systemd);
}
