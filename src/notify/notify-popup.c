/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's session side: one libnotify notification per alert, updated in place (the same
 * notification object, so the server replaces it) when orchd notifies again or the alert changes,
 * closed when it is resolved; the person's answers go back to orchd as calls of the Manager. */
#include <libnotify/notify.h>
#include <string.h>

#include "notify-app.h"

#define NOTE "from orchd-notify"
#define ERROR_NO_SUCH_ALERT "org.orchd.Orchestrator1.Error.NoSuchAlert"

typedef struct Popup {
        App *app;
        AlertView view;
        NotifyNotification *notification;
        NotifyNotification *log;        /* "Show log" as a notification of its own */
        bool shown, log_shown;          /* on screen: shown and not closed since */
        bool fetching;                  /* the alert's properties asked from orchd */
        bool show_when_fetched;
        GPtrArray *waiting;             /* GDBusMethodInvocation* of Notify calls not answered yet */
} Popup;

/* Answers orchd's Notify: ERROR is NULL when the notification server took it. */
static void answer(GDBusMethodInvocation *invocation, const GError *error) {
        if (error)
                g_dbus_method_invocation_return_dbus_error(invocation, NOTIFY_ERROR_NOT_SHOWN, error->message);
        else
                g_dbus_method_invocation_return_value(invocation, NULL);
}

static void answer_waiting(GPtrArray *waiting, const GError *error) {
        while (waiting->len > 0) {
                GDBusMethodInvocation *invocation = g_ptr_array_steal_index(waiting, 0);
                answer(invocation, error);
                g_object_unref(invocation);
        }
}

static void popup_free(gpointer data) {
        Popup *p = data;

        if (!p)
                return;
        if (p->notification) {
                g_signal_handlers_disconnect_by_data(p->notification, p);
                notify_notification_clear_actions(p->notification);
                g_object_unref(p->notification);
        }
        if (p->log) {
                g_signal_handlers_disconnect_by_data(p->log, p);
                g_object_unref(p->log);
        }
        /* Resolved before it was shown: nothing left to show, no failure either. */
        answer_waiting(p->waiting, NULL);
        g_ptr_array_free(p->waiting, true);
        alert_view_clear(&p->view);
        g_free(p);
}

GHashTable *popup_table_new(void) {
        return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, popup_free);
}

static void query_caps(App *app) {
        GList *caps;

        if (app->caps_known)
                return;
        /* Unknown until a server answers: buttons assumed, markup not. */
        app->caps_actions = true;
        app->caps_markup = false;
        caps = notify_get_server_caps();
        if (!caps)
                return;
        app->caps_known = true;
        app->caps_actions = g_list_find_custom(caps, "actions", (GCompareFunc) strcmp) != NULL;
        app->caps_markup = g_list_find_custom(caps, "body-markup", (GCompareFunc) strcmp) != NULL;
        g_list_free_full(caps, g_free);
}

/* libnotify blocks until the notification server answers, and a server that D-Bus activation
 * fails to start keeps it waiting for the bus's whole activation timeout (25 s), here and in the
 * finalizer of every notification. So no libnotify call before the server is known to be there:
 * its name owned, or started within a few seconds; a failure is remembered for a while. */
#define SERVER_START_TIMEOUT_MSEC 3000
#define SERVER_RETRY_USEC (30 * G_USEC_PER_SEC)
#define NOTIFICATIONS_BUS_NAME "org.freedesktop.Notifications"

