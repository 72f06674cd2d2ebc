/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "bus-common.h"
#include "macro.h"
#include "orchctl.h"
#include "verbs.h"

OrchctlArgs arg = {};

static sd_bus *bus_connection = NULL;

int orchctl_bus(sd_bus **ret) {
        int r;

        if (!bus_connection) {
                if (arg.host)
                        r = sd_bus_open_system_remote(&bus_connection, arg.host);
                else
                        r = sd_bus_open_system(&bus_connection);
                if (r < 0) {
                        fprintf(stderr, "Cannot connect to the system bus%s%s: %s\n",
                                arg.host ? " of " : "", strempty(arg.host), strerror(-r));
                        return -ORCHCTL_EXIT_UNAVAILABLE;
                }
        }
        *ret = bus_connection;
        return 0;
}

static bool error_means_not_running(const sd_bus_error *error) {
        static const char *const names[] = {
                SD_BUS_ERROR_SERVICE_UNKNOWN,
                SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                SD_BUS_ERROR_NO_REPLY,
                SD_BUS_ERROR_DISCONNECTED,
                SD_BUS_ERROR_TIMEOUT,
        };

        if (!sd_bus_error_is_set(error))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (sd_bus_error_has_name(error, names[i]))
                        return true;
        /* Bus activation failed: dbus-daemon's spawn errors and systemd's unit errors. */
        return strneq(error->name, "org.freedesktop.DBus.Error.Spawn.", 33) ||
               strneq(error->name, "org.freedesktop.systemd1.", 25);
}

int orchctl_bus_error(const sd_bus_error *error, int r, const char *what) {
        if (error_means_not_running(error)) {
                fprintf(stderr, "orchd is not running%s%s (%s). Start it with 'systemctl start orchd'.\n",
                        arg.host ? " on " : "", strempty(arg.host), error->message);
                return ORCHCTL_EXIT_UNAVAILABLE;
        }
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_ACCESS_DENIED,
                                   SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED)) {
                fprintf(stderr, "Not authorized to %s: %s\n", what, error->message);
                return ORCHCTL_EXIT_DENIED;
        }
        if (sd_bus_error_has_names(error, ORCHD_ERROR_NO_SUCH_INSTANCE, ORCHD_ERROR_NO_SUCH_ALERT,
                                   ORCHD_ERROR_NO_SUCH_CONTACT)) {
                fprintf(stderr, "%s\n", error->message);
                return ORCHCTL_EXIT_NO_SUCH;
        }
        fprintf(stderr, "Failed to %s: %s\n", what,
                sd_bus_error_is_set(error) ? error->message : strerror(-r));
        return ORCHCTL_EXIT_FAILURE;
}

static int verb_version(int argc, char *argv[], void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *daemon_version = NULL;
        sd_bus *bus;
        int r;

        (void) argc, (void) argv, (void) userdata;

        printf("orchctl %s\n", PACKAGE_VERSION);
        fflush(stdout);

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;
        r = sd_bus_get_property_string(bus, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                       ORCHD_MANAGER_INTERFACE, "Version", &error, &daemon_version);
        if (r < 0)
                return orchctl_bus_error(&error, r, "read orchd's version");

        printf("orchd %s\n", daemon_version);
        return ORCHCTL_EXIT_SUCCESS;
}

static void help(void) {
        printf("Usage: orchctl [OPTIONS] COMMAND ...\n\n"
               "Control orchd, the process supervisor.\n\n"
               "Commands:\n"
               "  version                 Show the versions of orchctl and orchd\n\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "     --version            Show orchctl's version\n"
               "  -H --host=[USER@]HOST   Operate on a remote host (over ssh)\n"
               "  -q --quiet              Print less\n"
               "     --no-pager           Do not pipe output into a pager\n"
               "     --no-legend          Do not print column headers and footers\n\n"
               "See orchctl(1) for details and exit codes.\n");
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_NO_PAGER, ARG_NO_LEGEND };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "host", required_argument, NULL, 'H' },
                { "quiet", no_argument, NULL, 'q' },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                {}
        };
        int c;

        /* '+' stops at the first non-option: everything after the verb belongs to it. */
        while ((c = getopt_long(argc, argv, "+hH:q", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("orchctl %s\n", PACKAGE_VERSION);
                        return 0;
                case 'H':
                        if (isempty(optarg)) {
                                fprintf(stderr, "--host needs a host name.\n");
                                return -EINVAL;
                        }
                        arg.host = optarg;
                        break;
                case 'q':
                        arg.quiet = true;
                        break;
                case ARG_NO_PAGER:
                        arg.no_pager = true;
                        break;
                case ARG_NO_LEGEND:
                        arg.no_legend = true;
                        break;
                default:
                        /* getopt has already said what was wrong. */
                        return -EINVAL;
                }
        return 1;
}

static const Verb verbs[] = {
        { "version", 1, 1, VERB_DEFAULT, verb_version },
        {}
};

int main(int argc, char *argv[]) {
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? ORCHCTL_EXIT_USAGE : ORCHCTL_EXIT_SUCCESS;

        r = dispatch_verb(argc - optind, argv + optind, verbs, NULL);
        sd_bus_flush_close_unref(bus_connection);
        if (r == -EINVAL)
                return ORCHCTL_EXIT_USAGE;
        return r < 0 ? ORCHCTL_EXIT_FAILURE : r;
}
