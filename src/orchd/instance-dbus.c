/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "authz.h"
#include "bus-common.h"
#include "instance-dbus.h"
#include "instance.h"
#include "log.h"
#include "unit-driver.h"

int instance_authorize(sd_bus_message *msg, Instance *i, const char *verb, sd_bus_error *error) {
        const char *details[] = { "instance", i->record.config.name, "verb", verb, NULL };
        uid_t uid;
        int r;

        r = bus_message_sender_uid(msg, &uid);
        if (r < 0)
                return r;
        /* Ordinary users manage their own instances; the rest is polkit's to decide. */
        if (uid == 0 || uid == i->record.config.owner_uid)
                return 1;
        return authz_check(i->manager, msg, ORCHD_ACTION_MANAGE, details, error);
}

int instance_method_operation(sd_bus_message *msg, Instance *i, int kind, sd_bus_error *error) {
        Manager *m = i->manager;
        int r;

        r = instance_authorize(msg, i, operation_kind_to_string(kind), error);
        if (r == 0)
                return 1;       /* polkit is deciding; the call comes back */
        authz_release(m, msg);
        if (r < 0)
                return r;
        r = operation_submit(i, kind, msg);
        if (r < 0)
                return r;
        /* Answered when the job has finished. */
        return 1;
}

static int method_start(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return instance_method_operation(msg, userdata, OPERATION_START, error);
}
static int method_stop(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return instance_method_operation(msg, userdata, OPERATION_STOP, error);
}
static int method_restart(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return instance_method_operation(msg, userdata, OPERATION_RESTART, error);
}
static int method_remove(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return instance_method_operation(msg, userdata, OPERATION_REMOVE, error);
}

static int property_get_config_string(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        Instance *i = userdata;
        const InstanceConfig *c = &i->record.config;
        const char *v = "";

        if (streq(property, "Id"))
                v = c->id;
        else if (streq(property, "Name"))
                v = c->name;
        else if (streq(property, "Unit"))
                v = i->unit;
        else if (streq(property, "Description"))
                v = strempty(c->description);
        else if (streq(property, "WorkingDirectory"))
                v = strempty(c->working_directory);
        else if (streq(property, "User"))
                v = strempty(c->user);
        else if (streq(property, "Restart"))
                v = restart_policy_to_string(c->restart);
        else if (streq(property, "State"))
                v = instance_state_to_string(i->state);
        else if (streq(property, "ActiveState"))
                v = i->status.active_state[0] ? i->status.active_state : "inactive";
        else if (streq(property, "SubState"))
                v = i->status.sub_state[0] ? i->status.sub_state : "dead";
        else if (streq(property, "InvocationID"))
                v = i->status.invocation_id;
        else if (streq(property, "LastResult"))
                v = strempty(i->record.last_result);
        return sd_bus_message_append(reply, "s", v);
}

static int property_get_strv(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
        Instance *i = userdata;
        const InstanceConfig *c = &i->record.config;

        if (streq(property, "ExecStart"))
                return sd_bus_message_append_strv(reply, c->argv);
        if (streq(property, "Operators"))
                return sd_bus_message_append_strv(reply, c->operators);
        if (streq(property, "Requires"))
                return sd_bus_message_append_strv(reply, c->requires);

        return -EINVAL;
}

