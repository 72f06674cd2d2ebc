/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <string.h>

#include "notify-text.h"

static const char *const action_table[_NOTIFY_ACTION_MAX] = {
        [NOTIFY_ACTION_ACKNOWLEDGE] = "acknowledge",
        [NOTIFY_ACTION_RESTART] = "restart",
        [NOTIFY_ACTION_ESCALATE] = "escalate",
        [NOTIFY_ACTION_LOG] = "log",
        [NOTIFY_ACTION_RESOLVE] = "resolve",
};

static const char *const label_table[_NOTIFY_ACTION_MAX] = {
        [NOTIFY_ACTION_ACKNOWLEDGE] = "Acknowledge",
        [NOTIFY_ACTION_RESTART] = "Restart",
        [NOTIFY_ACTION_ESCALATE] = "Escalate",
        [NOTIFY_ACTION_LOG] = "Show log",
        [NOTIFY_ACTION_RESOLVE] = "Resolve",
};

static const char *const verb_table[_NOTIFY_ACTION_MAX] = {
        [NOTIFY_ACTION_ACKNOWLEDGE] = "acknowledge",
        [NOTIFY_ACTION_RESTART] = "restart",
        [NOTIFY_ACTION_ESCALATE] = "escalate",
        [NOTIFY_ACTION_LOG] = "show the log of",
        [NOTIFY_ACTION_RESOLVE] = "resolve",
};

const char *notify_action_to_string(NotifyAction a) {
        return a >= 0 && a < _NOTIFY_ACTION_MAX ? action_table[a] : NULL;
}

NotifyAction notify_action_from_string(const char *s) {
        if (!s)
                return _NOTIFY_ACTION_INVALID;
        for (NotifyAction a = 0; a < _NOTIFY_ACTION_MAX; a++)
                if (strcmp(action_table[a], s) == 0)
                        return a;
        return _NOTIFY_ACTION_INVALID;
}

const char *notify_action_label(NotifyAction a) {
        return a >= 0 && a < _NOTIFY_ACTION_MAX ? label_table[a] : NULL;
}

const char *notify_action_verb(NotifyAction a) {
        return a >= 0 && a < _NOTIFY_ACTION_MAX ? verb_table[a] : NULL;
}

unsigned notify_actions_from_strv(const char *const *names) {
        unsigned mask = 0;

        for (const char *const *s = names; s && *s; s++) {
                NotifyAction a = notify_action_from_string(*s);
                /* "log" is the agent's own: orchd does not get to offer it. */
                if (a >= 0 && a != NOTIFY_ACTION_LOG)
                        mask |= 1U << a;
        }
        return mask;
}

void alert_view_clear(AlertView *v) {
        g_clear_pointer(&v->alert_id, g_free);
        g_clear_pointer(&v->instance, g_free);
        g_clear_pointer(&v->summary, g_free);
        g_clear_pointer(&v->body, g_free);
        g_clear_pointer(&v->acknowledged_by, g_free);
        g_clear_pointer(&v->status, g_free);
}

static unsigned view_level(const AlertView *v) {
        return MAX(v->level, v->escalated_level);
}

unsigned alert_view_actions(const AlertView *v) {
        unsigned mask = v->offered;

        if (!v->alert_id || v->alert_id[0] == '\0')
                return 0;
        if (v->acknowledged)
                mask &= ~(1U << NOTIFY_ACTION_ACKNOWLEDGE);
        if (view_level(v) >= NOTIFY_LEVEL_MAX)
                mask &= ~(1U << NOTIFY_ACTION_ESCALATE);
        return mask | 1U << NOTIFY_ACTION_LOG;
}

unsigned alert_view_urgency(const AlertView *v) {
        return v->level >= NOTIFY_LEVEL_MAX && !v->acknowledged ? 2 : 1;
}

