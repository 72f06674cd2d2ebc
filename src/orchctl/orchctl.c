/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "bus-common.h"
#include "instance-state.h"
#include "log.h"
#include "macro.h"
#include "orchctl.h"
#include "orchctl-polkit-agent.h"
#include "parse-util.h"
#include "validate.h"
#include "verbs.h"
#include "webhook-url.h"

OrchctlArgs arg = {
        .ask_password = true,
        .json = JSON_FORMAT_OFF,
};

static sd_bus *bus_connection = NULL;

int orchctl_bus(sd_bus **ret) {
        int r;

        if (!bus_connection) {
                if (arg.host)
                        r = sd_bus_open_system_remote(&bus_connection, arg.host);
                else
                        r = sd_bus_open_system(&bus_connection);
                if (r < 0) {
                        fprintf(stderr, "Cannot connect to the system bus%s%s: %s.%s\n",
                                arg.host ? " of " : "", strempty(arg.host), strerror(-r),
                                arg.host ? "" : " Is dbus running? orchd cannot be reached without it.");
                        return -ORCHCTL_EXIT_UNAVAILABLE;
                }
                /* Let polkit ask for a password only when someone can answer (systemctl does the
                 * same); mutating calls then wait for as long as that takes. */
                (void) sd_bus_set_allow_interactive_authorization(bus_connection,
                                                                  arg.ask_password && isatty(STDIN_FILENO));
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

/* The connection itself failed (for -H: ssh could not connect, or there is no bus there), as
 * opposed to an error that orchd or the bus sent back, whatever errno it may name. */
static bool connection_failed(void) {
        return bus_connection && sd_bus_is_open(bus_connection) <= 0;
}

int orchctl_bus_error(const sd_bus_error *error, int r, const char *what) {
        if (error_means_not_running(error)) {
                fprintf(stderr, "orchd is not running%s%s (%s). Start it with 'systemctl start orchd'.\n",
                        arg.host ? " on " : "", strempty(arg.host), error->message);
                return ORCHCTL_EXIT_UNAVAILABLE;
        }
        if (connection_failed()) {
                fprintf(stderr, "Cannot reach the system bus%s%s (%s).\n", arg.host ? " of " : "",
                        strempty(arg.host), sd_bus_error_is_set(error) ? error->message : strerror(-r));
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
               "  list                    List instances (the default command)\n"
               "  add [OPTIONS] [--] COMMAND [ARGS...]\n"
               "                          Register a new instance running COMMAND; print its id\n"
               "  start NAME|ID...        Start instances\n"
               "  stop NAME|ID...         Stop instances\n"
               "  restart NAME|ID...      Restart instances (start them if they do not run)\n"
               "  remove NAME|ID...       Stop instances and forget them\n"
               "  status NAME|ID          Show the state of an instance and its latest log\n"
               "  show [NAME|ID]          Show the properties of an instance (or of orchd)\n"
               "  logs NAME|ID            Show the log of an instance\n"
               "  alerts                  List the alerts that are not resolved\n"
               "  alert ID|INSTANCE       Show an alert and the log of the failure\n"
               "  ack ID|INSTANCE [NOTE]  Acknowledge an alert: you take care of it\n"
               "  escalate ID|INSTANCE [NOTE]\n"
               "                          Hand an alert to the superiors now\n"
               "  resolve ID|INSTANCE [NOTE]\n"
               "                          Resolve an alert\n"
               "  contacts                List the contacts alerts go to\n"
               "  contact set NAME [OPTIONS]\n"
               "                          Create or change a contact\n"
               "  contact remove NAME     Remove a contact\n"
               "  reload                  Make orchd read its configuration again\n"
               "  version                 Show the versions of orchctl and orchd\n\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "     --version            Show orchctl's version\n"
               "  -H --host=[USER@]HOST   Operate on a remote host (over ssh)\n"
               "  -q --quiet              Print less (add prints no id)\n"
               "     --json=pretty|short|off\n"
               "                          Print the output of list, show, status, add, logs,\n"
               "                          alerts, alert and contacts as JSON\n"
               "     --no-legend          Do not print column headers, footers and hints\n"
               "     --no-pager           Accepted for compatibility; orchctl never pages\n"
               "     --no-ask-password    Do not ask for a password on the terminal (through\n"
               "                          polkit's pkttyagent) to authorize an operation\n\n"
               "Options of list:\n"
               "     --state=STATE[,...]  Show only instances in these states (--state=help)\n\n"
               "Options of show:\n"
               "  -p --property=NAME[,...]\n"
               "                          Show only these properties\n"
               "     --value              Print only the values, without NAME=\n\n"
               "Options of status and logs:\n"
               "  -n --lines=N|all        Number of log lines (status: 10, logs: 50)\n"
               "Options of logs:\n"
               "  -f --follow             Keep printing new log lines\n"
               "     --this-run           Only the log of the current (or last) run\n\n"
               "Options of alerts:\n"
               "  -a --all                Also the resolved alerts\n\n"
               "Options of contact set:\n"
               "     --role=operator|superior\n"
               "                          Alerted first, or after an escalation (--role=help)\n"
               "     --user=USER          The contact's user, for desktop notifications\n"
               "     --exec=COMMAND       Command line run for each notification (absolute)\n"
               "     --webhook=URL        http:// or https:// URL posted to for each notification\n\n"
               "Options of add (before the command):\n"
               "     --name=NAME          Name of the instance (default: from the command)\n"
               "     --description=TEXT   Description\n"
               "  -E --setenv=KEY=VALUE   Set an environment variable (KEY alone: from here)\n"
               "     --working-directory=PATH\n"
               "                          Working directory (absolute)\n"
               "     --user=USER          Run as this user\n"
               "     --restart=no|on-failure|always\n"
               "                          When to restart (--restart=help)\n"
               "     --restart-attempts=N Failures allowed within the restart window\n"
               "     --restart-window=SECONDS\n"
               "                          The restart window (units: us, ms, s, min, h, d)\n"
               "     --operator=NAME      Operator to alert when it gives up (repeatable)\n"
               "     --requires=NAME      Instance that must run first (repeatable)\n"
               "     --watchdog=SECONDS   Watchdog timeout (0: none)\n"
               "     --memory-max=BYTES   Memory limit (K, M, G, T: base 1024; infinity)\n"
               "     --cpu-weight=N       CPU weight (1..10000)\n"
               "     --start              Start the instance at once\n\n"
               "See orchctl(1) for details and exit codes.\n");
}

/* The verbs that accept an option, for options that are not global. */
enum {
        V_LIST = 1 << 0,
        V_ADD = 1 << 1,
        V_SHOW = 1 << 2,
        V_STATUS = 1 << 3,
        V_LOGS = 1 << 4,
        V_ALERTS = 1 << 5,
        V_CONTACT = 1 << 6,
};

enum {
        ARG_VERSION = 0x100,
        ARG_NO_PAGER,
        ARG_NO_LEGEND,
        ARG_JSON,
        ARG_NO_ASK_PASSWORD,
        ARG_STATE,
        ARG_VALUE,
        ARG_THIS_RUN,
        ARG_NAME,
        ARG_DESCRIPTION,
        ARG_WORKING_DIRECTORY,
        ARG_USER,
        ARG_RESTART,
        ARG_RESTART_ATTEMPTS,
        ARG_RESTART_WINDOW,
        ARG_OPERATOR,
        ARG_REQUIRES,
        ARG_WATCHDOG,
        ARG_MEMORY_MAX,
        ARG_CPU_WEIGHT,
        ARG_START,
        ARG_ROLE,
        ARG_EXEC,
        ARG_WEBHOOK,
};

static const struct {
        int option;
        const char *name;
        unsigned verbs;
} verb_options[] = {
        { ARG_STATE, "--state", V_LIST },
        { 'p', "--property", V_SHOW },
        { ARG_VALUE, "--value", V_SHOW },
        { 'n', "--lines", V_STATUS | V_LOGS },
        { 'f', "--follow", V_LOGS },
        { ARG_THIS_RUN, "--this-run", V_LOGS },
        { ARG_NAME, "--name", V_ADD },
        { ARG_DESCRIPTION, "--description", V_ADD },
        { 'E', "--setenv", V_ADD },
        { ARG_WORKING_DIRECTORY, "--working-directory", V_ADD },
        { ARG_USER, "--user", V_ADD | V_CONTACT },
        { ARG_RESTART, "--restart", V_ADD },
        { ARG_RESTART_ATTEMPTS, "--restart-attempts", V_ADD },
        { ARG_RESTART_WINDOW, "--restart-window", V_ADD },
        { ARG_OPERATOR, "--operator", V_ADD },
        { ARG_REQUIRES, "--requires", V_ADD },
        { ARG_WATCHDOG, "--watchdog", V_ADD },
        { ARG_MEMORY_MAX, "--memory-max", V_ADD },
        { ARG_CPU_WEIGHT, "--cpu-weight", V_ADD },
        { ARG_START, "--start", V_ADD },
        { 'a', "--all", V_ALERTS },
        { ARG_ROLE, "--role", V_CONTACT },
        { ARG_EXEC, "--exec", V_CONTACT },
        { ARG_WEBHOOK, "--webhook", V_CONTACT },
};

/* Bit i: verb_options[i] was given. */
static uint32_t verb_options_seen = 0;
_Static_assert(ELEMENTSOF(verb_options) <= 32, "verb_options_seen has too few bits");

static const struct option options[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, ARG_VERSION },
        { "host", required_argument, NULL, 'H' },
        { "quiet", no_argument, NULL, 'q' },
        { "no-pager", no_argument, NULL, ARG_NO_PAGER },
        { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
        { "json", required_argument, NULL, ARG_JSON },
        { "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
        { "state", required_argument, NULL, ARG_STATE },
        { "property", required_argument, NULL, 'p' },
        { "value", no_argument, NULL, ARG_VALUE },
        { "lines", required_argument, NULL, 'n' },
        { "follow", no_argument, NULL, 'f' },
        { "this-run", no_argument, NULL, ARG_THIS_RUN },
        { "name", required_argument, NULL, ARG_NAME },
        { "description", required_argument, NULL, ARG_DESCRIPTION },
        { "setenv", required_argument, NULL, 'E' },
        { "working-directory", required_argument, NULL, ARG_WORKING_DIRECTORY },
        { "user", required_argument, NULL, ARG_USER },
        { "restart", required_argument, NULL, ARG_RESTART },
        { "restart-attempts", required_argument, NULL, ARG_RESTART_ATTEMPTS },
        { "restart-window", required_argument, NULL, ARG_RESTART_WINDOW },
        { "operator", required_argument, NULL, ARG_OPERATOR },
        { "requires", required_argument, NULL, ARG_REQUIRES },
        { "watchdog", required_argument, NULL, ARG_WATCHDOG },
        { "memory-max", required_argument, NULL, ARG_MEMORY_MAX },
        { "cpu-weight", required_argument, NULL, ARG_CPU_WEIGHT },
        { "start", no_argument, NULL, ARG_START },
        { "all", no_argument, NULL, 'a' },
        { "role", required_argument, NULL, ARG_ROLE },
        { "exec", required_argument, NULL, ARG_EXEC },
        { "webhook", required_argument, NULL, ARG_WEBHOOK },
        {}
};

#define SHORT_OPTIONS "hH:qp:n:fE:a"

static int log_bad_value(const char *option, const char *value, int r, const char *expected) {
        fprintf(stderr, "Invalid value for %s: '%s' (%s). Expected %s.\n", option, value,
                r == -ERANGE ? "out of range" : "malformed", expected);
        return -EINVAL;
}

static int parse_setenv(const char *s) {
        const char *eq = strchr(s, '=');
        _cleanup_free_ char *assignment = NULL;
        const char *v;

        if (eq == s || isempty(s)) {
                fprintf(stderr, "Invalid value for --setenv: '%s'. Expected KEY=VALUE or KEY.\n", s);
                return -EINVAL;
        }
        if (eq)
                return strv_extend(&arg.add.environment, s) < 0 ? log_oom() : 0;

        /* KEY alone passes on this environment's value, as systemd-run --setenv=KEY does. */
        v = getenv(s);
        if (!v) {
                fprintf(stderr, "--setenv=%s: %s is not set in this environment; use --setenv=%s=VALUE.\n",
                        s, s, s);
                return -EINVAL;
        }
        if (asprintf(&assignment, "%s=%s", s, v) < 0)
                return log_oom();
        return strv_extend(&arg.add.environment, assignment) < 0 ? log_oom() : 0;
}

/* Handles one option of either pass. Returns 1 to go on, 0 to exit successfully (help was
 * shown), or -EINVAL after saying what is wrong. */
static int parse_option(int c) {
        uint64_t u;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(verb_options); i++)
                if (verb_options[i].option == c)
                        verb_options_seen |= UINT32_C(1) << i;

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
        case ARG_NO_ASK_PASSWORD:
                arg.ask_password = false;
                break;
        case ARG_JSON:
                if (streq(optarg, "help")) {
                        for (JsonFormat f = 0; f < _JSON_FORMAT_MAX; f++)
                                puts(json_format_to_string(f));
                        return 0;
                }
                arg.json = json_format_from_string(optarg);
                if (arg.json < 0) {
                        fprintf(stderr, "Invalid value for --json: '%s'. Expected pretty, short or off "
                                "(--json=help).\n", optarg);
                        return -EINVAL;
                }
                break;
        case ARG_STATE: {
                _cleanup_strv_free_ char **l = NULL;

                if (streq(optarg, "help")) {
                        for (InstanceState s = 0; s < _INSTANCE_STATE_MAX; s++)
                                puts(instance_state_to_string(s));
                        return 0;
                }
                if (strv_extend_split_commas(&l, optarg) < 0)
                        return log_oom();
                if (!l) {
                        fprintf(stderr, "--state needs a state (--state=help lists them).\n");
                        return -EINVAL;
                }
                STRV_FOREACH(s, l) {
                        if (instance_state_from_string(*s) < 0) {
                                fprintf(stderr, "Unknown state '%s' for --state (--state=help lists them).\n", *s);
                                return -EINVAL;
                        }
                        if (strv_extend(&arg.states, *s) < 0)
                                return log_oom();
                }
                break;
        }
        case 'p':
                if (strv_extend_split_commas(&arg.properties, optarg) < 0)
                        return log_oom();
                break;
        case ARG_VALUE:
                arg.value = true;
                break;
        case 'n':
                r = parse_lines(optarg, &arg.lines);
                if (r < 0)
                        return log_bad_value("--lines", optarg, r, "a number of lines or 'all'");
                arg.lines_set = true;
                break;
        case 'f':
                arg.follow = true;
                break;
        case ARG_THIS_RUN:
                arg.this_run = true;
                break;
        case ARG_NAME:
                /* The daemon checks names (and says what is wrong); empty would mean "derive". */
                if (isempty(optarg)) {
                        fprintf(stderr, "--name needs a name.\n");
                        return -EINVAL;
                }
                arg.add.name = optarg;
                break;
        case ARG_DESCRIPTION:
                arg.add.description = optarg;
                break;
        case 'E':
                r = parse_setenv(optarg);
                if (r < 0)
                        return r;
                break;
        case ARG_WORKING_DIRECTORY:
                if (optarg[0] != '/') {
                        fprintf(stderr, "Invalid value for --working-directory: '%s'. Expected an absolute path.\n",
                                optarg);
                        return -EINVAL;
                }
                arg.add.working_directory = optarg;
                break;
        case ARG_USER:
                if (isempty(optarg)) {
                        fprintf(stderr, "--user needs a user name or uid.\n");
                        return -EINVAL;
                }
                /* An option of add and of contact set ('contact set' checks it further). */
                arg.add.user = arg.contact.user = optarg;
                break;
        case ARG_RESTART:
                if (streq(optarg, "help")) {
                        for (RestartPolicy p = 0; p < _RESTART_POLICY_MAX; p++)
                                puts(restart_policy_to_string(p));
                        return 0;
                }
                if (restart_policy_from_string(optarg) < 0) {
                        fprintf(stderr, "Invalid value for --restart: '%s'. Expected no, on-failure or always "
                                "(--restart=help).\n", optarg);
                        return -EINVAL;
                }
                arg.add.restart = optarg;
                break;
        case ARG_RESTART_ATTEMPTS:
                r = parse_u32(optarg, &arg.add.restart_attempts);
                if (r < 0)
                        return log_bad_value("--restart-attempts", optarg, r, "a number of failures");
                arg.add.restart_attempts_set = true;
                break;
        case ARG_RESTART_WINDOW:
                r = parse_sec(optarg, &arg.add.restart_window_usec);
                if (r < 0)
                        return log_bad_value("--restart-window", optarg, r,
                                             "seconds, e.g. 60, 2.5 or 5min");
                arg.add.restart_window_set = true;
                break;
        case ARG_OPERATOR:
        case ARG_REQUIRES:
                if (isempty(optarg)) {
                        fprintf(stderr, "%s needs a name.\n", c == ARG_OPERATOR ? "--operator" : "--requires");
                        return -EINVAL;
                }
                if (strv_extend(c == ARG_OPERATOR ? &arg.add.operators : &arg.add.requires, optarg) < 0)
                        return log_oom();
                break;
        case ARG_WATCHDOG:
                r = parse_sec(optarg, &arg.add.watchdog_usec);
                if (r < 0)
                        return log_bad_value("--watchdog", optarg, r, "seconds, e.g. 10 or 500ms (0: none)");
                arg.add.watchdog_set = true;
                break;
        case ARG_MEMORY_MAX:
                r = parse_size_iec(optarg, &arg.add.memory_max);
                if (r < 0)
                        return log_bad_value("--memory-max", optarg, r,
                                             "bytes, with an optional K, M, G or T (base 1024), or 'infinity'");
                arg.add.memory_max_set = true;
                break;
        case ARG_CPU_WEIGHT:
                r = parse_u64(optarg, &u);
                if (r < 0 || u < 1 || u > 10000)
                        return log_bad_value("--cpu-weight", optarg, r < 0 ? r : -ERANGE, "a number in 1..10000");
                arg.add.cpu_weight = u;
                arg.add.cpu_weight_set = true;
                break;
        case ARG_START:
                arg.add.start = true;
                break;
        case 'a':
                arg.all = true;
                break;
        case ARG_ROLE:
                if (streq(optarg, "help")) {
                        puts("operator");
                        puts("superior");
                        return 0;
                }
                if (!streq(optarg, "operator") && !streq(optarg, "superior")) {
                        fprintf(stderr, "Invalid value for --role: '%s'. Expected operator or superior "
                                "(--role=help).\n", optarg);
                        return -EINVAL;
                }
                arg.contact.role = optarg;
                break;
        case ARG_EXEC:
                /* Command lines and URLs may hold secrets: not repeated in messages. */
                if (optarg[0] != '/' || !utf8_is_valid(optarg)) {
                        fprintf(stderr, "Invalid value for --exec. Expected a command line starting with an "
                                "absolute path.\n");
                        return -EINVAL;
                }
                arg.contact.exec = optarg;
                break;
        case ARG_WEBHOOK:
                if (!webhook_url_is_valid(optarg)) {
                        fprintf(stderr, "Invalid value for --webhook. Expected an http:// or https:// URL with a "
                                "host, without blanks, of at most 2048 characters.\n");
                        return -EINVAL;
                }
                arg.contact.webhook = optarg;
                break;
        default:
                /* getopt has already said what was wrong. */
                return -EINVAL;
        }
        return 1;
}

/* The first pass: options before the verb. '+' stops at the first non-option, the verb. */
static int parse_argv(int argc, char *argv[]) {
        int c, r;

        while ((c = getopt_long(argc, argv, "+" SHORT_OPTIONS, options, NULL)) >= 0) {
                r = parse_option(c);
                if (r <= 0)
                        return r;
        }
        return 1;
}

/* The second pass: options after the verb (ARGV[0]), anywhere among its arguments ("show NAME
 * -p State"), except for add, where the first non-option or "--" ends them: what follows is the
 * command line of the instance, with its own options. Leaves the verb's own arguments, verb
 * first, in *RET_ARGV (NULL-terminated, to be freed, pointing into ARGV) and *RET_ARGC. */
static int parse_verb_argv(const char *program, int argc, char *argv[], bool stop_at_non_option,
                           int *ret_argc, char ***ret_argv) {
        char *verb = argv[0], **l;
        int c, r = 1, n = 0;

        /* getopt names argv[0] in its messages: that should be orchctl, not the verb. */
        argv[0] = (char *) program;
        optind = 0; /* re-initializes getopt, including its '+' mode */
        while ((c = getopt_long(argc, argv, stop_at_non_option ? "+" SHORT_OPTIONS : SHORT_OPTIONS,
                                options, NULL)) >= 0) {
                r = parse_option(c);
                if (r <= 0)
                        break;
        }
        argv[0] = verb;
        if (r <= 0)
                return r;

        /* getopt has moved the non-options behind the options, starting at optind. */
        l = calloc((size_t) (argc - optind) + 2, sizeof(char *));
        if (!l)
                return log_oom();
        l[n++] = argv[0];
        for (int i = optind; i < argc; i++)
                l[n++] = argv[i];
        l[n] = NULL;

        *ret_argc = n;
        *ret_argv = l;
        return 1;
}

static unsigned verb_mask(const char *verb) {
        static const struct {
                const char *name;
                unsigned mask;
        } table[] = {
                { "list", V_LIST },
                { "add", V_ADD },
                { "show", V_SHOW },
                { "status", V_STATUS },
                { "logs", V_LOGS },
                { "alerts", V_ALERTS },
                { "contact", V_CONTACT },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(verb, table[i].name))
                        return table[i].mask;
        return 0;
}

/* "'status' and 'logs'": the verbs of MASK, for messages. */
static void print_verbs_of_mask(unsigned mask, FILE *f) {
        static const struct {
                unsigned mask;
                const char *name;
        } table[] = {
                { V_LIST, "list" },
                { V_ADD, "add" },
                { V_SHOW, "show" },
                { V_STATUS, "status" },
                { V_LOGS, "logs" },
                { V_ALERTS, "alerts" },
                { V_CONTACT, "contact set" },
        };
        size_t n = 0, total = 0;

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (mask & table[i].mask)
                        total++;
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                if (!(mask & table[i].mask))
                        continue;
                if (n > 0)
                        fputs(n + 1 == total ? " and " : ", ", f);
                fprintf(f, "'%s'", table[i].name);
                n++;
        }
}

