/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AddInstance's arguments as orchd receives them: a real sd_bus_message, built from the input
 * (the name, the command line, and an a{sv} of options whose keys are the known option names or
 * random ones, with values of the types s, as, u, t, b or i; now and then a message of another
 * signature), sealed and rewound as if received, then parsed by instance_config_from_add_call().
 * It never crashes; what it accepts passes instance_config_validate() and holds exactly the values
 * that were sent; what it refuses leaves the config untouched and sets a named orchd error whose
 * message can be sent back (valid UTF-8, one line, no Environment value quoted). */
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "bus-common.h"
#include "fuzz.h"
#include "instance-config.h"
#include "parse-util.h"
#include "validate.h"

#define N_OPTIONS_MAX 24
#define LIST_MAX 8

static const char *const option_names[] = {
        "Description", "Environment", "WorkingDirectory", "User", "Restart", "RestartAttempts",
        "RestartWindowUSec", "Operators", "Requires", "WatchdogUSec", "MemoryMax", "CPUWeight", "Start",
};
#define N_KNOWN (sizeof option_names / sizeof option_names[0])

/* The options' types, in the order above; the fuzzer picks one of TYPES for each entry. */
static const char *const option_types[N_KNOWN] = {
        "s", "as", "s", "s", "s", "u", "t", "as", "as", "t", "t", "t", "b",
};
static const char *const types[] = { "s", "as", "u", "t", "b", "i" };

static const char *const dictionary[] = {
        "web", "robot-1", "a", "x.y_z", "db", "cache-1", "alice", "bob.smith",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 64 */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
        "", "-x", ".", "..", "a b", "/bin/true", "/usr/bin/python3", "/bin/sh", "-c", "sleep 1",
        "relative/prog", "/a/../b", "/a/./b", "/a//b", "/", "/var/lib/robot", "/a/b/",
        "A=1", "A=2", "EMPTY=", "PATH=/usr/bin", "LD_PRELOAD=/x.so", "1A=x", "NOEQ", "=x", "A B=1",
        "TAB=a\tb", "nobody", "root", "0", "1000", "65535", "4294967294", "4294967295", "007", "Alice",
        "machine$", "no", "on-failure", "always", "sometimes", "Start", "Description",
        "ünïcödé ✓", "a\tb", "line\nbreak", "esc\x1b[31m", "c1\xc2\x85", "del\x7f",
};
#define N_DICTIONARY (sizeof dictionary / sizeof dictionary[0])

static const uint64_t interesting[] = {
        0, 1, 2, 5, 99999, 100000, 1000, 1001, 10000, 10001, 1000000, 999999, UINT64_C(86400000000),
        UINT64_C(86400000001), 1048576, 1048575, UINT32_MAX, UINT64_MAX, UINT64_MAX - 1,
};

static sd_bus *bus;
static uint64_t cookie;

/* sd-bus makes messages only on a bus that is open (sd_bus_new() alone gives ENOTCONN): the
 * client end of a socketpair that never sends anything, made once. */
static sd_bus *get_bus(void) {
        int fds[2];

        if (bus)
                return bus;
        FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        FUZZ_CHECK(sd_bus_new(&bus) >= 0);
        FUZZ_CHECK(sd_bus_set_fd(bus, fds[0], fds[0]) >= 0);
        FUZZ_CHECK(sd_bus_start(bus) >= 0);
        close(fds[1]);
        return bus;
}

/* sd-bus takes only valid UTF-8: every byte that does not start a valid character becomes '?'. */
static void make_utf8(char *s) {
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                uint32_t cp;
                int len = utf8_decode_char(s + i, n - i, &cp);

                if (len < 0) {
                        s[i++] = '?';
                        continue;
                }
                i += (size_t) len;
        }
}

static char *pick_string(FuzzReader *r) {
        uint8_t b = fuzz_u8(r);
        char *s;

        if (b < 0xa0) {
                s = strdup(dictionary[b % N_DICTIONARY]);
                FUZZ_CHECK(s);
        } else
                s = fuzz_string(r, b < 0xf0 ? 64 : 8192);
        make_utf8(s);
        return s;
}

