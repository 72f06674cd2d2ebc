/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-record.h"
#include "keyfile-util.h"
#include "uuid7.h"
#include "validate.h"
#include "webhook-url.h"

#define WEBHOOK_URL_MAX 2048U

#define GROUP_ALERT "Alert"
#define GROUP_CONTACT "Contact"

/* The reasons below spell the limits out; keep them in step. */
_Static_assert(ALERT_LOG_LINES_MAX == 20 && ALERT_LOG_LINE_MAX == 1024 && ALERT_MESSAGE_MAX == 1024 &&
               ALERT_NOTE_MAX == 1024 && ALERT_ACTOR_MAX == 256, "update the reasons");

void alert_record_init(AlertRecord *r) {
        *r = (AlertRecord) {};
}

void alert_record_done(AlertRecord *r) {
        free(r->id);
        free(r->instance_id);
        free(r->instance_name);
        free(r->message);
        strv_free(r->log_lines);
        free(r->acknowledged_by);
        free(r->resolved_by);
        free(r->note);
        alert_record_init(r);
}

void contact_record_done(ContactRecord *r) {
        free(r->contact.name);
        free(r->contact.user);
        free(r->contact.exec);
        free(r->contact.webhook);
        *r = (ContactRecord) {};
}

/* C0 controls (tab only if ALLOW_TAB), DEL, and C1 controls (U+0080..U+009F, encoded 0xc2
 * 0x80..0x9f). S must be valid UTF-8 already, so 0xc2 always starts a character. */
static bool has_control_chars(const char *s, bool allow_tab) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '\t' && allow_tab)
                        continue;
                if (*p < 0x20 || *p == 0x7f)
                        return true;
                if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
                        return true;
        }
        return false;
}

/* Message, Note, AcknowledgedBy, ResolvedBy: one line of at most MAX bytes of valid UTF-8, no
 * control characters at all (not even tab): they end up in notifications, terminals and the
 * journal. */
static bool text_is_valid(const char *s, size_t max) {
        return s && strnlen(s, max + 1) <= max && utf8_is_valid(s) && !has_control_chars(s, false);
}

/* One line of a unit's log: as text_is_valid(), but tabs are common in logs and harmless. */
static bool log_line_is_valid(const char *s) {
        return s && strnlen(s, ALERT_LOG_LINE_MAX + 1) <= ALERT_LOG_LINE_MAX && utf8_is_valid(s) &&
                !has_control_chars(s, true);
}

/* "" (not known) or an invocation id as systemd formats it: 32 lowercase hex digits. */
static bool invocation_id_is_valid(const char *s, size_t size) {
        size_t n = strnlen(s, size);

        return n < size && (n == 0 || (n == 32 && strspn(s, "0123456789abcdef") == 32));
}

/* conf.c's rule for Exec= (absolute, UTF-8), and, since a value read from a key file can hold
 * what a line of orchd.conf cannot, no line breaks or other control characters but tab. */
static bool exec_is_valid(const char *v) {
        return v[0] == '/' && utf8_is_valid(v) && !has_control_chars(v, true);
}