static bool server_reachable(App *app, GError **error) {
        g_autoptr(GVariant) owner = NULL, started = NULL;
        gboolean owned = false;

        owner = g_dbus_connection_call_sync(app->session, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "NameHasOwner",
                                            g_variant_new("(s)", NOTIFICATIONS_BUS_NAME), G_VARIANT_TYPE("(b)"),
                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
        if (!owner)
                return false;
        g_variant_get(owner, "(b)", &owned);
        if (owned)
                return true;
        started = g_dbus_connection_call_sync(app->session, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                              "org.freedesktop.DBus", "StartServiceByName",
                                              g_variant_new("(su)", NOTIFICATIONS_BUS_NAME, 0), G_VARIANT_TYPE("(u)"),
                                              G_DBUS_CALL_FLAGS_NONE, SERVER_START_TIMEOUT_MSEC, NULL, error);
        return started != NULL;
}

static bool server_ready(App *app, GError **error) {
        gint64 now = g_get_monotonic_time();

        if (app->server_failed_usec && now - app->server_failed_usec < SERVER_RETRY_USEC) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                            "No notification server in this session (%s).", NOTIFICATIONS_BUS_NAME);
                return false;
        }
        if (!server_reachable(app, error)) {
                g_dbus_error_strip_remote_error(*error);
                g_warning("No notification server: %s", (*error)->message);
                app->server_failed_usec = now;
                return false;
        }
        app->server_failed_usec = 0;
        return true;
}

static void on_closed(NotifyNotification *n, gpointer userdata) {
        Popup *p = userdata;

        if (n == p->notification)
                p->shown = false;
        else if (n == p->log)
                p->log_shown = false;
}

static void on_action(NotifyNotification *n, char *action, gpointer userdata);

static void popup_show(Popup *p) {
        App *app = p->app;
        g_autoptr(GError) error = NULL;
        g_autofree char *body = NULL;
        unsigned urgency, actions;
        const char *icon;

        if (!server_ready(app, &error)) {
                answer_waiting(p->waiting, error);
                return;
        }
        if (!p->notification) {
                p->notification = notify_notification_new(p->view.summary, NULL, NULL);
                notify_notification_set_app_name(p->notification, "orchd");
                notify_notification_set_category(p->notification, "x-orchd.alert");
                /* Kept on screen after a button (GNOME): the answer's outcome is shown there. */
                notify_notification_set_hint(p->notification, "resident", g_variant_new_boolean(true));
                g_signal_connect(p->notification, "closed", G_CALLBACK(on_closed), p);
        }
        query_caps(app);
        urgency = alert_view_urgency(&p->view);
        actions = alert_view_actions(&p->view);
        body = alert_view_body(&p->view, app->uid, (uint64_t) g_get_real_time(), app->caps_markup,
                               !app->caps_actions);
        icon = p->view.acknowledged ? "dialog-information" : urgency >= 2 ? "dialog-error" : "dialog-warning";

        notify_notification_update(p->notification, p->view.summary, body, icon);
        notify_notification_set_urgency(p->notification,
                                        urgency >= 2 ? NOTIFY_URGENCY_CRITICAL : NOTIFY_URGENCY_NORMAL);
        /* An open alert waits for an answer; an acknowledged one is only a reminder. */
        notify_notification_set_timeout(p->notification, p->view.acknowledged && !p->view.status ?
                                                         NOTIFY_EXPIRES_DEFAULT : NOTIFY_EXPIRES_NEVER);
        notify_notification_clear_actions(p->notification);
        for (NotifyAction a = 0; a < _NOTIFY_ACTION_MAX; a++)
                if (actions & (1U << a))
                        notify_notification_add_action(p->notification, notify_action_to_string(a),
                                                       notify_action_label(a), on_action, p, NULL);
        if (!notify_notification_show(p->notification, &error)) {
                g_warning("Failed to show the notification of alert %s: %s", p->view.alert_id, error->message);
                answer_waiting(p->waiting, error);
                return;
        }
        p->shown = true;
        answer_waiting(p->waiting, NULL);
}

static void popup_remove(App *app, Popup *p) {
        if (p->shown)
                (void) notify_notification_close(p->notification, NULL);
        if (p->log_shown)
                (void) notify_notification_close(p->log, NULL);
        g_hash_table_remove(app->popups, p->view.alert_id);
}

