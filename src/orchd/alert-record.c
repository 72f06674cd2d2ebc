/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-record.h"
#include "uuid7.h"
#include "validate.h"

/* The same bound store.c puts on every file of the state directory: a record that would be
 * larger is refused when written, not only when read. */
#define RECORD_FILE_SIZE_MAX (4U * 1024U * 1024U)
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

/* The rule conf.c applies to Webhook= (conf.c keeps its copy static). */
static bool webhook_url_is_valid(const char *v) {
        const char *host;

        if (g_str_has_prefix(v, "https://"))
                host = v + 8;
        else if (g_str_has_prefix(v, "http://"))
                host = v + 7;
        else
                return false;
        if (!*host || *host == '/' || strlen(v) > WEBHOOK_URL_MAX)
                return false;
        for (const char *p = v; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return false;
        return true;
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

static void set_u64(GKeyFile *k, const char *group, const char *key, uint64_t v) {
        char buf[sizeof "18446744073709551615"];

        (void) snprintf(buf, sizeof buf, "%" PRIu64, v);
        g_key_file_set_value(k, group, key, buf);
}

static void set_string(GKeyFile *k, const char *group, const char *key, const char *s) {
        /* GKeyFile escapes '\', tabs and a leading space; the checks keep line breaks out. */
        if (s)
                g_key_file_set_string(k, group, key, s);
}

static void set_strv(GKeyFile *k, const char *group, const char *key, char **l) {
        /* GKeyFile escapes ';', '\', tabs and leading spaces of each element. */
        if (l)
                g_key_file_set_string_list(k, group, key, (const char * const *) l, strv_length(l));
}

/* The text of K, in memory the caller frees with free(). */
static int key_file_to_data(GKeyFile *k, char **ret, size_t *ret_size, const char **ret_reason) {
        g_autofree char *data = NULL;
        char *copy;
        gsize size;

        /* GLib aborts rather than return NULL on OOM; the caller frees with free(), so copy. */
        data = g_key_file_to_data(k, &size, NULL);
        if (size > RECORD_FILE_SIZE_MAX)
                return fail("the record is larger than 4 MiB", ret_reason);
        copy = malloc(size + 1);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, data, size + 1);
        *ret = copy;
        *ret_size = size;
        return 0;
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
        set_u64(k, GROUP_ALERT, "Level", r->progress.level);
        set_u64(k, GROUP_ALERT, "NextActionUSec", r->progress.next_action_usec);
        g_key_file_set_string(k, GROUP_ALERT, "Message", r->message);
        set_strv(k, GROUP_ALERT, "LogLines", r->log_lines);
        g_key_file_set_string(k, GROUP_ALERT, "InvocationID", r->invocation_id);
        set_u64(k, GROUP_ALERT, "RaisedUSec", r->raised_usec);
        set_u64(k, GROUP_ALERT, "EscalatedUSec", r->escalated_usec);
        set_u64(k, GROUP_ALERT, "AcknowledgedUSec", r->acknowledged_usec);
        set_u64(k, GROUP_ALERT, "ResolvedUSec", r->resolved_usec);
        set_string(k, GROUP_ALERT, "AcknowledgedBy", r->acknowledged_by);
        set_string(k, GROUP_ALERT, "ResolvedBy", r->resolved_by);
        set_string(k, GROUP_ALERT, "Note", r->note);
        set_u64(k, GROUP_ALERT, "Failures", r->failures);
        set_u64(k, GROUP_ALERT, "Notifications", r->notifications);

        return key_file_to_data(k, ret, ret_size, ret_reason);
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
                set_string(k, GROUP_CONTACT, "User", c->user);
                set_string(k, GROUP_CONTACT, "Exec", c->exec);
                set_string(k, GROUP_CONTACT, "Webhook", c->webhook);
        }
        g_key_file_set_boolean(k, GROUP_CONTACT, "Removed", r->removed);

        return key_file_to_data(k, ret, ret_size, ret_reason);
}

static const char *const alert_keys[] = {
        "Id", "InstanceId", "InstanceName", "State", "Level", "NextActionUSec", "Message", "LogLines",
        "InvocationID", "RaisedUSec", "EscalatedUSec", "AcknowledgedUSec", "ResolvedUSec", "AcknowledgedBy",
        "ResolvedBy", "Note", "Failures", "Notifications",
};
static const char *const contact_keys[] = {
        "Name", "Role", "User", "Exec", "Webhook", "Removed",
};
_Static_assert(ELEMENTSOF(alert_keys) <= 32 && ELEMENTSOF(contact_keys) <= 32, "seen-masks are uint32_t");

/* Lines that open a group, counted in the text itself: GKeyFile merges a group given twice. */
static size_t count_group_lines(const char *data, size_t size) {
        size_t n = 0;

        for (size_t i = 0; i < size; ) {
                const char *nl = memchr(data + i, '\n', size - i);
                size_t end = nl ? (size_t) (nl - data) : size;

                while (i < end && g_ascii_isspace(data[i]))
                        i++;
                if (i < end && data[i] == '[')
                        n++;
                i = end + 1;
        }
        return n;
}

