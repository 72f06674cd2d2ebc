/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The alert and contact verbs: alerts, alert, ack, escalate, resolve, contacts, contact, reload;
 * and the alert lines of status. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-common.h"
#include "log.h"
#include "macro.h"
#include "orchctl.h"
#include "orchctl-polkit-agent.h"
#include "parse-util.h"
#include "table.h"
#include "uuid7.h"
#include "validate.h"

/* ---- helpers ---- */

static const char *alert_level_to_string(uint32_t level) {
        return level == 1 ? "operators" : level == 2 ? "superiors" : "?";
}

static const char *alert_state_color(const char *state) {
        return streq(state, "open") ? ansi_highlight_red() :
               streq(state, "resolved") ? ansi_highlight_green() : "";
}

/* An alert id is a UUIDv7, whose first 48 bits are the milliseconds of its creation, that is of
 * the alert being raised: the age of an alert without asking orchd for RaisedUSec. */
static bool alert_id_raised_usec(const char *id, uint64_t *ret) {
        uint64_t ms = 0;

        if (!uuid7_is_valid(id))
                return false;
        for (const char *p = id; p < id + 13; p++)
                if (*p != '-')
                        ms = ms << 4 | (uint64_t) (*p <= '9' ? *p - '0' : *p - 'a' + 10);
        *ret = ms * USEC_PER_MSEC;
        return true;
}

/* What ack, escalate, resolve and alert accept: an alert id, or an instance (name or id). */
static int check_alert_key(const char *verb, const char *key) {
        if (uuid7_is_valid(key) || instance_name_is_valid(key))
                return 0;
        fprintf(stderr, "'%s' needs an alert id or an instance name, not '%s'. 'orchctl alerts' lists the alerts.\n",
                verb, key);
        return -EINVAL;
}

static bool error_is_unknown_property(const sd_bus_error *error) {
        return sd_bus_error_has_names(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, SD_BUS_ERROR_INVALID_ARGS);
}

/* The alert KEY means: the alert of that id, or else the open alert of the instance KEY names.
 * Sets *RET_PATH and, if RET_ID is not NULL, *RET_ID (both allocated) and returns 0, or returns
 * an exit code (> 0) after saying what is wrong. */
