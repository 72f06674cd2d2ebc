/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A random caller of orchd's bus API (tests/integration/test-chaos-random.sh). It reads the
 * methods of the contract on stdin, one "INTERFACE METHOD SIGNATURE" line each (the signature of
 * the in-arguments, empty for none; the test script takes them from
 * dbus/org.orchd.Orchestrator1.xml), and for a while calls random ones on the Manager, Instance
 * and Alert objects -- and on random object paths -- with arguments that are valid for the
 * signature and random otherwise: odd and long strings, names of existing instances, ids,
 * a{sv} with known and unknown keys and variants of the wrong type. It keeps a few calls in
 * flight and waits at most --timeout-ms for each answer.
 *
 *   orchd-random-caller [--seconds N] [--seed N] [--in-flight N] [--timeout-ms N] [--acked FILE]
 *
 * At the end it prints what it did ("calls=... replies=... errors=... timeouts=...", then the
 * count of each reply). With --acked FILE it writes there, as they happen, the registrations
 * orchd acknowledged ("added NAME ID": an AddInstance that replied with an id) and what each
 * removal named ("removing NAME-OR-ID", an argument of RemoveInstance or the instance of an
 * Instance.Remove path), for the test to check that every registration acknowledged and never
 * named by a removal of any caller is still there. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#define DEST "org.orchd.Orchestrator1"
#define MANAGER_PATH "/org/orchd/Orchestrator1"
#define MANAGER_IFACE "org.orchd.Orchestrator1.Manager"
#define INSTANCE_IFACE "org.orchd.Orchestrator1.Instance"
#define ALERT_IFACE "org.orchd.Orchestrator1.Alert"
#define INSTANCE_PREFIX "/org/orchd/Orchestrator1/instance"
#define ALERT_PREFIX "/org/orchd/Orchestrator1/alert"
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define KNOWN_MAX 256
#define METHODS_MAX 128
#define REPLY_KINDS_MAX 96

typedef struct Method {
        char *interface, *member, *signature;
} Method;

typedef struct Pending {
        int method;             /* index into methods, or -1 for our own harvesting calls */
        uint64_t sent_usec;
        char *name;             /* AddInstance: the name registered */
} Pending;

static Method methods[METHODS_MAX];
static size_t n_methods;
static char *known_names[KNOWN_MAX], *known_ids[KNOWN_MAX], *known_alerts[KNOWN_MAX];
static size_t n_known_names, n_known_ids, n_known_alerts;
static FILE *acked_file;
static uint64_t n_acked;
static unsigned in_flight;
static uint64_t calls, replies, errors, timeouts, unsendable, reconnects;
static struct { char *name; uint64_t n; } reply_kinds[REPLY_KINDS_MAX];
static size_t n_reply_kinds;
static uint64_t rng_state, seed_tag;
/* Long strings a message may still get: a few MiB at most, or the bus itself becomes the test. */
static size_t long_budget;
#define LONG_BUDGET (2U * 1024U * 1024U)
/* And array elements: a message over the bus's size limit only gets us disconnected. */
static unsigned element_budget;
#define ELEMENT_BUDGET 20000U

static bool take_element(void) {
        if (element_budget == 0)
                return false;
        element_budget--;
        return true;
}
static uint32_t *latencies;     /* µs from sending to the answer, answered calls only */
static size_t n_latencies, latencies_allocated;
static int devnull_fd = -1;
static char last_sent[64];

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* xorshift64*: reproducible from --seed. */
static uint64_t rnd(void) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * UINT64_C(2685821657736338717);
}

static unsigned rnd_below(unsigned n) {
        return n ? (unsigned) (rnd() % n) : 0;
}

static bool chance(unsigned percent) {
        return rnd_below(100) < percent;
}

static void *xmalloc(size_t n) {
        void *p = malloc(n ? n : 1);
        if (!p) {
                fputs("out of memory\n", stderr);
                exit(EXIT_FAILURE);
        }
        return p;
}

static char *xstrdup(const char *s) {
        char *p = strdup(s);
        if (!p) {
                fputs("out of memory\n", stderr);
                exit(EXIT_FAILURE);
        }
        return p;
}

