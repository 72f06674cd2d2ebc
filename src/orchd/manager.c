/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "authz.h"
#include "bus-common.h"
#include "config.h"
#include "instance-dbus.h"
#include "instance.h"
#include "instance-config.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager.h"
#include "unit-driver.h"
#include "unit-watcher.h"
#include "alert.h"
#include "contact.h"
#include "notifier.h"

static void instance_destroy(gpointer p) {
        instance_free(p);
}

static void alert_destroy(gpointer p) {
        alert_free(p);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        (void) s, (void) si;
        (void) manager_reload_config(userdata, NULL);
        return 0;
}

/* Loads the configuration into C, logging every problem with its file and line (and handing
 * them to the caller if it asks). */
static int load_config(const char *dir, Config *c, char ***ret_errors) {
        char **errors = NULL;
        int r;

        config_init(c);
        r = config_load(c, dir, &errors);
        STRV_FOREACH(e, errors)
                log_error("%s", *e);
        if (ret_errors)
                *ret_errors = errors;
        else
                strv_free(errors);
        return r;
}

static void apply_config(Manager *m) {
        instance_config_set_defaults(m->config.restart_attempts, m->config.restart_window_usec);
}

int manager_reload_config(Manager *m, char ***errors) {
        Config fresh;
        int r;

        r = load_config(m->config_directory, &fresh, errors);
        if (r != 0) {
                config_done(&fresh);
                log_error("Configuration in %s has %s; keeping the running one.", m->config_directory,
                          r < 0 ? "an error" : "errors");
                return r < 0 ? r : -EINVAL;
        }
        config_done(&m->config);
        m->config = fresh;
        apply_config(m);
        log_info("Configuration reloaded from %s.", m->config_directory);
        return 0;
}