static void on_fetched(App *app, const char *alert_id, GVariant *reply, const GError *error, gpointer userdata) {
        Popup *p = g_hash_table_lookup(app->popups, alert_id);
        g_autoptr(GVariant) props = NULL;
        const char *state = NULL, *by = NULL;
        guint64 raised;
        guint32 level;

        if (!p)
                return;         /* resolved meanwhile */
        p->fetching = false;
        if (!reply) {
                g_autofree char *remote = g_dbus_error_get_remote_error(error);
                if (g_strcmp0(remote, ERROR_NO_SUCH_ALERT) == 0) {
                        popup_remove(app, p);
                        return;
                }
                g_debug("Failed to read alert %s: %s", alert_id, error->message);
        } else {
                props = g_variant_get_child_value(reply, 0);
                if (g_variant_lookup(props, "State", "&s", &state) && g_strcmp0(state, "resolved") == 0) {
                        popup_remove(app, p);
                        return;
                }
                if (g_variant_lookup(props, "RaisedUSec", "t", &raised))
                        p->view.raised_usec = raised;
                if (g_strcmp0(state, "acknowledged") == 0) {
                        p->view.acknowledged = true;
                        if (g_variant_lookup(props, "AcknowledgedBy", "&s", &by)) {
                                g_free(p->view.acknowledged_by);
                                p->view.acknowledged_by = g_strdup(by);
                        }
                }
                if (g_variant_lookup(props, "Level", "u", &level) && level > p->view.level)
                        p->view.escalated_level = level;
        }
        if (p->show_when_fetched) {
                p->show_when_fetched = false;
                popup_show(p);
        }
}

static void popup_fetch(App *app, Popup *p) {
        if (p->fetching)
                return;
        p->fetching = true;
        app_call_alert(app, p->view.alert_id, NULL, on_fetched, NULL);
}

static void on_grouped_closed(NotifyNotification *n, gpointer userdata) {
        App *app = userdata;

        g_ptr_array_remove_fast(app->grouped, n);
}

static void show_grouped(App *app, GDBusMethodInvocation *invocation, unsigned level, const char *summary,
                         const char *body) {
        g_autoptr(GError) error = NULL;
        g_autofree char *escaped = NULL;
        NotifyNotification *n;

        if (!server_ready(app, &error)) {
                answer(invocation, error);
                return;
        }
        query_caps(app);
        if (app->caps_markup)
                escaped = g_markup_escape_text(body, -1);
        n = notify_notification_new(summary, escaped ?: body,
                                    level >= NOTIFY_LEVEL_MAX ? "dialog-error" : "dialog-warning");
        notify_notification_set_app_name(n, "orchd");
        notify_notification_set_category(n, "x-orchd.alert");
        notify_notification_set_urgency(n,
                                        level >= NOTIFY_LEVEL_MAX ? NOTIFY_URGENCY_CRITICAL : NOTIFY_URGENCY_NORMAL);
        /* Many alerts at once: no answers here, each one has its own in 'orchctl alerts'. */
        if (!notify_notification_show(n, &error)) {
                g_warning("Failed to show a grouped notification: %s", error->message);
                answer(invocation, error);
                g_object_unref(n);
                return;
        }
        answer(invocation, NULL);
        g_signal_connect(n, "closed", G_CALLBACK(on_grouped_closed), app);
        g_ptr_array_add(app->grouped, n);
}

void popup_notify(App *app, GDBusMethodInvocation *invocation, const char *alert_id, const char *instance,
                  unsigned level, const char *summary, const char *body, const char *const *actions) {
        Popup *p;

        if (alert_id[0] == '\0') {
                show_grouped(app, invocation, level, summary, body);
                g_object_unref(invocation);
                return;
        }
        p = g_hash_table_lookup(app->popups, alert_id);
        if (!p) {
                p = g_new0(Popup, 1);
                p->app = app;
                p->view.alert_id = g_strdup(alert_id);
                p->waiting = g_ptr_array_new();
                g_hash_table_replace(app->popups, g_strdup(alert_id), p);
        }
        g_free(p->view.instance);
        p->view.instance = g_strdup(instance);
        g_free(p->view.summary);
        p->view.summary = g_strdup(summary);
        g_free(p->view.body);
        p->view.body = g_strdup(body);
        p->view.level = level;
        if (p->view.escalated_level <= level)
                p->view.escalated_level = 0;
        p->view.offered = notify_actions_from_strv(actions);
        /* News from orchd replaces the outcome of an earlier answer. */
        g_clear_pointer(&p->view.status, g_free);
        g_ptr_array_add(p->waiting, invocation);
        /* "Since when" and whether someone acknowledged it meanwhile, then shown. */
        p->show_when_fetched = true;
        popup_fetch(app, p);
}

