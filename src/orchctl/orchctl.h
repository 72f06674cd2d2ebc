/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "json-writer.h"
#include "table.h"

/* Exit codes scripts can rely on (documented in orchctl(1)). */
enum {
        ORCHCTL_EXIT_SUCCESS = 0,
        ORCHCTL_EXIT_FAILURE = 1,     /* the operation failed; the message says why */
        ORCHCTL_EXIT_USAGE = 2,       /* bad command line */
        ORCHCTL_EXIT_NOT_RUNNING = 3, /* status: the instance is not running (LSB) */
        ORCHCTL_EXIT_NO_SUCH = 4,     /* no such instance, alert or contact */
        ORCHCTL_EXIT_UNAVAILABLE = 69, /* orchd is not running or not reachable */
        ORCHCTL_EXIT_DENIED = 77,     /* authorization denied */
};

/* The options of 'add', each becoming one entry of AddInstance's a{sv}. */
typedef struct AddArgs {
        const char *name;               /* NULL: derived from the command */
        const char *description;
        const char *working_directory;
        const char *user;               /* also contact set's (ContactArgs.user) */
        const char *restart;            /* already checked against the known policies */
        char **environment;             /* KEY=VALUE, owned */
        char **operators;               /* owned */
        char **requires;                /* owned */
        bool restart_attempts_set, restart_window_set, watchdog_set, memory_max_set, cpu_weight_set;
        uint32_t restart_attempts;
        uint64_t restart_window_usec;
        uint64_t watchdog_usec;
        uint64_t memory_max;
        uint64_t cpu_weight;
        bool start;
} AddArgs;

/* The options of 'contact set', each becoming one entry of SetContact's a{sv}; NULL: not given. */
typedef struct ContactArgs {
        const char *role;               /* "operator" or "superior" */
        const char *user;               /* --user, shared with add */
        const char *exec;               /* starts with '/' */
        const char *webhook;            /* http:// or https:// */
} ContactArgs;

typedef struct OrchctlArgs {
        const char *host;          /* -H [user@]host, NULL for the local system bus */
        bool quiet;
        bool no_pager;             /* accepted; orchctl never pages */
        bool no_legend;
        bool ask_password;         /* false with --no-ask-password */
        JsonFormat json;
        char **states;             /* list --state=, owned */
        char **properties;         /* show -p, owned */
        bool value;                /* show --value */
        bool lines_set;
        uint64_t lines;            /* status/logs -n; LINES_ALL for "all" */
        bool follow;               /* logs -f */
        bool this_run;             /* logs --this-run */
        bool all;                  /* alerts --all */
        AddArgs add;
        ContactArgs contact;
} OrchctlArgs;

extern OrchctlArgs arg;

/* Connects to orchd's bus (local or remote) once; later calls return the same connection.
 * On failure says why on stderr and returns -ORCHCTL_EXIT_UNAVAILABLE. */
int orchctl_bus(sd_bus **ret);

/* Maps a failed call to one clear line on stderr and to an exit code. */
int orchctl_bus_error(const sd_bus_error *error, int r, const char *what);

/* orchctl-util.c */

/* No timeout, for calls that wait for a job (start, stop, ...) or for interactive authorization. */
#define ORCHCTL_JOB_TIMEOUT UINT64_MAX

/* Calls METHOD on orchd's manager object with the arguments of TYPES, waiting at most TIMEOUT
 * (0: sd-bus's default). Returns what sd_bus_call() returns. */
int orchctl_call_manager(sd_bus *bus, const char *method, uint64_t timeout, sd_bus_error *error,
                         sd_bus_message **ret_reply, const char *types, ...);

/* orchctl_bus_error() with WHAT formatted from FORMAT ("set contact '%s'"); log_oom() if that
 * cannot be allocated. */
int orchctl_bus_errorf(const sd_bus_error *error, int r, const char *format, ...) _printf_(3, 4);

/* CLOCK_REALTIME in µs, the clock of orchd's time stamps. */
uint64_t orchctl_now_usec(void);

/* USEC (CLOCK_REALTIME µs) for people: "Tue 2025-01-07 10:00:00 CET; 3min 2s ago", or "...; in
 * 4min 58s" for a time to come, rounded to seconds ("now" within a second). */
#define FORMAT_TIMESTAMP_RELATIVE_MAX 256U
char *format_timestamp_relative(char *buf, size_t l, uint64_t usec);

/* The object path of the instance KEY (a name or an id), through GetInstance. */
int orchctl_get_instance_path(sd_bus *bus, const char *key, sd_bus_error *error, char **ret_path);

/* All properties of the object at PATH on INTERFACE, as the reply to GetAll, positioned at its
 * a{sv}. */
int orchctl_get_all_properties(sd_bus *bus, const char *path, const char *interface,
                               sd_bus_error *error, sd_bus_message **ret_reply);

/* One property to read from an a{sv} of properties: of TYPE, a basic type (stored through PTR as
 * sd_bus_message_read_basic() does, strings pointing into the message) or 'a' for "as" (an owned
 * strv through PTR, which the caller frees). FOUND, if not NULL, is set when it was there with
 * that type. */
typedef struct PropertySlot {
        const char *name;
        char type;
        void *ptr;
        bool *found;
} PropertySlot;

/* Reads the properties of SLOTS from the a{sv} at M's read position (a GetAll reply); others, and
 * those of another type than expected, are skipped. */
int orchctl_read_properties(sd_bus_message *m, const PropertySlot *slots, size_t n_slots);

/* The properties that status and logs use. Strings point into REPLY; never NULL after a
 * successful instance_info_read() (missing strings are ""). */
