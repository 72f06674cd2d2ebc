/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "alert.h"
#include "authz.h"
#include "bus-common.h"
#include "bus-util.h"
#include "contact.h"
#include "json-writer.h"
#include "log.h"
#include "notifier.h"
#include "presence.h"
#include "ratelimit.h"
#include "webhook.h"

#define AGENT_INTERFACE "org.orchd.Orchestrator1.Agent"
#define AGENTS_MAX 256U
#define AGENT_NOTIFY_TIMEOUT_USEC (10 * USEC_PER_SEC)
#define EXEC_RUNTIME_MAX_USEC (60 * USEC_PER_SEC)
#define GROUP_LISTED_MAX 20U        /* alerts named one by one in a grouped notification */
#define ENV_LOG_MAX 8192U           /* bytes of log lines in the exec channel's environment */

typedef enum Channel {
        CHANNEL_AGENT,
        CHANNEL_EXEC,
        CHANNEL_WEBHOOK,
        _CHANNEL_MAX,
} Channel;

static const char *const channel_table[_CHANNEL_MAX] = {
        [CHANNEL_AGENT] = "agent",
        [CHANNEL_EXEC] = "exec",
        [CHANNEL_WEBHOOK] = "webhook",
};

/* What one notification says; copied, since the alert may change before a held one goes out. */
typedef struct Notice {
        char *alert_id, *instance, *instance_id, *message, *state, *event;
        unsigned level;
        char **log_lines;
} Notice;

/* One recipient's channel: its rate limit and what the limit holds back. */
typedef struct Outbox {
        Notifier *notifier;
        char *key;                  /* "contact\nchannel" */
        char *contact;
        Channel channel;
        RateLimit limit;
        GPtrArray *held;            /* Notice* */
        sd_event_source *flush;
} Outbox;

typedef struct Agent {
        Notifier *notifier;
        char *key;                  /* "sender\npath" */
        char *sender, *path;
        uid_t uid;
        sd_bus_track *track;
} Agent;

/* A desktop notification waiting to be acknowledged before the contact's other channels. */
typedef struct DesktopWait {
        Notifier *notifier;
        char *alert_id, *contact, *event;
        unsigned level;
        unsigned fallback;          /* ChannelMask */
        sd_event_source *timer;
} DesktopWait;

struct Notifier {
        Manager *manager;
        GPtrArray *desktop_waits;   /* DesktopWait* */
        WebhookClient *webhook;
        GHashTable *outboxes;       /* key → Outbox* */
        GHashTable *agents;         /* key → Agent* */
        uint64_t exec_sequence;
        unsigned in_flight;         /* exec and agent calls not answered yet */
};

static void notice_free(gpointer p) {
        Notice *n = p;
        if (!n)
                return;
        free(n->alert_id);
        free(n->instance);
        free(n->instance_id);
        free(n->message);
        free(n->state);
        free(n->event);
        strv_free(n->log_lines);
        free(n);
}

static char **strv_copy(char **l) {
        char **c = calloc(strv_length(l) + 1, sizeof(char *));
        size_t k = 0;
        if (!c)
                return NULL;
        STRV_FOREACH(s, l)
                if (!(c[k++] = strdup(*s))) {
                        strv_free(c);
                        return NULL;
                }
        return c;
}

static Notice *notice_new(const Alert *a, unsigned level, const char *event) {
        const AlertRecord *r = &a->record;
        Notice *n = calloc(1, sizeof(Notice));

        if (!n)
                return NULL;
        n->alert_id = strdup(r->id);
        n->instance = strdup(r->instance_name);
        n->instance_id = strdup(r->instance_id);
        n->message = strdup(strempty(r->message));
        n->state = strdup(alert_state_to_string(r->progress.state));
        n->event = strdup(event);
        n->level = level;
        n->log_lines = strv_copy(r->log_lines);
        if (!n->alert_id || !n->instance || !n->instance_id || !n->message || !n->state || !n->event ||
            (r->log_lines && !n->log_lines)) {
                notice_free(n);
                return NULL;
        }
        return n;
}