static int alert_lookup(sd_bus *bus, const char *key, char **ret_path, char **ret_id) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *instance_path = NULL, *path = NULL, *id = NULL;
        bool is_id = uuid7_is_valid(key);
        const char *p;
        int r;

        /* Alert ids and instance ids look alike: an id that is no alert's may be an instance's. */
        if (is_id) {
                r = orchctl_call_manager(bus, "GetAlert", 0, &error, &reply, "s", key);
                if (r >= 0) {
                        r = sd_bus_message_read(reply, "o", &p);
                        if (r < 0) {
                                fprintf(stderr, "Failed to parse orchd's reply to GetAlert: %s\n", strerror(-r));
                                return ORCHCTL_EXIT_FAILURE;
                        }
                        path = strdup(p);
                        if (!path || (ret_id && !(id = strdup(key))))
                                return log_oom();
                        goto done;
                }
                if (!sd_bus_error_has_name(&error, ORCHD_ERROR_NO_SUCH_ALERT))
                        return orchctl_bus_error(&error, r, "look up the alert");
                sd_bus_error_free(&error);
                reply = sd_bus_message_unref(reply);
        }

        r = orchctl_get_instance_path(bus, key, &error, &instance_path);
        if (r < 0) {
                if (is_id && sd_bus_error_has_name(&error, ORCHD_ERROR_NO_SUCH_INSTANCE)) {
                        fprintf(stderr, "No alert or instance '%s'.\n", key);
                        return ORCHCTL_EXIT_NO_SUCH;
                }
                return orchctl_bus_error(&error, r, "look up the instance");
        }
        r = sd_bus_get_property(bus, ORCHD_BUS_NAME, instance_path, ORCHD_INSTANCE_INTERFACE, "Alert", &error,
                                &reply, "o");
        if (r < 0) {
                if (error_is_unknown_property(&error)) {
                        fprintf(stderr, "This orchd does not tell the alert of an instance; give the alert's id "
                                "('orchctl alerts' lists them).\n");
                        return ORCHCTL_EXIT_FAILURE;
                }
                return orchctl_bus_error(&error, r, "read the instance's alert");
        }
        r = sd_bus_message_read(reply, "o", &p);
        if (r < 0) {
                fprintf(stderr, "Failed to parse the instance's alert: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }
        if (streq(p, "/")) {
                fprintf(stderr, "Instance '%s' has no open alert. 'orchctl alerts --all' lists the alerts.\n", key);
                return ORCHCTL_EXIT_NO_SUCH;
        }
        path = strdup(p);
        if (!path)
                return log_oom();
        if (ret_id) {
                r = sd_bus_get_property_string(bus, ORCHD_BUS_NAME, path, ORCHD_ALERT_INTERFACE, "Id", &error, &id);
                if (r < 0)
                        return orchctl_bus_error(&error, r, "read the alert's id");
        }

done:
        *ret_path = TAKE_PTR(path);
        if (ret_id)
                *ret_id = TAKE_PTR(id);
        return 0;
}

/* ---- alerts ---- */

typedef struct AlertRow {
        const char *id, *instance, *state, *message, *path;
        uint32_t level;
} AlertRow;

static int alert_read_row(sd_bus_message *m, void *row) {
        AlertRow *x = row;
        return sd_bus_message_read(m, "(sssuso)", &x->id, &x->instance, &x->state, &x->level, &x->message,
                                   &x->path);
}

static bool alert_keep_row(const void *row) {
        const AlertRow *x = row;
        return arg.all || !streq(x->state, "resolved");
}

static int alert_row_compare(const void *a, const void *b) {
        const AlertRow *x = a, *y = b;
        /* UUIDv7 strings sort by creation: the oldest alert first. */
        return strcmp(x->id, y->id);
}

static int alerts_fill_table(Table *t, const void *rows, size_t n) {
        const AlertRow *row = rows;
        uint64_t now = orchctl_now_usec();
        int r;

        table_set_align_right(t, 3, true);
        table_set_align_right(t, 4, true);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *message = NULL;
                char level[16], age[FORMAT_TIMESPAN_MAX] = "";
                uint64_t raised;

                (void) snprintf(level, sizeof level, "%" PRIu32, row[i].level);
                if (alert_id_raised_usec(row[i].id, &raised)) {
                        uint64_t d = now > raised ? (now - raised) / USEC_PER_SEC * USEC_PER_SEC : 0;

                        if (d == 0)
                                strcpy(age, "0s");
                        else
                                (void) format_timespan(age, sizeof age, d);
                }
                message = escape_for_terminal(row[i].message, strlen(row[i].message), false);
                if (!message)
                        return log_oom();
                r = table_add_row(t, (const char * const[]) { row[i].id, row[i].instance, row[i].state, level,
                                                              age[0] ? age : NULL, message });
                if (r < 0)
                        return log_oom();
        }
        return 0;
}

static const ListJsonField alerts_json[] = {
        { "id",       's', offsetof(AlertRow, id) },
        { "instance", 's', offsetof(AlertRow, instance) },
        { "state",    's', offsetof(AlertRow, state) },
        { "level",    'u', offsetof(AlertRow, level) },
        { "message",  's', offsetof(AlertRow, message) },
        { "path",     's', offsetof(AlertRow, path) },
};

static const char * const alerts_headers[] = { "ID", "INSTANCE", "STATE", "LEVEL", "AGE", "MESSAGE" };

