/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "instance-config.h"
#include "macro.h"
#include "validate.h"
#include "webhook.h"

#define CONFIG_FILE_SIZE_MAX (1024U * 1024U)
#define CONFIG_CONTACTS_MAX 256U
#define ERROR_MESSAGE_MAX 512U  /* bytes of one error's message, before escaping */

static const char *const contact_role_table[_CONTACT_ROLE_MAX] = {
        [CONTACT_OPERATOR] = "operator",
        [CONTACT_SUPERIOR] = "superior",
};

const char *contact_role_to_string(ContactRole r) {
        return r >= 0 && r < _CONTACT_ROLE_MAX ? contact_role_table[r] : NULL;
}

ContactRole contact_role_from_string(const char *s) {
        for (int i = 0; s && i < _CONTACT_ROLE_MAX; i++)
                if (streq(s, contact_role_table[i]))
                        return i;
        return _CONTACT_ROLE_INVALID;
}

void config_init(Config *c) {
        *c = (Config) {
                .restart_attempts = 5,
                .restart_window_usec = 60 * USEC_PER_SEC,
                .restart_delay_usec = 100 * USEC_PER_MSEC,
                .restart_max_delay_usec = 30 * USEC_PER_SEC,
                .stable_usec = 30 * USEC_PER_SEC,
                .max_instances = 1000,
                .max_instances_per_user = 50,
                .ack_timeout_usec = 300 * USEC_PER_SEC,
                .repeat_usec = 1800 * USEC_PER_SEC,
                .notify_burst = 5,
                .notify_interval_usec = 60 * USEC_PER_SEC,
                .webhook_timeout_usec = 5 * USEC_PER_SEC,
                .webhook_attempts = 4,
                .desktop_ack_timeout_usec = 60 * USEC_PER_SEC,
        };
}

static void contact_done(Contact *k) {
        free(k->name);
        free(k->user);
        free(k->exec);
        free(k->webhook);
}

void config_done(Config *c) {
        strv_free(c->operators);
        for (size_t i = 0; i < c->n_contacts; i++)
                contact_done(&c->contacts[i]);
        free(c->contacts);
        config_init(c);
}

/* The first N bytes of valid UTF-8 S with control characters (C0 but tab, DEL, C1) as "\xNN". */
static char *escape_controls(const char *s, size_t n) {
        char *buf = malloc(n * 4 + 1), *t = buf;

        if (!buf)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                unsigned char b = (unsigned char) s[i];

                if ((b < 0x20 && b != '\t') || b == 0x7f)
                        t += sprintf(t, "\\x%02x", b);
                else if (b == 0xc2 && i + 1 < n && (unsigned char) s[i + 1] >= 0x80 && (unsigned char) s[i + 1] <= 0x9f) {
                        t += sprintf(t, "\\x%02x\\x%02x", b, (unsigned char) s[i + 1]);
                        i++;
                } else
                        *t++ = (char) b;
        }
        *t = '\0';
        return buf;
}

static int add_error(char ***errors, size_t *n, const char *file, unsigned line, const char *format, ...) _printf_(5, 6);
static int add_error(char ***errors, size_t *n, const char *file, unsigned line, const char *format, ...) {
        _cleanup_free_ char *msg = NULL, *shown = NULL;
        char *entry, **bigger;
        size_t len;
        va_list ap;
        int k;

        va_start(ap, format);
        k = vasprintf(&msg, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        /* The message quotes the file's text: one line a terminal shows as it is, and valid UTF-8
         * (it travels in Reload's D-Bus error). Long ones are cut at a character boundary. */
        len = strlen(msg);
        if (len > ERROR_MESSAGE_MAX) {
                len = ERROR_MESSAGE_MAX;
                while (len > 0 && ((unsigned char) msg[len] & 0xc0) == 0x80)
                        len--;
        }
        shown = escape_controls(msg, len);
        if (!shown)
                return -ENOMEM;
        if (asprintf(&entry, "%s:%u: %s%s", file, line, shown, len < strlen(msg) ? "..." : "") < 0)
                return -ENOMEM;
        bigger = realloc(*errors, (*n + 2) * sizeof(char *));
        if (!bigger) {
                free(entry);
                return -ENOMEM;
        }
        *errors = bigger;
        (*errors)[(*n)++] = entry;
        (*errors)[*n] = NULL;
        return 0;
}

/* Seconds with an optional fraction, e.g. "0.1", "30". */
static int parse_seconds(const char *v, uint64_t *ret) {
        char *end;
        double d;

        if (isempty(v) || !(g_ascii_isdigit(v[0]) || v[0] == '.'))
                return -EINVAL;
        errno = 0;
        d = g_ascii_strtod(v, &end);
        if (errno != 0 || *end != '\0' || !isfinite(d) || d < 0 || d > 31536000.0)
                return -EINVAL;
        *ret = (uint64_t) llround(d * (double) USEC_PER_SEC);
        return 0;
}

static int parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *ret) {
        char *end;
        unsigned long long u;

        if (isempty(v) || !g_ascii_isdigit(v[0]))
                return -EINVAL;
        errno = 0;
        u = g_ascii_strtoull(v, &end, 10);
        if (errno != 0 || *end != '\0' || u < min || u > max)
                return -EINVAL;
        *ret = (uint32_t) u;
        return 0;
}

