/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's system-bus side: follows orchd's name, registers with every orchd that appears
 * (RegisterAgent), serves Agent.Notify to orchd only, and hears the Manager's alert signals. */
#include <string.h>

#include "notify-app.h"

/* A person may take a while to answer polkit's question. */
#define INTERACTIVE_CALL_TIMEOUT_MSEC (5 * 60 * 1000)
#define CALL_TIMEOUT_MSEC (25 * 1000)
/* Reading an alert before showing it: well within orchd's own timeout for Notify (10 s). */
#define FETCH_TIMEOUT_MSEC (3 * 1000)

static const char agent_xml[] =
        "<node>"
        "  <interface name='" ORCHD_AGENT_INTERFACE "'>"
        "    <method name='Notify'>"
        "      <arg type='s' name='alert_id' direction='in'/>"
        "      <arg type='s' name='instance' direction='in'/>"
        "      <arg type='u' name='level' direction='in'/>"
        "      <arg type='s' name='summary' direction='in'/>"
        "      <arg type='s' name='body' direction='in'/>"
        "      <arg type='as' name='actions' direction='in'/>"
        "    </method>"
        "  </interface>"
        "</node>";

static void agent_method_call(GDBusConnection *connection, const char *sender, const char *object_path,
                              const char *interface_name, const char *method_name, GVariant *parameters,
                              GDBusMethodInvocation *invocation, gpointer userdata) {
        App *app = userdata;
        const char *alert_id, *instance, *summary, *body;
        g_autofree const char **actions = NULL;
        guint32 level;

        /* Anyone on the system bus could call us: only orchd is believed. */
        if (!app->orchd_owner || g_strcmp0(sender, app->orchd_owner) != 0) {
                g_debug("Refused %s.%s from %s, which is not orchd.", interface_name, method_name, sender);
                g_dbus_method_invocation_return_dbus_error(invocation, "org.freedesktop.DBus.Error.AccessDenied",
                                                           "Only orchd may notify this agent.");
                return;
        }
        if (g_strcmp0(method_name, "Notify") != 0) {
                g_dbus_method_invocation_return_dbus_error(invocation, "org.freedesktop.DBus.Error.UnknownMethod",
                                                           "Unknown method.");
                return;
        }
        g_variant_get(parameters, "(&s&su&s&s^a&s)", &alert_id, &instance, &level, &summary, &body, &actions);
        g_debug("Notify %s %s level %u: %s", alert_id, instance, level, summary);
        /* Answered once the notification server has it (or could not take it). */
        popup_notify(app, g_object_ref(invocation), alert_id, instance, level, summary, body, actions);
}

static const GDBusInterfaceVTable agent_vtable = {
        .method_call = agent_method_call,
};

static void on_manager_signal(GDBusConnection *connection, const char *sender, const char *object_path,
                              const char *interface_name, const char *signal_name, GVariant *parameters,
                              gpointer userdata) {
        App *app = userdata;
        const char *id, *s;
        guint32 level;

        if (g_strcmp0(signal_name, "AlertResolved") == 0 && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ss)"))) {
                g_variant_get(parameters, "(&s&s)", &id, &s);
                popup_resolved(app, id);
        } else if (g_strcmp0(signal_name, "AlertAcknowledged") == 0 &&
                   g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ss)"))) {
                g_variant_get(parameters, "(&s&s)", &id, &s);
                popup_acknowledged(app, id, s);
        } else if (g_strcmp0(signal_name, "AlertEscalated") == 0 &&
                   g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssu)"))) {
                g_variant_get(parameters, "(&s&su)", &id, &s, &level);
                popup_escalated(app, id, level);
        }
}

static void on_registered(GObject *source, GAsyncResult *result, gpointer userdata) {
        App *app = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

        if (!reply) {
                /* orchd gone again meanwhile, or refusing: the next appearance tries again. */
                g_warning("Failed to register with orchd: %s", error->message);
                return;
        }
        app->registered = true;
        g_message("Registered with orchd (%s) as %s.", app->orchd_owner ? app->orchd_owner : "gone",
                  NOTIFY_AGENT_PATH);
}

static void on_orchd_appeared(GDBusConnection *connection, const char *name, const char *owner, gpointer userdata) {
        App *app = userdata;

        g_free(app->orchd_owner);
        app->orchd_owner = g_strdup(owner);
        app->registered = false;
        g_debug("orchd appeared as %s.", owner);
        g_dbus_connection_call(app->system, ORCHD_BUS_NAME, ORCHD_OBJECT_PATH, ORCHD_MANAGER_INTERFACE,
                               "RegisterAgent", g_variant_new("(o)", NOTIFY_AGENT_PATH), NULL,
                               G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MSEC, NULL, on_registered, app);
        /* Alerts resolved while it was away sent no signal we could hear. */
        popup_resync(app);
}

