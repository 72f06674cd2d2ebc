/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-dbus.h"
#include "alert.h"
#include "authz.h"
#include "bus-common.h"
#include "contact.h"
#include "log.h"
#include "uuid7.h"

static int find_alert_or_error(Manager *m, const char *id, Alert **ret, sd_bus_error *error) {
        Alert *a = manager_find_alert(m, id);

        if (!a)
                return sd_bus_error_setf(error, ORCHD_ERROR_NO_SUCH_ALERT,
                                         "No alert '%.64s'; see 'orchctl alerts --all'.", id);
        *ret = a;
        return 0;
}

/* "uid 1000 (alice)", for the record and the journal. */
static char *actor_of(sd_bus_message *msg) {
        char buf[1024], *s = NULL;
        struct passwd pw, *result = NULL;
        uid_t uid;

        if (bus_message_sender_uid(msg, &uid) < 0)
                return strdup("unknown caller");
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &result) == 0 && result)
                (void) asprintf(&s, "uid %u (%s)", (unsigned) uid, result->pw_name);
        else
                (void) asprintf(&s, "uid %u", (unsigned) uid);
        return s;
}

static int alert_authorize(sd_bus_message *msg, Alert *a, const char *verb, sd_bus_error *error) {
        const char *details[] = { "instance", a->record.instance_name, "alert", a->record.id, "verb", verb, NULL };
        uid_t uid;
        int r;

        r = bus_message_sender_uid(msg, &uid);
        if (r < 0)
                return r;
        if (uid == 0 || alert_uid_is_responder(a->manager, a, uid))
                return 1;
        return authz_check(a->manager, msg, ORCHD_ACTION_RESPOND, details, error);
}

static bool has_control_characters(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static int alert_respond(sd_bus_message *msg, Alert *a, AlertEvent event, const char *note, sd_bus_error *error) {
        Manager *m = a->manager;
        _cleanup_free_ char *actor = NULL;
        int r;

        if (strlen(note) > ALERT_NOTE_MAX || has_control_characters(note) || !g_utf8_validate(note, -1, NULL))
                return sd_bus_error_setf(error, ORCHD_ERROR_INVALID_ARGUMENT,
                                         "The note must be one line of UTF-8 without control characters, at most %u bytes.", ALERT_NOTE_MAX);
        r = alert_authorize(msg, a, alert_event_to_string(event), error);
        if (r == 0)
                return 1;       /* polkit is deciding; the call comes back */
        authz_release(m, msg);
        if (r < 0)
                return r;

        actor = actor_of(msg);
        if (!actor)
                return -ENOMEM;
        r = alert_event(a, event, actor, note);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, ORCHD_ERROR_BAD_STATE, "Alert %s is %s at level %u: cannot %s it.",
                                         a->record.id, alert_state_to_string(a->record.progress.state),
                                         a->record.progress.level, alert_event_to_string(event));
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, NULL);
}

static int manager_respond(sd_bus_message *msg, Manager *m, AlertEvent event, sd_bus_error *error) {
        const char *id, *note;
        Alert *a;
        int r;

        r = sd_bus_message_read(msg, "ss", &id, &note);
        if (r < 0)
                return r;
        r = find_alert_or_error(m, id, &a, error);
        if (r < 0)
                return r;
        return alert_respond(msg, a, event, note, error);
}

int method_acknowledge_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return manager_respond(msg, userdata, ALERT_EVENT_ACKNOWLEDGE, error);
}
int method_escalate_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return manager_respond(msg, userdata, ALERT_EVENT_ESCALATE, error);
}
int method_resolve_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return manager_respond(msg, userdata, ALERT_EVENT_RESOLVE, error);
}

static int object_respond(sd_bus_message *msg, Alert *a, AlertEvent event, sd_bus_error *error) {
        const char *note;
        int r;

        r = sd_bus_message_read(msg, "s", &note);
        if (r < 0)
                return r;
        return alert_respond(msg, a, event, note, error);
}

static int method_acknowledge(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return object_respond(msg, userdata, ALERT_EVENT_ACKNOWLEDGE, error);
}
static int method_escalate(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return object_respond(msg, userdata, ALERT_EVENT_ESCALATE, error);
}
static int method_resolve(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return object_respond(msg, userdata, ALERT_EVENT_RESOLVE, error);
}

