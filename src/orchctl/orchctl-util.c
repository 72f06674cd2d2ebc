/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus-common.h"
#include "log.h"
#include "macro.h"
#include "bus-util.h"
#include "orchctl.h"
#include "parse-util.h"

int orchctl_call_manager(sd_bus *bus, const char *method, uint64_t timeout, sd_bus_error *error,
                         sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                           ORCHD_MANAGER_INTERFACE, method);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return sd_bus_call(bus, m, timeout, error, ret_reply);
}

int orchctl_bus_errorf(const sd_bus_error *error, int r, const char *format, ...) {
        va_list ap;
        char *what;
        int k;

        va_start(ap, format);
        k = vasprintf(&what, format, ap);
        va_end(ap);
        if (k < 0)
                return log_oom();       /* WHAT is undefined then: not freed */
        k = orchctl_bus_error(error, r, what);
        free(what);
        return k;
}

uint64_t orchctl_now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

char *format_timestamp_relative(char *buf, size_t l, uint64_t usec) {
        char when[128] = "", span[FORMAT_TIMESPAN_MAX];
        uint64_t now = orchctl_now_usec(), d;
        time_t t = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;

        if (localtime_r(&t, &tm))
                (void) strftime(when, sizeof when, "%a %Y-%m-%d %H:%M:%S %Z", &tm);
        /* Rounded to seconds: "3min 2s ago", not "3min 2s 17ms". */
        d = (now > usec ? now - usec : usec - now) / USEC_PER_SEC * USEC_PER_SEC;
        if (d == 0)
                (void) snprintf(buf, l, "%s; now", when);
        else
                (void) snprintf(buf, l, now > usec ? "%s; %s ago" : "%s; in %s", when,
                                format_timespan(span, sizeof span, d));
        return buf;
}

int orchctl_get_instance_path(sd_bus *bus, const char *key, sd_bus_error *error, char **ret_path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        char *p;
        int r;

        r = orchctl_call_manager(bus, "GetInstance", 0, error, &reply, "s", key);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        p = strdup(path);
        if (!p)
                return -ENOMEM;
        *ret_path = p;
        return 0;
}

int orchctl_get_all_properties(sd_bus *bus, const char *path, const char *interface,
                               sd_bus_error *error, sd_bus_message **ret_reply) {
        return sd_bus_call_method(bus, ORCHD_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                                  error, ret_reply, "s", interface);
}

void instance_info_done(InstanceInfo *info) {
        sd_bus_message_unref(info->reply);
        strv_free(info->exec_start);
        strv_free(info->operators);
        strv_free(info->requires);
        *info = (InstanceInfo) {};
}

typedef struct PropertyMap {
        const PropertySlot *slots;
        size_t n;
} PropertyMap;

/* Reads a property the map names, if it has the expected type; others are skipped (unknown to
 * this orchctl, or of an unexpected type: not needed here). */
static int read_mapped_property(sd_bus_message *m, const char *name, void *userdata) {
        const PropertyMap *map = userdata;
        const char *contents;
        int r;

        r = sd_bus_message_peek_type(m, NULL, &contents);
        if (r < 0)
                return r;
        for (size_t i = 0; i < map->n; i++) {
                const PropertySlot *p = &map->slots[i];
                char sig[3] = { p->type, p->type == 'a' ? 's' : '\0', '\0' };

                if (!streq(name, p->name) || !streq(contents, sig))
                        continue;
                r = sd_bus_message_enter_container(m, 'v', sig);
                if (r < 0)
                        return r;
                if (p->type == 'a') {
                        char ***l = p->ptr;

                        strv_free(*l);
                        *l = NULL;
                        r = sd_bus_message_read_strv(m, l);
                } else
                        r = sd_bus_message_read_basic(m, p->type, p->ptr);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                if (p->found)
                        *p->found = true;
                return 1;
        }
        return 0;
}

int orchctl_read_properties(sd_bus_message *m, const PropertySlot *slots, size_t n_slots) {
        PropertyMap context = { slots, n_slots };

        return bus_message_for_each_property(m, read_mapped_property, &context);
}

