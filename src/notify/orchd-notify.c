/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* orchd-notify: orchd's desktop agent. Registers with orchd on the system bus and shows its
 * alerts as desktop notifications (libnotify, on the session bus) whose buttons answer them as
 * the user: Acknowledge, Restart, Escalate, Show log, Resolve. One per session: a second one
 * (the XDG autostart entry beside the systemd user unit) finds org.orchd.Notify taken and exits. */
#include <glib-unix.h>
#include <libnotify/notify.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "notify-app.h"

/* Terminals that run a command given after the option, tried in this order. */
static const char *const terminals[][2] = {
        { "x-terminal-emulator", "-e" },
        { "gnome-terminal", "--" },
        { "konsole", "-e" },
        { "xfce4-terminal", "-x" },
        { "xterm", "-e" },
};

static char *arg_terminal = NULL;
static gboolean arg_verbose = false, arg_version = false;

static const GOptionEntry options[] = {
        { "terminal", 't', 0, G_OPTION_ARG_STRING, &arg_terminal,
          "How \"Show log\" runs 'orchctl alert ID': a terminal command line the command is appended to "
          "(e.g. \"xterm -e\"), \"auto\" (the default: the first terminal found) or \"none\" (the log in a "
          "second notification)", "CMD" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &arg_verbose, "Log every call from orchd and every answer", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &arg_version, "Print the version and exit", NULL },
        { NULL },
};

static char **find_terminal(const char *spec) {
        g_autoptr(GError) error = NULL;
        char **argv = NULL;

        if (g_strcmp0(spec, "none") == 0)
                return NULL;
        if (spec && g_strcmp0(spec, "auto") != 0) {
                if (!g_shell_parse_argv(spec, NULL, &argv, &error)) {
                        g_warning("Ignoring --terminal=%s: %s", spec, error->message);
                        return NULL;
                }
                return argv;
        }
        for (size_t k = 0; k < G_N_ELEMENTS(terminals); k++) {
                g_autofree char *path = g_find_program_in_path(terminals[k][0]);
                if (path) {
                        argv = g_new0(char *, 3);
                        argv[0] = g_steal_pointer(&path);
                        argv[1] = g_strdup(terminals[k][1]);
                        return argv;
                }
        }
        return NULL;
}

/* As GLib's default writer, with SYSLOG_IDENTIFIER when it writes to the journal (GLib sets none),
 * so that `journalctl -t orchd-notify` finds the agent's messages beside its stderr. */
static GLogWriterOutput log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer userdata) {
        if (g_log_writer_default_would_drop(level, G_LOG_DOMAIN))
                return G_LOG_WRITER_HANDLED;
        if (g_log_writer_is_journald(fileno(stderr))) {
                GLogField *all = g_newa(GLogField, n_fields + 1);
                memcpy(all, fields, n_fields * sizeof(GLogField));
                all[n_fields] = (GLogField) { "SYSLOG_IDENTIFIER", "orchd-notify", -1 };
                if (g_log_writer_journald(level, all, n_fields + 1, userdata) == G_LOG_WRITER_HANDLED)
                        return G_LOG_WRITER_HANDLED;
        }
        return g_log_writer_standard_streams(level, fields, n_fields, userdata);
}

static gboolean on_quit_signal(gpointer userdata) {
        App *app = userdata;

        g_main_loop_quit(app->loop);
        return G_SOURCE_CONTINUE;
}

static void on_name_acquired(GDBusConnection *connection, const char *name, gpointer userdata) {
        App *app = userdata;
        g_autoptr(GError) error = NULL;

        if (app->system)
                return;
        g_debug("Owns %s on the session bus.", name);
        app->session = g_object_ref(connection);
        if (app_bus_start(app, &error) < 0) {
                g_printerr("orchd-notify: cannot use the system bus: %s\n", error->message);
                app->exit_status = 1;
                g_main_loop_quit(app->loop);
        }
}

static void on_name_lost(GDBusConnection *connection, const char *name, gpointer userdata) {
        App *app = userdata;

        if (!connection) {
                g_printerr("orchd-notify: cannot connect to the session bus (is DBUS_SESSION_BUS_ADDRESS set?)\n");
                app->exit_status = 1;
        } else if (!app->system)
                /* Quietly: the user unit and the autostart entry may both start us. */
                g_debug("Another orchd-notify owns %s in this session; exiting.", name);
        else {
                g_warning("Lost %s on the session bus; exiting.", name);
                app->exit_status = 1;
        }
        g_main_loop_quit(app->loop);
}

int main(int argc, char *argv[]) {
        g_autoptr(GOptionContext) context = NULL;
        g_autoptr(GError) error = NULL;
        App app = { .uid = getuid() };
        guint own_id;

        setlocale(LC_ALL, "");
        g_set_prgname("orchd-notify");
        g_log_set_writer_func(log_writer, NULL, NULL);
        context = g_option_context_new(NULL);
        g_option_context_set_summary(context, "orchd's desktop agent: shows the alerts orchd sends this user as "
                                              "desktop notifications, with buttons that answer them.");
        g_option_context_add_main_entries(context, options, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error)) {
                g_printerr("orchd-notify: %s\n", error->message);
                return 2;
        }
        if (argc > 1) {
                g_printerr("orchd-notify: unexpected argument '%s'\n", argv[1]);
                return 2;
        }
        if (arg_version) {
                printf("orchd-notify %s\n", PACKAGE_VERSION);
                return 0;
        }
        if (arg_verbose)
                g_log_set_debug_enabled(true);

        app.loop = g_main_loop_new(NULL, false);
        app.popups = popup_table_new();
        app.grouped = g_ptr_array_new_with_free_func(g_object_unref);
        app.terminal = find_terminal(arg_terminal);
        app.orchctl = g_find_program_in_path("orchctl") ?: g_strdup(ORCHCTL_PATH);
        if (!notify_init("orchd")) {
                g_printerr("orchd-notify: cannot initialize libnotify\n");
                return 1;
        }

        own_id = g_bus_own_name(G_BUS_TYPE_SESSION, NOTIFY_SESSION_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                NULL, on_name_acquired, on_name_lost, &app, NULL);
        g_unix_signal_add(SIGTERM, on_quit_signal, &app);
        g_unix_signal_add(SIGINT, on_quit_signal, &app);
        g_unix_signal_add(SIGHUP, on_quit_signal, &app);
        g_main_loop_run(app.loop);

        /* Buttons whose agent is gone would answer nobody. */
        popup_close_all(&app);
        app_bus_stop(&app);
        g_bus_unown_name(own_id);
        g_clear_object(&app.session);
        notify_uninit();
        g_hash_table_destroy(app.popups);
        g_ptr_array_free(app.grouped, true);
        g_strfreev(app.terminal);
        g_free(app.orchctl);
        g_main_loop_unref(app.loop);
        g_free(arg_terminal);
        return app.exit_status;
}