/* Options that belong to other verbs are mistakes worth pointing out, not to be ignored. */
static int check_verb_options(const char *verb) {
        unsigned mask = verb_mask(verb);

        for (size_t i = 0; i < ELEMENTSOF(verb_options); i++) {
                if (!(verb_options_seen & (UINT32_C(1) << i)) || (verb_options[i].verbs & mask))
                        continue;
                fprintf(stderr, "Option %s does not apply to '%s'; it is an option of ", verb_options[i].name, verb);
                print_verbs_of_mask(verb_options[i].verbs, stderr);
                fputs(". See --help.\n", stderr);
                return -EINVAL;
        }
        if (arg.value && arg.json != JSON_FORMAT_OFF) {
                fprintf(stderr, "--value and --json cannot be combined.\n");
                return -EINVAL;
        }
        return 0;
}

static const Verb verbs[] = {
        { "list",     1, 1,        VERB_DEFAULT, verb_list },
        { "add",      1, VERB_ANY, 0,            verb_add },
        { "start",    2, VERB_ANY, 0,            verb_instance_operation },
        { "stop",     2, VERB_ANY, 0,            verb_instance_operation },
        { "restart",  2, VERB_ANY, 0,            verb_instance_operation },
        { "remove",   2, VERB_ANY, 0,            verb_instance_operation },
        { "status",   2, 2,        0,            verb_status },
        { "show",     1, 2,        0,            verb_show },
        { "logs",     2, 2,        0,            verb_logs },
        { "alerts",   1, 1,        0,            verb_alerts },
        { "alert",    2, 2,        0,            verb_alert },
        { "ack",      2, 3,        0,            verb_alert_operation },
        { "escalate", 2, 3,        0,            verb_alert_operation },
        { "resolve",  2, 3,        0,            verb_alert_operation },
        { "contacts", 1, 1,        0,            verb_contacts },
        { "contact",  1, 3,        0,            verb_contact },
        { "reload",   1, 1,        0,            verb_reload },
        { "version",  1, 1,        0,            verb_version },
        {}
};