static void outbox_free(gpointer p) {
        Outbox *o = p;
        if (!o)
                return;
        sd_event_source_disable_unref(o->flush);
        g_ptr_array_free(o->held, true);
        free(o->key);
        free(o->contact);
        free(o);
}

static void agent_free(gpointer p) {
        Agent *a = p;
        if (!a)
                return;
        sd_bus_track_unref(a->track);
        free(a->key);
        free(a->sender);
        free(a->path);
        free(a);
}

static void desktop_wait_free(gpointer p) {
        DesktopWait *w = p;
        if (!w)
                return;
        sd_event_source_disable_unref(w->timer);
        free(w->alert_id);
        free(w->contact);
        free(w->event);
        free(w);
}

int notifier_new(Manager *m, Notifier **ret) {
        _cleanup_(notifier_freep) Notifier *n = calloc(1, sizeof(Notifier));
        int r;

        if (!n)
                return -ENOMEM;
        n->manager = m;
        n->outboxes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, outbox_free);
        n->agents = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, agent_free);
        n->desktop_waits = g_ptr_array_new_with_free_func(desktop_wait_free);
        r = webhook_client_new(m->event, &n->webhook);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(n);
        return 0;
}

Notifier *notifier_free(Notifier *n) {
        if (!n)
                return NULL;
        webhook_client_free(n->webhook);
        if (n->desktop_waits)
                g_ptr_array_free(n->desktop_waits, true);
        if (n->outboxes)
                g_hash_table_destroy(n->outboxes);
        if (n->agents)
                g_hash_table_destroy(n->agents);
        free(n);
        return NULL;
}

unsigned notifier_pending(Notifier *n) {
        GHashTableIter it;
        gpointer value;
        unsigned held = 0;

        g_hash_table_iter_init(&it, n->outboxes);
        while (g_hash_table_iter_next(&it, NULL, &value))
                held += ((Outbox *) value)->held->len;
        return held + n->in_flight + webhook_client_pending(n->webhook);
}

/* A failed delivery is worth a journal entry of its own: the person did not hear of the alert. */
static void delivery_failed(const char *contact, Channel channel, const char *alert_id, const char *what) {
        (void) sd_journal_send("MESSAGE_ID=%s", ORCHD_MESSAGE_NOTIFICATION_FAILED,
                               "MESSAGE=Notification of %s over %s failed: %s", contact, channel_table[channel], what,
                               "PRIORITY=%i", LOG_WARNING,
                               "SYSLOG_IDENTIFIER=orchd",
                               "ORCHD_CONTACT=%s", contact,
                               "ORCHD_CHANNEL=%s", channel_table[channel],
                               "ORCHD_ALERT_ID=%s", strempty(alert_id),
                               NULL);
        log_debug("Notification of %s over %s failed: %s", contact, channel_table[channel], what);
}

/* The summary and body people read: for one notice, or for a group of held ones. */
static char *notice_summary(GPtrArray *notices) {
        Notice *first = notices->pdata[0];
        char *s = NULL;

        if (notices->len == 1) {
                if (asprintf(&s, "%s: %s (level %u)", first->instance,
                             streq(first->event, "raised") ? "gave up" :
                             streq(first->event, "failed-again") ? "failed again" :
                             streq(first->event, "timer") && first->level == ALERT_LEVEL_MAX ? "still not acknowledged" :
                             "escalated to you", first->level) < 0)
                        return NULL;
        } else if (asprintf(&s, "%u orchd alerts", notices->len) < 0)
                return NULL;
        return s;
}

static char *notice_body(GPtrArray *notices, bool with_log) {
        GString *b = g_string_new(NULL);

        if (notices->len == 1) {
                Notice *n = notices->pdata[0];
                g_string_append(b, n->message);
                if (with_log && n->log_lines) {
                        g_string_append(b, "\n\nLast log lines:");
                        STRV_FOREACH(l, n->log_lines) {
                                g_string_append_c(b, '\n');
                                g_string_append(b, *l);
                        }
                }
        } else {
                for (guint k = 0; k < notices->len && k < GROUP_LISTED_MAX; k++) {
                        Notice *n = notices->pdata[k];
                        g_string_append_printf(b, "%s%s (level %u): %s", k ? "\n" : "", n->instance, n->level,
                                               n->message);
                }
                if (notices->len > GROUP_LISTED_MAX)
                        g_string_append_printf(b, "\n... and %u more; see 'orchctl alerts'.",
                                               notices->len - GROUP_LISTED_MAX);
        }
        return g_string_free(b, false);
}