static char **pick_strv(FuzzReader *r, size_t *ret_n) {
        size_t n = fuzz_u8(r) % (LIST_MAX + 1);
        char **l = calloc(n + 1, sizeof(char *));

        FUZZ_CHECK(l);
        for (size_t i = 0; i < n; i++)
                l[i] = pick_string(r);
        *ret_n = n;
        return l;
}

static bool strv_equal(char **a, char **b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

/* What an accepted call must give: the values sent, per known option. */
typedef struct Expected {
        char *name;
        char **argv;
        bool set[N_KNOWN];
        char *string[N_KNOWN];
        char **strv[N_KNOWN];
        uint64_t number[N_KNOWN];
        bool boolean;
        char *env_values[N_OPTIONS_MAX * LIST_MAX];     /* entries whose values must never be quoted */
        size_t n_env_values;
} Expected;

static void expected_done(Expected *x) {
        free(x->name);
        fuzz_strv_free(x->argv);
        for (size_t i = 0; i < N_KNOWN; i++) {
                free(x->string[i]);
                fuzz_strv_free(x->strv[i]);
        }
        for (size_t i = 0; i < x->n_env_values; i++)
                free(x->env_values[i]);
}

/* One dict entry: the key, then a variant of the type chosen. Returns false if sd-bus refused. */
static bool append_option(sd_bus_message *m, FuzzReader *r, Expected *x) {
        uint8_t k = fuzz_u8(r);
        const char *type = types[fuzz_u8(r) % (sizeof types / sizeof types[0])];
        _cleanup_free_ char *random_key = NULL;
        const char *key;
        size_t option = SIZE_MAX;
        bool ok = true;

        if (k < 0xe0) {
                option = k % N_KNOWN;
                key = option_names[option];
                /* Mostly the right type, so that the values get parsed. */
                if (k & 0x10)
                        type = option_types[option];
        } else {
                random_key = pick_string(r);
                key = random_key;
                for (size_t i = 0; i < N_KNOWN; i++)
                        if (streq(key, option_names[i]))
                                option = i;
        }
        if (option != SIZE_MAX && !streq(type, option_types[option]))
                option = SIZE_MAX;      /* refused anyway: nothing to expect */
        if (option != SIZE_MAX && x->set[option])
                option = SIZE_MAX;      /* given twice: refused */

        ok = ok && sd_bus_message_open_container(m, 'e', "sv") >= 0;
        ok = ok && sd_bus_message_append_basic(m, 's', key) >= 0;
        ok = ok && sd_bus_message_open_container(m, 'v', type) >= 0;
        if (!ok)
                return false;

        if (streq(type, "s")) {
                char *s = pick_string(r);

                ok = sd_bus_message_append_basic(m, 's', s) >= 0;
                if (option != SIZE_MAX)
                        x->string[option] = s;
                else
                        free(s);
        } else if (streq(type, "as")) {
                size_t n;
                char **l = pick_strv(r, &n);

                ok = sd_bus_message_append_strv(m, l) >= 0;
                if (streq(key, "Environment"))
                        for (size_t i = 0; i < n && x->n_env_values < ELEMENTSOF(x->env_values); i++) {
                                x->env_values[x->n_env_values] = strdup(l[i]);
                                FUZZ_CHECK(x->env_values[x->n_env_values]);
                                x->n_env_values++;
                        }
                if (option != SIZE_MAX)
                        x->strv[option] = l;
                else
                        fuzz_strv_free(l);
        } else if (streq(type, "u")) {
                uint32_t u = (uint32_t) fuzz_u64_interesting(r, interesting, sizeof interesting / sizeof interesting[0]);

                ok = sd_bus_message_append_basic(m, 'u', &u) >= 0;
                if (option != SIZE_MAX)
                        x->number[option] = u;
        } else if (streq(type, "t")) {
                uint64_t t = fuzz_u64_interesting(r, interesting, sizeof interesting / sizeof interesting[0]);

                ok = sd_bus_message_append_basic(m, 't', &t) >= 0;
                if (option != SIZE_MAX)
                        x->number[option] = t;
        } else if (streq(type, "b")) {
                int b = fuzz_bool(r);

                ok = sd_bus_message_append_basic(m, 'b', &b) >= 0;
                if (option != SIZE_MAX)
                        x->boolean = b;
        } else {
                int32_t i = (int32_t) fuzz_u32(r);

                ok = sd_bus_message_append_basic(m, 'i', &i) >= 0;
        }
        if (option != SIZE_MAX)
                x->set[option] = true;

        ok = ok && sd_bus_message_close_container(m) >= 0;
        ok = ok && sd_bus_message_close_container(m) >= 0;
        return ok;
}

/* The message: mostly AddInstance's signature, sometimes another one. Returns NULL if sd-bus
 * refused to build it (then the input says nothing about orchd). */
static sd_bus_message *build_message(FuzzReader *r, Expected *x) {
        sd_bus_message *m = NULL;
        uint8_t shape = fuzz_u8(r) % 16;
        size_t n_argv, n_options;
        bool ok = true;

        FUZZ_CHECK(sd_bus_message_new_method_call(get_bus(), &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                                  ORCHD_MANAGER_INTERFACE, "AddInstance") >= 0);
        if (shape == 15)        /* no arguments at all */
                goto seal;
        if (shape == 14) {      /* a number where the name goes */
                uint32_t u = fuzz_u32(r);
                ok = sd_bus_message_append_basic(m, 'u', &u) >= 0;
                goto seal;
        }

        x->name = pick_string(r);
        ok = ok && sd_bus_message_append_basic(m, 's', x->name) >= 0;
        if (shape == 13)        /* the name only */
                goto seal;

        x->argv = pick_strv(r, &n_argv);
        if (n_argv > 0 && fuzz_bool(r)) {       /* mostly a program that is valid */
                free(x->argv[0]);
                x->argv[0] = strdup("/bin/true");
                FUZZ_CHECK(x->argv[0]);
        }
        ok = ok && sd_bus_message_append_strv(m, x->argv) >= 0;
        if (shape == 12)        /* no options */
                goto seal;

        if (shape == 11) {      /* options of another type: a{ss} */
                ok = ok && sd_bus_message_append(m, "a{ss}", 1, "Start", "true") >= 0;
                goto seal;
        }

        ok = ok && sd_bus_message_open_container(m, 'a', "{sv}") >= 0;
        n_options = fuzz_u8(r) % (N_OPTIONS_MAX + 1);
        for (size_t i = 0; ok && i < n_options && !fuzz_done(r); i++)
                ok = append_option(m, r, x);
        ok = ok && sd_bus_message_close_container(m) >= 0;
        if (shape == 10) {      /* one argument too many */
                uint32_t u = 1;
                ok = ok && sd_bus_message_append_basic(m, 'u', &u) >= 0;
        }

seal:
        if (!ok || sd_bus_message_seal(m, ++cookie, 0) < 0 || sd_bus_message_rewind(m, true) < 0)
                return sd_bus_message_unref(m);
        return m;
}

static bool config_is_empty_but_name(const InstanceConfig *c, const char *name) {
        InstanceConfig fresh;

        instance_config_init(&fresh);
        return c->name && streq(c->name, name) && !c->description && !c->argv && !c->environment &&
               !c->working_directory && !c->user && c->restart == fresh.restart &&
               c->restart_attempts == fresh.restart_attempts &&
               c->restart_window_usec == fresh.restart_window_usec && !c->operators && !c->requires &&
               c->watchdog_usec == fresh.watchdog_usec && c->memory_max == fresh.memory_max &&
               c->cpu_weight == fresh.cpu_weight && c->start == fresh.start;
}

static size_t option_index(const char *name) {
        for (size_t i = 0; i < N_KNOWN; i++)
                if (streq(option_names[i], name))
                        return i;
        abort();
}

static void check_accepted(const InstanceConfig *c, const Expected *x) {
        InstanceConfig fresh;
        size_t i;

        instance_config_init(&fresh);
        FUZZ_CHECK(x->name && streq(c->name, x->name));
        FUZZ_CHECK(strv_equal(c->argv, x->argv));

        i = option_index("Description");
        if (x->set[i] && x->string[i][0])
                FUZZ_CHECK(c->description && streq(c->description, x->string[i]));
        else
                FUZZ_CHECK(!c->description);    /* empty means none */
        i = option_index("Environment");
        FUZZ_CHECK(x->set[i] ? c->environment && strv_equal(c->environment, x->strv[i]) : !c->environment);
        i = option_index("WorkingDirectory");
        FUZZ_CHECK(x->set[i] ? c->working_directory && streq(c->working_directory, x->string[i]) : !c->working_directory);
        i = option_index("User");
        FUZZ_CHECK(x->set[i] ? c->user && streq(c->user, x->string[i]) : !c->user);
        i = option_index("Restart");
        FUZZ_CHECK(x->set[i] ? streq(restart_policy_to_string(c->restart), x->string[i]) : c->restart == fresh.restart);
        i = option_index("RestartAttempts");
        FUZZ_CHECK(c->restart_attempts == (x->set[i] ? x->number[i] : fresh.restart_attempts));
        i = option_index("RestartWindowUSec");
        FUZZ_CHECK(c->restart_window_usec == (x->set[i] ? x->number[i] : fresh.restart_window_usec));
        i = option_index("Operators");
        FUZZ_CHECK(x->set[i] ? c->operators && strv_equal(c->operators, x->strv[i]) : !c->operators);
        i = option_index("Requires");
        FUZZ_CHECK(x->set[i] ? c->requires && strv_equal(c->requires, x->strv[i]) : !c->requires);
        i = option_index("WatchdogUSec");
        FUZZ_CHECK(c->watchdog_usec == (x->set[i] ? x->number[i] : fresh.watchdog_usec));
        i = option_index("MemoryMax");
        FUZZ_CHECK(c->memory_max == (x->set[i] ? x->number[i] : fresh.memory_max));
        i = option_index("CPUWeight");
        FUZZ_CHECK(c->cpu_weight == (x->set[i] ? x->number[i] : fresh.cpu_weight));
        i = option_index("Start");
        FUZZ_CHECK(c->start == (x->set[i] ? x->boolean : fresh.start));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzReader reader = fuzz_reader(data, size);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        Expected x = {};
        InstanceConfig c;
        sd_bus_message *m;
        int r;

        m = build_message(&reader, &x);
        if (!m) {
                expected_done(&x);
                return 0;
        }

        /* A config that holds something already: untouched on failure, replaced on success. */
        instance_config_init(&c);
        c.name = strdup("previous");
        FUZZ_CHECK(c.name);

        r = instance_config_from_add_call(m, &c, &error);
        if (r == 0) {
                const char *reason = NULL;

                FUZZ_CHECK(!sd_bus_error_is_set(&error));
                check_accepted(&c, &x);
                /* What the manager adds before it keeps the config. */
                memcpy(c.id, "01890a5d-ac96-774b-bcce-b302099a8057", sizeof c.id);
                FUZZ_CHECK_MSG(instance_config_validate(&c, &reason) == 0, "accepted, but not valid: %s", reason);
        } else {
                FUZZ_CHECK_MSG(r == -EINVAL, "unexpected error %d", r);
                FUZZ_CHECK(sd_bus_error_is_set(&error));
                FUZZ_CHECK(sd_bus_error_has_names(&error, ORCHD_ERROR_INVALID_NAME, ORCHD_ERROR_INVALID_ARGUMENT));
                FUZZ_CHECK(error.message);
                FUZZ_CHECK_MSG(fuzz_utf8_valid(error.message) && !fuzz_has_control(error.message, false, false),
                               "error message not sendable: %s", error.message);
                /* An error about the environment quotes no value (other errors may quote the
                 * client's other strings, which could hold the same text). */
                for (size_t i = 0; i < x.n_env_values && strncmp(error.message, "Option 'Environment'", 20) == 0; i++) {
                        const char *eq = strchr(x.env_values[i], '=');

                        if (eq && strlen(eq + 1) >= 4 && strpbrk(eq + 1, "@#~!$%^&*{}|<>?"))
                                FUZZ_CHECK_MSG(!strstr(error.message, eq + 1), "an Environment value is quoted: %s",
                                               error.message);
                }
                FUZZ_CHECK(config_is_empty_but_name(&c, "previous"));
        }

        instance_config_done(&c);
        sd_bus_error_free(&error);
        sd_bus_message_unref(m);
        expected_done(&x);
        return 0;
}