int manager_new(const char *state_directory, const char *config_directory, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        sigset_t mask;
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->version = PACKAGE_VERSION;
        m->job_window = MANAGER_JOB_WINDOW_DEFAULT;
        m->state_directory = strdup(state_directory);
        m->config_directory = strdup(config_directory);
        if (!m->state_directory || !m->config_directory)
                return -ENOMEM;
        /* Problems are logged with file and line; orchd runs with the rest (orchd --verify-config
         * refuses them). */
        (void) load_config(m->config_directory, &m->config, NULL);
        apply_config(m);

        m->instances_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, instance_destroy);
        m->instances_by_id = g_hash_table_new(g_str_hash, g_str_equal);
        m->instances_by_unit = g_hash_table_new(g_str_hash, g_str_equal);
        m->jobs = g_hash_table_new(g_str_hash, g_str_equal);
        m->clients = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, client_queue_free);
        m->changed_instances = g_ptr_array_new();
        m->parked_operations = g_ptr_array_new();
        m->authz_queries = authz_queries_new();
        m->alerts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, alert_destroy);
        m->runtime_contacts = contact_table_new();

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        r = notifier_new(m, &m->notifier);
        if (r < 0)
                return r;

        /* A NULL handler makes sd-event leave the loop on these signals: a clean exit. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
        if (r < 0)
                return r;
        r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return r;
        r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        unit_driver_abort_all(m);
        sd_event_source_disable_unref(m->changes_defer);
        sd_bus_slot_unref(m->request_name_slot);
        sd_bus_slot_unref(m->alert_enumerator_slot);
        sd_bus_slot_unref(m->alert_vtable_slot);
        sd_bus_slot_unref(m->instance_enumerator_slot);
        sd_bus_slot_unref(m->instance_vtable_slot);
        sd_bus_slot_unref(m->object_manager_slot);
        sd_bus_slot_unref(m->manager_vtable_slot);
        unit_watcher_disconnect(m);
        sd_bus_flush_close_unref(m->bus);

        if (m->authz_queries)
                g_hash_table_destroy(m->authz_queries);
        notifier_free(m->notifier);
        if (m->alerts)
                g_hash_table_destroy(m->alerts);
        if (m->runtime_contacts)
                g_hash_table_destroy(m->runtime_contacts);
        if (m->changed_instances)
                g_ptr_array_free(m->changed_instances, true);
        if (m->parked_operations)
                g_ptr_array_free(m->parked_operations, true);
        if (m->clients)
                g_hash_table_destroy(m->clients);
        if (m->jobs)
                g_hash_table_destroy(m->jobs);
        if (m->instances_by_unit)
                g_hash_table_destroy(m->instances_by_unit);
        if (m->instances_by_id)
                g_hash_table_destroy(m->instances_by_id);
        if (m->instances_by_name)
                g_hash_table_destroy(m->instances_by_name);
        strv_free(m->stray_units);
        store_free(m->store);
        free(m->state_directory);
        free(m->config_directory);
        config_done(&m->config);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

Instance *manager_find_instance(Manager *m, const char *id_or_name) {
        Instance *i = g_hash_table_lookup(m->instances_by_name, id_or_name);
        return i ?: g_hash_table_lookup(m->instances_by_id, id_or_name);
}

static void registry_insert(Manager *m, Instance *i) {
        g_hash_table_insert(m->instances_by_name, i->record.config.name, i);
        g_hash_table_insert(m->instances_by_id, i->record.config.id, i);
        g_hash_table_insert(m->instances_by_unit, i->unit, i);
}

int manager_add_instance(Manager *m, Instance *i) {
        registry_insert(m, i);
        (void) sd_bus_emit_signal(m->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE, "InstanceNew",
                                  "so", i->record.config.id, i->object_path);
        (void) sd_bus_emit_object_added(m->bus, i->object_path);
        manager_mark_changed(m);
        return 0;
}

void manager_forget_instance(Manager *m, Instance *i) {
        int r;

        if (i->removed)
                return;
        r = store_remove_instance(m->store, i->record.config.name);
        if (r < 0)
                log_error_errno(r, "Failed to remove the state file of %s: %m", i->record.config.name);
        (void) sd_bus_emit_object_removed(m->bus, i->object_path);
        (void) sd_bus_emit_signal(m->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE, "InstanceRemoved",
                                  "so", i->record.config.id, i->object_path);
        log_info("Instance %s (%s) removed.", i->record.config.name, i->record.config.id);
        Alert *a = alert_find_open(m, i->record.config.id);
        if (a)
                (void) alert_event(a, ALERT_EVENT_RESOLVE, "orchd", "the instance was removed");

        if (i->changed)
                g_ptr_array_remove_fast(m->changed_instances, i);
        instance_reset_supervision(i, false);
        i->removed = true;
        g_hash_table_remove(m->instances_by_id, i->record.config.id);
        g_hash_table_remove(m->instances_by_unit, i->unit);
        /* The instance lives on until its last operation has answered (unit-driver.c). */
        g_hash_table_steal(m->instances_by_name, i->record.config.name);
        manager_mark_changed(m);
}

static int on_changes_defer(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        for (guint k = 0; k < m->changed_instances->len; k++) {
                Instance *i = m->changed_instances->pdata[k];
                i->changed = false;
                (void) instance_emit_changed(i);
        }
        g_ptr_array_set_size(m->changed_instances, 0);

        if (m->manager_changed) {
                m->manager_changed = false;
                (void) sd_bus_emit_properties_changed(m->bus, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE,
                                                      "NInstances", "StrayUnits", "NAlerts", "Restarts",
                                                      "Failures", "GiveUps", "AlertsRaised", "Escalations",
                                                      "NotificationsSent", "NotificationsGrouped",
                                                      "MeanTimeToAcknowledgeUSec", "MeanTimeToResolveUSec", NULL);
        }
        return 0;
}

static char **registered_requires(const char *name, void *userdata) {
        Manager *m = userdata;
        Instance *i = g_hash_table_lookup(m->instances_by_name, name);

        return i ? i->record.config.requires : NULL;
}

char *manager_requires_cycle(Manager *m, const char *name, char **requires) {
        return requires_find_cycle(name, requires, registered_requires, m);
}

void manager_schedule_changes(Manager *m) {
        if (!m->bus)
                return;
        if (!m->changes_defer) {
                if (sd_event_add_defer(m->event, &m->changes_defer, on_changes_defer, m) < 0)
                        return;
        }
        (void) sd_event_source_set_enabled(m->changes_defer, SD_EVENT_ONESHOT);
}