void popup_acknowledged(App *app, const char *alert_id, const char *by) {
        Popup *p = g_hash_table_lookup(app->popups, alert_id);

        if (!p)
                return;
        p->view.acknowledged = true;
        g_free(p->view.acknowledged_by);
        p->view.acknowledged_by = g_strdup(by);
        if (p->shown)
                popup_show(p);
}

void popup_escalated(App *app, const char *alert_id, unsigned level) {
        Popup *p = g_hash_table_lookup(app->popups, alert_id);

        if (!p || level <= MAX(p->view.level, p->view.escalated_level))
                return;
        p->view.escalated_level = level;
        /* Escalating hands it on: it is open again for the superiors. */
        p->view.acknowledged = false;
        g_clear_pointer(&p->view.acknowledged_by, g_free);
        if (p->shown)
                popup_show(p);
}

void popup_resolved(App *app, const char *alert_id) {
        Popup *p = g_hash_table_lookup(app->popups, alert_id);

        if (p)
                popup_remove(app, p);
}

void popup_resync(App *app) {
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, app->popups);
        while (g_hash_table_iter_next(&it, NULL, &value))
                popup_fetch(app, value);
}

void popup_close_all(App *app) {
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, app->popups);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                Popup *p = value;
                if (p->shown)
                        (void) notify_notification_close(p->notification, NULL);
                if (p->log_shown)
                        (void) notify_notification_close(p->log, NULL);
        }
        g_hash_table_remove_all(app->popups);
        for (guint k = 0; k < app->grouped->len; k++) {
                g_signal_handlers_disconnect_by_data(app->grouped->pdata[k], app);
                (void) notify_notification_close(app->grouped->pdata[k], NULL);
        }
        /* Before notify_uninit(): a notification's finalizer needs libnotify's proxy. */
        g_ptr_array_set_size(app->grouped, 0);
}

/* --- Answers. */

typedef struct ActionCall {
        App *app;
        char *alert_id;
        NotifyAction action;
} ActionCall;

static void set_status(Popup *p, char *status) {
        g_free(p->view.status);
        p->view.status = status;
}

static void on_log(App *app, const char *alert_id, GVariant *reply, const GError *error, gpointer userdata) {
        Popup *p = g_hash_table_lookup(app->popups, alert_id);
        g_autoptr(GError) show_error = NULL;
        g_autofree const char **lines = NULL;
        g_autofree char *joined = NULL, *escaped = NULL, *summary = NULL;

        if (!p)
                return;
        if (!reply) {
                g_autoptr(GError) e = g_error_copy(error);
                g_dbus_error_strip_remote_error(e);
                set_status(p, g_strdup_printf("Could not show the log: %s", e->message));
                popup_show(p);
                return;
        }
        g_variant_get(reply, "(^a&s)", &lines);
        joined = lines && lines[0] ? g_strjoinv("\n", (char **) lines) : g_strdup("(no log lines)");
        if (app->caps_markup)
                escaped = g_markup_escape_text(joined, -1);
        summary = g_strdup_printf("%s: last log lines", p->view.instance);
        if (!server_ready(app, &show_error))
                return;
        if (!p->log) {
                p->log = notify_notification_new(summary, NULL, "text-x-generic");
                notify_notification_set_app_name(p->log, "orchd");
                notify_notification_set_category(p->log, "x-orchd.log");
                g_signal_connect(p->log, "closed", G_CALLBACK(on_closed), p);
        }
        notify_notification_update(p->log, summary, escaped ?: joined, "text-x-generic");
        if (!notify_notification_show(p->log, &show_error)) {
                g_warning("Failed to show the log of alert %s: %s", alert_id, show_error->message);
                return;
        }
        p->log_shown = true;
        /* The server may have closed the alert's own notification with the click: its answers
         * are still wanted. */
        if (!p->shown)
                popup_show(p);
}