static const ListVerb alerts_verb = {
        .method = "ListAlerts",
        .noun = "alerts",
        .signature = "(sssuso)",
        .row_size = sizeof(AlertRow),
        .read_row = alert_read_row,
        .keep = alert_keep_row,
        .compare = alert_row_compare,
        .json = alerts_json,
        .n_json = ELEMENTSOF(alerts_json),
        .headers = alerts_headers,
        .n_headers = ELEMENTSOF(alerts_headers),
        .fill_table = alerts_fill_table,
};

int verb_alerts(int argc, char *argv[], void *userdata) {
        (void) argc, (void) argv, (void) userdata;

        return orchctl_list(&alerts_verb, arg.all ? "No alerts." : "No open alerts.");
}

/* ---- alert ---- */

typedef struct AlertInfo {
        const char *id, *instance, *instance_id, *state, *message, *acknowledged_by, *resolved_by, *note;
        char **recipients;
        uint32_t level, failures, notifications;
        uint64_t raised_usec, escalated_usec, acknowledged_usec, resolved_usec, next_action_usec;
} AlertInfo;

static int alert_info_parse(sd_bus_message *reply, AlertInfo *a) {
        const PropertySlot map[] = {
                { "Id",                's', &a->id,                NULL },
                { "Instance",          's', &a->instance,          NULL },
                { "InstanceId",        's', &a->instance_id,       NULL },
                { "State",             's', &a->state,             NULL },
                { "Level",             'u', &a->level,             NULL },
                { "Message",           's', &a->message,           NULL },
                { "Recipients",        'a', &a->recipients,        NULL },
                { "RaisedUSec",        't', &a->raised_usec,       NULL },
                { "EscalatedUSec",     't', &a->escalated_usec,    NULL },
                { "AcknowledgedUSec",  't', &a->acknowledged_usec, NULL },
                { "ResolvedUSec",      't', &a->resolved_usec,     NULL },
                { "AcknowledgedBy",    's', &a->acknowledged_by,   NULL },
                { "ResolvedBy",        's', &a->resolved_by,       NULL },
                { "Note",              's', &a->note,              NULL },
                { "NextActionUSec",    't', &a->next_action_usec,  NULL },
                { "Failures",          'u', &a->failures,          NULL },
                { "Notifications",     'u', &a->notifications,     NULL },
        };
        int r;

        r = sd_bus_message_rewind(reply, true);
        if (r < 0)
                return r;
        r = orchctl_read_properties(reply, map, ELEMENTSOF(map));
        if (r < 0)
                return r;

        /* Never NULL, so that callers need no checks. */
        const char **strings[] = {
                &a->id, &a->instance, &a->instance_id, &a->state, &a->message, &a->acknowledged_by,
                &a->resolved_by, &a->note,
        };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if (!*strings[i])
                        *strings[i] = "";
        return 0;
}

static void alert_field(const char *label) {
        printf("%13s: ", label);
}

static void alert_field_text(const char *label, const char *text) {
        if (isempty(text))
                return;
        alert_field(label);
        (void) fputs_escaped(text, strlen(text), stdout);
        fputc('\n', stdout);
}

/* "Tue 2025-01-07 10:00:00 CET; 3min 2s ago by uid 1000 (alice)"; nothing if USEC is 0. */
static void alert_field_time(const char *label, uint64_t usec, const char *by) {
        char when[FORMAT_TIMESTAMP_RELATIVE_MAX];

        if (usec == 0)
                return;
        alert_field(label);
        fputs(format_timestamp_relative(when, sizeof when, usec), stdout);
        if (!isempty(by)) {
                fputs(" by ", stdout);
                (void) fputs_escaped(by, strlen(by), stdout);
        }
        fputc('\n', stdout);
}

