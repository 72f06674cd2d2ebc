/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-common.h"
#include "instance-config.h"
#include "uuid7.h"
#include "validate.h"

#define ADD_OPTIONS_MAX 64U

void instance_config_init(InstanceConfig *c) {
        *c = (InstanceConfig) {
                .restart = RESTART_NO,
                .restart_attempts = INSTANCE_RESTART_ATTEMPTS_DEFAULT,
                .restart_window_usec = INSTANCE_RESTART_WINDOW_USEC_DEFAULT,
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

/* A list of names (operators, requires): each valid, no duplicates, bounded. */
static const char *name_list_check(char **l, size_t max, const char *self) {
        size_t n = strv_length(l);

        if (n > max)
                return "has too many entries";
        for (size_t k = 0; k < n; k++) {
                if (!instance_name_is_valid(l[k]))
                        return "has an entry that is not 1-64 of [A-Za-z0-9_.-] starting with a letter or digit";
                if (self && streq(l[k], self))
                        return "names the instance itself";
                for (size_t j = 0; j < k; j++)
                        if (streq(l[j], l[k]))
                                return "names an entry twice";
        }
        return NULL;
}

int instance_config_validate(const InstanceConfig *c, const char **ret_reason) {
        const char *reason = NULL;
        _cleanup_free_ char *env_reason = NULL;

        if (!c->name || !instance_name_is_valid(c->name))
                reason = "invalid name";
        else if (!uuid7_is_valid(c->id))
                reason = "invalid id";
        else if (!c->argv || argv_validate(c->argv, strv_length(c->argv), &reason) < 0)
                reason = reason ?: "invalid ExecStart";
        else if (c->environment && env_validate(c->environment, strv_length(c->environment), &env_reason) < 0)
                reason = "invalid Environment";
        else if (c->description && !description_is_valid(c->description))
                reason = "invalid Description";
        else if (c->working_directory && !path_is_absolute_normalized(c->working_directory))
                reason = "invalid WorkingDirectory";
        else if (c->user && !unix_user_name_is_valid(c->user))
                reason = "invalid User";
        else if (c->restart < 0 || c->restart >= _RESTART_POLICY_MAX)
                reason = "invalid Restart";
        else if (c->restart_attempts < 1 || c->restart_attempts > 1000)
                reason = "RestartAttempts out of range";
        else if (c->restart_window_usec < USEC_PER_SEC || c->restart_window_usec > 86400 * USEC_PER_SEC)
                reason = "RestartWindowUSec out of range";
        else if (c->watchdog_usec != 0 && (c->watchdog_usec < USEC_PER_SEC / 10 || c->watchdog_usec > 86400 * USEC_PER_SEC))
                reason = "WatchdogUSec out of range";
        else if (c->memory_max != UINT64_MAX && c->memory_max < 1024 * 1024)
                reason = "MemoryMax below 1 MiB";
        else if (c->cpu_weight != UINT64_MAX && (c->cpu_weight < 1 || c->cpu_weight > 10000))
                reason = "CPUWeight out of range";
        else if (name_list_check(c->operators, INSTANCE_OPERATORS_MAX, NULL))
                reason = "invalid Operators";
        else if (name_list_check(c->requires, INSTANCE_REQUIRES_MAX, c->name))
                reason = "invalid Requires";

        if (reason) {
                if (ret_reason)
                        *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

/* Reads an array of strings, refusing more than MAX entries as soon as it sees one more: reading
 * 100,000 entries first and counting them after would be work done for a caller who is refused. */
static int read_strv_bounded(sd_bus_message *m, size_t max, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0, allocated = 0;
        const char *s;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read_basic(m, 's', &s)) > 0) {
                if (n >= max)
                        return -E2BIG;
                if (n + 1 >= allocated) {
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
        if (r < 0)
                return r;
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

static int invalid(sd_bus_error *error, const char *format, ...) _printf_(2, 3);
static int invalid(sd_bus_error *error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = sd_bus_error_setfv(error, ORCHD_ERROR_INVALID_ARGUMENT, format, ap);
        va_end(ap);
        return r;
}

/* Reads the variant of option NAME, which must hold exactly TYPE; arrays hold at most MAX entries. */
static int read_variant(sd_bus_message *m, const char *name, const char *type, const char *type_doc,
                        size_t max, void *value, sd_bus_error *error) {
        const char *contents;
        char t;
        int r;

        r = sd_bus_message_peek_type(m, &t, &contents);
        if (r < 0)
                return r;
        if (t != 'v' || !streq(contents, type))
                return invalid(error, "Option '%s' must be of type '%s' (%s), got '%s'.",
                               name, type, type_doc, strempty(contents));
        if (streq(type, "as")) {
                r = sd_bus_message_enter_container(m, 'v', "as");
                if (r < 0)
                        return r;
                r = read_strv_bounded(m, max, value);
                if (r == -E2BIG)
                        return invalid(error, "Option '%s' has more than %zu entries.", name, max);
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        return sd_bus_message_read(m, "v", type, value);
}

static int read_string_option(sd_bus_message *m, const char *name, char **field, sd_bus_error *error) {
        const char *s;
        int r;

        r = read_variant(m, name, "s", "string", 0, &s, error);
        if (r < 0)
                return r;
        free(*field);
        *field = strdup(s);
        return *field ? 0 : -ENOMEM;
}

static int read_option(sd_bus_message *m, const char *name, InstanceConfig *c, sd_bus_error *error) {
        const char *s;
        uint32_t u;
        uint64_t t;
        int b, r;

        if (streq(name, "Description")) {
                r = read_string_option(m, name, &c->description, error);
                if (r >= 0 && !description_is_valid(c->description))
                        return invalid(error, "Option 'Description' must be valid UTF-8 without control characters, at most %u bytes.",
                                       ORCHD_DESCRIPTION_MAX);
                return r;
        }
        if (streq(name, "Environment")) {
                _cleanup_free_ char *reason = NULL;
                char **l = NULL;
                r = read_variant(m, name, "as", "array of KEY=VALUE strings", ORCHD_ENV_MAX, &l, error);
                if (r < 0)
                        return r;
                strv_free(c->environment);
                c->environment = l;
                r = env_validate(l, strv_length(l), &reason);
                if (r == -EINVAL)
                        return invalid(error, "Option 'Environment': %s.", strna(reason));
                return r;
        }
        if (streq(name, "WorkingDirectory")) {
                r = read_string_option(m, name, &c->working_directory, error);
                if (r >= 0 && !path_is_absolute_normalized(c->working_directory))
                        return invalid(error, "Option 'WorkingDirectory' must be an absolute, normalized path.");
                return r;
        }
        if (streq(name, "User")) {
                r = read_string_option(m, name, &c->user, error);
                if (r >= 0 && !unix_user_name_is_valid(c->user))
                        return invalid(error, "Option 'User' must be a user name or a numeric uid.");
                return r;
        }
        if (streq(name, "Restart")) {
                r = read_variant(m, name, "s", "string", 0, &s, error);
                if (r < 0)
                        return r;
                c->restart = restart_policy_from_string(s);
                if (c->restart < 0)
                        return invalid(error, "Option 'Restart' must be 'no', 'on-failure' or 'always'.");
                return 0;
        }
        if (streq(name, "RestartAttempts")) {
                r = read_variant(m, name, "u", "uint32", 0, &u, error);
                if (r < 0)
                        return r;
                if (u < 1 || u > 1000)
                        return invalid(error, "Option 'RestartAttempts' must be between 1 and 1000.");
                c->restart_attempts = u;
                return 0;
        }
        if (streq(name, "RestartWindowUSec") || streq(name, "WatchdogUSec") ||
            streq(name, "MemoryMax") || streq(name, "CPUWeight")) {
                r = read_variant(m, name, "t", "uint64", 0, &t, error);
                if (r < 0)
                        return r;
                if (streq(name, "RestartWindowUSec")) {
                        if (t < USEC_PER_SEC || t > 86400 * USEC_PER_SEC)
                                return invalid(error, "Option 'RestartWindowUSec' must be between 1 s and 1 day (in microseconds).");
                        c->restart_window_usec = t;
                } else if (streq(name, "WatchdogUSec")) {
                        if (t != 0 && (t < USEC_PER_SEC / 10 || t > 86400 * USEC_PER_SEC))
                                return invalid(error, "Option 'WatchdogUSec' must be 0 (none) or between 100 ms and 1 day (in microseconds).");
                        c->watchdog_usec = t;
                } else if (streq(name, "MemoryMax")) {
                        if (t != UINT64_MAX && t < 1024 * 1024)
                                return invalid(error, "Option 'MemoryMax' must be at least 1 MiB (in bytes), or UINT64_MAX for no limit.");
                        c->memory_max = t;
                } else {
                        if (t < 1 || t > 10000)
                                return invalid(error, "Option 'CPUWeight' must be between 1 and 10000.");
                        c->cpu_weight = t;
                }
                return 0;
        }
        if (streq(name, "Operators") || streq(name, "Requires")) {
                bool requires = streq(name, "Requires");
                char **l = NULL;
                const char *problem;
                r = read_variant(m, name, "as", "array of names", requires ? INSTANCE_REQUIRES_MAX : INSTANCE_OPERATORS_MAX, &l, error);
                if (r < 0)
                        return r;
                problem = name_list_check(l, requires ? INSTANCE_REQUIRES_MAX : INSTANCE_OPERATORS_MAX,
                                          requires ? c->name : NULL);
                if (requires) {
                        strv_free(c->requires);
                        c->requires = l;
                } else {
                        strv_free(c->operators);
                        c->operators = l;
                }
                if (problem)
                        return invalid(error, "Option '%s' %s (at most %u names).", name, problem,
                                       requires ? INSTANCE_REQUIRES_MAX : INSTANCE_OPERATORS_MAX);
                return 0;
        }
        if (streq(name, "Start")) {
                r = read_variant(m, name, "b", "boolean", 0, &b, error);
                if (r < 0)
                        return r;
                c->start = b;
                return 0;
        }
        return invalid(error, "Unknown option '%.64s'. Known: Description, Environment, WorkingDirectory, User, "
                       "Restart, RestartAttempts, RestartWindowUSec, Operators, Requires, WatchdogUSec, "
                       "MemoryMax, CPUWeight, Start.", name);
}

int instance_config_from_add_call(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error) {
        InstanceConfig parsed;
        _cleanup_strv_free_ char **seen = NULL;
        const char *name, *reason = NULL;
        size_t n_seen = 0;
        int r;

        instance_config_init(&parsed);

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                goto fail;
        if (!instance_name_is_valid(name)) {
                r = sd_bus_error_setf(error, ORCHD_ERROR_INVALID_NAME,
                                      "Invalid instance name '%.80s': use 1-64 characters of A-Z, a-z, 0-9, '_', '.', '-', "
                                      "starting with a letter or digit.", utf8_is_valid(name) ? name : "(not UTF-8)");
                goto fail;
        }
        parsed.name = strdup(name);
        if (!parsed.name) {
                r = -ENOMEM;
                goto fail;
        }

        r = read_strv_bounded(m, ORCHD_ARGV_MAX, &parsed.argv);
        if (r == -E2BIG) {
                r = invalid(error, "Invalid command line: more than %u arguments.", ORCHD_ARGV_MAX);
                goto fail;
        }
        if (r < 0)
                goto fail;
        if (argv_validate(parsed.argv, strv_length(parsed.argv), &reason) < 0) {
                r = invalid(error, "Invalid command line: %s.", reason);
                goto fail;
        }

        seen = calloc(ADD_OPTIONS_MAX + 1, sizeof(char *));
        if (!seen) {
                r = -ENOMEM;
                goto fail;
        }
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                goto fail;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        goto fail;
                if (n_seen >= ADD_OPTIONS_MAX) {
                        r = invalid(error, "Too many options (at most %u).", ADD_OPTIONS_MAX);
                        goto fail;
                }
                for (size_t k = 0; k < n_seen; k++)
                        if (streq(seen[k], key)) {
                                r = invalid(error, "Option '%.64s' is given twice.", key);
                                goto fail;
                        }
                seen[n_seen] = strdup(key);
                if (!seen[n_seen]) {
                        r = -ENOMEM;
                        goto fail;
                }
                n_seen++;
                r = read_option(m, key, &parsed, error);
                if (r < 0)
                        goto fail;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        goto fail;
        }
        if (r < 0)
                goto fail;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                goto fail;

        instance_config_done(c);
        *c = parsed;
        return 0;

fail:
        instance_config_done(&parsed);
        if (r < 0 && !sd_bus_error_is_set(error) && r != -ENOMEM)
                r = invalid(error, "Malformed arguments: %s.", strerror(-r));
        return r;
}