/* Remembers S in a ring of KNOWN_MAX strings (names, ids), without duplicates. */
static void remember(char **ring, size_t *n, const char *s) {
        size_t count = *n < KNOWN_MAX ? *n : KNOWN_MAX;

        for (size_t k = 0; k < count; k++)
                if (strcmp(ring[k], s) == 0)
                        return;
        free(ring[*n % KNOWN_MAX]);
        ring[*n % KNOWN_MAX] = xstrdup(s);
        (*n)++;
}

static const char *pick_known(char **ring, size_t n) {
        size_t count = n < KNOWN_MAX ? n : KNOWN_MAX;
        return count ? ring[rnd_below((unsigned) count)] : NULL;
}

static void count_reply(const char *kind) {
        size_t k;

        for (k = 0; k < n_reply_kinds; k++)
                if (strcmp(reply_kinds[k].name, kind) == 0)
                        break;
        if (k == n_reply_kinds) {
                if (n_reply_kinds == REPLY_KINDS_MAX)
                        k = n_reply_kinds - 1;  /* the last one takes the rest */
                else
                        reply_kinds[n_reply_kinds++].name = xstrdup(kind);
        }
        reply_kinds[k].n++;
}

/* --- random values ----------------------------------------------------------------------------- */

/* Valid UTF-8, no NUL; some are odd for names, paths, shells and terminals. */
static const char *const odd_pieces[] = {
        "é", "ß", "日本語", "🙂", "👩‍👩‍👧", "\u202e", "\u200b", "e\u0301", "\u00a0", "\U0010fffd", "\ufeff",
        "\t", "\n", "\r\n", "\x01", "\x1b[31m", "\x7f", "%s%n%x", "../../etc/passwd", "a/b", "a=b", "=",
        "-", ".", "..", "name with space", "'", "\"", "\\", "$(id)", ";", "*", "?", "[", "]", "{", "}",
        "orchd", "orchd-x.service", "@", ":", "/", "//", "/bin/true", "/bin/sleep", "LD_PRELOAD=/x.so",
        "PATH=/nowhere", "HOME=", "0", "-1", "18446744073709551616", "1e9", "true", "no", "on-failure",
        "always", "root", "nobody", "chaos", "operator", "superior", "http://127.0.0.1:9/hook",
        "https://example.invalid/t0k3n", "file:///etc/shadow",
};

static void append_char(char **buf, size_t *len, size_t *cap, const char *piece) {
        size_t n = strlen(piece);

        if (*len + n + 1 > *cap) {
                *cap = (*len + n + 1) * 2;
                char *bigger = realloc(*buf, *cap);
                if (!bigger) {
                        fputs("out of memory\n", stderr);
                        exit(EXIT_FAILURE);
                }
                *buf = bigger;
        }
        memcpy(*buf + *len, piece, n + 1);
        *len += n;
}

static char *random_uuid7ish(void) {
        char *s = xmalloc(37);
        uint64_t a = rnd(), b = rnd();
        snprintf(s, 37, "%08" PRIx32 "-%04" PRIx32 "-7%03" PRIx32 "-%04" PRIx32 "-%012" PRIx64,
                 (uint32_t) (a >> 32), (uint32_t) (a >> 16) & 0xffff, (uint32_t) a & 0xfff,
                 ((uint32_t) (b >> 48) & 0x3fff) | 0x8000, b & UINT64_C(0xffffffffffff));
        return s;
}

/* A valid instance name: one of a few that every caller uses, or one of this caller's own
 * (which removals name less often: their registrations are what the test can check). */
static char *random_name(void) {
        static unsigned serial;
        char *s = xmalloc(32);
        if (chance(50))
                snprintf(s, 32, "rc-%u", rnd_below(30));
        else
                snprintf(s, 32, "ru-%04x-%u", (unsigned) (seed_tag & 0xffff), ++serial);
        return s;
}