static int instance_info_parse(InstanceInfo *info) {
        const PropertySlot map[] = {
                { "Id",                's', &info->id,                  NULL },
                { "Name",              's', &info->name,                NULL },
                { "Unit",              's', &info->unit,                NULL },
                { "Description",       's', &info->description,         NULL },
                { "State",             's', &info->state,               NULL },
                { "ActiveState",       's', &info->active_state,        NULL },
                { "SubState",          's', &info->sub_state,           NULL },
                { "InvocationID",      's', &info->invocation_id,       NULL },
                { "LastResult",        's', &info->last_result,         NULL },
                { "Restart",           's', &info->restart,             NULL },
                { "User",              's', &info->user,                NULL },
                { "WorkingDirectory",  's', &info->working_directory,   NULL },
                { "ExecStart",         'a', &info->exec_start,          NULL },
                { "Operators",         'a', &info->operators,           NULL },
                { "Requires",          'a', &info->requires,            NULL },
                { "MainPID",           'u', &info->main_pid,            NULL },
                { "RestartCount",      'u', &info->restart_count,       NULL },
                { "LastExitCode",      'i', &info->last_exit_code,      NULL },
                { "StartedUSec",       't', &info->started_usec,        NULL },
                { "RestartAttempts",   'u', &info->restart_attempts,    &info->have_restart_attempts },
                { "RestartWindowUSec", 't', &info->restart_window_usec, &info->have_restart_window },
                { "BudgetFailures",    'u', &info->budget_failures,     &info->have_budget_failures },
                { "RestartAtUSec",     't', &info->restart_at_usec,     &info->have_restart_at },
                { "Alert",             'o', &info->alert,               &info->have_alert },
        };
        int r;

        r = orchctl_read_properties(info->reply, map, ELEMENTSOF(map));
        if (r < 0)
                return r;

        /* Never NULL, so that callers need no checks. */
        const char **strings[] = {
                &info->id, &info->name, &info->unit, &info->description, &info->state,
                &info->active_state, &info->sub_state, &info->invocation_id, &info->last_result,
                &info->restart, &info->user, &info->working_directory, &info->alert,
        };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if (!*strings[i])
                        *strings[i] = "";
        return 0;
}

int instance_info_read(sd_bus *bus, const char *key, InstanceInfo *info) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        *info = (InstanceInfo) {};

        r = orchctl_get_instance_path(bus, key, &error, &path);
        if (r < 0)
                return orchctl_bus_error(&error, r, "look up the instance");
        r = orchctl_get_all_properties(bus, path, ORCHD_INSTANCE_INTERFACE, &error, &info->reply);
        if (r < 0)
                return orchctl_bus_error(&error, r, "read the instance's properties");
        r = instance_info_parse(info);
        if (r < 0) {
                fprintf(stderr, "Failed to parse the instance's properties: %s\n", strerror(-r));
                instance_info_done(info);
                return ORCHCTL_EXIT_FAILURE;
        }
        return 0;
}

int strv_extend(char ***l, const char *s) {
        size_t n = strv_length(*l);
        char **t, *c;

        c = strdup(s);
        if (!c)
                return -ENOMEM;
        t = realloc(*l, (n + 2) * sizeof(char *));
        if (!t) {
                free(c);
                return -ENOMEM;
        }
        t[n] = c;
        t[n + 1] = NULL;
        *l = t;
        return 0;
}

int strv_extend_split_commas(char ***l, const char *s) {
        for (const char *p = s; *p;) {
                size_t n = strcspn(p, ",");

                if (n > 0) {
                        _cleanup_free_ char *part = strndup(p, n);
                        if (!part || strv_extend(l, part) < 0)
                                return -ENOMEM;
                }
                p += n;
                if (*p == ',')
                        p++;
        }
        return 0;
}

bool strv_contains(char * const *l, const char *s) {
        STRV_FOREACH(i, (char **) l)
                if (streq(*i, s))
                        return true;
        return false;
}

