/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert-dbus.h"
#include "alert.h"
#include "authz.h"
#include "contact.h"
#include "notifier.h"
#include "bus-common.h"
#include "config.h"
#include "instance-config.h"
#include "instance-dbus.h"
#include "instance.h"
#include "log.h"
#include "macro.h"
#include "manager-dbus.h"
#include "unit-driver.h"
#include "uuid7.h"
#include "validate.h"

static int find_instance_or_error(Manager *m, sd_bus_message *msg, Instance **ret, sd_bus_error *error) {
        const char *key;
        Instance *i;
        int r;

        r = sd_bus_message_read(msg, "s", &key);
        if (r < 0)
                return r;
        i = manager_find_instance(m, key);
        if (!i)
                return sd_bus_error_setf(error, ORCHD_ERROR_NO_SUCH_INSTANCE,
                                         "No instance '%.64s' (by name or id); see 'orchctl list'.", key);
        *ret = i;
        return 0;
}

static unsigned count_owned(Manager *m, uid_t uid) {
        GHashTableIter it;
        gpointer value;
        unsigned n = 0;

        g_hash_table_iter_init(&it, m->instances_by_name);
        while (g_hash_table_iter_next(&it, NULL, &value))
                if (((Instance *) value)->record.config.owner_uid == uid)
                        n++;
        return n;
}

/* The confused-deputy guard: a caller who is not root registers instances that run as itself,
 * within its quota; another User= or environment that changes how programs are loaded needs
 * polkit's run-privileged. Returns 1, 0 (polkit asked) or <0 with ERROR. */
static int authorize_add(Manager *m, sd_bus_message *msg, InstanceConfig *c, uid_t uid, sd_bus_error *error) {
        const char *details[] = { "instance", c->name, "verb", "add", NULL };
        bool privileged = false;

        if (uid == 0)
                return 1;
        if (count_owned(m, uid) >= m->config.max_instances_per_user)
                return sd_bus_error_setf(error, ORCHD_ERROR_TOO_MANY_INSTANCES,
                                         "You have %u instances, the most one user may have; remove some first.",
                                         m->config.max_instances_per_user);
        if (c->user && !user_is_uid(c->user, uid))
                privileged = true;
        STRV_FOREACH(e, c->environment)
                if (env_name_is_loader_affecting(*e))
                        privileged = true;
        if (!privileged) {
                /* It runs as the caller, said explicitly so that it can never fall back to root. */
                if (!c->user && asprintf(&c->user, "%u", (unsigned) uid) < 0)
                        return -ENOMEM;
                return 1;
        }
        return authz_check(m, msg, ORCHD_ACTION_RUN_PRIVILEGED, details, error);
}

static int method_add_instance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        InstanceRecord record;
        _cleanup_(instance_freep) Instance *i = NULL;
        _cleanup_free_ char *cycle = NULL;
        Instance *added;
        uid_t uid;
        int r;

        r = bus_message_sender_uid(msg, &uid);
        if (r < 0)
                return r;

        instance_record_init(&record);
        r = instance_config_from_add_call(msg, &record.config, error);
        if (r < 0)
                goto finish;

        r = authorize_add(m, msg, &record.config, uid, error);
        if (r == 0) {
                r = 1;          /* polkit is deciding; the call comes back */
                goto finish;
        }
        authz_release(m, msg);
        if (r < 0)
                goto finish;

        if (g_hash_table_contains(m->instances_by_name, record.config.name)) {
                r = sd_bus_error_setf(error, ORCHD_ERROR_INSTANCE_EXISTS,
                                      "An instance named '%s' exists already; remove it first or pick another name.",
                                      record.config.name);
                goto finish;
        }
        cycle = manager_requires_cycle(m, record.config.name, record.config.requires);
        if (cycle) {
                r = sd_bus_error_setf(error, ORCHD_ERROR_INVALID_ARGUMENT,
                                      "Requires would make a cycle (%s): an instance cannot wait for itself.",
                                      cycle);
                goto finish;
        }
        if (g_hash_table_size(m->instances_by_name) >= m->config.max_instances) {
                r = sd_bus_error_setf(error, ORCHD_ERROR_TOO_MANY_INSTANCES,
                                      "orchd has %u instances, its limit; remove some first.",
                                      m->config.max_instances);
                goto finish;
        }

        r = uuid7_generate(record.config.id);
        if (r < 0)
                goto finish;
        record.config.owner_uid = uid;
        record.config.created_usec = now_realtime_usec();

        /* On disk first: an instance the caller was told about is never lost. */
        r = store_save_instance(m->store, &record);
        if (r < 0) {
                log_error_errno(r, "Failed to save instance %s: %m", record.config.name);
                r = sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                      "Failed to save the instance to orchd's state directory: %s", strerror(-r));
                goto finish;
        }

        r = instance_new(m, &record, &i);
        if (r < 0) {
                (void) store_remove_instance(m->store, record.config.name);
                goto finish;
        }
        added = i;
        r = manager_add_instance(m, TAKE_PTR(i));
        if (r < 0)
                goto finish;
        log_info("Instance %s (%s) added.", added->record.config.name, added->record.config.id);

        if (added->record.config.start) {
                /* Answered with the id once the start job has finished. */
                r = operation_submit(added, OPERATION_START, msg);
                return r < 0 ? r : 1;
        }
        r = sd_bus_reply_method_return(msg, "so", added->record.config.id, added->object_path);