static bool group_keys_valid(GKeyFile *k, const char *group, const char *const *known, size_t n_known) {
        g_auto(GStrv) keys = g_key_file_get_keys(k, group, NULL, NULL);
        uint32_t seen = 0;

        for (char **key = keys; key && *key; key++) {
                size_t i;

                for (i = 0; i < n_known; i++)
                        if (streq(*key, known[i]))
                                break;
                /* g_key_file_get_keys() lists a key given twice twice; GKeyFile would use the last. */
                if (i >= n_known || (seen & (UINT32_C(1) << i)))
                        return false;
                seen |= UINT32_C(1) << i;
        }
        return true;
}

/* Loads DATA into a new key file that has exactly GROUP, once, with none but the KNOWN keys, each
 * at most once: anything else means the file is not one orchd wrote. */
static const char *load_key_file(const char *data, size_t size, const char *group, const char *const *known,
                                 size_t n_known, GKeyFile **ret) {
        g_autoptr(GKeyFile) k = NULL;
        g_auto(GStrv) groups = NULL;

        /* Written files end with a newline: a file cut short, even between the digits of a
         * number, does not (and one cut between lines lacks a required key). */
        if (size == 0)
                return "the file is empty";
        if (size > RECORD_FILE_SIZE_MAX)
                return "the file is larger than 4 MiB";
        if (memchr(data, '\0', size))
                return "the file contains a NUL byte";
        if (data[size - 1] != '\n')
                return "the file is truncated (no final newline)";

        k = g_key_file_new();
        /* Without KEEP_TRANSLATIONS, GKeyFile silently drops "Key[xx]=" lines for other locales:
         * keep them, to be refused as unknown keys. */
        if (!g_key_file_load_from_data(k, data, size, G_KEY_FILE_KEEP_TRANSLATIONS, NULL))
                return "the file is not a valid key file";

        groups = g_key_file_get_groups(k, NULL);
        for (char **g = groups; g && *g; g++)
                if (!streq(*g, group))
                        return "the file has an unknown group";
        if (!g_key_file_has_group(k, group))
                return streq(group, GROUP_ALERT) ? "the file lacks the [Alert] group" : "the file lacks the [Contact] group";
        if (count_group_lines(data, size) != 1)
                return "the file has a group more than once";
        if (!group_keys_valid(k, group, known, n_known))
                return "the file has an unknown or repeated key";

        *ret = TAKE_PTR(k);
        return NULL;
}

/* Canonical decimal only: no sign, no spaces, no leading zeros, no overflow. */
static int parse_u64(const char *v, uint64_t max, uint64_t *ret) {
        size_t n = strlen(v);
        char *end;
        uint64_t u;

        if (n == 0 || strspn(v, "0123456789") != n || (v[0] == '0' && n > 1))
                return -EINVAL;
        errno = 0;
        u = g_ascii_strtoull(v, &end, 10);
        if (errno != 0 || *end != '\0' || u > max)
                return -EINVAL;
        *ret = u;
        return 0;
}

static int get_u64(GKeyFile *k, const char *group, const char *key, uint64_t max, uint64_t *ret) {
        g_autofree char *v = g_key_file_get_value(k, group, key, NULL);

        if (!v)
                return -EINVAL;
        return parse_u64(v, max, ret);
}

static int get_u32(GKeyFile *k, const char *group, const char *key, uint32_t *ret) {
        uint64_t u;
        int q;

        q = get_u64(k, group, key, UINT32_MAX, &u);
        if (q < 0)
                return q;
        *ret = (uint32_t) u;
        return 0;
}

static int get_bool(GKeyFile *k, const char *group, const char *key, bool *ret) {
        g_autofree char *v = g_key_file_get_value(k, group, key, NULL);

        /* Only what g_key_file_set_boolean() writes. */
        if (!v || (!streq(v, "true") && !streq(v, "false")))
                return -EINVAL;
        *ret = streq(v, "true");
        return 0;
}

/* An optional key that is missing leaves *RET untouched and returns 0. */
static int get_string(GKeyFile *k, const char *group, const char *key, bool required, char **ret) {
        g_autoptr(GError) e = NULL;
        g_autofree char *v = NULL;
        char *copy;

        if (!g_key_file_has_key(k, group, key, NULL))
                return required ? -EINVAL : 0;
        /* GKeyFile lets unknown escapes through unless it has a GError to report them in. */
        v = g_key_file_get_string(k, group, key, &e);
        if (!v || e)
                return -EINVAL;         /* a bad escape (a value is returned anyway), or not UTF-8 */
        copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        free(*ret);
        *ret = copy;
        return 0;
}