void manager_mark_changed(Manager *m) {
        m->manager_changed = true;
        manager_schedule_changes(m);
}

static int manager_load_registry(Manager *m) {
        InstanceRecord *records = NULL;
        size_t n = 0;
        int r;

        r = store_open(m->state_directory, &m->store);
        if (r < 0)
                return log_error_errno(r, "Failed to open the state directory %s: %m", m->state_directory);

        r = store_load_instances(m->store, &records, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to load instances from %s: %m", m->state_directory);

        for (size_t k = 0; k < n; k++) {
                Instance *i;
                if (g_hash_table_contains(m->instances_by_name, records[k].config.name)) {
                        instance_record_done(&records[k]);
                        continue;
                }
                r = instance_new(m, &records[k], &i);
                if (r < 0) {
                        log_error_errno(r, "Failed to set up instance %s: %m", records[k].config.name);
                        instance_record_done(&records[k]);
                        continue;
                }
                registry_insert(m, i);
                instance_resume_restart(i);
        }
        free(records);
        log_info("Loaded %u instances from %s.", g_hash_table_size(m->instances_by_name), m->state_directory);

        r = contacts_load(m);
        if (r < 0)
                return r;
        return alerts_load(m);
}

/* Transient units live in /run and vanish with a reboot, and so does orchd's runtime directory
 * (RuntimeDirectoryPreserve=yes keeps it across restarts of orchd): a marker in it that is missing
 * means this is orchd's first start since the machine booted. (The kernel's boot id would not
 * do: a container shares its host's.) */
static int manager_check_boot(Manager *m) {
        _cleanup_free_ char *marker = NULL;
        const char *dir = getenv("RUNTIME_DIRECTORY");
        int fd;

        if (!dir || dir[0] != '/' || strchr(dir, ':'))
                dir = "/run/orchd";
        if (asprintf(&marker, "%s/started-this-boot", dir) < 0)
                return log_oom();
        (void) mkdir(dir, 0755);
        fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                if (errno != EEXIST)
                        return log_error_errno(errno, "Failed to create %s: %m", marker);
                m->recreate_after_boot = false;
                return 0;
        }
        close(fd);
        m->recreate_after_boot = true;
        log_info("First start since boot: instances marked to run will be started.");
        return 0;
}

static int on_name_acquired(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        Manager *m = userdata;

        (void) ret_error;
        if (e) {
                /* Without our name no client can reach us: exit, and let systemd tell. */
                log_error_errno(sd_bus_error_get_errno(e), "Failed to acquire bus name %s: %s",
                                ORCHD_BUS_NAME, e->message);
                return sd_event_exit(m->event, EXIT_FAILURE);
        }

        log_info("orchd %s serving %s.", PACKAGE_VERSION, ORCHD_BUS_NAME);
        (void) sd_notify(false, "READY=1\nSTATUS=Serving " ORCHD_BUS_NAME);
        return 1;
}

int manager_start(Manager *m) {
        int r;

        r = manager_load_registry(m);
        if (r < 0)
                return r;
        r = manager_check_boot(m);
        if (r < 0)
                return r;

        r = sd_bus_open_system_with_description(&m->bus, "orchd");
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        /* Losing the bus ends the daemon; systemd restarts it (Restart=on-failure). */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set exit-on-disconnect: %m");

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        r = manager_bus_register(m);
        if (r < 0)
                return r;

        /* Adopt the units before taking the name (manager_request_name() is called then). */
        r = unit_watcher_connect(m);
        if (r < 0)
                return r;

        return 0;
}

int manager_request_name(Manager *m) {
        int r;

        if (m->name_requested)
                return 0;
        m->name_requested = true;
        r = sd_bus_request_name_async(m->bus, &m->request_name_slot, ORCHD_BUS_NAME, 0,
                                      on_name_acquired, m);
        if (r < 0) {
                log_error_errno(r, "Failed to request bus name %s: %m", ORCHD_BUS_NAME);
                return sd_event_exit(m->event, EXIT_FAILURE);
        }
        return 0;
}

int manager_run(Manager *m) {
        int r;

        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");

        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        log_info("orchd stopping.");
        return r;
}