finish:
        instance_record_done(&record);
        return r;
}

static int method_instance_operation(sd_bus_message *msg, void *userdata, sd_bus_error *error,
                                     OperationKind kind) {
        Instance *i;
        int r;

        r = find_instance_or_error(userdata, msg, &i, error);
        if (r < 0)
                return r;
        return instance_method_operation(msg, i, kind, error);
}

static int method_remove_instance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_instance_operation(msg, userdata, error, OPERATION_REMOVE);
}
static int method_start_instance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_instance_operation(msg, userdata, error, OPERATION_START);
}
static int method_stop_instance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_instance_operation(msg, userdata, error, OPERATION_STOP);
}
static int method_restart_instance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return method_instance_operation(msg, userdata, error, OPERATION_RESTART);
}

static int method_get_instance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Instance *i;
        int r;

        r = find_instance_or_error(userdata, msg, &i, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", i->object_path);
}

static gint compare_instance_names(gconstpointer a, gconstpointer b) {
        const Instance *x = *(Instance * const *) a, *y = *(Instance * const *) b;
        return strcmp(x->record.config.name, y->record.config.name);
}

static int method_list_instances(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        GPtrArray *sorted;
        GHashTableIter it;
        gpointer value;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sssssuo)");
        if (r < 0)
                return r;

        sorted = g_ptr_array_sized_new(g_hash_table_size(m->instances_by_name));
        g_hash_table_iter_init(&it, m->instances_by_name);
        while (g_hash_table_iter_next(&it, NULL, &value))
                g_ptr_array_add(sorted, value);
        g_ptr_array_sort(sorted, compare_instance_names);
        for (guint k = 0; k < sorted->len && r >= 0; k++) {
                Instance *i = sorted->pdata[k];
                r = sd_bus_message_append(reply, "(sssssuo)", i->record.config.id, i->record.config.name,
                                          i->unit, instance_state_to_string(i->state),
                                          i->status.sub_state[0] ? i->status.sub_state : "dead",
                                          i->record.restart_count, i->object_path);
        }
        g_ptr_array_free(sorted, true);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int property_get_n_instances(sd_bus *bus, const char *path, const char *interface,
                                    const char *property, sd_bus_message *reply, void *userdata,
                                    sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "u", (uint32_t) g_hash_table_size(m->instances_by_name));
}

static int property_get_stray_units(sd_bus *bus, const char *path, const char *interface,
                                    const char *property, sd_bus_message *reply, void *userdata,
                                    sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append_strv(reply, m->stray_units);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *details[] = { "verb", "reload", NULL };
        Manager *m = userdata;
        _cleanup_strv_free_ char **errors = NULL;
        int r;

        r = authz_check(m, msg, ORCHD_ACTION_CONFIGURE, details, error);
        if (r == 0)
                return 1;
        authz_release(m, msg);
        if (r < 0)
                return r;
        r = manager_reload_config(m, &errors);
        if (r < 0) {
                g_autofree char *all = errors ? g_strjoinv("; ", errors) : NULL;
                return sd_bus_error_setf(error, ORCHD_ERROR_INVALID_ARGUMENT,
                                         "The configuration was not reloaded (the running one stays): %s",
                                         all ?: strerror(-r));
        }
        return sd_bus_reply_method_return(msg, NULL);
}

static int property_get_counter(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        Manager *m = userdata;
        const Counters *c = &m->counters;

        if (streq(property, "NAlerts"))
                return sd_bus_message_append(reply, "u", alerts_count_unresolved(m));
        if (streq(property, "Restarts"))
                return sd_bus_message_append(reply, "t", c->restarts);
        if (streq(property, "Failures"))
                return sd_bus_message_append(reply, "t", c->failures);
        if (streq(property, "GiveUps"))
                return sd_bus_message_append(reply, "t", c->give_ups);
        if (streq(property, "AlertsRaised"))
                return sd_bus_message_append(reply, "t", c->alerts_raised);
        if (streq(property, "Escalations"))
                return sd_bus_message_append(reply, "t", c->escalations);
        if (streq(property, "NotificationsSent"))
                return sd_bus_message_append(reply, "t", c->notifications_sent);
        if (streq(property, "NotificationsGrouped"))
                return sd_bus_message_append(reply, "t", c->notifications_grouped);
        if (streq(property, "MeanTimeToAcknowledgeUSec"))
                return sd_bus_message_append(reply, "t", c->acknowledged ? c->ack_usec_sum / c->acknowledged : 0);
        if (streq(property, "MeanTimeToResolveUSec"))
                return sd_bus_message_append(reply, "t", c->resolved ? c->resolve_usec_sum / c->resolved : 0);
        return -EINVAL;
}