static void on_orchd_vanished(GDBusConnection *connection, const char *name, gpointer userdata) {
        App *app = userdata;

        if (!connection) {
                g_warning("Lost the system bus.");
                app->exit_status = 1;
                g_main_loop_quit(app->loop);
                return;
        }
        if (app->orchd_owner)
                g_message("orchd is gone; waiting for it to come back.");
        else
                g_message("orchd is not running; waiting for it.");
        /* Its registration went with it; the notifications shown stay, and their answers go to
         * the next orchd (alerts survive its restarts). */
        g_clear_pointer(&app->orchd_owner, g_free);
        app->registered = false;
}

int app_bus_start(App *app, GError **error) {
        static const char *const signals[] = { "AlertResolved", "AlertAcknowledged", "AlertEscalated" };
        g_autoptr(GDBusNodeInfo) info = NULL;

        app->system = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
        if (!app->system)
                return -1;
        g_dbus_connection_set_exit_on_close(app->system, false);
        info = g_dbus_node_info_new_for_xml(agent_xml, error);
        if (!info)
                return -1;
        app->object_id = g_dbus_connection_register_object(app->system, NOTIFY_AGENT_PATH, info->interfaces[0],
                                                           &agent_vtable, app, NULL, error);
        if (app->object_id == 0)
                return -1;
        for (size_t k = 0; k < G_N_ELEMENTS(signals); k++)
                app->signal_ids[k] = g_dbus_connection_signal_subscribe(
                                app->system, ORCHD_BUS_NAME, ORCHD_MANAGER_INTERFACE, signals[k], ORCHD_OBJECT_PATH,
                                NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_manager_signal, app, NULL);
        app->watch_id = g_bus_watch_name_on_connection(app->system, ORCHD_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                       on_orchd_appeared, on_orchd_vanished, app, NULL);
        return 0;
}

void app_bus_stop(App *app) {
        if (app->watch_id)
                g_bus_unwatch_name(app->watch_id);
        app->watch_id = 0;
        if (!app->system)
                return;
        for (size_t k = 0; k < G_N_ELEMENTS(app->signal_ids); k++)
                if (app->signal_ids[k])
                        g_dbus_connection_signal_unsubscribe(app->system, app->signal_ids[k]);
        memset(app->signal_ids, 0, sizeof app->signal_ids);
        if (app->object_id)
                g_dbus_connection_unregister_object(app->system, app->object_id);
        app->object_id = 0;
        g_clear_object(&app->system);
        g_clear_pointer(&app->orchd_owner, g_free);
}

void app_call_manager(App *app, const char *method, GVariant *params, GAsyncReadyCallback callback,
                      gpointer userdata) {
        g_dbus_connection_call(app->system, ORCHD_BUS_NAME, ORCHD_OBJECT_PATH, ORCHD_MANAGER_INTERFACE, method,
                               params, NULL, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                               INTERACTIVE_CALL_TIMEOUT_MSEC, NULL, callback, userdata);
}

typedef struct AlertCall {
        App *app;
        char *alert_id, *method;
        AlertCallback callback;
        gpointer userdata;
} AlertCall;

static void alert_call_free(AlertCall *c) {
        g_free(c->alert_id);
        g_free(c->method);
        g_free(c);
}

static void on_alert_reply(GObject *source, GAsyncResult *result, gpointer userdata) {
        AlertCall *c = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

        c->callback(c->app, c->alert_id, reply, error, c->userdata);
        alert_call_free(c);
}

static void on_alert_path(GObject *source, GAsyncResult *result, gpointer userdata) {
        AlertCall *c = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
        const char *path;

        if (!reply) {
                c->callback(c->app, c->alert_id, NULL, error, c->userdata);
                alert_call_free(c);
                return;
        }
        g_variant_get(reply, "(&o)", &path);
        if (c->method)
                g_dbus_connection_call(c->app->system, ORCHD_BUS_NAME, path, ORCHD_ALERT_INTERFACE, c->method, NULL,
                                       NULL, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                       INTERACTIVE_CALL_TIMEOUT_MSEC, NULL, on_alert_reply, c);
        else
                g_dbus_connection_call(c->app->system, ORCHD_BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                       "GetAll", g_variant_new("(s)", ORCHD_ALERT_INTERFACE),
                                       G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, FETCH_TIMEOUT_MSEC, NULL,
                                       on_alert_reply, c);
}

void app_call_alert(App *app, const char *alert_id, const char *method, AlertCallback callback,
                    gpointer userdata) {
        AlertCall *c = g_new0(AlertCall, 1);

        c->app = app;
        c->alert_id = g_strdup(alert_id);
        c->method = g_strdup(method);
        c->callback = callback;
        c->userdata = userdata;
        g_dbus_connection_call(app->system, ORCHD_BUS_NAME, ORCHD_OBJECT_PATH, ORCHD_MANAGER_INTERFACE, "GetAlert",
                               g_variant_new("(s)", alert_id), G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE,
                               FETCH_TIMEOUT_MSEC, NULL, on_alert_path, c);
}