static int method_get_log(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Alert *a = userdata;
        _cleanup_strv_free_ char **fresh = NULL;
        int r;

        r = alert_authorize(msg, a, "read-log", error);
        if (r == 0)
                return 1;
        authz_release(a->manager, msg);
        if (r < 0)
                return r;
        /* The journal has the run's latest lines (also those that arrived after the alert was
         * raised); what the alert kept stands in once the journal has rotated them away. */
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = alert_read_own_log(a, &fresh, NULL);
        if (r < 0)
                log_debug_errno(r, "Alert %s: failed to read the journal: %m", a->record.id);
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, fresh && fresh[0] ? fresh : a->record.log_lines);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int method_list_alerts(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        GHashTableIter it;
        gpointer value;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sssuso)");
        g_hash_table_iter_init(&it, m->alerts);
        while (r >= 0 && g_hash_table_iter_next(&it, NULL, &value)) {
                Alert *a = value;
                r = sd_bus_message_append(reply, "(sssuso)", a->record.id, a->record.instance_name,
                                          alert_state_to_string(a->record.progress.state), a->record.progress.level,
                                          strempty(a->record.message), a->object_path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int method_get_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *id;
        Alert *a;
        int r;

        r = sd_bus_message_read(msg, "s", &id);
        if (r < 0)
                return r;
        r = find_alert_or_error(userdata, id, &a, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", a->object_path);
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const AlertRecord *r = &((Alert *) userdata)->record;
        const char *v = "";

        if (streq(property, "Id"))
                v = r->id;
        else if (streq(property, "Instance"))
                v = r->instance_name;
        else if (streq(property, "InstanceId"))
                v = r->instance_id;
        else if (streq(property, "State"))
                v = alert_state_to_string(r->progress.state);
        else if (streq(property, "Message"))
                v = strempty(r->message);
        else if (streq(property, "AcknowledgedBy"))
                v = strempty(r->acknowledged_by);
        else if (streq(property, "ResolvedBy"))
                v = strempty(r->resolved_by);
        else if (streq(property, "Note"))
                v = strempty(r->note);
        return sd_bus_message_append(reply, "s", v);
}

static int property_get_number(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const AlertRecord *r = &((Alert *) userdata)->record;

        if (streq(property, "Level"))
                return sd_bus_message_append(reply, "u", r->progress.level);
        if (streq(property, "Failures"))
                return sd_bus_message_append(reply, "u", r->failures);
        if (streq(property, "Notifications"))
                return sd_bus_message_append(reply, "u", r->notifications);
        if (streq(property, "RaisedUSec"))
                return sd_bus_message_append(reply, "t", r->raised_usec);
        if (streq(property, "EscalatedUSec"))
                return sd_bus_message_append(reply, "t", r->escalated_usec);
        if (streq(property, "AcknowledgedUSec"))
                return sd_bus_message_append(reply, "t", r->acknowledged_usec);
        if (streq(property, "ResolvedUSec"))
                return sd_bus_message_append(reply, "t", r->resolved_usec);
        if (streq(property, "NextActionUSec"))
                return sd_bus_message_append(reply, "t", r->progress.next_action_usec);
        return -EINVAL;
}

static int property_get_recipients(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Alert *a = userdata;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = alert_recipients(a->manager, a, a->record.progress.level, &names);
        if (r < 0)
                return r;
        return sd_bus_message_append_strv(reply, names);
}

static const sd_bus_vtable alert_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("Acknowledge", "s", SD_BUS_PARAM(note), "", , method_acknowledge,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Escalate", "s", SD_BUS_PARAM(note), "", , method_escalate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Resolve", "s", SD_BUS_PARAM(note), "", , method_resolve, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetLog", "", , "as", SD_BUS_PARAM(lines), method_get_log, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("Id", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Instance", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("InstanceId", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Level", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Message", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Recipients", "as", property_get_recipients, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("RaisedUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("EscalatedUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("AcknowledgedUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ResolvedUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("AcknowledgedBy", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ResolvedBy", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Note", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NextActionUSec", "t", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Failures", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Notifications", "u", property_get_number, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END,
};

static int alert_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                             sd_bus_error *error) {
        _cleanup_free_ char *id = NULL;
        Alert *a;
        int r;

        r = sd_bus_path_decode(path, ORCHD_ALERT_PATH_PREFIX, &id);
        if (r <= 0)
                return 0;
        a = manager_find_alert(userdata, id);
        if (!a)
                return 0;
        *found = a;
        return 1;
}

static int alert_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;
        GHashTableIter it;
        gpointer value;
        size_t k = 0;
        char **l = calloc(g_hash_table_size(m->alerts) + 1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        g_hash_table_iter_init(&it, m->alerts);
        while (g_hash_table_iter_next(&it, NULL, &value))
                if (!(l[k++] = strdup(((Alert *) value)->object_path))) {
                        strv_free(l);
                        return -ENOMEM;
                }
        *nodes = l;
        return 1;
}

int alert_bus_register(Manager *m) {
        int r;

        r = sd_bus_add_fallback_vtable(m->bus, &m->alert_vtable_slot, ORCHD_ALERT_PATH_PREFIX, ORCHD_ALERT_INTERFACE,
                                       alert_vtable, alert_object_find, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the Alert objects: %m");
        r = sd_bus_add_node_enumerator(m->bus, &m->alert_enumerator_slot, ORCHD_ALERT_PATH_PREFIX,
                                       alert_node_enumerator, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the Alert enumerator: %m");
        return 0;
}

int alert_emit_added(Alert *a) {
        return a->manager->bus ? sd_bus_emit_object_added(a->manager->bus, a->object_path) : 0;
}

int alert_emit_removed(Alert *a) {
        return a->manager->bus ? sd_bus_emit_object_removed(a->manager->bus, a->object_path) : 0;
}

int alert_emit_changed(Alert *a) {
        if (!a->manager->bus)
                return 0;
        return sd_bus_emit_properties_changed(a->manager->bus, a->object_path, ORCHD_ALERT_INTERFACE, "State",
                                              "Level", "Message", "Recipients", "EscalatedUSec",
                                              "AcknowledgedUSec", "ResolvedUSec", "AcknowledgedBy", "ResolvedBy",
                                              "Note", "NextActionUSec", "Failures", "Notifications", NULL);
}