char *notify_format_since(uint64_t raised_usec, uint64_t now_usec) {
        g_autoptr(GDateTime) raised = NULL, now = NULL;
        g_autofree char *when = NULL, *ago = NULL;
        uint64_t delta_sec;

        if (raised_usec == 0)
                return NULL;
        raised = g_date_time_new_from_unix_local((gint64) (raised_usec / G_USEC_PER_SEC));
        now = g_date_time_new_from_unix_local((gint64) (now_usec / G_USEC_PER_SEC));
        if (!raised || !now)
                return NULL;
        if (g_date_time_get_year(raised) == g_date_time_get_year(now) &&
            g_date_time_get_day_of_year(raised) == g_date_time_get_day_of_year(now))
                when = g_date_time_format(raised, "%H:%M:%S");
        else
                when = g_date_time_format(raised, "%Y-%m-%d %H:%M");
        if (!when)
                return NULL;

        delta_sec = now_usec > raised_usec ? (now_usec - raised_usec) / G_USEC_PER_SEC : 0;
        if (delta_sec < 60)
                ago = g_strdup("just now");
        else if (delta_sec < 3600)
                ago = g_strdup_printf("%" PRIu64 " min ago", delta_sec / 60);
        else if (delta_sec < 48 * 3600)
                ago = g_strdup_printf("%" PRIu64 " h %" PRIu64 " min ago", delta_sec / 3600, delta_sec / 60 % 60);
        else
                ago = g_strdup_printf("%" PRIu64 " days ago", delta_sec / 86400);
        return g_strdup_printf("Since %s (%s)", when, ago);
}

static void append_text(GString *b, const char *text, bool markup) {
        if (markup) {
                g_autofree char *escaped = g_markup_escape_text(text, -1);
                g_string_append(b, escaped);
        } else
                g_string_append(b, text);
}

static void append_line(GString *b, const char *text, bool markup) {
        if (b->len > 0)
                g_string_append_c(b, '\n');
        append_text(b, text, markup);
}

static bool by_uid(const char *by, uid_t uid) {
        g_autofree char *prefix = g_strdup_printf("uid %u", (unsigned) uid);
        size_t n = strlen(prefix);

        return by && strncmp(by, prefix, n) == 0 && (by[n] == '\0' || by[n] == ' ');
}

char *alert_view_body(const AlertView *v, uid_t uid, uint64_t now_usec, bool markup, bool without_actions) {
        GString *b = g_string_new(NULL);
        g_autofree char *since = notify_format_since(v->raised_usec, now_usec);

        if (v->status)
                append_line(b, v->status, markup);
        if (v->acknowledged) {
                g_autofree char *line = NULL;
                if (by_uid(v->acknowledged_by, uid))
                        line = g_strdup("Acknowledged by you.");
                else if (v->acknowledged_by && v->acknowledged_by[0])
                        line = g_strdup_printf("Acknowledged by %s.", v->acknowledged_by);
                else
                        line = g_strdup("Acknowledged.");
                append_line(b, line, markup);
        }
        if (v->escalated_level > v->level) {
                g_autofree char *line = g_strdup_printf("Escalated to level %u (%s).", v->escalated_level,
                                                        v->escalated_level >= NOTIFY_LEVEL_MAX ? "the superiors" :
                                                        "the operators");
                append_line(b, line, markup);
        }
        if (since)
                append_line(b, since, markup);
        if (v->body && v->body[0]) {
                /* A blank line between what the agent adds and what orchd said. */
                if (b->len > 0)
                        g_string_append_c(b, '\n');
                append_line(b, v->body, markup);
        }
        if (without_actions && v->alert_id && v->alert_id[0]) {
                g_autofree char *line = g_strdup_printf("Answer with: orchctl ack|escalate|resolve %s", v->alert_id);
                g_string_append_c(b, '\n');
                append_line(b, line, markup);
        }
        return g_string_free(b, false);
}

char **notify_terminal_argv(const char *const *terminal_argv, const char *orchctl, const char *alert_id) {
        GPtrArray *argv = g_ptr_array_new();

        for (const char *const *s = terminal_argv; s && *s; s++)
                g_ptr_array_add(argv, g_strdup(*s));
        /* The id goes in as an argument, never into the script. */
        g_ptr_array_add(argv, g_strdup("sh"));
        g_ptr_array_add(argv, g_strdup("-c"));
        g_ptr_array_add(argv, g_strdup("\"$0\" alert \"$1\"; printf '\\nPress Enter to close. '; read -r _"));
        g_ptr_array_add(argv, g_strdup(orchctl));
        g_ptr_array_add(argv, g_strdup(alert_id));
        g_ptr_array_add(argv, NULL);
        return (char **) g_ptr_array_free(argv, false);
}