typedef struct InstanceInfo {
        sd_bus_message *reply;
        const char *id, *name, *unit, *description, *state, *active_state, *sub_state;
        const char *invocation_id, *last_result, *restart, *user, *working_directory;
        char **exec_start, **operators, **requires;
        uint32_t main_pid, restart_count;
        int32_t last_exit_code;
        uint64_t started_usec;
        /* Newer properties: an older orchd does not have them (the have_ flags say). */
        const char *alert;              /* the open alert's object path, "/" if none */
        uint32_t restart_attempts, budget_failures;
        uint64_t restart_window_usec, restart_at_usec;
        bool have_restart_attempts, have_restart_window, have_budget_failures, have_restart_at, have_alert;
} InstanceInfo;

void instance_info_done(InstanceInfo *info);

/* Reads the properties of instance KEY into INFO. Returns 0, or an exit code (> 0) after saying
 * what went wrong (orchctl_bus_error()). */
int instance_info_read(sd_bus *bus, const char *key, InstanceInfo *info);

/* Appends a copy of S. */
int strv_extend(char ***l, const char *s);
/* Appends the comma-separated parts of S; empty parts are dropped. */
int strv_extend_split_commas(char ***l, const char *s);
bool strv_contains(char * const *l, const char *s);

/* One member of the JSON object a list verb prints for each row: KEY, with the value of the row's
 * field at OFFSET, of TYPE 's' (const char *), 'u' (uint32_t) or 'a' (char **, printed as an array
 * of strings). */
typedef struct ListJsonField {
        const char *key;
        char type;
        size_t offset;
} ListJsonField;

/* A list verb (list, alerts, contacts): a method of the manager, without arguments, that returns
 * an array of structs, each read into a row (a struct of the caller's, ROW_SIZE bytes). */
typedef struct ListVerb {
        const char *method;             /* "ListAlerts" */
        const char *noun;               /* "alerts": "Failed to list alerts", "Failed to parse orchd's
                                         * list of alerts", "2 alerts listed." */
        const char *signature;          /* of one element of the array: "(sssuso)" */
        size_t row_size;
        /* Reads the next element into ROW (all zero before): > 0, 0 at the end of the array, or a
         * negative errno; owns nothing after a failure. */
        int (*read_row)(sd_bus_message *m, void *row);
        bool (*keep)(const void *row);                  /* NULL: every row is shown */
        void (*row_done)(void *row);                    /* NULL: a row owns nothing */
        int (*compare)(const void *a, const void *b);   /* qsort() order of the rows */
        const ListJsonField *json;                      /* with --json: an object per row */
        size_t n_json;
        const char *const *headers;                     /* else a table with these columns */
        size_t n_headers;
        /* Adds the N (> 0) ROWS to T, one table row each (and may align its columns). 0, or a
         * negative errno after saying what went wrong. */
        int (*fill_table)(Table *t, const void *rows, size_t n);
} ListVerb;

/* Runs the list verb V: calls its method, keeps, sorts and prints the rows, as a JSON array with
 * --json, else as a table with the header and a last line "N NOUN listed." unless --no-legend; for
 * no rows, EMPTY ("No contacts.") unless --no-legend. Returns an exit code, or a negative errno
 * after saying what went wrong. */
int orchctl_list(const ListVerb *v, const char *empty);

/* ANSI colors when stdout is a terminal and $NO_COLOR is not set, else "". */
const char *ansi_highlight_green(void);
const char *ansi_highlight_red(void);
const char *ansi_normal(void);

/* The bullet that starts the first line of status and alert: "●" in a UTF-8 locale, else "*". */
const char *glyph_bullet(void);

/* Writes N bytes of untrusted text (program output, property values) with control characters
 * escaped (escape_for_terminal()). */
int fputs_escaped(const char *s, size_t n, FILE *f);

/* orchctl-instances.c */
int verb_list(int argc, char *argv[], void *userdata);
int verb_add(int argc, char *argv[], void *userdata);
int verb_instance_operation(int argc, char *argv[], void *userdata); /* start, stop, restart, remove */
int verb_status(int argc, char *argv[], void *userdata);
int verb_show(int argc, char *argv[], void *userdata);

/* Prints the properties of the GetAll reply M (all of them, or only ONLY), in the reply's order,
 * as NAME=VALUE lines or as members of the JSON object J has open. Sets *RET_FOUND if ONLY was
 * found. */
int print_properties(sd_bus_message *m, const char *only, JsonWriter *j, bool *ret_found);

/* orchctl-logs.c */

/* Prints the journal of UNIT, only of the run INVOCATION_ID if not NULL/empty: the last N_LINES
 * entries (LINES_ALL: all), then with FOLLOW new ones as they come. With J, each entry is a JSON
 * object {"timestamp_usec", "identifier", "pid", "message"}, otherwise a line
 * "MMM DD HH:MM:SS identifier[pid]: message". Returns 0 or a negative errno (said on stderr). */
int show_journal(const char *unit, const char *invocation_id, uint64_t n_lines, bool follow,
                 JsonWriter *j);

int verb_logs(int argc, char *argv[], void *userdata);

/* orchctl-alerts.c */
int verb_alerts(int argc, char *argv[], void *userdata);
int verb_alert(int argc, char *argv[], void *userdata);
int verb_alert_operation(int argc, char *argv[], void *userdata); /* ack, escalate, resolve */
int verb_contacts(int argc, char *argv[], void *userdata);
int verb_contact(int argc, char *argv[], void *userdata);        /* contact set|remove */
int verb_reload(int argc, char *argv[], void *userdata);

/* status: the lines of the instance's open alert (INFO->alert), if it has one; nothing if it
 * cannot be read. */
void print_instance_alert(sd_bus *bus, const InstanceInfo *info);