typedef struct AgentCallContext {
        Notifier *notifier;
        char *contact;
        char *alert_id;             /* "" for a grouped notification */
} AgentCallContext;

static void desktop_wait_fire_now(Notifier *n, const char *alert_id, const char *contact);

static int on_agent_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        AgentCallContext *ctx = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        (void) ret_error;
        ctx->notifier->in_flight--;
        if (e) {
                log_warning("Desktop agent of %s did not take a notification: %s", ctx->contact, e->message);
                /* Not shown at the desktop: the other channels now, not after DesktopAckTimeoutSec. */
                desktop_wait_fire_now(ctx->notifier, ctx->alert_id, ctx->contact);
        }
        free(ctx->contact);
        free(ctx->alert_id);
        free(ctx);
        return 0;
}

static int exec_contact_uid(const char *user, uid_t *ret) {
        char buf[1024];
        struct passwd pw, *result = NULL;
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(user, &end, 10);
        if (errno == 0 && *end == '\0' && end != user) {
                *ret = (uid_t) v;
                return 0;
        }
        if (getpwnam_r(user, &pw, buf, sizeof buf, &result) != 0 || !result)
                return -ESRCH;
        *ret = result->pw_uid;
        return 0;
}

static int send_agent(Notifier *n, const Contact *c, GPtrArray *notices) {
        Manager *m = n->manager;
        _cleanup_free_ char *summary = notice_summary(notices), *body = notice_body(notices, true);
        Notice *first = notices->pdata[0];
        /* The answers that apply: no escalating at the top level, no acknowledging twice. */
        const char *actions_one[5] = {}, *actions_none[] = { NULL };
        size_t k = 0;
        if (streq(first->state, "open"))
                actions_one[k++] = "acknowledge";
        if (first->level < ALERT_LEVEL_MAX)
                actions_one[k++] = "escalate";
        actions_one[k++] = "restart";
        actions_one[k++] = "resolve";
        GHashTableIter it;
        gpointer value;
        uid_t uid;
        unsigned sent = 0;

        if (!summary || !body)
                return -ENOMEM;
        if (!c->user || exec_contact_uid(c->user, &uid) < 0)
                return 0;
        g_hash_table_iter_init(&it, n->agents);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                Agent *ag = value;
                if (ag->uid != uid)
                        continue;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
                int r = sd_bus_message_new_method_call(m->bus, &call, ag->sender, ag->path, AGENT_INTERFACE, "Notify");
                if (r >= 0)
                        r = sd_bus_message_append(call, "ssuss", notices->len == 1 ? first->alert_id : "",
                                                  notices->len == 1 ? first->instance : "", first->level, summary,
                                                  body);
                if (r >= 0)
                        r = sd_bus_message_append_strv(call, (char **) (notices->len == 1 ? actions_one : actions_none));
                AgentCallContext *ctx = r >= 0 ? calloc(1, sizeof(AgentCallContext)) : NULL;
                if (ctx) {
                        ctx->notifier = n;
                        ctx->contact = strdup(c->name);
                        ctx->alert_id = strdup(notices->len == 1 ? first->alert_id : "");
                }
                if (r >= 0 && (!ctx || !ctx->contact || !ctx->alert_id))
                        r = -ENOMEM;
                if (r >= 0)
                        r = sd_bus_call_async(m->bus, NULL, call, on_agent_reply, ctx, AGENT_NOTIFY_TIMEOUT_USEC);
                if (r < 0) {
                        if (ctx) {
                                free(ctx->contact);
                                free(ctx->alert_id);
                                free(ctx);
                        }
                        log_warning_errno(r, "Failed to call the desktop agent %s: %m", ag->sender);
                        continue;
                }
                n->in_flight++;
                sent++;
        }
        return sent;
}