static Contact *contact_get(Config *c, const char *name) {
        Contact *bigger;

        for (size_t i = 0; i < c->n_contacts; i++)
                if (streq(c->contacts[i].name, name))
                        return &c->contacts[i];
        if (c->n_contacts >= CONFIG_CONTACTS_MAX)
                return NULL;
        bigger = realloc(c->contacts, (c->n_contacts + 1) * sizeof(Contact));
        if (!bigger)
                return NULL;
        c->contacts = bigger;
        c->contacts[c->n_contacts] = (Contact) { .name = strdup(name), .role = CONTACT_OPERATOR };
        if (!c->contacts[c->n_contacts].name)
                return NULL;
        return &c->contacts[c->n_contacts++];
}

static int set_string(char **field, const char *v) {
        char *copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

/* One assignment KEY=VALUE in GROUP. Returns NULL, or what is wrong with it. */
static const char *apply(Config *c, const char *group, const char *key, const char *value, int *r) {
        *r = 0;
        if (streq(group, "Supervision")) {
                if (streq(key, "RestartAttempts"))
                        return parse_u32(value, 1, 1000, &c->restart_attempts) < 0 ? "must be a number from 1 to 1000" : NULL;
                if (streq(key, "MaxInstances"))
                        return parse_u32(value, 1, 100000, &c->max_instances) < 0 ? "must be a number from 1 to 100000" : NULL;
                if (streq(key, "MaxInstancesPerUser"))
                        return parse_u32(value, 0, 100000, &c->max_instances_per_user) < 0 ? "must be a number from 0 to 100000" : NULL;
                if (streq(key, "RestartWindowSec"))
                        /* The range an instance's own RestartWindowUSec has (instance-config.h). */
                        return parse_seconds(value, &c->restart_window_usec) < 0 ||
                               c->restart_window_usec < INSTANCE_RESTART_WINDOW_USEC_MIN ||
                               c->restart_window_usec > INSTANCE_RESTART_WINDOW_USEC_MAX ?
                               "must be a time from 1 to 86400 seconds" : NULL;
                uint64_t *t = streq(key, "RestartDelaySec") ? &c->restart_delay_usec :
                              streq(key, "RestartMaxDelaySec") ? &c->restart_max_delay_usec :
                              streq(key, "StableSec") ? &c->stable_usec : NULL;
                if (t)
                        return parse_seconds(value, t) < 0 ? "must be a time in seconds, e.g. 0.5 or 30" : NULL;
                return "is not a key of [Supervision]";
        }
        if (streq(group, "Escalation")) {
                if (streq(key, "Operators")) {
                        g_auto(GStrv) names = g_strsplit_set(value, " ,", -1);
                        char **l = calloc(g_strv_length(names) + 1, sizeof(char *));
                        size_t n = 0;
                        if (!l) {
                                *r = -ENOMEM;
                                return NULL;
                        }
                        for (char **p = names; *p; p++) {
                                if (!**p)
                                        continue;
                                if (!instance_name_is_valid(*p)) {
                                        strv_free(l);
                                        return "must list contact names (letters, digits, '_', '.', '-')";
                                }
                                l[n++] = strdup(*p);
                        }
                        strv_free(c->operators);
                        c->operators = l;
                        return NULL;
                }
                if (streq(key, "WebhookAttempts"))
                        return parse_u32(value, 1, 20, &c->webhook_attempts) < 0 ? "must be a number from 1 to 20" : NULL;
                if (streq(key, "NotifyBurst"))
                        return parse_u32(value, 1, 10000, &c->notify_burst) < 0 ? "must be a number from 1 to 10000" : NULL;
                uint64_t *t = streq(key, "AckTimeoutSec") ? &c->ack_timeout_usec :
                              streq(key, "RepeatSec") ? &c->repeat_usec :
                              streq(key, "NotifyIntervalSec") ? &c->notify_interval_usec :
                              streq(key, "WebhookTimeoutSec") ? &c->webhook_timeout_usec :
                              streq(key, "DesktopAckTimeoutSec") ? &c->desktop_ack_timeout_usec : NULL;
                if (t == &c->webhook_timeout_usec)
                        return parse_seconds(value, t) < 0 || *t == 0 ? "must be a time in seconds above 0, e.g. 5" : NULL;
                if (t)
                        return parse_seconds(value, t) < 0 ? "must be a time in seconds, e.g. 300" : NULL;
                return "is not a key of [Escalation]";
        }
        if (g_str_has_prefix(group, "Contact ")) {
                Contact *k = contact_get(c, group + 8);
                if (!k) {
                        if (c->n_contacts >= CONFIG_CONTACTS_MAX)
                                return "is in a [Contact NAME] group beyond the 256 allowed";
                        *r = -ENOMEM;
                        return NULL;
                }
                if (streq(key, "Role")) {
                        ContactRole role = contact_role_from_string(value);
                        if (role < 0)
                                return "must be 'operator' or 'superior'";
                        k->role = role;
                        return NULL;
                }
                if (streq(key, "User")) {
                        if (!unix_user_name_is_valid(value))
                                return "must be a user name or a numeric uid";
                        *r = set_string(&k->user, value);
                        return NULL;
                }
                if (streq(key, "Exec")) {
                        if (value[0] != '/' || !utf8_is_valid(value))
                                return "must be a command line starting with an absolute path";
                        *r = set_string(&k->exec, value);
                        return NULL;
                }
                if (streq(key, "Webhook")) {
                        if (!webhook_url_is_valid(value))
                                return "must be an http:// or https:// URL";
                        *r = set_string(&k->webhook, value);
                        return NULL;
                }
                return "is not a key of [Contact NAME] (Role, User, Exec, Webhook)";
        }
        return NULL;
}

static char *strip(char *s) {
        char *e;

        while (*s == ' ' || *s == '\t')
                s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                *--e = '\0';
        return s;
}

int config_parse(Config *c, const char *file, const char *text, char ***errors) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        _cleanup_free_ char *group = NULL;
        bool in_unknown_group = false;
        size_t n_errors = strv_length(*errors);
        unsigned lineno = 0;
        int r;

        for (char **l = lines; *l; l++) {
                char *line = strip(*l), *eq;
                const char *problem;

                lineno++;
                if (!*line || *line == '#' || *line == ';')
                        continue;
                if (!utf8_is_valid(line)) {
                        if (add_error(errors, &n_errors, file, lineno, "not valid UTF-8") < 0)
                                return -ENOMEM;
                        continue;
                }
                if (*line == '[') {
                        char *end = strchr(line, ']');
                        free(group);
                        group = NULL;
                        in_unknown_group = true;
                        if (!end || end[1] != '\0') {
                                r = add_error(errors, &n_errors, file, lineno, "malformed group header '%s'", line);
                        } else {
                                *end = '\0';
                                const char *g = line + 1;
                                if (streq(g, "Supervision") || streq(g, "Escalation") ||
                                    (g_str_has_prefix(g, "Contact ") && instance_name_is_valid(g + 8))) {
                                        group = strdup(g);
                                        r = group ? 0 : -ENOMEM;
                                        in_unknown_group = false;
                                } else
                                        r = add_error(errors, &n_errors, file, lineno,
                                                      "unknown group [%s] (known: [Supervision], [Escalation], [Contact NAME])", g);
                        }
                        if (r < 0)
                                return -ENOMEM;
                        continue;
                }
                eq = strchr(line, '=');
                if (!eq) {
                        if (add_error(errors, &n_errors, file, lineno, "expected KEY=VALUE") < 0)
                                return -ENOMEM;
                        continue;
                }
                *eq = '\0';
                char *key = strip(line), *value = strip(eq + 1);
                if (!group) {
                        /* Under an unknown group the header was reported already. */
                        if (!in_unknown_group &&
                            add_error(errors, &n_errors, file, lineno, "'%s' outside of any group", key) < 0)
                                return -ENOMEM;
                        continue;
                }
                problem = apply(c, group, key, value, &r);
                if (r < 0)
                        return r;
                /* Commands and URLs may hold secrets (tokens): their values are not repeated. */
                bool secret = streq(key, "Exec") || streq(key, "Webhook");
                if (problem && add_error(errors, &n_errors, file, lineno, "%s=%s: %s", key,
                                         secret ? "(value not shown)" : value, problem) < 0)
                        return -ENOMEM;
        }

        return (int) n_errors;
}