static int get_strv(GKeyFile *k, const char *group, const char *key, char ***ret) {
        g_autoptr(GError) e = NULL;
        g_auto(GStrv) v = NULL;
        _cleanup_strv_free_ char **copy = NULL;
        gsize n;

        if (!g_key_file_has_key(k, group, key, NULL))
                return 0;
        v = g_key_file_get_string_list(k, group, key, &n, &e);
        if (!v || e)
                return -EINVAL;
        copy = calloc(n + 1, sizeof(char *));
        if (!copy)
                return -ENOMEM;
        for (gsize i = 0; i < n; i++) {
                copy[i] = strdup(v[i]);
                if (!copy[i])
                        return -ENOMEM;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(copy);
        return 0;
}

#define FIELD(expr, key)                                                        \
        do {                                                                    \
                q = (expr);                                                     \
                if (q < 0) {                                                    \
                        *ret_reason = key " is missing or not valid";           \
                        return q;                                               \
                }                                                               \
        } while (0)

/* Fills R from K, with *RET_REASON naming the first key that is missing or bad. */
static int alert_from_key_file(GKeyFile *k, AlertRecord *r, const char **ret_reason) {
        _cleanup_free_ char *state = NULL, *invocation = NULL;
        const char *reason;
        uint64_t u;
        int q;

        FIELD(get_string(k, GROUP_ALERT, "Id", true, &r->id), "Id");
        FIELD(get_string(k, GROUP_ALERT, "InstanceId", true, &r->instance_id), "InstanceId");
        FIELD(get_string(k, GROUP_ALERT, "InstanceName", true, &r->instance_name), "InstanceName");
        FIELD(get_string(k, GROUP_ALERT, "State", true, &state), "State");
        r->progress.state = alert_state_from_string(state);
        FIELD(r->progress.state < 0 ? -EINVAL : 0, "State");
        FIELD(get_u64(k, GROUP_ALERT, "Level", ALERT_LEVEL_MAX, &u), "Level");
        r->progress.level = (unsigned) u;
        FIELD(get_u64(k, GROUP_ALERT, "NextActionUSec", UINT64_MAX, &r->progress.next_action_usec), "NextActionUSec");
        FIELD(get_string(k, GROUP_ALERT, "Message", true, &r->message), "Message");
        FIELD(get_strv(k, GROUP_ALERT, "LogLines", &r->log_lines), "LogLines");
        FIELD(get_string(k, GROUP_ALERT, "InvocationID", true, &invocation), "InvocationID");
        FIELD(strlen(invocation) < sizeof r->invocation_id ? 0 : -EINVAL, "InvocationID");
        strcpy(r->invocation_id, invocation);
        FIELD(get_u64(k, GROUP_ALERT, "RaisedUSec", UINT64_MAX, &r->raised_usec), "RaisedUSec");
        FIELD(get_u64(k, GROUP_ALERT, "EscalatedUSec", UINT64_MAX, &r->escalated_usec), "EscalatedUSec");
        FIELD(get_u64(k, GROUP_ALERT, "AcknowledgedUSec", UINT64_MAX, &r->acknowledged_usec), "AcknowledgedUSec");
        FIELD(get_u64(k, GROUP_ALERT, "ResolvedUSec", UINT64_MAX, &r->resolved_usec), "ResolvedUSec");
        FIELD(get_string(k, GROUP_ALERT, "AcknowledgedBy", false, &r->acknowledged_by), "AcknowledgedBy");
        FIELD(get_string(k, GROUP_ALERT, "ResolvedBy", false, &r->resolved_by), "ResolvedBy");
        FIELD(get_string(k, GROUP_ALERT, "Note", false, &r->note), "Note");
        FIELD(get_u32(k, GROUP_ALERT, "Failures", &r->failures), "Failures");
        FIELD(get_u32(k, GROUP_ALERT, "Notifications", &r->notifications), "Notifications");

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

        FIELD(get_string(k, GROUP_CONTACT, "Name", true, &c->name), "Name");
        FIELD(get_bool(k, GROUP_CONTACT, "Removed", &r->removed), "Removed");
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
                FIELD(get_string(k, GROUP_CONTACT, "Role", true, &role), "Role");
                c->role = contact_role_from_string(role);
                FIELD(c->role < 0 ? -EINVAL : 0, "Role");
                FIELD(get_string(k, GROUP_CONTACT, "User", false, &c->user), "User");
                FIELD(get_string(k, GROUP_CONTACT, "Exec", false, &c->exec), "Exec");
                FIELD(get_string(k, GROUP_CONTACT, "Webhook", false, &c->webhook), "Webhook");
        }

        reason = contact_record_check(r);
        if (reason) {
                *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

#undef FIELD

int alert_record_from_data(const char *data, size_t size, AlertRecord *ret, const char **ret_reason) {
        _cleanup_(alert_record_done) AlertRecord r;
        g_autoptr(GKeyFile) k = NULL;
        const char *reason = NULL;
        int q;

        alert_record_init(&r);
        reason = load_key_file(data, size, GROUP_ALERT, alert_keys, ELEMENTSOF(alert_keys), &k);
        if (reason)
                return fail(reason, ret_reason);
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

        reason = load_key_file(data, size, GROUP_CONTACT, contact_keys, ELEMENTSOF(contact_keys), &k);
        if (reason)
                return fail(reason, ret_reason);
        q = contact_from_key_file(k, &r, &reason);
        if (q < 0) {
                (void) fail(q == -ENOMEM ? "out of memory" : reason, ret_reason);
                return q == -ENOMEM ? -ENOMEM : -EINVAL;
        }

        *ret = r;
        r = (ContactRecord) {};         /* handed over */
        return 0;
}