const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("AddInstance", "sasa{sv}", SD_BUS_PARAM(name) SD_BUS_PARAM(argv) SD_BUS_PARAM(options),
                                 "so", SD_BUS_PARAM(id) SD_BUS_PARAM(path),
                                 method_add_instance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("RemoveInstance", "s", SD_BUS_PARAM(instance), "", ,
                                 method_remove_instance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StartInstance", "s", SD_BUS_PARAM(instance), "", ,
                                 method_start_instance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("StopInstance", "s", SD_BUS_PARAM(instance), "", ,
                                 method_stop_instance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("RestartInstance", "s", SD_BUS_PARAM(instance), "", ,
                                 method_restart_instance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetInstance", "s", SD_BUS_PARAM(instance), "o", SD_BUS_PARAM(path),
                                 method_get_instance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListInstances", "", , "a(sssssuo)", SD_BUS_PARAM(instances),
                                 method_list_instances, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListAlerts", "", , "a(sssuso)", SD_BUS_PARAM(alerts),
                                 method_list_alerts, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetAlert", "s", SD_BUS_PARAM(alert), "o", SD_BUS_PARAM(path),
                                 method_get_alert, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("AcknowledgeAlert", "ss", SD_BUS_PARAM(alert) SD_BUS_PARAM(note), "", ,
                                 method_acknowledge_alert, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("EscalateAlert", "ss", SD_BUS_PARAM(alert) SD_BUS_PARAM(note), "", ,
                                 method_escalate_alert, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ResolveAlert", "ss", SD_BUS_PARAM(alert) SD_BUS_PARAM(note), "", ,
                                 method_resolve_alert, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetContact", "sa{sv}", SD_BUS_PARAM(name) SD_BUS_PARAM(options), "", ,
                                 method_set_contact, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("RemoveContact", "s", SD_BUS_PARAM(name), "", ,
                                 method_remove_contact, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListContacts", "", , "a(sssas)", SD_BUS_PARAM(contacts),
                                 method_list_contacts, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("RegisterAgent", "o", SD_BUS_PARAM(path), "", ,
                                 method_register_agent, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("UnregisterAgent", "o", SD_BUS_PARAM(path), "", ,
                                 method_unregister_agent, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_NAMES("InstanceNew", "so", SD_BUS_PARAM(id) SD_BUS_PARAM(path), 0),
        SD_BUS_SIGNAL_WITH_NAMES("InstanceRemoved", "so", SD_BUS_PARAM(id) SD_BUS_PARAM(path), 0),
        SD_BUS_SIGNAL_WITH_NAMES("InstanceGaveUp", "ss", SD_BUS_PARAM(id) SD_BUS_PARAM(name), 0),
        SD_BUS_SIGNAL_WITH_NAMES("AlertRaised", "ssu", SD_BUS_PARAM(id) SD_BUS_PARAM(instance) SD_BUS_PARAM(level), 0),
        SD_BUS_SIGNAL_WITH_NAMES("AlertEscalated", "ssu", SD_BUS_PARAM(id) SD_BUS_PARAM(instance) SD_BUS_PARAM(level), 0),
        SD_BUS_SIGNAL_WITH_NAMES("AlertAcknowledged", "ss", SD_BUS_PARAM(id) SD_BUS_PARAM(by), 0),
        SD_BUS_SIGNAL_WITH_NAMES("AlertResolved", "ss", SD_BUS_PARAM(id) SD_BUS_PARAM(by), 0),
        SD_BUS_PROPERTY("Version", "s", NULL, offsetof(Manager, version), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("NInstances", "u", property_get_n_instances, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StrayUnits", "as", property_get_stray_units, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NAlerts", "u", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Restarts", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Failures", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("GiveUps", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("AlertsRaised", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Escalations", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NotificationsSent", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NotificationsGrouped", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MeanTimeToAcknowledgeUSec", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MeanTimeToResolveUSec", "t", property_get_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END,
};

int manager_bus_register(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, &m->manager_vtable_slot, ORCHD_MANAGER_PATH,
                                     ORCHD_MANAGER_INTERFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the Manager object: %m");

        r = sd_bus_add_object_manager(m->bus, &m->object_manager_slot, ORCHD_MANAGER_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to register the object manager: %m");

        r = instance_bus_register(m);
        if (r < 0)
                return r;
        return alert_bus_register(m);
}