int config_check(const Config *c, const char *where, char ***errors) {
        size_t n = strv_length(*errors);
        char *entry, **bigger;

        /* Keys that must agree are judged once every file is read: a drop-in may raise one. */
        if (c->restart_delay_usec <= c->restart_max_delay_usec)
                return (int) n;
        if (asprintf(&entry, "%s: RestartDelaySec (%.3f s) is longer than RestartMaxDelaySec (%.3f s)", where,
                     (double) c->restart_delay_usec / USEC_PER_SEC,
                     (double) c->restart_max_delay_usec / USEC_PER_SEC) < 0)
                return -ENOMEM;
        bigger = realloc(*errors, (n + 2) * sizeof(char *));
        if (!bigger) {
                free(entry);
                return -ENOMEM;
        }
        *errors = bigger;
        (*errors)[n++] = entry;
        (*errors)[n] = NULL;
        return (int) n;
}

static int load_file(Config *c, const char *path, char ***errors) {
        g_autofree char *text = NULL;
        g_autoptr(GError) e = NULL;
        gsize size;
        size_t n = strv_length(*errors);

        if (!g_file_get_contents(path, &text, &size, &e)) {
                if (g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT))
                        return (int) n;
                return add_error(errors, &n, path, 0, "cannot be read: %s", e->message) < 0 ? -ENOMEM : (int) n;
        }
        if (size > CONFIG_FILE_SIZE_MAX || memchr(text, '\0', size))
                return add_error(errors, &n, path, 0, "is not a text file of at most 1 MiB") < 0 ? -ENOMEM : (int) n;
        return config_parse(c, path, text, errors);
}

static gint compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

int config_load(Config *c, const char *dir, char ***errors) {
        _cleanup_free_ char *main_file = NULL, *dropins = NULL;
        GPtrArray *names;
        DIR *d;
        struct dirent *de;
        int r;

        if (asprintf(&main_file, "%s/orchd.conf", dir) < 0 || asprintf(&dropins, "%s/orchd.conf.d", dir) < 0)
                return -ENOMEM;
        r = load_file(c, main_file, errors);
        if (r < 0)
                return r;

        d = opendir(dropins);
        if (!d)
                return r;
        names = g_ptr_array_new_with_free_func(g_free);
        while ((de = readdir(d)))
                if (g_str_has_suffix(de->d_name, ".conf") && de->d_name[0] != '.')
                        g_ptr_array_add(names, g_strdup(de->d_name));
        closedir(d);
        g_ptr_array_sort(names, compare_strings);
        for (guint i = 0; i < names->len && r >= 0; i++) {
                g_autofree char *path = g_build_filename(dropins, names->pdata[i], NULL);
                r = load_file(c, path, errors);
        }
        g_ptr_array_free(names, true);
        if (r < 0)
                return r;
        return config_check(c, dir, errors);
}