static void list_print_json(const ListVerb *v, const char *rows, size_t n) {
        JsonWriter j;

        json_writer_init(&j, stdout, arg.json);
        json_begin_array(&j);
        for (size_t i = 0; i < n; i++) {
                const char *row = rows + i * v->row_size;

                json_begin_object(&j);
                for (size_t f = 0; f < v->n_json; f++) {
                        const void *p = row + v->json[f].offset;

                        json_key(&j, v->json[f].key);
                        switch (v->json[f].type) {
                        case 's':
                                json_string(&j, *(const char * const *) p);
                                break;
                        case 'u':
                                json_unsigned(&j, *(const uint32_t *) p);
                                break;
                        case 'a':
                                json_begin_array(&j);
                                STRV_FOREACH(e, *(char ** const *) p)
                                        json_string(&j, *e);
                                json_end_array(&j);
                                break;
                        default:
                                assert_not_reached();
                        }
                }
                json_end_object(&j);
        }
        json_end_array(&j);
}

static int list_print_table(const ListVerb *v, const char *rows, size_t n, const char *empty) {
        _cleanup_(table_freep) Table *t = NULL;
        int r;

        if (n == 0) {
                if (!arg.no_legend)
                        printf("%s\n", empty);
                return 0;
        }

        t = table_new(v->n_headers, v->headers);
        if (!t)
                return log_oom();
        r = v->fill_table(t, rows, n);
        if (r < 0)
                return r;
        r = table_print(t, stdout, !arg.no_legend);
        if (r < 0)
                return r;
        if (!arg.no_legend)
                printf("\n%zu %s listed.\n", n, v->noun);
        return 0;
}

int orchctl_list(const ListVerb *v, const char *empty) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        char *rows = NULL;
        size_t n = 0, allocated = 0;
        sd_bus *bus;
        int r, ret;

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;
        r = orchctl_call_manager(bus, v->method, 0, &error, &reply, NULL);
        if (r < 0) {
                char what[64];

                (void) snprintf(what, sizeof what, "list %s", v->noun);
                return orchctl_bus_error(&error, r, what);
        }

        r = sd_bus_message_enter_container(reply, 'a', v->signature);
        while (r >= 0) {
                char *row;

                if (n >= allocated) {
                        size_t want = MAX(allocated * 2, (size_t) 16);
                        char *bigger = realloc(rows, want * v->row_size);

                        if (!bigger) {
                                ret = log_oom();
                                goto finish;
                        }
                        rows = bigger;
                        allocated = want;
                }
                row = memset(rows + n * v->row_size, 0, v->row_size);
                r = v->read_row(reply, row);
                if (r <= 0)
                        break;
                if (!v->keep || v->keep(row))
                        n++;
                else if (v->row_done)
                        v->row_done(row);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r < 0) {
                fprintf(stderr, "Failed to parse orchd's list of %s: %s\n", v->noun, strerror(-r));
                ret = ORCHCTL_EXIT_FAILURE;
                goto finish;
        }

        if (n > 0)
                qsort(rows, n, v->row_size, v->compare);
        if (arg.json != JSON_FORMAT_OFF) {
                list_print_json(v, rows, n);
                ret = ORCHCTL_EXIT_SUCCESS;
        } else
                ret = list_print_table(v, rows, n, empty);

finish:
        for (size_t i = 0; v->row_done && i < n; i++)
                v->row_done(rows + i * v->row_size);
        free(rows);
        return ret;
}

static bool colors_enabled(void) {
        static int cached = -1;

        if (cached < 0) {
                const char *term = getenv("TERM");

                cached = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !(term && streq(term, "dumb"));
        }
        return cached;
}

const char *ansi_highlight_green(void) {
        return colors_enabled() ? "\x1b[0;1;32m" : "";
}

const char *ansi_highlight_red(void) {
        return colors_enabled() ? "\x1b[0;1;31m" : "";
}

const char *ansi_normal(void) {
        return colors_enabled() ? "\x1b[0m" : "";
}

const char *glyph_bullet(void) {
        const char *codeset = nl_langinfo(CODESET);
        return codeset && streq(codeset, "UTF-8") ? "\xe2\x97\x8f" : "*";
}

int fputs_escaped(const char *s, size_t n, FILE *f) {
        _cleanup_free_ char *e = NULL;

        e = escape_for_terminal(s, n, false);
        if (!e)
                return -ENOMEM;
        fputs(e, f);
        return 0;
}