static int append_env(GPtrArray *env, const char *key, const char *value) {
        char *s = NULL;
        if (asprintf(&s, "%s=%s", key, value) < 0)
                return -ENOMEM;
        g_ptr_array_add(env, s);
        return 0;
}

typedef struct ExecContext {
        Notifier *notifier;
        char *contact;
        char *alert_id;
} ExecContext;

static int on_exec_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ExecContext *ctx = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        (void) ret_error;
        ctx->notifier->in_flight--;
        if (e)
                delivery_failed(ctx->contact, CHANNEL_EXEC, ctx->alert_id, e->message);
        free(ctx->contact);
        free(ctx->alert_id);
        free(ctx);
        return 0;
}

static int send_exec(Notifier *n, const Contact *c, GPtrArray *notices) {
        Manager *m = n->manager;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        g_auto(GStrv) argv = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(free);
        _cleanup_free_ char *unit = NULL, *level = NULL, *count = NULL, *ids = NULL, *message = NULL;
        Notice *first = notices->pdata[0];
        int r;

        if (!c->exec)
                return 0;
        if (!m->systemd)
                return -ENOTCONN;
        if (!g_shell_parse_argv(c->exec, NULL, &argv, &error)) {
                delivery_failed(c->name, CHANNEL_EXEC, first->alert_id, error->message);
                return -EINVAL;
        }
        /* Not "orchd-*": that is the instances' namespace (stray units are looked for there). */
        if (asprintf(&unit, "orchd.alert-%" PRIu64 ".service", ++n->exec_sequence) < 0 ||
            asprintf(&level, "%u", first->level) < 0 || asprintf(&count, "%u", notices->len) < 0)
                return -ENOMEM;

        GString *idl = g_string_new(NULL);
        for (guint k = 0; k < notices->len; k++)
                g_string_append_printf(idl, "%s%s", k ? " " : "", ((Notice *) notices->pdata[k])->alert_id);
        ids = g_string_free(idl, false);
        message = notice_body(notices, false);
        if (!message)
                return -ENOMEM;
        if (append_env(env, "ORCHD_ALERT_ID", notices->len == 1 ? first->alert_id : "") < 0 ||
            append_env(env, "ORCHD_ALERT_IDS", ids) < 0 ||
            append_env(env, "ORCHD_ALERT_COUNT", count) < 0 ||
            append_env(env, "ORCHD_ALERT_LEVEL", level) < 0 ||
            append_env(env, "ORCHD_ALERT_STATE", notices->len == 1 ? first->state : "") < 0 ||
            append_env(env, "ORCHD_ALERT_EVENT", notices->len == 1 ? first->event : "grouped") < 0 ||
            append_env(env, "ORCHD_INSTANCE", notices->len == 1 ? first->instance : "") < 0 ||
            append_env(env, "ORCHD_INSTANCE_ID", notices->len == 1 ? first->instance_id : "") < 0 ||
            append_env(env, "ORCHD_CONTACT", c->name) < 0 ||
            append_env(env, "ORCHD_MESSAGE", message) < 0)
                return -ENOMEM;
        if (notices->len == 1 && first->log_lines) {
                g_autofree char *joined = g_strjoinv("\n", first->log_lines), *valid = NULL;
                if (strlen(joined) > ENV_LOG_MAX)
                        joined[ENV_LOG_MAX] = '\0';
                /* Cut inside a character, maybe: made valid again for the environment. */
                valid = g_utf8_make_valid(joined, -1);
                if (append_env(env, "ORCHD_ALERT_LOG", valid) < 0)
                        return -ENOMEM;
        }
        g_ptr_array_add(env, NULL);

        r = sd_bus_message_new_method_call(m->systemd, &msg, "org.freedesktop.systemd1",
                                           "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                           "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(msg, "ss", unit, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(msg, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(msg, "(sv)(sv)(sv)(sv)(sv)",
                                          "Description", "s", "orchd alert notification",
                                          "Type", "s", "exec",
                                          "Slice", "s", "orchd.slice",
                                          "CollectMode", "s", "inactive-or-failed",
                                          "RuntimeMaxUSec", "t", EXEC_RUNTIME_MAX_USEC);
        if (r >= 0 && c->user)
                r = sd_bus_message_append(msg, "(sv)", "User", "s", c->user);
        if (r >= 0)
                r = bus_message_append_exec_start(msg, argv);
        if (r >= 0)
                r = bus_message_append_strv_entry(msg, 'r', "Environment", (char **) env->pdata);
        if (r >= 0)
                r = sd_bus_message_close_container(msg);
        if (r >= 0)
                r = sd_bus_message_append(msg, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        ExecContext *ctx = calloc(1, sizeof(ExecContext));
        if (!ctx || !(ctx->contact = strdup(c->name)) || !(ctx->alert_id = strdup(first->alert_id))) {
                if (ctx)
                        free(ctx->contact);
                free(ctx);
                return -ENOMEM;
        }
        ctx->notifier = n;
        r = sd_bus_call_async(m->systemd, NULL, msg, on_exec_reply, ctx, 0);
        if (r < 0) {
                free(ctx->contact);
                free(ctx->alert_id);
                free(ctx);
                return r;
        }
        n->in_flight++;
        return 1;
}

typedef struct WebhookContext {
        char *contact;
        char *alert_id;
} WebhookContext;

static void on_webhook_done(int result, long http_status, unsigned attempts, void *userdata) {
        WebhookContext *ctx = userdata;

        if (result < 0) {
                char what[128];
                (void) snprintf(what, sizeof what, "%s (HTTP status %ld, %u attempts)", strerror(-result),
                                http_status, attempts);
                delivery_failed(ctx->contact, CHANNEL_WEBHOOK, ctx->alert_id, what);
        }
        free(ctx->contact);
        free(ctx->alert_id);
        free(ctx);
}

static void json_notice(JsonWriter *w, const Notice *n, const char *contact, bool with_log) {
        json_begin_object(w);
        json_key(w, "alert_id");
        json_string(w, n->alert_id);
        json_key(w, "level");
        json_unsigned(w, n->level);
        json_key(w, "state");
        json_string(w, n->state);
        json_key(w, "event");
        json_string(w, n->event);
        json_key(w, "instance");
        json_string(w, n->instance);
        json_key(w, "instance_id");
        json_string(w, n->instance_id);
        if (contact) {
                json_key(w, "contact");
                json_string(w, contact);
        }
        json_key(w, "message");
        json_string(w, n->message);
        if (with_log) {
                json_key(w, "log");
                json_begin_array(w);
                STRV_FOREACH(l, n->log_lines)
                        json_string(w, *l);
                json_end_array(w);
        }
        json_end_object(w);
}

static int send_webhook(Notifier *n, const Contact *c, GPtrArray *notices) {
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        WebhookContext *ctx;
        JsonWriter w;
        FILE *f;
        int r;

        if (!c->webhook)
                return 0;
        f = open_memstream(&body, &size);
        if (!f)
                return -ENOMEM;
        json_writer_init(&w, f, JSON_FORMAT_SHORT);
        if (notices->len == 1)
                json_notice(&w, notices->pdata[0], c->name, true);
        else {
                json_begin_object(&w);
                json_key(&w, "grouped");
                json_boolean(&w, true);
                json_key(&w, "count");
                json_unsigned(&w, notices->len);
                json_key(&w, "contact");
                json_string(&w, c->name);
                json_key(&w, "alerts");
                json_begin_array(&w);
                for (guint k = 0; k < notices->len; k++)
                        json_notice(&w, notices->pdata[k], NULL, false);
                json_end_array(&w);
                json_end_object(&w);
        }
        if (fclose(f) != 0)
                return -errno;

        ctx = calloc(1, sizeof(WebhookContext));
        if (!ctx || !(ctx->contact = strdup(c->name)) ||
            !(ctx->alert_id = strdup(((Notice *) notices->pdata[0])->alert_id))) {
                if (ctx)
                        free(ctx->contact);
                free(ctx);
                return -ENOMEM;
        }
        WebhookPolicy policy = WEBHOOK_POLICY_DEFAULT;
        policy.timeout_usec = n->manager->config.webhook_timeout_usec;
        policy.attempts = n->manager->config.webhook_attempts;
        if (policy.connect_timeout_usec > policy.timeout_usec)
                policy.connect_timeout_usec = policy.timeout_usec;
        r = webhook_post(n->webhook, c->webhook, body, &policy, on_webhook_done, ctx);
        if (r < 0) {
                free(ctx->contact);
                free(ctx->alert_id);
                free(ctx);
                return r;
        }
        return 1;
}

/* Sends NOTICES (one, or a group) to CONTACT over CHANNEL. */
static void deliver(Notifier *n, const char *contact, Channel channel, GPtrArray *notices) {
        Manager *m = n->manager;
        const Contact *c = manager_find_contact(m, contact);
        int r;

        if (!c)
                return;         /* removed since */
        switch (channel) {
        case CHANNEL_AGENT:
                r = send_agent(n, c, notices);
                break;
        case CHANNEL_EXEC:
                r = send_exec(n, c, notices);
                break;
        case CHANNEL_WEBHOOK:
                r = send_webhook(n, c, notices);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0) {
                char what[128];
                (void) snprintf(what, sizeof what, "%s", strerror(-r));
                delivery_failed(contact, channel, ((Notice *) notices->pdata[0])->alert_id, what);
                return;
        }
        if (r > 0) {
                m->counters.notifications_sent++;
                if (notices->len > 1)
                        m->counters.notifications_grouped += notices->len;
                manager_mark_changed(m);
        }
}

static int on_outbox_flush(sd_event_source *s, uint64_t usec, void *userdata) {
        Outbox *o = userdata;
        Notifier *n = o->notifier;
        GPtrArray *held = o->held;

        (void) s;
        if (held->len == 0)
                return 0;
        if (!ratelimit_allow(&o->limit, usec)) {
                (void) sd_event_source_set_time(o->flush, ratelimit_next_usec(&o->limit, usec));
                (void) sd_event_source_set_enabled(o->flush, SD_EVENT_ONESHOT);
                return 0;
        }
        o->held = g_ptr_array_new_with_free_func(notice_free);
        deliver(n, o->contact, o->channel, held);
        g_ptr_array_free(held, true);
        return 0;
}

static Outbox *outbox_get(Notifier *n, const char *contact, Channel channel) {
        const Config *conf = &n->manager->config;
        _cleanup_free_ char *key = NULL;
        Outbox *o;

        if (asprintf(&key, "%s\n%s", contact, channel_table[channel]) < 0)
                return NULL;
        o = g_hash_table_lookup(n->outboxes, key);
        if (!o) {
                o = calloc(1, sizeof(Outbox));
                if (!o || !(o->contact = strdup(contact))) {
                        free(o);
                        return NULL;
                }
                o->notifier = n;
                o->key = TAKE_PTR(key);
                o->channel = channel;
                o->held = g_ptr_array_new_with_free_func(notice_free);
                g_hash_table_replace(n->outboxes, o->key, o);
        }
        /* The configuration may have been reloaded. */
        o->limit.burst = conf->notify_burst;
        o->limit.interval_usec = conf->notify_interval_usec;
        return o;
}

static bool contact_has_channel(Notifier *n, const Contact *c, Channel channel) {
        GHashTableIter it;
        gpointer value;
        uid_t uid;

        switch (channel) {
        case CHANNEL_EXEC:
                return c->exec;
        case CHANNEL_WEBHOOK:
                return c->webhook;
        case CHANNEL_AGENT:
                if (!c->user || exec_contact_uid(c->user, &uid) < 0)
                        return false;
                g_hash_table_iter_init(&it, n->agents);
                while (g_hash_table_iter_next(&it, NULL, &value))
                        if (((Agent *) value)->uid == uid)
                                return true;
                return false;
        default:
                return false;
        }
}

/* Sends one notice of the alert to CONTACT over CHANNEL, through its outbox's rate limit. */
static int notify_channel(Notifier *n, Alert *a, const Contact *c, Channel ch, unsigned level, const char *event) {
        Manager *m = n->manager;
        Outbox *o = outbox_get(n, c->name, ch);
        Notice *notice = o ? notice_new(a, level, event) : NULL;
        uint64_t now;
        int r;

        if (!notice)
                return -ENOMEM;
        (void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        a->record.notifications++;
        if (o->held->len == 0 && ratelimit_allow(&o->limit, now)) {
                g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func(notice_free);
                g_ptr_array_add(one, notice);
                deliver(n, c->name, ch, one);
                return 0;
        }
        /* Held back: goes out grouped when the window ends. */
        g_ptr_array_add(o->held, notice);
        if (!o->flush)
                r = sd_event_add_time(m->event, &o->flush, CLOCK_MONOTONIC, ratelimit_next_usec(&o->limit, now),
                                      USEC_PER_MSEC, on_outbox_flush, o);
        else {
                r = sd_event_source_set_time(o->flush, ratelimit_next_usec(&o->limit, now));
                if (r >= 0)
                        r = sd_event_source_set_enabled(o->flush, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to schedule grouped notifications: %m");
        return 0;
}

static void notify_mask(Notifier *n, Alert *a, const Contact *c, unsigned mask, unsigned level, const char *event) {
        static const unsigned bit[_CHANNEL_MAX] = {
                [CHANNEL_AGENT] = CHANNEL_MASK_AGENT,
                [CHANNEL_EXEC] = CHANNEL_MASK_EXEC,
                [CHANNEL_WEBHOOK] = CHANNEL_MASK_WEBHOOK,
        };

        for (Channel ch = 0; ch < _CHANNEL_MAX; ch++)
                if ((mask & bit[ch]) && notify_channel(n, a, c, ch, level, event) == -ENOMEM) {
                        log_oom();
                        return;
                }
}


/* The desktop notification was not acknowledged in time: the contact's other channels. */
static int on_desktop_wait(sd_event_source *s, uint64_t usec, void *userdata) {
        DesktopWait *w = userdata;
        Notifier *n = w->notifier;
        Alert *a = manager_find_alert(n->manager, w->alert_id);
        const Contact *c = manager_find_contact(n->manager, w->contact);

        (void) s, (void) usec;
        if (a && c && a->record.progress.state == ALERT_OPEN && a->record.progress.level == w->level) {
                log_info("Alert %s: %s did not acknowledge it at the desktop; trying the other channels.",
                         a->record.id, c->name);
                notify_mask(n, a, c, w->fallback, w->level, w->event);
        }
        g_ptr_array_remove_fast(n->desktop_waits, w);
        return 0;
}

static void desktop_wait_fire_now(Notifier *n, const char *alert_id, const char *contact) {
        for (guint k = 0; k < n->desktop_waits->len; k++) {
                DesktopWait *w = n->desktop_waits->pdata[k];
                if (streq(w->alert_id, alert_id) && streq(w->contact, contact)) {
                        (void) on_desktop_wait(w->timer, 0, w);     /* removes W */
                        return;
                }
        }
}

static void schedule_desktop_wait(Notifier *n, Alert *a, const Contact *c, unsigned fallback, unsigned level,
                                  const char *event) {
        Manager *m = n->manager;
        DesktopWait *w = calloc(1, sizeof(DesktopWait));
        int r;

        if (!w || !(w->alert_id = strdup(a->record.id)) || !(w->contact = strdup(c->name)) ||
            !(w->event = strdup(event))) {
                desktop_wait_free(w);
                log_oom();
                return;
        }
        w->notifier = n;
        w->fallback = fallback;
        w->level = level;
        r = sd_event_add_time_relative(m->event, &w->timer, CLOCK_MONOTONIC, m->config.desktop_ack_timeout_usec,
                                       USEC_PER_MSEC, on_desktop_wait, w);
        if (r < 0) {
                /* Better twice than never: the other channels now. */
                log_warning_errno(r, "Failed to arm the desktop acknowledgement timer: %m");
                desktop_wait_free(w);
                notify_mask(n, a, c, fallback, level, event);
                return;
        }
        g_ptr_array_add(n->desktop_waits, w);
}

void notifier_alert(Notifier *n, Alert *a, unsigned level, const char *event) {
        Manager *m = n->manager;
        _cleanup_strv_free_ char **recipients = NULL;
        int r;

        r = alert_recipients(m, a, level, &recipients);
        if (r < 0) {
                log_oom();
                return;
        }
        if (!recipients || !recipients[0]) {
                log_warning("Alert %s (%s) at level %u has no recipients: only the journal has it.",
                            a->record.id, a->record.instance_name, level);
                return;
        }
        STRV_FOREACH(name, recipients) {
                const Contact *c = manager_find_contact(m, *name);
                uid_t uid;
                bool agent, desktop;
                ChannelPlan plan;

                if (!c)
                        continue;
                agent = contact_has_channel(n, c, CHANNEL_AGENT);
                desktop = agent && c->user && exec_contact_uid(c->user, &uid) >= 0 && presence_user_at_desktop(uid);
                plan = presence_plan(agent, desktop, c->exec, c->webhook);
                notify_mask(n, a, c, plan.now, level, event);
                if (plan.fallback)
                        schedule_desktop_wait(n, a, c, plan.fallback, level, event);
        }
}

static int on_agent_gone(sd_bus_track *t, void *userdata) {
        Agent *a = userdata;

        (void) t;
        log_info("Desktop agent %s of uid %u is gone.", a->sender, (unsigned) a->uid);
        g_hash_table_remove(a->notifier->agents, a->key);
        return 0;
}

int method_register_agent(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Notifier *n = m->notifier;
        const char *path, *sender = sd_bus_message_get_sender(msg);
        _cleanup_free_ char *key = NULL;
        Agent *a;
        uid_t uid;
        int r;

        r = sd_bus_message_read(msg, "o", &path);
        if (r < 0)
                return r;
        if (!sender)
                return -EINVAL;
        r = bus_message_sender_uid(msg, &uid);
        if (r < 0)
                return r;
        if (asprintf(&key, "%s\n%s", sender, path) < 0)
                return -ENOMEM;
        if (g_hash_table_contains(n->agents, key))
                return sd_bus_reply_method_return(msg, NULL);
        if (g_hash_table_size(n->agents) >= AGENTS_MAX)
                return sd_bus_error_setf(error, ORCHD_ERROR_BAD_STATE,
                                         "Too many desktop agents registered (%u).", AGENTS_MAX);

        a = calloc(1, sizeof(Agent));
        if (!a)
                return -ENOMEM;
        a->notifier = n;
        a->uid = uid;
        a->key = TAKE_PTR(key);
        a->sender = strdup(sender);
        a->path = strdup(path);
        if (!a->sender || !a->path) {
                agent_free(a);
                return -ENOMEM;
        }
        /* Forgotten when its connection closes. */
        r = sd_bus_track_new(m->bus, &a->track, on_agent_gone, a);
        if (r >= 0)
                r = sd_bus_track_add_sender(a->track, msg);
        if (r < 0) {
                agent_free(a);
                return r;
        }
        g_hash_table_replace(n->agents, a->key, a);
        log_info("Desktop agent %s%s registered for uid %u.", sender, path, (unsigned) uid);
        return sd_bus_reply_method_return(msg, NULL);
}

int method_unregister_agent(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *path, *sender = sd_bus_message_get_sender(msg);
        _cleanup_free_ char *key = NULL;
        int r;

        r = sd_bus_message_read(msg, "o", &path);
        if (r < 0)
                return r;
        if (!sender || asprintf(&key, "%s\n%s", sender, path) < 0)
                return -ENOMEM;
        /* Only the connection that registered an agent can unregister it: the key has its name. */
        if (!g_hash_table_remove(m->notifier->agents, key))
                return sd_bus_error_setf(error, ORCHD_ERROR_BAD_STATE, "No agent registered at %s by this connection.",
                                         path);
        return sd_bus_reply_method_return(msg, NULL);
}