static void args_done(void) {
        strv_free(arg.states);
        strv_free(arg.properties);
        strv_free(arg.add.environment);
        strv_free(arg.add.operators);
        strv_free(arg.add.requires);
}

/* A bad command line is -EINVAL; anything else (out of memory) a plain failure. */
static int exit_status_of_parse(int r) {
        return r == 0 ? ORCHCTL_EXIT_SUCCESS : r == -EINVAL ? ORCHCTL_EXIT_USAGE : ORCHCTL_EXIT_FAILURE;
}

static int run(int argc, char *argv[]) {
        _cleanup_free_ char **verb_argv = NULL;
        const Verb *v;
        int verb_argc = 0, r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return exit_status_of_parse(r);

        v = verbs_find(verbs, optind < argc ? argv[optind] : NULL);
        if (v && optind < argc) {
                r = parse_verb_argv(argv[0], argc - optind, argv + optind, streq(v->name, "add"),
                                    &verb_argc, &verb_argv);
                if (r <= 0)
                        return exit_status_of_parse(r);
        }
        if (v && check_verb_options(v->name) < 0)
                return ORCHCTL_EXIT_USAGE;

        /* An unknown verb is reported by dispatch_verb(). */
        if (verb_argv)
                r = dispatch_verb(verb_argc, verb_argv, verbs, NULL);
        else
                r = dispatch_verb(argc - optind, argv + optind, verbs, NULL);
        if (r == -EINVAL)
                return ORCHCTL_EXIT_USAGE;
        if (r < 0)
                return ORCHCTL_EXIT_FAILURE;

        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "Failed to write the output: %s\n", strerror(errno));
                return r == 0 ? ORCHCTL_EXIT_FAILURE : r;
        }
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        /* For the time stamps and for knowing whether the terminal takes UTF-8. */
        (void) setlocale(LC_ALL, "");

        r = run(argc, argv);
        polkit_agent_close(); /* if a verb left early */
        sd_bus_flush_close_unref(bus_connection);
        args_done();
        return r;
}