static void alert_print_text(const AlertInfo *a) {
        const char *color = alert_state_color(a->state);
        char when[FORMAT_TIMESTAMP_RELATIVE_MAX];

        printf("%s%s%s %s", color, glyph_bullet(), *color ? ansi_normal() : "", a->id);
        if (!isempty(a->message)) {
                fputs(" - ", stdout);
                (void) fputs_escaped(a->message, strlen(a->message), stdout);
        }
        fputc('\n', stdout);

        alert_field("Instance");
        (void) fputs_escaped(a->instance, strlen(a->instance), stdout);
        if (!isempty(a->instance_id))
                printf(" (%s)", a->instance_id);
        fputc('\n', stdout);
        alert_field("State");
        printf("%s%s%s, level %" PRIu32 " (%s)\n", color, a->state, *color ? ansi_normal() : "", a->level,
               alert_level_to_string(a->level));
        if (a->recipients && a->recipients[0]) {
                alert_field("Recipients");
                STRV_FOREACH(s, a->recipients) {
                        if (s != a->recipients)
                                fputc(' ', stdout);
                        (void) fputs_escaped(*s, strlen(*s), stdout);
                }
                fputc('\n', stdout);
        }
        alert_field_time("Raised", a->raised_usec, NULL);
        alert_field_time("Escalated", a->escalated_usec, NULL);
        alert_field_time("Acknowledged", a->acknowledged_usec, a->acknowledged_by);
        alert_field_time("Resolved", a->resolved_usec, a->resolved_by);
        alert_field_text("Note", a->note);
        if (a->next_action_usec > 0 && !streq(a->state, "resolved")) {
                alert_field("Next action");
                printf("%s (%s)\n", format_timestamp_relative(when, sizeof when, a->next_action_usec),
                       streq(a->state, "open") && a->level < 2 ? "escalation to the superiors" :
                                                                 "notification repeated");
        }
        alert_field("Failures");
        printf("%" PRIu32 "\n", a->failures);
        alert_field("Notifications");
        printf("%" PRIu32 "\n", a->notifications);
}

/* The alert's log through GetLog(). *RET_DENIED if orchd keeps it from this caller (not one of the
 * recipients, nor allowed to respond): that is no error. Returns 0, or an exit code after saying
 * what went wrong. */
