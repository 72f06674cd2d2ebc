/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The instance verbs: list, add, start, stop, restart, remove, status, show. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus-common.h"
#include "log.h"
#include "macro.h"
#include "bus-util.h"
#include "orchctl.h"
#include "orchctl-polkit-agent.h"
#include "parse-util.h"
#include "table.h"

/* ---- list ---- */

typedef struct ListRow {
        const char *id, *name, *unit, *state, *sub_state, *path;
        uint32_t restarts;
} ListRow;

static int list_read_row(sd_bus_message *m, void *row) {
        ListRow *x = row;
        return sd_bus_message_read(m, "(sssssuo)", &x->id, &x->name, &x->unit, &x->state, &x->sub_state,
                                   &x->restarts, &x->path);
}

static bool list_keep_row(const void *row) {
        const ListRow *x = row;
        return !arg.states || strv_contains(arg.states, x->state);
}

static int list_row_compare(const void *a, const void *b) {
        const ListRow *x = a, *y = b;
        return strcmp(x->name, y->name);
}

static int list_fill_table(Table *t, const void *rows, size_t n) {
        const ListRow *row = rows;
        int r;

        table_set_align_right(t, 4, true);
        for (size_t i = 0; i < n; i++) {
                char restarts[16];

                (void) snprintf(restarts, sizeof restarts, "%" PRIu32, row[i].restarts);
                r = table_add_row(t, (const char * const[]) { row[i].name, row[i].state, row[i].sub_state,
                                                              row[i].unit, restarts, row[i].id });
                if (r < 0)
                        return log_oom();
        }
        return 0;
}

static const ListJsonField list_json[] = {
        { "id",        's', offsetof(ListRow, id) },
        { "name",      's', offsetof(ListRow, name) },
        { "unit",      's', offsetof(ListRow, unit) },
        { "state",     's', offsetof(ListRow, state) },
        { "sub_state", 's', offsetof(ListRow, sub_state) },
        { "restarts",  'u', offsetof(ListRow, restarts) },
        { "path",      's', offsetof(ListRow, path) },
};

static const char * const list_headers[] = { "NAME", "STATE", "SUB", "UNIT", "RESTARTS", "ID" };

static const ListVerb list_verb = {
        .method = "ListInstances",
        .noun = "instances",
        .signature = "(sssssuo)",
        .row_size = sizeof(ListRow),
        .read_row = list_read_row,
        .keep = list_keep_row,
        .compare = list_row_compare,
        .json = list_json,
        .n_json = ELEMENTSOF(list_json),
        .headers = list_headers,
        .n_headers = ELEMENTSOF(list_headers),
        .fill_table = list_fill_table,
};

int verb_list(int argc, char *argv[], void *userdata) {
        (void) argc, (void) argv, (void) userdata;

        return orchctl_list(&list_verb, arg.states ? "No instances in the states asked for." : "No instances.");
}

/* ---- add ---- */

/* The absolute path of COMMAND for the instance: as it is if it contains a '/' (made absolute
 * against the current directory), else the first executable of that name in $PATH, as
 * systemd-run does. Against a remote host, paths here mean nothing: COMMAND is passed on as it is,
 * and orchd says if it is not absolute. */
static int resolve_command(const char *command, char **ret) {
        _cleanup_free_ char *cwd = NULL;
        const char *path;
        char *p;

        if (arg.host || command[0] == '/') {
                p = strdup(command);
                if (!p)
                        return log_oom();
                *ret = p;
                return 0;
        }

        if (strchr(command, '/')) {
                while (strneq(command, "./", 2))
                        command += 2;
                cwd = getcwd(NULL, 0);
                if (!cwd) {
                        int e = errno;
                        fprintf(stderr, "Cannot make '%s' absolute: %s\n", command, strerror(e));
                        return -e;
                }
                if (asprintf(&p, "%s%s%s", cwd, streq(cwd, "/") ? "" : "/", command) < 0)
                        return log_oom();
                *ret = p;
                return 0;
        }

        path = getenv("PATH");
        if (isempty(path))
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const char *d = path; *d;) {
                size_t l = strcspn(d, ":");
                struct stat st;

                /* Only absolute entries: an empty or relative one would make the instance depend on
                 * the directory orchctl ran in. */
                if (l > 0 && d[0] == '/') {
                        if (asprintf(&p, "%.*s/%s", (int) l, d, command) < 0)
                                return log_oom();
                        if (stat(p, &st) >= 0 && S_ISREG(st.st_mode) && access(p, X_OK) >= 0) {
                                *ret = p;
                                return 0;
                        }
                        free(p);
                }
                d += l;
                if (*d == ':')
                        d++;
        }

        fprintf(stderr, "Command '%s' not found in $PATH. Give its absolute path.\n", command);
        return -ENOENT;
}