/* The same checks for writing as for reading: a record that could not be loaded is never saved. */
static const char *alert_record_check(const AlertRecord *r) {
        size_t n_lines;

        if (!r->id || !uuid7_is_valid(r->id))
                return "Id is not a UUIDv7";
        if (!r->instance_id || !uuid7_is_valid(r->instance_id))
                return "InstanceId is not a UUIDv7";
        if (!r->instance_name || !instance_name_is_valid(r->instance_name))
                return "InstanceName is not a valid instance name";
        if (!alert_progress_is_valid(&r->progress))
                return "State, Level and NextActionUSec are not a state an alert can be in";
        if (!r->message)
                return "Message is missing";
        if (!text_is_valid(r->message, ALERT_MESSAGE_MAX))
                return "Message is not one line of at most 1024 bytes of UTF-8 without control characters";
        n_lines = strv_length(r->log_lines);
        if (n_lines > ALERT_LOG_LINES_MAX)
                return "LogLines has more than 20 lines";
        for (size_t i = 0; i < n_lines; i++)
                if (!log_line_is_valid(r->log_lines[i]))
                        return "LogLines has a line that is longer than 1024 bytes, not UTF-8, or has control characters other than tab";
        if (!invocation_id_is_valid(r->invocation_id, sizeof r->invocation_id))
                return "InvocationID is not an invocation id";
        if (r->raised_usec == 0)
                return "RaisedUSec is 0";
        if (r->progress.state == ALERT_RESOLVED && r->resolved_usec == 0)
                return "the alert is resolved but ResolvedUSec is 0";
        if (r->progress.state != ALERT_RESOLVED && r->resolved_usec != 0)
                return "the alert is not resolved but has a ResolvedUSec";
        if (r->progress.state == ALERT_ACKNOWLEDGED && r->acknowledged_usec == 0)
                return "the alert is acknowledged but AcknowledgedUSec is 0";
        if (r->acknowledged_by && !text_is_valid(r->acknowledged_by, ALERT_ACTOR_MAX))
                return "AcknowledgedBy is not one line of at most 256 bytes of UTF-8 without control characters";
        if (r->resolved_by && !text_is_valid(r->resolved_by, ALERT_ACTOR_MAX))
                return "ResolvedBy is not one line of at most 256 bytes of UTF-8 without control characters";
        if (r->note && !text_is_valid(r->note, ALERT_NOTE_MAX))
                return "Note is not one line of at most 1024 bytes of UTF-8 without control characters";
        if (r->failures == 0)
                return "Failures is 0";
        return NULL;
}

static const char *contact_record_check(const ContactRecord *r) {
        const Contact *c = &r->contact;

        if (!c->name || !instance_name_is_valid(c->name))
                return "Name is not a valid contact name";
        if (r->removed) {
                /* A tombstone: the name is all there is (the role is neither written nor read). */
                if (c->user || c->exec || c->webhook)
                        return "a removed contact has User, Exec or Webhook";
                return NULL;
        }
        if (!contact_role_to_string(c->role))
                return "Role is not 'operator' or 'superior'";
        if (c->user && !unix_user_name_is_valid(c->user))
                return "User is not a user name or a numeric uid";
        if (c->exec && !exec_is_valid(c->exec))
                return "Exec is not a command line starting with an absolute path";
        if (c->webhook && !webhook_url_is_valid(c->webhook))
                return "Webhook is not an http:// or https:// URL";
        return NULL;
}