static void show_log(App *app, Popup *p) {
        /* A terminal needs a display to open on. */
        if (app->terminal && (g_getenv("DISPLAY") || g_getenv("WAYLAND_DISPLAY"))) {
                g_autoptr(GError) error = NULL;
                g_auto(GStrv) argv = notify_terminal_argv((const char *const *) app->terminal, app->orchctl,
                                                          p->view.alert_id);
                if (g_spawn_async(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &error))
                        return;
                g_warning("Failed to start a terminal (%s): %s; showing the log as a notification.", argv[0],
                          error->message);
        }
        app_call_alert(app, p->view.alert_id, "GetLog", on_log, NULL);
}

static void on_answered(GObject *source, GAsyncResult *result, gpointer userdata) {
        g_autofree ActionCall *c = userdata;
        g_autofree char *alert_id = c->alert_id;
        App *app = c->app;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
        Popup *p = g_hash_table_lookup(app->popups, c->alert_id);

        if (!p)
                return;         /* resolved meanwhile: nothing left to show */
        if (!reply) {
                g_autofree char *remote = g_dbus_error_get_remote_error(error);
                g_dbus_error_strip_remote_error(error);
                g_message("Alert %s: failed to %s: %s%s%s", c->alert_id, notify_action_verb(c->action),
                          error->message, remote ? " " : "", remote ?: "");
                set_status(p, g_strdup_printf("Could not %s: %s", notify_action_verb(c->action), error->message));
                popup_show(p);
                return;
        }
        g_message("Alert %s: %s done.", c->alert_id, notify_action_to_string(c->action));
        switch (c->action) {
        case NOTIFY_ACTION_ACKNOWLEDGE:
                set_status(p, NULL);
                p->view.acknowledged = true;
                if (!p->view.acknowledged_by)
                        p->view.acknowledged_by = g_strdup_printf("uid %u", (unsigned) app->uid);
                break;
        case NOTIFY_ACTION_ESCALATE:
                set_status(p, g_strdup("You escalated it to the superiors."));
                p->view.escalated_level = MAX(p->view.escalated_level, MIN(p->view.level + 1, NOTIFY_LEVEL_MAX));
                p->view.acknowledged = false;
                g_clear_pointer(&p->view.acknowledged_by, g_free);
                break;
        case NOTIFY_ACTION_RESTART: {
                g_autoptr(GDateTime) now = g_date_time_new_now_local();
                g_autofree char *hms = g_date_time_format(now, "%H:%M:%S");
                set_status(p, g_strdup_printf("You restarted %s at %s.", p->view.instance, hms));
                break;
        }
        case NOTIFY_ACTION_RESOLVE:
                popup_remove(app, p);
                return;
        default:
                break;
        }
        /* The click may have closed it: shown again with the outcome and the answers left. */
        popup_show(p);
}

static void on_action(NotifyNotification *n, char *action, gpointer userdata) {
        Popup *p = userdata;
        App *app = p->app;
        NotifyAction a = notify_action_from_string(action);
        ActionCall *c;
        GVariant *params;
        const char *method;

        g_message("Alert %s: the person chose %s.", p->view.alert_id, action);
        switch (a) {
        case NOTIFY_ACTION_LOG:
                show_log(app, p);
                return;
        case NOTIFY_ACTION_ACKNOWLEDGE:
                method = "AcknowledgeAlert";
                params = g_variant_new("(ss)", p->view.alert_id, NOTE);
                break;
        case NOTIFY_ACTION_ESCALATE:
                method = "EscalateAlert";
                params = g_variant_new("(ss)", p->view.alert_id, NOTE);
                break;
        case NOTIFY_ACTION_RESOLVE:
                method = "ResolveAlert";
                params = g_variant_new("(ss)", p->view.alert_id, NOTE);
                break;
        case NOTIFY_ACTION_RESTART:
                method = "RestartInstance";
                params = g_variant_new("(s)", p->view.instance);
                break;
        default:
                return;
        }
        c = g_new0(ActionCall, 1);
        c->app = app;
        c->alert_id = g_strdup(p->view.alert_id);
        c->action = a;
        /* As the person: polkit decides, and may ask them (interactive authorization). */
        app_call_manager(app, method, params, on_answered, c);
}
