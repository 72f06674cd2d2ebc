/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "conf.h"
#include "manager.h"

static const char *arg_state_directory = ORCHD_STATE_DIR;
static const char *arg_config_directory = ORCHD_CONF_DIR;
static bool arg_verify_config = false;

static void help(void) {
        printf("Usage: orchd [OPTIONS]\n\n"
               "The orchd process supervisor daemon. It is started by systemd as orchd.service.\n\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --log-level=LEVEL   emerg, alert, crit, err, warning, notice, info or debug\n"
               "     --state-directory=DIR  Where instances are kept (default: %s,\n"
               "                         or $STATE_DIRECTORY as set by systemd)\n"
               "     --config-directory=DIR  Where orchd.conf and orchd.conf.d are (default: %s)\n"
               "     --verify-config     Check the configuration, print every problem, and exit\n"
               "                         non-zero if there is one\n", ORCHD_STATE_DIR, ORCHD_CONF_DIR);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_LOG_LEVEL, ARG_STATE_DIRECTORY, ARG_CONFIG_DIRECTORY, ARG_VERIFY_CONFIG };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "state-directory", required_argument, NULL, ARG_STATE_DIRECTORY },
                { "config-directory", required_argument, NULL, ARG_CONFIG_DIRECTORY },
                { "verify-config", no_argument, NULL, ARG_VERIFY_CONFIG },
                {}
        };
        int c, l;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("orchd %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_LOG_LEVEL:
                        l = log_level_from_string(optarg);
                        if (l < 0)
                                return log_error_errno(l, "Invalid log level '%s'.", optarg);
                        log_set_max_level(l);
                        break;
                case ARG_STATE_DIRECTORY:
                        if (optarg[0] != '/')
                                return log_error_errno(EINVAL, "--state-directory= needs an absolute path.");
                        arg_state_directory = optarg;
                        break;
                case ARG_CONFIG_DIRECTORY:
                        arg_config_directory = optarg;
                        break;
                case ARG_VERIFY_CONFIG:
                        arg_verify_config = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }

        if (optind < argc)
                return log_error_errno(EINVAL, "orchd takes no positional arguments.");
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        log_setup("orchd");

        /* StateDirectory=orchd in the unit: systemd creates it and tells us where. */
        const char *e = getenv("STATE_DIRECTORY");
        if (e && e[0] == '/' && !strchr(e, ':'))
                arg_state_directory = e;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (arg_verify_config) {
                Config c;
                char **errors = NULL;

                config_init(&c);
                r = config_load(&c, arg_config_directory, &errors);
                STRV_FOREACH(problem, errors)
                        fprintf(stderr, "%s\n", *problem);
                strv_free(errors);
                config_done(&c);
                if (r < 0) {
                        log_error_errno(r, "Failed to read the configuration: %m");
                        return EXIT_FAILURE;
                }
                if (r == 0)
                        printf("Configuration in %s is valid.\n", arg_config_directory);
                return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        }

        r = manager_new(arg_state_directory, arg_config_directory, &m);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the manager: %m");
                return EXIT_FAILURE;
        }

        r = manager_start(m);
        if (r < 0)
                return EXIT_FAILURE;

        r = manager_run(m);
        return r < 0 ? EXIT_FAILURE : r;
}
