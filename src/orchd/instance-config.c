/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "bus-common.h"
#include "instance-config.h"
#include "uuid7.h"
#include "validate.h"

_Static_assert(CONTACT_NAME_MAX == ORCHD_INSTANCE_NAME_MAX, "contact names follow the instance name rules");

#define NAME_RULES "1-64 characters of A-Z, a-z, 0-9, '_', '.' and '-', starting with a letter or digit"

/* How much of a client's string is quoted back in an error message. */
#define EXCERPT_MAX 64U

static uint32_t default_restart_attempts = INSTANCE_RESTART_ATTEMPTS_DEFAULT;
static uint64_t default_restart_window_usec = INSTANCE_RESTART_WINDOW_USEC_DEFAULT;

void instance_config_set_defaults(uint32_t restart_attempts, uint64_t restart_window_usec) {
        default_restart_attempts = restart_attempts;
        default_restart_window_usec = restart_window_usec;
}

void instance_config_init(InstanceConfig *c) {
        *c = (InstanceConfig) {
                .restart = RESTART_NO,
                .restart_attempts = default_restart_attempts,
                .restart_window_usec = default_restart_window_usec,
                .memory_max = UINT64_MAX,
                .cpu_weight = UINT64_MAX,
        };
}

void instance_config_done(InstanceConfig *c) {
        free(c->name);
        free(c->description);
        strv_free(c->argv);
        strv_free(c->environment);
        free(c->working_directory);
        free(c->user);
        strv_free(c->operators);
        strv_free(c->requires);
        instance_config_init(c);
}

char *instance_unit_name(const char *instance_name) {
        char *s;

        if (asprintf(&s, "orchd-%s.service", instance_name) < 0)
                return NULL;
        return s;
}

bool contact_name_is_valid(const char *name) {
        return instance_name_is_valid(name);
}

static bool restart_attempts_is_valid(uint32_t u) {
        return u >= INSTANCE_RESTART_ATTEMPTS_MIN && u <= INSTANCE_RESTART_ATTEMPTS_MAX;
}

static bool restart_window_is_valid(uint64_t t) {
        return t >= INSTANCE_RESTART_WINDOW_USEC_MIN && t <= INSTANCE_RESTART_WINDOW_USEC_MAX;
}

static bool watchdog_is_valid(uint64_t t) {
        return t == 0 || (t >= INSTANCE_WATCHDOG_USEC_MIN && t <= INSTANCE_WATCHDOG_USEC_MAX);
}

static bool memory_max_is_valid(uint64_t t) {
        return t == UINT64_MAX || t >= INSTANCE_MEMORY_MAX_MIN;
}

static bool cpu_weight_is_valid(uint64_t t) {
        return t == UINT64_MAX || (t >= INSTANCE_CPU_WEIGHT_MIN && t <= INSTANCE_CPU_WEIGHT_MAX);
}

typedef enum NameListProblem {
        NAME_LIST_OK,
        NAME_LIST_TOO_MANY,
        NAME_LIST_INVALID,
        NAME_LIST_SELF,
        NAME_LIST_DUPLICATE,
} NameListProblem;

/* Operators and Requires: at most MAX names, each valid, none twice, none SELF (if not NULL).
 * *RET_INDEX is the offending entry, counted from 0. */
static NameListProblem name_list_check(char * const *l, bool (*is_valid)(const char *), size_t max,
                                       const char *self, size_t *ret_index) {
        size_t n = strv_length(l);

        if (n > max)
                return NAME_LIST_TOO_MANY;
        for (size_t k = 0; k < n; k++) {
                *ret_index = k;
                if (!is_valid(l[k]))
                        return NAME_LIST_INVALID;
                if (self && streq(l[k], self))
                        return NAME_LIST_SELF;
                /* Quadratic, but n <= 64. */
                for (size_t j = 0; j < k; j++)
                        if (streq(l[j], l[k]))
                                return NAME_LIST_DUPLICATE;
        }
        return NAME_LIST_OK;
}