static int property_get_environment_names(sd_bus *bus, const char *path, const char *interface,
                                          const char *property, sd_bus_message *reply, void *userdata,
                                          sd_bus_error *error) {
        Instance *i = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        STRV_FOREACH(e, i->record.config.environment) {
                _cleanup_free_ char *key = strndup(*e, strcspn(*e, "="));
                if (!key)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "s", key);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_number(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error) {
        Instance *i = userdata;
        const InstanceConfig *c = &i->record.config;

        if (streq(property, "OwnerUID"))
                return sd_bus_message_append(reply, "u", (uint32_t) c->owner_uid);
        if (streq(property, "RestartAttempts"))
                return sd_bus_message_append(reply, "u", c->restart_attempts);
        if (streq(property, "RestartWindowUSec"))
                return sd_bus_message_append(reply, "t", c->restart_window_usec);
        if (streq(property, "WatchdogUSec"))
                return sd_bus_message_append(reply, "t", c->watchdog_usec);
        if (streq(property, "MemoryMax"))
                return sd_bus_message_append(reply, "t", c->memory_max);
        if (streq(property, "CPUWeight"))
                return sd_bus_message_append(reply, "t", c->cpu_weight);
        if (streq(property, "CreatedUSec"))
                return sd_bus_message_append(reply, "t", c->created_usec);
        if (streq(property, "MainPID"))
                return sd_bus_message_append(reply, "u", i->status.main_pid);
        if (streq(property, "RestartCount"))
                return sd_bus_message_append(reply, "u", i->record.restart_count);
        if (streq(property, "LastExitCode"))
                return sd_bus_message_append(reply, "i", i->record.last_exit_code);
        if (streq(property, "StartedUSec"))
                return sd_bus_message_append(reply, "t", i->status.active_enter_usec);
        if (streq(property, "WantRunning"))
                return sd_bus_message_append(reply, "b", (int) i->record.want_running);
        if (streq(property, "RestartAtUSec"))
                return sd_bus_message_append(reply, "t", i->restart_timer ? i->record.restart_at_usec : UINT64_C(0));
        if (streq(property, "BudgetFailures"))
                return sd_bus_message_append(reply, "u", i->record.restart_window_failures);
        return -EINVAL;
}

static int property_get_alert(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        Instance *i = userdata;
        Alert *a = alert_find_open(i->manager, i->record.config.id);
        return sd_bus_message_append(reply, "o", a ? a->object_path : "/");
}

const sd_bus_vtable instance_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Start", "", "", method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Stop", "", "", method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Restart", "", "", method_restart, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Remove", "", "", method_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("Id", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Name", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Unit", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Description", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ExecStart", "as", property_get_strv, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("EnvironmentNames", "as", property_get_environment_names, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("WorkingDirectory", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("User", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("OwnerUID", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Restart", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("RestartAttempts", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("RestartWindowUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("WatchdogUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("MemoryMax", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("CPUWeight", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Operators", "as", property_get_strv, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Requires", "as", property_get_strv, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("CreatedUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ActiveState", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("SubState", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MainPID", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("InvocationID", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("RestartCount", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastExitCode", "i", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastResult", "s", property_get_config_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StartedUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("WantRunning", "b", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("RestartAtUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BudgetFailures", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Alert", "o", property_get_alert, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END,
};

static int instance_object_find(sd_bus *bus, const char *path, const char *interface,
                                void *userdata, void **found, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *name = NULL;
        Instance *i;
        int r;

        r = sd_bus_path_decode(path, ORCHD_INSTANCE_PATH_PREFIX, &name);
        if (r <= 0)
                return 0;
        i = g_hash_table_lookup(m->instances_by_name, name);
        if (!i)
                return 0;
        *found = i;
        return 1;
}

static int instance_node_enumerator(sd_bus *bus, const char *path, void *userdata,
                                    char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;
        GHashTableIter it;
        gpointer value;
        char **l;
        size_t k = 0;

        l = calloc(g_hash_table_size(m->instances_by_name) + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        g_hash_table_iter_init(&it, m->instances_by_name);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                l[k] = strdup(((Instance *) value)->object_path);
                if (!l[k]) {
                        strv_free(l);
                        return -ENOMEM;
                }
                k++;
        }
        *nodes = l;
        return 1;
}

int instance_bus_register(Manager *m) {
        int r;

        r = sd_bus_add_fallback_vtable(m->bus, &m->instance_vtable_slot, ORCHD_INSTANCE_PATH_PREFIX,
                                       ORCHD_INSTANCE_INTERFACE, instance_vtable,
                                       instance_object_find, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the Instance objects: %m");
        r = sd_bus_add_node_enumerator(m->bus, &m->instance_enumerator_slot,
                                       ORCHD_INSTANCE_PATH_PREFIX, instance_node_enumerator, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the Instance enumerator: %m");
        return 0;
}

int instance_emit_changed(Instance *i) {
        return sd_bus_emit_properties_changed(i->manager->bus, i->object_path, ORCHD_INSTANCE_INTERFACE,
                                              "State", "ActiveState", "SubState", "MainPID",
                                              "InvocationID", "RestartCount", "LastExitCode",
                                              "LastResult", "StartedUSec", "WantRunning", "RestartAtUSec",
                                              "BudgetFailures", "Alert", NULL);
}