/* A random string: names and ids that exist, valid names, odd and long ones. */
static char *random_string(void) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        const char *k;

        switch (rnd_below(12)) {
        case 0:
                return xstrdup("");
        case 1:
        case 2:
                if ((k = pick_known(known_names, n_known_names)))
                        return xstrdup(k);
                return random_name();
        case 3:
                if ((k = pick_known(known_ids, n_known_ids)))
                        return xstrdup(k);
                return random_uuid7ish();
        case 4:
                if ((k = pick_known(known_alerts, n_known_alerts)))
                        return xstrdup(k);
                return random_uuid7ish();
        case 5:
                return random_name();
        case 6: {
                /* Long: up to 64 KiB, rarely 1 MiB, within the message's budget. */
                size_t n = chance(3) ? 1024 * 1024 : 1 + rnd_below(65536);
                if (n > long_budget)
                        n = long_budget > 0 ? long_budget : 1;
                long_budget -= n < long_budget ? n : long_budget;
                char *s = xmalloc(n + 1);
                memset(s, "aZ9_.-/x"[rnd_below(8)], n);
                s[n] = '\0';
                return s;
        }
        default:
                append_char(&buf, &len, &cap, "");
                for (unsigned n = 1 + rnd_below(6); n > 0; n--) {
                        if (chance(40)) {
                                char ascii[9];
                                unsigned m = 1 + rnd_below(8);
                                for (unsigned j = 0; j < m; j++)
                                        ascii[j] = (char) (0x20 + rnd_below(0x5f));
                                ascii[m] = '\0';
                                append_char(&buf, &len, &cap, ascii);
                        } else
                                append_char(&buf, &len, &cap, odd_pieces[rnd_below(ELEMENTSOF(odd_pieces))]);
                }
                return buf;
        }
}

static char *random_object_path(void) {
        char *buf = NULL, *p = NULL;
        size_t len = 0, cap = 0;
        const char *k;

        switch (rnd_below(6)) {
        case 0:
                return xstrdup("/");
        case 1:
                return xstrdup(MANAGER_PATH);
        case 2: {
                char *s = random_string();
                if (sd_bus_path_encode(INSTANCE_PREFIX, s, &p) < 0)
                        p = xstrdup(INSTANCE_PREFIX);
                free(s);
                return p;
        }
        case 3:
                k = pick_known(known_alerts, n_known_alerts);
                if (sd_bus_path_encode(ALERT_PREFIX, k ? k : "nope", &p) < 0)
                        p = xstrdup(ALERT_PREFIX);
                return p;
        default:
                append_char(&buf, &len, &cap, "");
                for (unsigned n = 1 + rnd_below(5); n > 0; n--) {
                        char el[12];
                        unsigned m = 1 + rnd_below(10);
                        el[0] = '/';
                        for (unsigned j = 1; j <= m; j++)
                                el[j] = "abcXYZ019_"[rnd_below(10)];
                        el[m + 1] = '\0';
                        append_char(&buf, &len, &cap, el);
                }
                return buf;
        }
}

static const char *const random_signatures[] = { "", "s", "as", "a{sv}", "sasa{sv}", "v", "(ii)", "a(sssssuo)" };

static int append_random(sd_bus_message *m, const char **sig, unsigned depth);

/* One complete type starting at *SIG, which is advanced past it. */
static const char *type_end(const char *s) {
        switch (*s) {
        case 'a':
                return type_end(s + 1);
        case '(': {
                s++;
                while (*s && *s != ')')
                        s = type_end(s);
                return *s ? s + 1 : s;
        }
        case '{': {
                s++;
                while (*s && *s != '}')
                        s = type_end(s);
                return *s ? s + 1 : s;
        }
        default:
                return *s ? s + 1 : s;
        }
}

static int append_basic(sd_bus_message *m, char type) {
        union { uint8_t y; int b; int16_t n; uint16_t q; int32_t i; uint32_t u; int64_t x; uint64_t t; double d; } v;
        static const uint64_t edges[] = { 0, 1, 2, 5, 100, 1000, 1000000, UINT32_MAX, (uint64_t) INT32_MAX,
                                          UINT64_MAX, (uint64_t) INT64_MAX, (uint64_t) INT64_MIN };
        uint64_t raw = chance(50) ? edges[rnd_below(ELEMENTSOF(edges))] : rnd() >> rnd_below(64);
        char *s = NULL;
        int r;

        switch (type) {
        case 'y': v.y = (uint8_t) raw; return sd_bus_message_append_basic(m, type, &v.y);
        case 'b': v.b = (int) (raw & 1); return sd_bus_message_append_basic(m, type, &v.b);
        case 'n': v.n = (int16_t) raw; return sd_bus_message_append_basic(m, type, &v.n);
        case 'q': v.q = (uint16_t) raw; return sd_bus_message_append_basic(m, type, &v.q);
        case 'i': v.i = (int32_t) raw; return sd_bus_message_append_basic(m, type, &v.i);
        case 'u': v.u = (uint32_t) raw; return sd_bus_message_append_basic(m, type, &v.u);
        case 'x': v.x = (int64_t) raw; return sd_bus_message_append_basic(m, type, &v.x);
        case 't': v.t = raw; return sd_bus_message_append_basic(m, type, &v.t);
        case 'd': {
                static const double ds[] = { 0.0, -1.0, 1e308, NAN, INFINITY, -INFINITY, 0.5 };
                v.d = ds[rnd_below(ELEMENTSOF(ds))];
                return sd_bus_message_append_basic(m, type, &v.d);
        }
        case 'h':
                return sd_bus_message_append_basic(m, type, &devnull_fd);
        case 's':
                s = random_string();
                break;
        case 'o':
                s = random_object_path();
                break;
        case 'g':
                s = xstrdup(random_signatures[rnd_below(ELEMENTSOF(random_signatures))]);
                break;
        default:
                return -EINVAL;
        }
        r = sd_bus_message_append_basic(m, type, s);
        free(s);
        return r;
}

