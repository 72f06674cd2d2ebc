/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* orchd-notify, the desktop agent: one per session. The system-bus side (notify-bus.c) registers
 * with orchd and hears its calls and signals; the session side (notify-popup.c) shows them through
 * libnotify and turns the person's answers into calls back to orchd. */

#include <gio/gio.h>
#include <stdbool.h>
#include <sys/types.h>

#include "notify-text.h"

#define ORCHD_BUS_NAME "org.orchd.Orchestrator1"
#define ORCHD_OBJECT_PATH "/org/orchd/Orchestrator1"
#define ORCHD_MANAGER_INTERFACE "org.orchd.Orchestrator1.Manager"
#define ORCHD_ALERT_INTERFACE "org.orchd.Orchestrator1.Alert"
#define ORCHD_AGENT_INTERFACE "org.orchd.Orchestrator1.Agent"
/* Where the agent's object lives on its own system-bus connection. */
#define NOTIFY_AGENT_PATH "/org/orchd/Notify/Agent"
/* Owned on the session bus: one agent per session (the user unit or the XDG autostart entry). */
#define NOTIFY_SESSION_BUS_NAME "org.orchd.Notify"
#define NOTIFY_ERROR_NOT_SHOWN "org.orchd.Notify.Error.NotShown"

typedef struct App {
        GMainLoop *loop;
        int exit_status;
        uid_t uid;

        /* The system bus: orchd. */
        GDBusConnection *system;
        guint watch_id;
        guint object_id;
        guint signal_ids[3];
        char *orchd_owner;          /* orchd's unique name while it runs, else NULL */
        bool registered;

        /* The session: notifications. */
        GDBusConnection *session;
        gint64 server_failed_usec;  /* CLOCK_MONOTONIC µs of the last failure to reach the server */
        GHashTable *popups;         /* alert id → Popup* */
        GPtrArray *grouped;         /* NotifyNotification* of grouped notices, while shown */
        bool caps_known, caps_actions, caps_markup;
        char **terminal;            /* argv prefix that runs a command in a terminal; NULL: none */
        char *orchctl;              /* orchctl's path for the terminal */
} App;

/* notify-bus.c */
int app_bus_start(App *app, GError **error);
void app_bus_stop(App *app);
/* Calls orchd's Manager (the person's answers: interactive authorization allowed). */
void app_call_manager(App *app, const char *method, GVariant *params, GAsyncReadyCallback callback,
                      gpointer userdata);
/* Resolves alert ID to its object path, then calls METHOD (on the Alert interface, or
 * org.freedesktop.DBus.Properties.GetAll when METHOD is NULL) and hands CALLBACK its result: a
 * GVariant reply, or NULL and an error. */
typedef void (*AlertCallback)(App *app, const char *alert_id, GVariant *reply, const GError *error,
                              gpointer userdata);
void app_call_alert(App *app, const char *alert_id, const char *method, AlertCallback callback,
                    gpointer userdata);

/* notify-popup.c */
/* Shows what orchd's Notify said, then answers INVOCATION (taken over): success once the notification
 * server has it, org.orchd.Notify.Error.NotShown if it could not be shown, so that orchd may try the
 * person's other channels at once. */
void popup_notify(App *app, GDBusMethodInvocation *invocation, const char *alert_id, const char *instance,
                  unsigned level, const char *summary, const char *body, const char *const *actions);
void popup_acknowledged(App *app, const char *alert_id, const char *by);
void popup_escalated(App *app, const char *alert_id, unsigned level);
void popup_resolved(App *app, const char *alert_id);
/* orchd is back: closes what was resolved meanwhile. */
void popup_resync(App *app);
void popup_close_all(App *app);
GHashTable *popup_table_new(void);