static int alert_get_log(sd_bus *bus, const char *path, char ***ret_lines, bool *ret_denied) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        *ret_lines = NULL;
        *ret_denied = false;

        r = sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, path, ORCHD_ALERT_INTERFACE, "GetLog");
        if (r < 0) {
                fprintf(stderr, "Failed to build the GetLog call: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }
        /* Reading asks for no password: a log that needs one is simply not shown. */
        r = sd_bus_message_set_allow_interactive_authorization(m, false);
        if (r < 0) {
                fprintf(stderr, "Failed to build the GetLog call: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }
        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0) {
                if (sd_bus_error_has_names(&error, SD_BUS_ERROR_ACCESS_DENIED,
                                           SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED)) {
                        *ret_denied = true;
                        return 0;
                }
                return orchctl_bus_error(&error, r, "read the alert's log");
        }
        r = sd_bus_message_read_strv(reply, ret_lines);
        if (r < 0) {
                fprintf(stderr, "Failed to parse the alert's log: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }
        return 0;
}

#define LOG_DENIED_TEXT "The log of an alert is only shown to its recipients and to those allowed to respond to it."

int verb_alert(int argc, char *argv[], void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        _cleanup_free_ char *path = NULL;
        AlertInfo info = {};
        bool denied;
        sd_bus *bus;
        int r, ret;

        (void) argc, (void) userdata;

        r = check_alert_key(argv[0], argv[1]);
        if (r < 0)
                return r;

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;
        r = alert_lookup(bus, argv[1], &path, NULL);
        if (r != 0)
                return r;
        r = orchctl_get_all_properties(bus, path, ORCHD_ALERT_INTERFACE, &error, &reply);
        if (r < 0)
                return orchctl_bus_error(&error, r, "read the alert's properties");

        if (arg.json != JSON_FORMAT_OFF) {
                JsonWriter j;

                ret = alert_get_log(bus, path, &lines, &denied);
                json_writer_init(&j, stdout, arg.json);
                json_begin_object(&j);
                r = print_properties(reply, NULL, &j, NULL);
                if (r < 0) {
                        fprintf(stderr, "Failed to parse the alert's properties: %s\n", strerror(-r));
                        return ORCHCTL_EXIT_FAILURE;
                }
                /* null: not shown to this caller (or not readable). */
                json_key(&j, "Log");
                if (ret != 0 || denied)
                        json_null(&j);
                else {
                        json_begin_array(&j);
                        STRV_FOREACH(l, lines)
                                json_string(&j, *l);
                        json_end_array(&j);
                }
                json_end_object(&j);
                return ret;
        }

        r = alert_info_parse(reply, &info);
        if (r < 0) {
                strv_free(info.recipients);
                fprintf(stderr, "Failed to parse the alert's properties: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }
        alert_print_text(&info);
        strv_free(info.recipients);

        /* After the properties: a log that cannot be read does not hide them. */
        fflush(stdout);
        ret = alert_get_log(bus, path, &lines, &denied);
        if (ret != 0)
                return ret;
        fputc('\n', stdout);
        if (denied)
                printf("(" LOG_DENIED_TEXT ")\n");
        else if (!lines || !lines[0]) {
                if (!arg.quiet && !arg.no_legend)
                        printf("(No log lines were kept for this alert.)\n");
        } else
                STRV_FOREACH(l, lines) {
                        (void) fputs_escaped(*l, strlen(*l), stdout);
                        fputc('\n', stdout);
                }
        return ORCHCTL_EXIT_SUCCESS;
}

/* ---- status: the open alert of an instance ---- */

void print_instance_alert(sd_bus *bus, const InstanceInfo *info) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        AlertInfo a = {};
        const char *color;

        if (isempty(info->alert) || streq(info->alert, "/"))
                return;
        /* Gone in the meantime, or not readable: status goes on without it. */
        if (orchctl_get_all_properties(bus, info->alert, ORCHD_ALERT_INTERFACE, &error, &reply) < 0)
                return;
        if (alert_info_parse(reply, &a) < 0 || isempty(a.id)) {
                strv_free(a.recipients);
                return;
        }

        color = alert_state_color(a.state);
        printf("%11s: %s %s%s%s, level %" PRIu32 " (%s)\n", "Alert", a.id, color, a.state,
               *color ? ansi_normal() : "", a.level, alert_level_to_string(a.level));
        if (!isempty(a.message)) {
                printf("%11s  ", "");
                (void) fputs_escaped(a.message, strlen(a.message), stdout);
                fputc('\n', stdout);
        }
        strv_free(a.recipients);
}

/* ---- ack, escalate, resolve ---- */

int verb_alert_operation(int argc, char *argv[], void *userdata) {
        static const struct {
                const char *verb, *method, *what;
        } table[] = {
                { "ack",      "AcknowledgeAlert", "acknowledge" },
                { "escalate", "EscalateAlert",    "escalate" },
                { "resolve",  "ResolveAlert",     "resolve" },
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *id = NULL;
        const char *method = NULL, *verb_what = NULL, *note = argc > 2 ? argv[2] : "";
        sd_bus *bus;
        int r;

        (void) userdata;

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(argv[0], table[i].verb)) {
                        method = table[i].method;
                        verb_what = table[i].what;
                }
        if (!method)
                return -EINVAL;

        r = check_alert_key(argv[0], argv[1]);
        if (r < 0)
                return r;
        /* orchd's rule for notes is that of descriptions: UTF-8, no control characters, 1024 bytes. */
        if (!description_is_valid(note)) {
                fprintf(stderr, "Invalid note for '%s': it must be UTF-8 text of at most %u bytes without "
                        "control characters.\n", argv[0], ORCHD_DESCRIPTION_MAX);
                return -EINVAL;
        }

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;

        /* polkit may ask for a password, for the look-up's sake too if it is slow to answer. */
        (void) polkit_agent_open_if_enabled(arg.ask_password, !arg.host);
        r = alert_lookup(bus, argv[1], &path, &id);
        if (r == 0) {
                r = orchctl_call_manager(bus, method, ORCHCTL_JOB_TIMEOUT, &error, NULL, "ss", id, note);
                if (r < 0)
                        r = orchctl_bus_errorf(&error, r, "%s alert %s", verb_what, id);
                else
                        r = ORCHCTL_EXIT_SUCCESS;
        }
        polkit_agent_close();
        return r;
}

/* ---- contacts ---- */

typedef struct ContactRow {
        const char *name, *role, *user;
        char **channels;
} ContactRow;

static int contact_read_row(sd_bus_message *m, void *row) {
        ContactRow *x = row;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "sssas");
        if (r <= 0)
                return r;
        r = sd_bus_message_read(m, "sss", &x->name, &x->role, &x->user);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &x->channels);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0) {
                strv_free(x->channels);
                x->channels = NULL;
                return r;
        }
        return 1;
}

static void contact_row_done(void *row) {
        strv_free(((ContactRow *) row)->channels);
}

static int contact_row_compare(const void *a, const void *b) {
        const ContactRow *x = a, *y = b;
        return strcmp(x->name, y->name);
}

static int contacts_fill_table(Table *t, const void *rows, size_t n) {
        const ContactRow *row = rows;
        int r;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *channels = NULL, *name = NULL, *user = NULL;
                size_t len = 0;

                STRV_FOREACH(c, row[i].channels)
                        len += strlen(*c) + 1;
                if (len > 0) {
                        channels = malloc(len);
                        if (!channels)
                                return log_oom();
                        channels[0] = '\0';
                        STRV_FOREACH(c, row[i].channels) {
                                if (c != row[i].channels)
                                        strcat(channels, ",");
                                strcat(channels, *c);
                        }
                }
                /* Names and users are checked by orchd; escaped all the same, as all it sends. */
                name = escape_for_terminal(row[i].name, strlen(row[i].name), false);
                user = escape_for_terminal(row[i].user, strlen(row[i].user), false);
                if (!name || !user)
                        return log_oom();
                r = table_add_row(t, (const char * const[]) { name, row[i].role, isempty(user) ? NULL : user,
                                                              channels });
                if (r < 0)
                        return log_oom();
        }
        return 0;
}

static const ListJsonField contacts_json[] = {
        { "name",     's', offsetof(ContactRow, name) },
        { "role",     's', offsetof(ContactRow, role) },
        { "user",     's', offsetof(ContactRow, user) },
        { "channels", 'a', offsetof(ContactRow, channels) },
};

static const char * const contacts_headers[] = { "NAME", "ROLE", "USER", "CHANNELS" };

static const ListVerb contacts_verb = {
        .method = "ListContacts",
        .noun = "contacts",
        .signature = "(sssas)",
        .row_size = sizeof(ContactRow),
        .read_row = contact_read_row,
        .row_done = contact_row_done,
        .compare = contact_row_compare,
        .json = contacts_json,
        .n_json = ELEMENTSOF(contacts_json),
        .headers = contacts_headers,
        .n_headers = ELEMENTSOF(contacts_headers),
        .fill_table = contacts_fill_table,
};

int verb_contacts(int argc, char *argv[], void *userdata) {
        (void) argc, (void) argv, (void) userdata;

        return orchctl_list(&contacts_verb, "No contacts.");
}

/* ---- contact set, contact remove ---- */

static int contact_set(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const ContactArgs *c = &arg.contact;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH, ORCHD_MANAGER_INTERFACE,
                                           "SetContact");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        /* Only the options given: a contact that exists keeps the others. */
        if (r >= 0 && c->role)
                r = sd_bus_message_append(m, "{sv}", "Role", "s", c->role);
        if (r >= 0 && c->user)
                r = sd_bus_message_append(m, "{sv}", "User", "s", c->user);
        if (r >= 0 && c->exec)
                r = sd_bus_message_append(m, "{sv}", "Exec", "s", c->exec);
        if (r >= 0 && c->webhook)
                r = sd_bus_message_append(m, "{sv}", "Webhook", "s", c->webhook);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0) {
                fprintf(stderr, "Failed to build the SetContact call: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }

        (void) polkit_agent_open_if_enabled(arg.ask_password, !arg.host);
        r = sd_bus_call(bus, m, ORCHCTL_JOB_TIMEOUT, &error, NULL);
        polkit_agent_close();
        if (r < 0)
                return orchctl_bus_errorf(&error, r, "set contact '%s'", name);
        return ORCHCTL_EXIT_SUCCESS;
}

static int contact_remove(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        (void) polkit_agent_open_if_enabled(arg.ask_password, !arg.host);
        r = orchctl_call_manager(bus, "RemoveContact", ORCHCTL_JOB_TIMEOUT, &error, NULL, "s", name);
        polkit_agent_close();
        if (r < 0)
                return orchctl_bus_errorf(&error, r, "remove contact '%s'", name);
        return ORCHCTL_EXIT_SUCCESS;
}

int verb_contact(int argc, char *argv[], void *userdata) {
        const ContactArgs *c = &arg.contact;
        bool set;
        sd_bus *bus;
        int r;

        (void) userdata;

        if (argc < 2) {
                fprintf(stderr, "'contact' needs a command: orchctl contact set|remove NAME\n");
                return -EINVAL;
        }
        if (streq(argv[1], "set"))
                set = true;
        else if (streq(argv[1], "remove"))
                set = false;
        else {
                fprintf(stderr, "Unknown command 'contact %s'. Expected 'contact set' or 'contact remove'.\n",
                        argv[1]);
                return -EINVAL;
        }
        if (argc < 3) {
                fprintf(stderr, "'contact %s' needs the name of a contact: orchctl contact %s NAME%s\n", argv[1],
                        argv[1], set ? " [OPTIONS]" : "");
                return -EINVAL;
        }
        /* Contact names follow the rule of instance names. */
        if (!instance_name_is_valid(argv[2])) {
                fprintf(stderr, "Invalid contact name '%s'. Expected 1 to %u letters, digits, '_', '.' or '-', "
                        "starting with a letter or digit.\n", argv[2], ORCHD_INSTANCE_NAME_MAX);
                return -EINVAL;
        }
        if (!set) {
                const char *given = c->role ? "--role" : c->user ? "--user" : c->exec ? "--exec" :
                                    c->webhook ? "--webhook" : NULL;
                if (given) {
                        fprintf(stderr, "Option %s does not apply to 'contact remove'; it is an option of "
                                "'contact set'. See --help.\n", given);
                        return -EINVAL;
                }
        }
        if (set && c->user && !unix_user_name_is_valid(c->user)) {
                fprintf(stderr, "Invalid value for --user: '%s'. Expected a user name or a numeric uid.\n", c->user);
                return -EINVAL;
        }

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;
        return set ? contact_set(bus, argv[2]) : contact_remove(bus, argv[2]);
}

/* ---- reload ---- */

int verb_reload(int argc, char *argv[], void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *bus;
        int r;

        (void) argc, (void) argv, (void) userdata;

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;
        (void) polkit_agent_open_if_enabled(arg.ask_password, !arg.host);
        r = orchctl_call_manager(bus, "Reload", ORCHCTL_JOB_TIMEOUT, &error, NULL, NULL);
        polkit_agent_close();
        if (r < 0)
                return orchctl_bus_error(&error, r, "reload orchd's configuration");
        return ORCHCTL_EXIT_SUCCESS;
}