int instance_config_validate(const InstanceConfig *c, const char **ret_reason) {
        const char *reason = NULL;
        size_t index;

        if (!c->name || !instance_name_is_valid(c->name))
                reason = "the name is not " NAME_RULES;
        else if (!uuid7_is_valid(c->id))
                reason = "the id is not a UUIDv7";
        else if (!c->argv)
                reason = "the command line is missing";
        else if (argv_validate(c->argv, strv_length(c->argv), &reason) < 0)
                ;       /* reason set */
        else if (c->environment && env_validate(c->environment, strv_length(c->environment), NULL) < 0)
                /* env_validate() names the entry in an allocated sentence; a static reason is all
                 * we promise, and values are secrets anyway. */
                reason = "the environment has an invalid or repeated entry";
        else if (c->description && !description_is_valid(c->description))
                reason = "the description is not valid UTF-8 without control characters of at most 1024 bytes";
        else if (c->working_directory && !path_is_absolute_normalized(c->working_directory))
                reason = "the working directory is not an absolute, normalized path";
        else if (c->user && !unix_user_name_is_valid(c->user))
                reason = "the user is not a valid user name or uid";
        else if (!restart_policy_to_string(c->restart))
                reason = "the restart policy is not valid";
        else if (!restart_attempts_is_valid(c->restart_attempts))
                reason = "RestartAttempts is not within 1..1000";
        else if (!restart_window_is_valid(c->restart_window_usec))
                reason = "RestartWindowUSec is not within 1 s..1 day";
        else if (!watchdog_is_valid(c->watchdog_usec))
                reason = "WatchdogUSec is neither 0 nor within 100 ms..1 day";
        else if (!memory_max_is_valid(c->memory_max))
                reason = "MemoryMax is below 1 MiB";
        else if (!cpu_weight_is_valid(c->cpu_weight))
                reason = "CPUWeight is not within 1..10000";
        else if (name_list_check(c->operators, contact_name_is_valid, INSTANCE_OPERATORS_MAX, NULL, &index) != NAME_LIST_OK)
                reason = "the operators are not at most 64 distinct valid contact names";
        else if (name_list_check(c->requires, instance_name_is_valid, INSTANCE_REQUIRES_MAX, c->name, &index) != NAME_LIST_OK)
                reason = "the required instances are not at most 64 distinct valid names other than the instance's own";

        if (reason) {
                if (ret_reason)
                        *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

/* A client's string as it may be quoted back in an error message: at most EXCERPT_MAX bytes of
 * printable ASCII, anything else as '?'. Cutting valid UTF-8 at a byte count could make the
 * message invalid UTF-8, which sd-bus would refuse to send; and a terminal shows the message. */
static const char *excerpt(const char *s, char buf[static EXCERPT_MAX + 4]) {
        size_t n = 0;

        for (; s[n] && n < EXCERPT_MAX; n++)
                buf[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
        if (s[n]) {
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = '\0';
        return buf;
}

static int invalid_argument(sd_bus_error *error, const char *format, ...) _printf_(2, 3);
static int invalid_argument(sd_bus_error *error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = sd_bus_error_setfv(error, ORCHD_ERROR_INVALID_ARGUMENT, format, ap);
        va_end(ap);
        /* sd-bus maps names it does not know to EIO; the contract says EINVAL. */
        return r == -ENOMEM ? r : -EINVAL;
}

/* Reads an array of strings, refusing more than MAX entries as soon as it sees one more: reading
 * 100,000 entries first and counting them after would be work done for a caller who is refused.
 * Returns -E2BIG for too many; an empty array gives an empty list, not NULL. */
static int read_strv_bounded(sd_bus_message *m, size_t max, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0, allocated = 0;
        const char *s;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s");
        if (r < 0)
                return r;
        for (;;) {
                r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &s);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (n >= max)
                        return -E2BIG;
                if (n + 2 > allocated) {
                        size_t want = MAX(allocated * 2, (size_t) 8);
                        char **bigger = realloc(l, want * sizeof(char *));
                        if (!bigger)
                                return -ENOMEM;
                        l = bigger;
                        allocated = want;
                }
                l[n] = strdup(s);
                if (!l[n])
                        return -ENOMEM;
                l[++n] = NULL;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Each option's parser reads the variant's contents (the type is checked before) into C. */
typedef int (*option_parser)(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error);

static int read_string(sd_bus_message *m, char **ret) {
        const char *s;
        char *copy;
        int r;

        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &s);
        if (r < 0)
                return r;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

static int parse_description(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = read_string(m, &s);
        if (r < 0)
                return r;
        if (!description_is_valid(s))
                return invalid_argument(error, "Option 'Description' must be valid UTF-8 without control characters "
                                        "(tab aside), at most %u bytes.", ORCHD_DESCRIPTION_MAX);
        /* Empty means no description. */
        free(c->description);
        c->description = isempty(s) ? NULL : TAKE_PTR(s);
        return 0;
}

static int parse_environment(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *reason = NULL;
        int r;

        r = read_strv_bounded(m, ORCHD_ENV_MAX, &l);
        if (r == -E2BIG)
                return invalid_argument(error, "Option 'Environment' has more than %u entries.", ORCHD_ENV_MAX);
        if (r < 0)
                return r;
        r = env_validate(l, strv_length(l), &reason);
        if (r == -EINVAL)
                return invalid_argument(error, "Option 'Environment': %s.", strna(reason));
        if (r < 0)
                return r;
        strv_free(c->environment);
        c->environment = TAKE_PTR(l);
        return 0;
}

static int parse_working_directory(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = read_string(m, &s);
        if (r < 0)
                return r;
        if (!path_is_absolute_normalized(s))
                return invalid_argument(error, "Option 'WorkingDirectory' must be an absolute, normalized path "
                                        "(no '.', '..' or '//'), at most %u bytes.", ORCHD_PATH_MAX);
        free(c->working_directory);
        c->working_directory = TAKE_PTR(s);
        return 0;
}

static int parse_user(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = read_string(m, &s);
        if (r < 0)
                return r;
        if (!unix_user_name_is_valid(s))
                return invalid_argument(error, "Option 'User' must be a user name ([a-z_][a-z0-9_-]*, at most %u "
                                        "characters) or a numeric uid.", ORCHD_USER_NAME_MAX);
        free(c->user);
        c->user = TAKE_PTR(s);
        return 0;
}

static int parse_restart(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        const char *s;
        RestartPolicy p;
        int r;

        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &s);
        if (r < 0)
                return r;
        p = restart_policy_from_string(s);
        if (p < 0)
                return invalid_argument(error, "Option 'Restart' must be 'no', 'on-failure' or 'always'.");
        c->restart = p;
        return 0;
}

static int parse_restart_attempts(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        uint32_t u;
        int r;

        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_UINT32, &u);
        if (r < 0)
                return r;
        if (!restart_attempts_is_valid(u))
                return invalid_argument(error, "Option 'RestartAttempts' must be between %u and %u, got %" PRIu32 ".",
                                        INSTANCE_RESTART_ATTEMPTS_MIN, INSTANCE_RESTART_ATTEMPTS_MAX, u);
        c->restart_attempts = u;
        return 0;
}

static int read_uint64(sd_bus_message *m, uint64_t *ret) {
        return sd_bus_message_read_basic(m, SD_BUS_TYPE_UINT64, ret);
}

static int parse_restart_window(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        uint64_t t;
        int r;

        r = read_uint64(m, &t);
        if (r < 0)
                return r;
        if (!restart_window_is_valid(t))
                return invalid_argument(error, "Option 'RestartWindowUSec' must be between 1 s and 1 day "
                                        "(%" PRIu64 "..%" PRIu64 " microseconds), got %" PRIu64 ".",
                                        INSTANCE_RESTART_WINDOW_USEC_MIN, INSTANCE_RESTART_WINDOW_USEC_MAX, t);
        c->restart_window_usec = t;
        return 0;
}

static int parse_watchdog(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        uint64_t t;
        int r;

        r = read_uint64(m, &t);
        if (r < 0)
                return r;
        if (!watchdog_is_valid(t))
                return invalid_argument(error, "Option 'WatchdogUSec' must be 0 (no watchdog) or between 100 ms and "
                                        "1 day (%" PRIu64 "..%" PRIu64 " microseconds), got %" PRIu64 ".",
                                        INSTANCE_WATCHDOG_USEC_MIN, INSTANCE_WATCHDOG_USEC_MAX, t);
        c->watchdog_usec = t;
        return 0;
}

static int parse_memory_max(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        uint64_t t;
        int r;

        r = read_uint64(m, &t);
        if (r < 0)
                return r;
        if (!memory_max_is_valid(t))
                return invalid_argument(error, "Option 'MemoryMax' must be at least 1 MiB (%" PRIu64 " bytes), or "
                                        "%" PRIu64 " for no limit, got %" PRIu64 ".",
                                        INSTANCE_MEMORY_MAX_MIN, UINT64_MAX, t);
        c->memory_max = t;
        return 0;
}

static int parse_cpu_weight(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        uint64_t t;
        int r;

        r = read_uint64(m, &t);
        if (r < 0)
                return r;
        if (!cpu_weight_is_valid(t))
                return invalid_argument(error, "Option 'CPUWeight' must be between %u and %u, or %" PRIu64 " for "
                                        "systemd's default, got %" PRIu64 ".",
                                        INSTANCE_CPU_WEIGHT_MIN, INSTANCE_CPU_WEIGHT_MAX, UINT64_MAX, t);
        c->cpu_weight = t;
        return 0;
}

static int parse_name_list(sd_bus_message *m, const char *option, bool (*is_valid)(const char *),
                           const char *what, size_t max, const char *self, char ***field,
                           sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        char buf[EXCERPT_MAX + 4];
        size_t index = 0;
        int r;

        r = read_strv_bounded(m, max, &l);
        if (r == -E2BIG)
                return invalid_argument(error, "Option '%s' has more than %zu entries.", option, max);
        if (r < 0)
                return r;

        switch (name_list_check(l, is_valid, max, self, &index)) {
        case NAME_LIST_OK:
                break;
        case NAME_LIST_TOO_MANY:        /* read_strv_bounded() saw to it */
                assert_not_reached();
        case NAME_LIST_INVALID:
                return invalid_argument(error, "Option '%s': entry %zu ('%s') is not a valid %s: use " NAME_RULES ".",
                                        option, index + 1, excerpt(l[index], buf), what);
        case NAME_LIST_SELF:
                return invalid_argument(error, "Option '%s': entry %zu names the instance itself.", option, index + 1);
        case NAME_LIST_DUPLICATE:
                return invalid_argument(error, "Option '%s': entry %zu ('%s') is given twice.",
                                        option, index + 1, excerpt(l[index], buf));
        }

        strv_free(*field);
        *field = TAKE_PTR(l);
        return 0;
}

static int parse_operators(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        return parse_name_list(m, "Operators", contact_name_is_valid, "contact name", INSTANCE_OPERATORS_MAX,
                               NULL, &c->operators, error);
}

static int parse_requires(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        /* The name is read before the options, so the instance itself can be recognized. */
        return parse_name_list(m, "Requires", instance_name_is_valid, "instance name", INSTANCE_REQUIRES_MAX,
                               c->name, &c->requires, error);
}

static int parse_start(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        int b, r;

        (void) error;
        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_BOOLEAN, &b);
        if (r < 0)
                return r;
        c->start = b;
        return 0;
}

static const struct {
        const char *name;
        const char *signature;  /* of the variant's contents */
        const char *type_doc;
        option_parser parse;
} add_options[] = {
        { "Description",       "s",  "string",           parse_description       },
        { "Environment",       "as", "array of strings", parse_environment       },
        { "WorkingDirectory",  "s",  "string",           parse_working_directory },
        { "User",              "s",  "string",           parse_user              },
        { "Restart",           "s",  "string",           parse_restart           },
        { "RestartAttempts",   "u",  "uint32",           parse_restart_attempts  },
        { "RestartWindowUSec", "t",  "uint64",           parse_restart_window    },
        { "Operators",         "as", "array of strings", parse_operators         },
        { "Requires",          "as", "array of strings", parse_requires          },
        { "WatchdogUSec",      "t",  "uint64",           parse_watchdog          },
        { "MemoryMax",         "t",  "uint64",           parse_memory_max        },
        { "CPUWeight",         "t",  "uint64",           parse_cpu_weight        },
        { "Start",             "b",  "boolean",          parse_start             },
};

_Static_assert(ELEMENTSOF(add_options) <= 32, "the seen-mask is a uint32_t");

/* One entry of the options: the key, then a variant that must hold exactly the option's type. */
static int read_option(sd_bus_message *m, InstanceConfig *c, uint32_t *seen, sd_bus_error *error) {
        char buf[EXCERPT_MAX + 4];
        const char *key, *contents;
        size_t i;
        char type;
        int r;

        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &key);
        if (r < 0)
                return r;

        for (i = 0; i < ELEMENTSOF(add_options); i++)
                if (streq(key, add_options[i].name))
                        break;
        if (i >= ELEMENTSOF(add_options))
                return invalid_argument(error, "Unknown option '%s'. Known options: Description, Environment, "
                                        "WorkingDirectory, User, Restart, RestartAttempts, RestartWindowUSec, "
                                        "Operators, Requires, WatchdogUSec, MemoryMax, CPUWeight, Start.",
                                        excerpt(key, buf));
        if (*seen & (UINT32_C(1) << i))
                return invalid_argument(error, "Option '%s' is given more than once.", key);
        *seen |= UINT32_C(1) << i;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (type != SD_BUS_TYPE_VARIANT)
                return -ENXIO;  /* not a{sv}: reported as malformed */
        if (!streq(contents, add_options[i].signature))
                return invalid_argument(error, "Option '%s' must be of type '%s' (%s), got '%s'.",
                                        key, add_options[i].signature, add_options[i].type_doc,
                                        excerpt(contents, buf));

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;
        r = add_options[i].parse(m, c, error);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int read_add_call(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        char buf[EXCERPT_MAX + 4];
        const char *name, *reason = NULL;
        uint32_t seen = 0;
        size_t n_options = 0;
        int r;

        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &name);
        if (r < 0)
                return r;
        if (r == 0)
                return -ENXIO;
        if (!instance_name_is_valid(name))
                return sd_bus_error_setf(error, ORCHD_ERROR_INVALID_NAME,
                                         "Invalid instance name '%s': a name is " NAME_RULES ".",
                                         excerpt(name, buf)) == -ENOMEM ? -ENOMEM : -EINVAL;
        c->name = strdup(name);
        if (!c->name)
                return -ENOMEM;

        r = read_strv_bounded(m, ORCHD_ARGV_MAX, &c->argv);
        if (r == -E2BIG)
                return invalid_argument(error, "Invalid command line: more than %u arguments.", ORCHD_ARGV_MAX);
        if (r < 0)
                return r;
        if (argv_validate(c->argv, strv_length(c->argv), &reason) < 0)
                return invalid_argument(error, "Invalid command line: %s.", reason);

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                /* Unknown and repeated options end the call, so at most ELEMENTSOF(add_options)
                 * entries are ever read; the cap is the contract's, kept should options grow. */
                if (++n_options > INSTANCE_ADD_OPTIONS_MAX)
                        return invalid_argument(error, "Too many options (at most %u).", INSTANCE_ADD_OPTIONS_MAX);
                r = read_option(m, c, &seen, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_exit_container(m);
}

int instance_config_from_add_call(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        _cleanup_(instance_config_done) InstanceConfig parsed;
        int r;

        instance_config_init(&parsed);

        r = read_add_call(m, &parsed, error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* What sd-bus could not read is the client's fault too: a message of another
                 * signature, or one cut short. */
                if (!sd_bus_error_is_set(error))
                        return invalid_argument(error, "Malformed arguments: AddInstance takes a name (s), a "
                                                "command line (as) and options (a{sv}).");
                return r;
        }

        instance_config_done(c);
        *c = parsed;
        instance_config_init(&parsed);
        return 0;
}

typedef struct CycleWalk {
        char **(*lookup)(const char *name, void *userdata);
        void *userdata;
        GPtrArray *path;        /* the names on the way, the new instance's first */
        GHashTable *done;       /* names whose Requires were walked without coming back */
} CycleWalk;

/* Depth first from NAME; true when the walk comes back to the path's first name. */
static bool requires_reach(CycleWalk *w, const char *name) {
        if (streq(name, w->path->pdata[0])) {
                g_ptr_array_add(w->path, (gpointer) name);
                return true;
        }
        if (g_hash_table_contains(w->done, name))
                return false;
        g_hash_table_add(w->done, (gpointer) name);
        g_ptr_array_add(w->path, (gpointer) name);
        STRV_FOREACH(r, w->lookup(name, w->userdata))
                if (requires_reach(w, *r))
                        return true;
        g_ptr_array_remove_index(w->path, w->path->len - 1);
        return false;
}

char *requires_find_cycle(const char *name, char **requires,
                          char **(*lookup)(const char *name, void *userdata), void *userdata) {
        g_autoptr(GPtrArray) path = g_ptr_array_new();
        g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);
        CycleWalk w = { lookup, userdata, path, done };
        GString *text;

        g_ptr_array_add(path, (gpointer) name);
        STRV_FOREACH(r, requires)
                if (requires_reach(&w, *r))
                        break;
        if (path->len < 2)
                return NULL;
        text = g_string_new(NULL);
        for (guint k = 0; k < path->len; k++)
                g_string_append_printf(text, "%s%s", k ? " → " : "", (const char *) path->pdata[k]);
        return g_string_free(text, false);
}