/* AddInstance's options: only those given, so that orchd's defaults apply to the rest. */
static int append_add_options(sd_bus_message *m) {
        const AddArgs *a = &arg.add;
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;

#define APPEND(cond, key, type, value)                                                   \
        if (cond) {                                                                      \
                r = sd_bus_message_append(m, "{sv}", key, type, value);                  \
                if (r < 0)                                                               \
                        return r;                                                        \
        }
        APPEND(a->description, "Description", "s", a->description);
        APPEND(a->working_directory, "WorkingDirectory", "s", a->working_directory);
        APPEND(a->user, "User", "s", a->user);
        APPEND(a->restart, "Restart", "s", a->restart);
        APPEND(a->restart_attempts_set, "RestartAttempts", "u", a->restart_attempts);
        APPEND(a->restart_window_set, "RestartWindowUSec", "t", a->restart_window_usec);
        APPEND(a->watchdog_set, "WatchdogUSec", "t", a->watchdog_usec);
        APPEND(a->memory_max_set, "MemoryMax", "t", a->memory_max);
        APPEND(a->cpu_weight_set, "CPUWeight", "t", a->cpu_weight);
        APPEND(a->start, "Start", "b", 1);
#undef APPEND

        if (a->environment) {
                r = bus_message_append_strv_entry(m, 'e', "Environment", a->environment);
                if (r < 0)
                        return r;
        }
        if (a->operators) {
                r = bus_message_append_strv_entry(m, 'e', "Operators", a->operators);
                if (r < 0)
                        return r;
        }
        if (a->requires) {
                r = bus_message_append_strv_entry(m, 'e', "Requires", a->requires);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

int verb_add(int argc, char *argv[], void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_free_ char *command = NULL, *derived_name = NULL;
        _cleanup_free_ char **command_line = NULL;
        const char *name, *id, *path;
        sd_bus *bus;
        int r;

        (void) userdata;

        if (argc < 2) {
                fprintf(stderr, "'add' needs the command to run: orchctl add [OPTIONS] -- COMMAND [ARGS...]\n");
                return -EINVAL;
        }

        r = resolve_command(argv[1], &command);
        if (r < 0)
                return r == -ENOMEM ? r : ORCHCTL_EXIT_FAILURE;

        name = arg.add.name;
        if (!name) {
                r = instance_name_from_command(command, &derived_name);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0) {
                        fprintf(stderr, "Cannot make an instance name of '%s'; give one with --name=NAME.\n", command);
                        return -EINVAL;
                }
                name = derived_name;
        }

        /* The command line with argv[0] replaced by its absolute path; the strings stay argv's. */
        command_line = calloc((size_t) argc, sizeof(char *));
        if (!command_line)
                return log_oom();
        command_line[0] = command;
        for (int i = 2; i < argc; i++)
                command_line[i - 1] = argv[i];

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;

        r = sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                           ORCHD_MANAGER_INTERFACE, "AddInstance");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, command_line);
        if (r >= 0)
                r = append_add_options(m);
        if (r < 0) {
                fprintf(stderr, "Failed to build the AddInstance call: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }

        /* With --start the reply waits for the start job, and polkit may be asking for a password
         * (running as another user, or with LD_PRELOAD, needs an administrator): through the
         * agent, on this terminal. */
        (void) polkit_agent_open_if_enabled(arg.ask_password, !arg.host);
        r = sd_bus_call(bus, m, ORCHCTL_JOB_TIMEOUT, &error, &reply);
        polkit_agent_close();
        if (r < 0)
                return orchctl_bus_errorf(&error, r, "add instance '%s'", name);
        r = sd_bus_message_read(reply, "so", &id, &path);
        if (r < 0) {
                fprintf(stderr, "Failed to parse orchd's reply to AddInstance: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }

        if (arg.json != JSON_FORMAT_OFF) {
                JsonWriter j;

                json_writer_init(&j, stdout, arg.json);
                json_begin_object(&j);
                json_key(&j, "id");
                json_string(&j, id);
                json_key(&j, "name");
                json_string(&j, name);
                json_key(&j, "path");
                json_string(&j, path);
                json_end_object(&j);
        } else if (!arg.quiet)
                printf("%s\n", id);
        return ORCHCTL_EXIT_SUCCESS;
}

/* ---- start, stop, restart, remove ---- */

int verb_instance_operation(int argc, char *argv[], void *userdata) {
        static const struct {
                const char *verb, *method;
        } table[] = {
                { "start",   "StartInstance" },
                { "stop",    "StopInstance" },
                { "restart", "RestartInstance" },
                { "remove",  "RemoveInstance" },
        };
        const char *method = NULL;
        sd_bus *bus;
        int r, ret = ORCHCTL_EXIT_SUCCESS;

        (void) userdata;

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(argv[0], table[i].verb))
                        method = table[i].method;
        if (!method)
                return -EINVAL;

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;

        /* Once for all the instances: polkit may ask for a password for any of them. */
        (void) polkit_agent_open_if_enabled(arg.ask_password, !arg.host);

        for (int i = 1; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *what = NULL;
                int k;

                /* Each call returns when the job has finished. */
                r = orchctl_call_manager(bus, method, ORCHCTL_JOB_TIMEOUT, &error, NULL, "s", argv[i]);
                if (r >= 0)
                        continue;

                if (asprintf(&what, "%s '%s'", argv[0], argv[i]) < 0)
                        return log_oom();
                k = orchctl_bus_error(&error, r, what);
                if (ret == ORCHCTL_EXIT_SUCCESS)
                        ret = k;
                if (k == ORCHCTL_EXIT_UNAVAILABLE) /* the others would fail alike */
                        break;
        }
        polkit_agent_close();
        return ret;
}

/* ---- show ---- */

/* Prints one basic value of type TYPE read from M, as text or (with J) as JSON. */
static int print_basic(sd_bus_message *m, char type, JsonWriter *j) {
        union {
                uint8_t y;
                int b;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
                const char *s;
                int h;
        } v;
        uint64_t u;
        int64_t i;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;

        switch (type) {
        case 's':
        case 'o':
        case 'g':
                if (!j)
                        return fputs_escaped(v.s, strlen(v.s), stdout);
                json_string(j, v.s);
                return 0;
        case 'b':
                if (j)
                        json_boolean(j, v.b);
                else
                        fputs(v.b ? "yes" : "no", stdout);
                return 0;
        case 'd':
                /* Not in the contract; JSON has no NaN or infinity, so null there. */
                if (j)
                        json_null(j);
                else
                        printf("%g", v.d);
                return 0;
        case 'h':
                /* A file descriptor means nothing once printed. */
                if (j)
                        json_null(j);
                return 0;
        case 'n':
        case 'i':
        case 'x':
                i = type == 'n' ? v.n : type == 'i' ? v.i : v.x;
                if (j)
                        json_integer(j, i);
                else
                        printf("%" PRIi64, i);
                return 0;
        default: /* 'y', 'q', 'u', 't' */
                u = type == 'y' ? v.y : type == 'q' ? v.q : type == 'u' ? v.u : v.t;
                if (j)
                        json_unsigned(j, u);
                else
                        printf("%" PRIu64, u);
                return 0;
        }
}

static bool type_is_basic(char c) {
        return c && strchr("ybnqiuxtdsogh", c);
}

/* M is at the variant of the property NAME: prints NAME=VALUE (VALUE alone with --value), or the
 * member NAME of the JSON object J has open. Values of other types than basic ones and arrays of
 * them are not in the contract and skipped. */
static int print_property(sd_bus_message *m, const char *name, JsonWriter *j) {
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, NULL, &contents);
        if (r < 0)
                return r;

        if (type_is_basic(contents[0]) && contents[1] == '\0')
                type = contents[0];
        else if (contents[0] == 'a' && type_is_basic(contents[1]) && contents[2] == '\0')
                type = 'a';
        else
                return sd_bus_message_skip(m, "v");

        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;

        if (j)
                json_key(j, name);
        else if (!arg.value)
                printf("%s=", name);

        if (type != 'a') {
                r = print_basic(m, type, j);
                if (r < 0)
                        return r;
        } else {
                bool first = true;

                r = sd_bus_message_enter_container(m, 'a', contents + 1);
                if (r < 0)
                        return r;
                if (j)
                        json_begin_array(j);
                for (;;) {
                        r = sd_bus_message_at_end(m, false);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                break;
                        if (!j && !first)
                                fputc(' ', stdout);
                        r = print_basic(m, contents[1], j);
                        if (r < 0)
                                return r;
                        first = false;
                }
                if (j)
                        json_end_array(j);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (!j)
                fputc('\n', stdout);
        return sd_bus_message_exit_container(m);
}

typedef struct PrintContext {
        const char *only;
        JsonWriter *json;
        bool found;
} PrintContext;

static int print_one_property(sd_bus_message *m, const char *name, void *userdata) {
        PrintContext *c = userdata;
        int r;

        if (c->only && !streq(name, c->only))
                return 0;
        c->found = true;
        r = print_property(m, name, c->json);
        return r < 0 ? r : 1;
}

int print_properties(sd_bus_message *m, const char *only, JsonWriter *j, bool *ret_found) {
        PrintContext c = { .only = only, .json = j };
        int r;

        r = sd_bus_message_rewind(m, true);
        if (r < 0)
                return r;
        r = bus_message_for_each_property(m, print_one_property, &c);
        if (r < 0)
                return r;
        if (ret_found)
                *ret_found = c.found;
        return 0;
}

int verb_show(int argc, char *argv[], void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        const char *interface;
        JsonWriter json, *j = NULL;
        sd_bus *bus;
        int r, ret = ORCHCTL_EXIT_SUCCESS;

        (void) userdata;

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;

        if (argc > 1) {
                r = orchctl_get_instance_path(bus, argv[1], &error, &path);
                if (r < 0)
                        return orchctl_bus_error(&error, r, "look up the instance");
                interface = ORCHD_INSTANCE_INTERFACE;
        } else {
                path = strdup(ORCHD_MANAGER_PATH);
                if (!path)
                        return log_oom();
                interface = ORCHD_MANAGER_INTERFACE;
        }
        r = orchctl_get_all_properties(bus, path, interface, &error, &reply);
        if (r < 0)
                return orchctl_bus_error(&error, r, "read the properties");

        if (arg.json != JSON_FORMAT_OFF) {
                json_writer_init(&json, stdout, arg.json);
                j = &json;
                json_begin_object(j);
        }

        if (!arg.properties)
                r = print_properties(reply, NULL, j, NULL);
        else
                /* In the order asked for, which is what scripts reading --value want. */
                STRV_FOREACH(p, arg.properties) {
                        bool found;

                        r = print_properties(reply, *p, j, &found);
                        if (r < 0)
                                break;
                        if (!found) {
                                fflush(stdout);
                                fprintf(stderr, "No property '%s'. 'orchctl show%s%s' lists them.\n", *p,
                                        argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
                                ret = ORCHCTL_EXIT_FAILURE;
                        }
                }
        if (r < 0) {
                fprintf(stderr, "Failed to parse the properties: %s\n", strerror(-r));
                return ORCHCTL_EXIT_FAILURE;
        }

        if (j)
                json_end_object(j);
        return ret;
}

/* ---- status ---- */

static void print_field(const char *label) {
        printf("%11s: ", label);
}

static void print_field_strv(const char *label, char **l) {
        if (!l || !l[0])
                return;
        print_field(label);
        STRV_FOREACH(s, l) {
                if (s != l)
                        fputc(' ', stdout);
                (void) fputs_escaped(*s, strlen(*s), stdout);
        }
        fputc('\n', stdout);
}

static void print_timestamp_since(uint64_t usec) {
        char when[FORMAT_TIMESTAMP_RELATIVE_MAX];

        printf(" since %s", format_timestamp_relative(when, sizeof when, usec));
}

static void print_last_result(const InstanceInfo *info) {
        const char *sig;

        if (isempty(info->last_result))
                return;
        print_field("Last result");
        fputs(info->last_result, stdout);
        if ((streq(info->last_result, "signal") || streq(info->last_result, "core-dump")) &&
            info->last_exit_code > 0 && (sig = sigabbrev_np(info->last_exit_code)))
                printf(" (SIG%s)", sig);
        else if (!streq(info->last_result, "success") || info->last_exit_code != 0)
                printf(" (status %" PRIi32 ")", info->last_exit_code);
        fputc('\n', stdout);
}

/* The restart budget and the pending restart; an older orchd has neither (nothing is shown). */
static void print_restart_budget(const InstanceInfo *info) {
        char span[FORMAT_TIMESPAN_MAX];

        if (info->have_budget_failures && info->have_restart_attempts && !streq(info->restart, "no")) {
                print_field("Budget");
                printf("%" PRIu32 " of %" PRIu32 " failure%s", info->budget_failures, info->restart_attempts,
                       info->restart_attempts == 1 ? "" : "s");
                if (info->have_restart_window)
                        printf(" within %s", format_timespan(span, sizeof span, info->restart_window_usec));
                fputc('\n', stdout);
        }
        if (info->have_restart_at && info->restart_at_usec > 0) {
                uint64_t now = orchctl_now_usec(), d;

                print_field("Restarting");
                if (info->restart_at_usec <= now)
                        fputs("now\n", stdout);
                else if ((d = info->restart_at_usec - now) < 60 * USEC_PER_SEC) {
                        /* "in 1.2 s": tenths, never "0.0" while it waits. */
                        uint64_t tenths = MAX((d + 50000) / 100000, (uint64_t) 1);

                        printf("in %" PRIu64 ".%" PRIu64 " s\n", tenths / 10, tenths % 10);
                } else
                        printf("in %s\n", format_timespan(span, sizeof span, d / USEC_PER_SEC * USEC_PER_SEC));
        }
}

static void status_print_text(sd_bus *bus, const InstanceInfo *info) {
        const char *color = streq(info->state, "running") ? ansi_highlight_green() :
                            streq(info->state, "failed") ? ansi_highlight_red() : "";
        _cleanup_free_ char *command = NULL;

        printf("%s%s%s ", color, glyph_bullet(), *color ? ansi_normal() : "");
        (void) fputs_escaped(info->name, strlen(info->name), stdout);
        if (!isempty(info->description)) {
                fputs(" - ", stdout);
                (void) fputs_escaped(info->description, strlen(info->description), stdout);
        }
        fputc('\n', stdout);

        print_field("Id");
        printf("%s\n", info->id);
        print_field("Unit");
        printf("%s\n", info->unit);
        print_field("State");
        printf("%s%s%s (%s)", color, info->state, *color ? ansi_normal() : "", info->sub_state);
        if (info->started_usec > 0 && (streq(info->state, "running") || streq(info->state, "stopping")))
                print_timestamp_since(info->started_usec);
        fputc('\n', stdout);
        if (info->main_pid > 0) {
                print_field("PID");
                printf("%" PRIu32 "\n", info->main_pid);
        }
        print_field("Restarts");
        printf("%" PRIu32, info->restart_count);
        if (!isempty(info->restart))
                printf(" (restart: %s)", info->restart);
        fputc('\n', stdout);
        print_restart_budget(info);
        print_last_result(info);

        command = quote_command_line(info->exec_start);
        if (command && !isempty(command)) {
                print_field("Command");
                (void) fputs_escaped(command, strlen(command), stdout);
                fputc('\n', stdout);
        }
        if (!isempty(info->user)) {
                print_field("User");
                (void) fputs_escaped(info->user, strlen(info->user), stdout);
                fputc('\n', stdout);
        }
        print_field_strv("Requires", info->requires);
        print_field_strv("Operators", info->operators);
        if (info->have_alert)
                print_instance_alert(bus, info);
}

int verb_status(int argc, char *argv[], void *userdata) {
        _cleanup_(instance_info_done) InstanceInfo info = {};
        uint64_t lines = arg.lines_set ? arg.lines : 10;
        sd_bus *bus;
        int r;

        (void) argc, (void) userdata;

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;
        r = instance_info_read(bus, argv[1], &info);
        if (r != 0)
                return r;

        if (arg.json != JSON_FORMAT_OFF) {
                JsonWriter j;

                json_writer_init(&j, stdout, arg.json);
                json_begin_object(&j);
                r = print_properties(info.reply, NULL, &j, NULL);
                if (r < 0) {
                        fprintf(stderr, "Failed to parse the properties: %s\n", strerror(-r));
                        return ORCHCTL_EXIT_FAILURE;
                }
                if (lines > 0 && !arg.host) {
                        json_key(&j, "Log");
                        json_begin_array(&j);
                        (void) show_journal(info.unit, info.invocation_id, lines, false, &j);
                        json_end_array(&j);
                }
                json_end_object(&j);
        } else {
                status_print_text(bus, &info);
                if (lines > 0) {
                        fputc('\n', stdout);
                        if (arg.host)
                                printf("(The log is not shown for a remote host; there, run "
                                       "'journalctl -u %s'.)\n", info.unit);
                        else
                                (void) show_journal(info.unit, info.invocation_id, lines, false, NULL);
                }
        }

        /* LSB: 0 if the program is running, 3 if not. */
        return streq(info.state, "running") ? ORCHCTL_EXIT_SUCCESS : ORCHCTL_EXIT_NOT_RUNNING;
}