static const char *const variant_types[] = { "s", "u", "b", "t", "i", "as", "a{sv}", "o", "ay", "d", "x", "(su)", "v" };

static int append_variant(sd_bus_message *m, const char *contents, unsigned depth) {
        const char *p = contents;
        int r;

        r = sd_bus_message_open_container(m, 'v', contents);
        if (r < 0)
                return r;
        r = append_random(m, &p, depth + 1);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

/* The options AddInstance and SetContact know, with their right types and some plausible values. */
static const struct {
        const char *key, *type;
        const char *values[6];
} known_options[] = {
        { "Description", "s", { "chaos", "" } },
        { "Environment", "as", { "A=b", "LD_PRELOAD=/nonexistent.so", "ORCHD_INSTANCE=forged", "=x", "NOEQUALS" } },
        { "WorkingDirectory", "s", { "/", "/var/tmp", "relative", "/nonexistent" } },
        { "User", "s", { "root", "nobody", "chaos", "0", "65534", "no-such-user" } },
        { "Restart", "s", { "no", "on-failure", "always", "sometimes" } },
        { "RestartAttempts", "u", {} },
        { "RestartWindowUSec", "t", {} },
        { "Operators", "as", { "alice", "rc-1", "bad name" } },
        { "Requires", "as", { "rc-1", "rc-2", "rc-3", "rc-4" } },
        { "WatchdogUSec", "t", {} },
        { "MemoryMax", "t", {} },
        { "CPUWeight", "t", {} },
        { "Start", "b", {} },
        { "Role", "s", { "operator", "superior", "boss" } },
        { "Exec", "s", { "/bin/true", "/bin/echo paged", "relative/cmd", "/nonexistent" } },
        { "Webhook", "s", { "http://127.0.0.1:9/hook", "https://example.invalid/x", "ftp://x", "http://" } },
};

static int append_plausible(sd_bus_message *m, size_t k) {
        const char *type = known_options[k].type;
        size_t n_values = 0;
        int r;

        while (n_values < ELEMENTSOF(known_options[k].values) && known_options[k].values[n_values])
                n_values++;
        if (n_values == 0 || chance(20)) {
                const char *p = type;
                return append_random(m, &p, 2);
        }
        if (type[0] == 's')
                return sd_bus_message_append(m, "s", known_options[k].values[rnd_below((unsigned) n_values)]);
        r = sd_bus_message_open_container(m, 'a', "s");
        for (unsigned j = rnd_below(4); r >= 0 && j > 0 && take_element(); j--)
                r = sd_bus_message_append(m, "s", known_options[k].values[rnd_below((unsigned) n_values)]);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int append_options(sd_bus_message *m) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (unsigned n = rnd_below(chance(5) ? 64 : 5); n > 0 && take_element(); n--) {
                size_t k = rnd_below(ELEMENTSOF(known_options));
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (chance(85)) {
                        r = sd_bus_message_append(m, "s", known_options[k].key);
                        if (r < 0)
                                return r;
                        if (chance(80)) {
                                r = sd_bus_message_open_container(m, 'v', known_options[k].type);
                                if (r >= 0)
                                        r = append_plausible(m, k);
                                if (r >= 0)
                                        r = sd_bus_message_close_container(m);
                        } else  /* the wrong type, most likely */
                                r = append_variant(m, variant_types[rnd_below(ELEMENTSOF(variant_types))], 1);
                } else {
                        char *key = random_string();
                        r = sd_bus_message_append(m, "s", key);
                        free(key);
                        if (r >= 0)
                                r = append_variant(m, variant_types[rnd_below(ELEMENTSOF(variant_types))], 1);
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int append_argv(sd_bus_message *m) {
        static const char *const programs[][4] = {
                { "/bin/sleep", "1000" }, { "/bin/true" }, { "/bin/false" }, { "/bin/sh", "-c", "exit 3" },
                { "/bin/sleep", "0.2" }, { "relative" }, { "/nonexistent/program" },
        };
        int r;

        if (chance(70)) {
                size_t k = rnd_below(ELEMENTSOF(programs));
                r = sd_bus_message_open_container(m, 'a', "s");
                for (size_t j = 0; r >= 0 && j < 4 && programs[k][j]; j++)
                        r = sd_bus_message_append(m, "s", programs[k][j]);
                if (r < 0)
                        return r;
                return sd_bus_message_close_container(m);
        }
        r = sd_bus_message_open_container(m, 'a', "s");
        for (unsigned n = chance(5) ? 5000 : rnd_below(6); r >= 0 && n > 0 && take_element(); n--) {
                char *s = random_string();
                r = sd_bus_message_append(m, "s", s);
                free(s);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int append_random(sd_bus_message *m, const char **sig, unsigned depth) {
        const char *s = *sig, *end = type_end(s);
        char contents[64];
        int r;

        *sig = end;
        if (strncmp(s, "a{sv}", 5) == 0 && depth < 3)
                return append_options(m);
        switch (*s) {
        case 'a': {
                size_t n = (size_t) (end - s - 1);
                if (n >= sizeof contents)
                        return -E2BIG;
                memcpy(contents, s + 1, n);
                contents[n] = '\0';
                r = sd_bus_message_open_container(m, 'a', contents);
                if (r < 0)
                        return r;
                for (unsigned k = depth > 2 ? 0 : rnd_below(chance(3) ? 300 : 5); k > 0 && take_element(); k--) {
                        const char *p = contents;
                        r = append_random(m, &p, depth + 1);
                        if (r < 0)
                                return r;
                }
                return sd_bus_message_close_container(m);
        }
        case '(':
        case '{': {
                size_t n = (size_t) (end - s - 2);
                if (n >= sizeof contents)
                        return -E2BIG;
                memcpy(contents, s + 1, n);
                contents[n] = '\0';
                r = sd_bus_message_open_container(m, *s == '(' ? 'r' : 'e', contents);
                if (r < 0)
                        return r;
                for (const char *p = contents; *p; ) {
                        r = append_random(m, &p, depth + 1);
                        if (r < 0)
                                return r;
                }
                return sd_bus_message_close_container(m);
        }
        case 'v':
                return append_variant(m, depth > 2 ? "s" : variant_types[rnd_below(ELEMENTSOF(variant_types))], depth);
        default:
                return append_basic(m, *s);
        }
}

/* --- calls ------------------------------------------------------------------------------------- */

static void pending_free(void *userdata) {
        Pending *p = userdata;

        in_flight--;
        free(p->name);
        free(p);
}

static void harvest(sd_bus_message *reply, const Method *method) {
        const char *a, *b;

        if (!method)
                return;
        if (strcmp(method->member, "ListInstances") == 0) {
                if (sd_bus_message_enter_container(reply, 'a', "(sssssuo)") <= 0)
                        return;
                while (sd_bus_message_read(reply, "(sssssuo)", &a, &b, NULL, NULL, NULL, NULL, NULL) > 0) {
                        remember(known_ids, &n_known_ids, a);
                        remember(known_names, &n_known_names, b);
                }
        } else if (strcmp(method->member, "ListAlerts") == 0) {
                if (sd_bus_message_enter_container(reply, 'a', "(sssuso)") <= 0)
                        return;
                while (sd_bus_message_read(reply, "(sssuso)", &a, NULL, NULL, NULL, NULL, NULL) > 0)
                        remember(known_alerts, &n_known_alerts, a);
        } else if (strcmp(method->member, "AddInstance") == 0) {
                if (sd_bus_message_read(reply, "so", &a, NULL) > 0)
                        remember(known_ids, &n_known_ids, a);
        }
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Pending *p = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const Method *method = p->method >= 0 ? &methods[p->method] : NULL;

        (void) ret_error;
        if (!e || !sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY)) {
                if (n_latencies == latencies_allocated) {
                        latencies_allocated = latencies_allocated ? latencies_allocated * 2 : 4096;
                        uint32_t *bigger = realloc(latencies, latencies_allocated * sizeof *latencies);
                        if (!bigger) {
                                fputs("out of memory\n", stderr);
                                exit(EXIT_FAILURE);
                        }
                        latencies = bigger;
                }
                uint64_t d = now_usec() - p->sent_usec;
                latencies[n_latencies++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t) d;
        }
        if (e) {
                bool timed_out = sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) && e->message &&
                                 strstr(e->message, "timed out");
                errors++;
                if (timed_out) {
                        char kind[128];
                        timeouts++;
                        snprintf(kind, sizeof kind, "no answer within the time-out: %s", method ? method->member : "harvest");
                        count_reply(kind);
                } else
                        count_reply(e->name);
                return 0;
        }
        replies++;
        count_reply(method ? method->member : "harvest");
        if (method && strcmp(method->member, "AddInstance") == 0 && p->name) {
                const char *id;
                if (sd_bus_message_read(reply, "so", &id, NULL) > 0) {
                        n_acked++;
                        if (acked_file)
                                fprintf(acked_file, "added %s %s\n", p->name, id);
                        remember(known_names, &n_known_names, p->name);
                        remember(known_ids, &n_known_ids, id);
                }
                return 0;
        }
        harvest(reply, method);
        return 0;
}

/* A registration this call may remove cannot be checked at the end. Only arguments that can be
 * a name or an id are written: nothing else names an instance. */
static void note_removal(const char *path, const char *member, sd_bus_message *m) {
        char *name = NULL;
        const char *arg = NULL;

        if (!acked_file)
                return;
        if (strcmp(member, "Remove") == 0 && sd_bus_path_decode(path, INSTANCE_PREFIX, &name) > 0)
                arg = name;
        else if (strcmp(member, "RemoveInstance") == 0) {
                if (sd_bus_message_rewind(m, true) < 0 || sd_bus_message_read(m, "s", &arg) < 0)
                        arg = NULL;
        }
        if (arg && *arg && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(arg))
                fprintf(acked_file, "removing %s\n", arg);
        free(name);
}

static int send_call(sd_bus *bus, int index, uint64_t timeout_usec) {
        const Method *method = index >= 0 ? &methods[index] : NULL;
        sd_bus_message *m = NULL;
        sd_bus_slot *slot = NULL;
        Pending *p;
        char *path = NULL, *member = NULL;
        const char *interface, *name, *sig;
        int r;

        if (method) {
                interface = method->interface;
                name = method->member;
                sig = method->signature;
        } else {
                interface = MANAGER_IFACE;
                name = chance(50) ? "ListInstances" : "ListAlerts";
                sig = "";
        }
        /* Mostly the object the interface lives on; now and then another. */
        if (chance(8))
                path = random_object_path();
        else if (strcmp(interface, INSTANCE_IFACE) == 0) {
                const char *k = pick_known(known_names, n_known_names);
                char *s = k && chance(85) ? xstrdup(k) : random_string();
                if (sd_bus_path_encode(INSTANCE_PREFIX, s, &path) < 0)
                        path = xstrdup(INSTANCE_PREFIX);
                free(s);
        } else if (strcmp(interface, ALERT_IFACE) == 0) {
                const char *k = pick_known(known_alerts, n_known_alerts);
                char *s = k && chance(85) ? xstrdup(k) : random_uuid7ish();
                if (sd_bus_path_encode(ALERT_PREFIX, s, &path) < 0)
                        path = xstrdup(ALERT_PREFIX);
                free(s);
        } else if (strncmp(interface, "org.freedesktop.DBus.", 21) == 0 && chance(50)) {
                const char *k = pick_known(known_names, n_known_names);
                if (!k || sd_bus_path_encode(INSTANCE_PREFIX, k, &path) < 0)
                        path = xstrdup(MANAGER_PATH);
        } else
                path = xstrdup(MANAGER_PATH);
        if (method && chance(2)) {
                /* No such method. (A valid name: sd-bus lets "8x" through, dbus-daemon disconnects.) */
                char *s = random_string();
                size_t n = 1;
                member = xmalloc(201);
                member[0] = 'M';
                for (size_t k = 0; s[k] && n < 200; k++)
                        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", s[k]))
                                member[n++] = s[k];
                member[n] = '\0';
                free(s);
                name = member;
        }

        r = sd_bus_message_new_method_call(bus, &m, DEST, path, interface, name);
        if (r < 0)
                goto unsendable;
        (void) sd_bus_message_set_allow_interactive_authorization(m, chance(30));
        p = calloc(1, sizeof *p);
        if (!p) {
                r = -ENOMEM;
                goto unsendable;
        }
        p->method = index;
        p->sent_usec = now_usec();
        long_budget = LONG_BUDGET;
        element_budget = ELEMENT_BUDGET;
        if (method && strcmp(name, "AddInstance") == 0 && chance(60)) {
                /* A registration that can succeed: a name of ours, a program, random options. */
                p->name = random_name();
                r = sd_bus_message_append(m, "s", p->name);
                if (r >= 0)
                        r = append_argv(m);
                if (r >= 0)
                        r = append_options(m);
        } else {
                for (const char *s = sig; r >= 0 && *s; )
                        r = append_random(m, &s, 0);
        }
        if (r < 0) {
                free(p->name);
                free(p);
                goto unsendable;
        }
        r = sd_bus_call_async(bus, &slot, m, on_reply, p, timeout_usec);
        if (r < 0) {
                free(p->name);
                free(p);
                goto unsendable;
        }
        in_flight++;
        snprintf(last_sent, sizeof last_sent, "%s", name);
        if (method)
                note_removal(path, name, m);    /* sent, and so sealed: it can be read back */
        (void) sd_bus_slot_set_destroy_callback(slot, pending_free);
        (void) sd_bus_slot_set_floating(slot, 1);
        sd_bus_slot_unref(slot);
        calls++;
        sd_bus_message_unref(m);
        free(path);
        free(member);
        return 0;

unsendable:
        /* e.g. a string that is no valid member name, or a message too large for the bus */
        unsendable++;
        {
                char kind[64];
                snprintf(kind, sizeof kind, "not sent: %s", strerror(-r));
                count_reply(kind);
        }
        sd_bus_message_unref(m);
        free(path);
        free(member);
        return r;
}

static int read_methods(void) {
        char line[512];

        while (fgets(line, sizeof line, stdin)) {
                char iface[200], member[200], sig[100] = "";
                int n = sscanf(line, "%199s %199s %99s", iface, member, sig);
                if (n < 2 || n_methods >= METHODS_MAX)
                        continue;
                methods[n_methods].interface = xstrdup(iface);
                methods[n_methods].member = xstrdup(member);
                methods[n_methods].signature = xstrdup(n == 3 ? sig : "");
                n_methods++;
        }
        /* The standard interfaces every object has. */
        static const char *const standard[][3] = {
                { "org.freedesktop.DBus.Properties", "Get", "ss" },
                { "org.freedesktop.DBus.Properties", "GetAll", "s" },
                { "org.freedesktop.DBus.Properties", "Set", "ssv" },
                { "org.freedesktop.DBus.Introspectable", "Introspect", "" },
                { "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "" },
                { "org.freedesktop.DBus.Peer", "Ping", "" },
        };
        for (size_t k = 0; k < ELEMENTSOF(standard) && n_methods < METHODS_MAX; k++) {
                methods[n_methods].interface = xstrdup(standard[k][0]);
                methods[n_methods].member = xstrdup(standard[k][1]);
                methods[n_methods].signature = xstrdup(standard[k][2]);
                n_methods++;
        }
        return n_methods > 6 ? 0 : -EINVAL;
}

static int connect_bus(sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        *ret = bus;
        return 0;
}

static int compare_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
        return x < y ? -1 : x > y;
}

static double latency_ms(double q) {
        if (n_latencies == 0)
                return 0;
        size_t k = (size_t) (q * (double) n_latencies);
        return latencies[k < n_latencies ? k : n_latencies - 1] / 1000.0;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "seconds", required_argument, NULL, 's' },
                { "seed", required_argument, NULL, 'r' },
                { "in-flight", required_argument, NULL, 'f' },
                { "timeout-ms", required_argument, NULL, 't' },
                { "acked", required_argument, NULL, 'a' },
                {}
        };
        double seconds = 10;
        unsigned max_in_flight = 8;
        uint64_t timeout_usec = 2000000, seed = (uint64_t) time(NULL) ^ (uint64_t) getpid(), end, last_harvest = 0;
        const char *acked_path = NULL;
        sd_bus *bus = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's': seconds = strtod(optarg, NULL); break;
                case 'r': seed = strtoull(optarg, NULL, 10); break;
                case 'f': max_in_flight = (unsigned) strtoul(optarg, NULL, 10); break;
                case 't': timeout_usec = strtoull(optarg, NULL, 10) * 1000; break;
                case 'a': acked_path = optarg; break;
                default: return 2;
                }
        rng_state = seed ? seed : 1;
        seed_tag = seed;
        printf("# seed %" PRIu64 "\n", seed);
        devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (read_methods() < 0) {
                fputs("no methods on stdin (INTERFACE METHOD SIGNATURE lines)\n", stderr);
                return 2;
        }
        if (acked_path) {
                acked_file = fopen(acked_path, "we");
                if (!acked_file) {
                        fprintf(stderr, "cannot write %s: %m\n", acked_path);
                        return 1;
                }
        }
        r = connect_bus(&bus);
        if (r < 0) {
                fprintf(stderr, "cannot connect to the system bus: %s\n", strerror(-r));
                return 1;
        }

        end = now_usec() + (uint64_t) (seconds * 1e6);
        for (;;) {
                uint64_t now = now_usec();

                if (now < end && in_flight < max_in_flight) {
                        /* Now and then, learn the names and ids that exist. */
                        if (now - last_harvest > 500000) {
                                last_harvest = now;
                                r = send_call(bus, -1, timeout_usec);
                        } else
                                r = send_call(bus, (int) rnd_below((unsigned) n_methods), timeout_usec);
                        /* Not sent for want of room in the queue (-ENOBUFS): let it drain first. */
                        if (r >= 0 || r == -EINVAL)
                                continue;
                }
                if (now >= end && in_flight == 0)
                        break;
                if (now >= end + timeout_usec + 1000000)
                        break;  /* the last answers are overdue: they count as missing */
                r = sd_bus_process(bus, NULL);
                if (r > 0)
                        continue;
                if (r < 0) {
                        /* Disconnected (by the bus, e.g. for an oversized message): again. */
                        char kind[96];
                        snprintf(kind, sizeof kind, "disconnected: %s (last sent: %s)", strerror(-r), last_sent);
                        count_reply(kind);
                        reconnects++;
                        bus = sd_bus_flush_close_unref(bus);
                        if (connect_bus(&bus) < 0) {
                                fputs("cannot reconnect to the system bus\n", stderr);
                                return 1;
                        }
                        continue;
                }
                (void) sd_bus_wait(bus, 100000);
        }
        bus = sd_bus_flush_close_unref(bus);

        printf("calls=%" PRIu64 " replies=%" PRIu64 " errors=%" PRIu64 " timeouts=%" PRIu64 " unsendable=%" PRIu64
               " reconnects=%" PRIu64 " unanswered=%u acked=%" PRIu64 "\n",
               calls, replies, errors, timeouts, unsendable, reconnects, in_flight, n_acked);
        qsort(latencies, n_latencies, sizeof *latencies, compare_u32);
        printf("#   answers within p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", latency_ms(0.5), latency_ms(0.99),
               latency_ms(1.0));
        free(latencies);
        for (size_t k = 0; k < n_reply_kinds; k++) {
                printf("#   %8" PRIu64 " %s\n", reply_kinds[k].n, reply_kinds[k].name);
                free(reply_kinds[k].name);
        }
        if (acked_file && fclose(acked_file) != 0) {
                fprintf(stderr, "cannot write %s: %m\n", acked_path);
                return 1;
        }
        for (size_t k = 0; k < KNOWN_MAX; k++) {
                free(known_names[k]);
                free(known_ids[k]);
                free(known_alerts[k]);
        }
        for (size_t k = 0; k < n_methods; k++) {
                free(methods[k].interface);
                free(methods[k].member);
                free(methods[k].signature);
        }
        if (devnull_fd >= 0)
                close(devnull_fd);
        return 0;
}