static int fail(const char *reason, const char **ret_reason) {
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

/* The text of K. The same bound store.c puts on every file of the state directory: a record that
 * would be larger is refused when written, not only when read. */
static int record_to_data(GKeyFile *k, char **ret, size_t *ret_size, const char **ret_reason) {
        int q;

        q = keyfile_to_data(k, KEYFILE_SIZE_MAX, ret, ret_size);
        if (q == -EFBIG)
                return fail("the record is larger than 4 MiB", ret_reason);
        return q;
}

int alert_record_to_data(const AlertRecord *r, char **ret, size_t *ret_size, const char **ret_reason) {
        g_autoptr(GKeyFile) k = NULL;
        const char *reason;

        reason = alert_record_check(r);
        if (reason)
                return fail(reason, ret_reason);

        /* The required keys come last: a file cut between two lines always lacks one. */
        k = g_key_file_new();
        g_key_file_set_string(k, GROUP_ALERT, "Id", r->id);
        g_key_file_set_string(k, GROUP_ALERT, "InstanceId", r->instance_id);
        g_key_file_set_string(k, GROUP_ALERT, "InstanceName", r->instance_name);
        g_key_file_set_string(k, GROUP_ALERT, "State", alert_state_to_string(r->progress.state));
        keyfile_set_u64(k, GROUP_ALERT, "Level", r->progress.level);
        keyfile_set_u64(k, GROUP_ALERT, "NextActionUSec", r->progress.next_action_usec);
        g_key_file_set_string(k, GROUP_ALERT, "Message", r->message);
        keyfile_set_strv(k, GROUP_ALERT, "LogLines", r->log_lines);
        g_key_file_set_string(k, GROUP_ALERT, "InvocationID", r->invocation_id);
        keyfile_set_u64(k, GROUP_ALERT, "RaisedUSec", r->raised_usec);
        keyfile_set_u64(k, GROUP_ALERT, "EscalatedUSec", r->escalated_usec);
        keyfile_set_u64(k, GROUP_ALERT, "AcknowledgedUSec", r->acknowledged_usec);
        keyfile_set_u64(k, GROUP_ALERT, "ResolvedUSec", r->resolved_usec);
        keyfile_set_string(k, GROUP_ALERT, "AcknowledgedBy", r->acknowledged_by);
        keyfile_set_string(k, GROUP_ALERT, "ResolvedBy", r->resolved_by);
        keyfile_set_string(k, GROUP_ALERT, "Note", r->note);
        keyfile_set_u64(k, GROUP_ALERT, "Failures", r->failures);
        keyfile_set_u64(k, GROUP_ALERT, "Notifications", r->notifications);

        return record_to_data(k, ret, ret_size, ret_reason);
}

int contact_record_to_data(const ContactRecord *r, char **ret, size_t *ret_size, const char **ret_reason) {
        const Contact *c = &r->contact;
        g_autoptr(GKeyFile) k = NULL;
        const char *reason;

        reason = contact_record_check(r);
        if (reason)
                return fail(reason, ret_reason);

        k = g_key_file_new();
        g_key_file_set_string(k, GROUP_CONTACT, "Name", c->name);
        if (!r->removed) {
                g_key_file_set_string(k, GROUP_CONTACT, "Role", contact_role_to_string(c->role));
                keyfile_set_string(k, GROUP_CONTACT, "User", c->user);
                keyfile_set_string(k, GROUP_CONTACT, "Exec", c->exec);
                keyfile_set_string(k, GROUP_CONTACT, "Webhook", c->webhook);
        }
        g_key_file_set_boolean(k, GROUP_CONTACT, "Removed", r->removed);

        return record_to_data(k, ret, ret_size, ret_reason);
}

static const char *const alert_keys[] = {
        "Id", "InstanceId", "InstanceName", "State", "Level", "NextActionUSec", "Message", "LogLines",
        "InvocationID", "RaisedUSec", "EscalatedUSec", "AcknowledgedUSec", "ResolvedUSec", "AcknowledgedBy",
        "ResolvedBy", "Note", "Failures", "Notifications",
};
static const char *const contact_keys[] = {
        "Name", "Role", "User", "Exec", "Webhook", "Removed",
};
_Static_assert(ELEMENTSOF(alert_keys) <= KEYFILE_GROUP_KEYS_MAX && ELEMENTSOF(contact_keys) <= KEYFILE_GROUP_KEYS_MAX,
               "too many keys for keyfile_load_strict()");
/* One group, with none but the keys orchd writes, each at most once: anything else means the file
 * is not one orchd wrote. */
static const KeyfileGroup alert_group = {
        GROUP_ALERT, alert_keys, ELEMENTSOF(alert_keys), "the file lacks the [Alert] group",
};
static const KeyfileGroup contact_group = {
        GROUP_CONTACT, contact_keys, ELEMENTSOF(contact_keys), "the file lacks the [Contact] group",
};

/* Fills R from K, with *RET_REASON naming the first key that is missing or bad. */
static int alert_from_key_file(GKeyFile *k, AlertRecord *r, const char **ret_reason) {
        _cleanup_free_ char *state = NULL, *invocation = NULL;
        const char *reason;
        uint64_t u;
        int q;

        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "Id", true, &r->id), "Id");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "InstanceId", true, &r->instance_id), "InstanceId");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "InstanceName", true, &r->instance_name), "InstanceName");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "State", true, &state), "State");
        r->progress.state = alert_state_from_string(state);
        KEYFILE_FIELD(r->progress.state < 0 ? -EINVAL : 0, "State");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_ALERT, "Level", ALERT_LEVEL_MAX, &u), "Level");
        r->progress.level = (unsigned) u;
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_ALERT, "NextActionUSec", UINT64_MAX, &r->progress.next_action_usec),
                      "NextActionUSec");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "Message", true, &r->message), "Message");
        KEYFILE_FIELD(keyfile_get_strv(k, GROUP_ALERT, "LogLines", false, &r->log_lines), "LogLines");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "InvocationID", true, &invocation), "InvocationID");
        KEYFILE_FIELD(strlen(invocation) < sizeof r->invocation_id ? 0 : -EINVAL, "InvocationID");
        strcpy(r->invocation_id, invocation);
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_ALERT, "RaisedUSec", UINT64_MAX, &r->raised_usec), "RaisedUSec");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_ALERT, "EscalatedUSec", UINT64_MAX, &r->escalated_usec),
                      "EscalatedUSec");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_ALERT, "AcknowledgedUSec", UINT64_MAX, &r->acknowledged_usec),
                      "AcknowledgedUSec");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_ALERT, "ResolvedUSec", UINT64_MAX, &r->resolved_usec), "ResolvedUSec");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "AcknowledgedBy", false, &r->acknowledged_by),
                      "AcknowledgedBy");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "ResolvedBy", false, &r->resolved_by), "ResolvedBy");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_ALERT, "Note", false, &r->note), "Note");
        KEYFILE_FIELD(keyfile_get_u32(k, GROUP_ALERT, "Failures", &r->failures), "Failures");
        KEYFILE_FIELD(keyfile_get_u32(k, GROUP_ALERT, "Notifications", &r->notifications), "Notifications");

        reason = alert_record_check(r);
        if (reason) {
                *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

static int contact_from_key_file(GKeyFile *k, ContactRecord *r, const char **ret_reason) {
        _cleanup_free_ char *role = NULL;
        Contact *c = &r->contact;
        const char *reason;
        int q;

        KEYFILE_FIELD(keyfile_get_string(k, GROUP_CONTACT, "Name", true, &c->name), "Name");
        KEYFILE_FIELD(keyfile_get_bool(k, GROUP_CONTACT, "Removed", &r->removed), "Removed");
        if (r->removed) {
                /* A tombstone has the name and Removed=true, nothing else. */
                if (g_key_file_has_key(k, GROUP_CONTACT, "Role", NULL) ||
                    g_key_file_has_key(k, GROUP_CONTACT, "User", NULL) ||
                    g_key_file_has_key(k, GROUP_CONTACT, "Exec", NULL) ||
                    g_key_file_has_key(k, GROUP_CONTACT, "Webhook", NULL)) {
                        *ret_reason = "a removed contact has keys other than Name and Removed";
                        return -EINVAL;
                }
        } else {
                KEYFILE_FIELD(keyfile_get_string(k, GROUP_CONTACT, "Role", true, &role), "Role");
                c->role = contact_role_from_string(role);
                KEYFILE_FIELD(c->role < 0 ? -EINVAL : 0, "Role");
                KEYFILE_FIELD(keyfile_get_string(k, GROUP_CONTACT, "User", false, &c->user), "User");
                KEYFILE_FIELD(keyfile_get_string(k, GROUP_CONTACT, "Exec", false, &c->exec), "Exec");
                KEYFILE_FIELD(keyfile_get_string(k, GROUP_CONTACT, "Webhook", false, &c->webhook), "Webhook");
        }

        reason = contact_record_check(r);
        if (reason) {
                *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

int alert_record_from_data(const char *data, size_t size, AlertRecord *ret, const char **ret_reason) {
        _cleanup_(alert_record_done) AlertRecord r;
        g_autoptr(GKeyFile) k = NULL;
        const char *reason = NULL;
        int q;

        alert_record_init(&r);
        q = keyfile_load_strict(data, size, &alert_group, 1, &k, ret_reason);
        if (q < 0)
                return q;
        q = alert_from_key_file(k, &r, &reason);
        if (q < 0) {
                (void) fail(q == -ENOMEM ? "out of memory" : reason, ret_reason);
                return q == -ENOMEM ? -ENOMEM : -EINVAL;
        }

        *ret = r;
        alert_record_init(&r);          /* handed over */
        return 0;
}

int contact_record_from_data(const char *data, size_t size, ContactRecord *ret, const char **ret_reason) {
        _cleanup_(contact_record_done) ContactRecord r = {};
        g_autoptr(GKeyFile) k = NULL;
        const char *reason = NULL;
        int q;

        q = keyfile_load_strict(data, size, &contact_group, 1, &k, ret_reason);
        if (q < 0)
                return q;
        q = contact_from_key_file(k, &r, &reason);
        if (q < 0) {
                (void) fail(q == -ENOMEM ? "out of memory" : reason, ret_reason);
                return q == -ENOMEM ? -ENOMEM : -EINVAL;
        }

        *ret = r;
        r = (ContactRecord) {};         /* handed over */
        return 0;
}
