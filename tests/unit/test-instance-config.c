/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* instance_config_from_add_call() on real AddInstance messages, built and sealed with sd-bus
 * without a bus daemon; instance_config_validate() on configs as loaded from disk. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus-common.h"
#include "instance-config.h"
#include "uuid7.h"
#include "validate.h"

static sd_bus *bus = NULL;
static uint64_t cookie = 0;

/* sd-bus creates messages only on a bus that is open (sd_bus_new() alone gives ENOTCONN): a
 * client on one end of a socketpair, which never sends a call. */
static int setup_bus(void **state) {
        int fds[2];

        (void) state;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
                return -1;
        if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fds[0], fds[0]) < 0 || sd_bus_start(bus) < 0)
                return -1;
        close(fds[1]);
        return 0;
}

static int teardown_bus(void **state) {
        (void) state;
        bus = sd_bus_flush_close_unref(bus);
        return 0;
}

static sd_bus_message *begin_call(const char *name, const char *const *argv) {
        sd_bus_message *m = NULL;

        assert_int_equal(sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                                        ORCHD_MANAGER_INTERFACE, "AddInstance"), 0);
        assert_true(sd_bus_message_append_basic(m, 's', name) >= 0);
        assert_true(sd_bus_message_append_strv(m, (char **) argv) >= 0);
        assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
        return m;
}

static void append_option(sd_bus_message *m, const char *key, const char *type, ...) {
        va_list ap;

        assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        assert_true(sd_bus_message_append_basic(m, 's', key) >= 0);
        assert_true(sd_bus_message_open_container(m, 'v', type) >= 0);
        va_start(ap, type);
        assert_true(sd_bus_message_appendv(m, type, ap) >= 0);
        va_end(ap);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
}

/* Seals the message as if sent, rewinds it as if received, and parses it into C. */
static int finish_and_parse(sd_bus_message *m, InstanceConfig *c, sd_bus_error *e) {
        int r;

        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_int_equal(sd_bus_message_seal(m, ++cookie, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        r = instance_config_from_add_call(m, c, e);
        sd_bus_message_unref(m);
        return r;
}

static const char *const true_argv[] = { "/bin/true", NULL };

/* A call of "robot" running /bin/true with the one option KEY of TYPE. */
static int parse_one_option(InstanceConfig *c, sd_bus_error *e, const char *key, const char *type, ...) {
        sd_bus_message *m = begin_call("robot", true_argv);
        va_list ap;

        assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        assert_true(sd_bus_message_append_basic(m, 's', key) >= 0);
        assert_true(sd_bus_message_open_container(m, 'v', type) >= 0);
        va_start(ap, type);
        assert_true(sd_bus_message_appendv(m, type, ap) >= 0);
        va_end(ap);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        return finish_and_parse(m, c, e);
}

static void assert_config_empty(const InstanceConfig *c) {
        assert_null(c->name);
        assert_null(c->argv);
        assert_null(c->description);
        assert_null(c->environment);
        assert_null(c->working_directory);
        assert_null(c->user);
        assert_null(c->operators);
        assert_null(c->requires);
        assert_int_equal(c->restart, RESTART_NO);
        assert_int_equal(c->restart_attempts, INSTANCE_RESTART_ATTEMPTS_DEFAULT);
        assert_int_equal(c->restart_window_usec, INSTANCE_RESTART_WINDOW_USEC_DEFAULT);
        assert_int_equal(c->watchdog_usec, 0);
        assert_int_equal(c->memory_max, UINT64_MAX);
        assert_int_equal(c->cpu_weight, UINT64_MAX);
        assert_false(c->start);
}

/* The error is NAME, its message contains every one of the NULL-terminated fragments, is valid
 * UTF-8 and printable, and the config is left as it was: initialized and empty. */
static void assert_refused(int r, sd_bus_error *e, InstanceConfig *c, const char *name, ...) {
        va_list ap;

        assert_int_equal(r, -EINVAL);
        assert_true(sd_bus_error_is_set(e));
        assert_string_equal(e->name, name);
        assert_non_null(e->message);
        assert_true(utf8_is_valid(e->message));
        for (const char *p = e->message; *p; p++)
                assert_true((unsigned char) *p >= 0x20 && *p != 0x7f);
        va_start(ap, name);
        for (const char *f = va_arg(ap, const char *); f; f = va_arg(ap, const char *))
                if (!strstr(e->message, f))
                        fail_msg("'%s' not in the error message '%s'", f, e->message);
        va_end(ap);
        assert_config_empty(c);
        sd_bus_error_free(e);
}

static void test_all_options(void **state) {
        static const char *const argv[] = { "/usr/bin/robot", "--flag", "a;b", "", NULL };
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m;
        (void) state;

        instance_config_init(&c);
        m = begin_call("robot-1.a_b", argv);
        append_option(m, "Description", "s", "The robot\tarm");
        append_option(m, "Environment", "as", 2, "A=1", "B=x;y");
        append_option(m, "WorkingDirectory", "s", "/var/lib/robot");
        append_option(m, "User", "s", "nobody");
        append_option(m, "Restart", "s", "always");
        append_option(m, "RestartAttempts", "u", 1000);
        append_option(m, "RestartWindowUSec", "t", (uint64_t) 3600 * USEC_PER_SEC);
        append_option(m, "Operators", "as", 2, "alice", "bob.smith");
        append_option(m, "Requires", "as", 2, "db", "cache");
        append_option(m, "WatchdogUSec", "t", (uint64_t) 500 * USEC_PER_MSEC);
        append_option(m, "MemoryMax", "t", (uint64_t) 1024 * 1024);
        append_option(m, "CPUWeight", "t", (uint64_t) 10000);
        append_option(m, "Start", "b", 1);
        assert_int_equal(finish_and_parse(m, &c, &e), 0);
        assert_false(sd_bus_error_is_set(&e));

        assert_string_equal(c.name, "robot-1.a_b");
        assert_int_equal(strv_length(c.argv), 4);
        assert_string_equal(c.argv[0], "/usr/bin/robot");
        assert_string_equal(c.argv[2], "a;b");
        assert_string_equal(c.argv[3], "");
        assert_string_equal(c.description, "The robot\tarm");
        assert_int_equal(strv_length(c.environment), 2);
        assert_string_equal(c.environment[1], "B=x;y");
        assert_string_equal(c.working_directory, "/var/lib/robot");
        assert_string_equal(c.user, "nobody");
        assert_int_equal(c.restart, RESTART_ALWAYS);
        assert_int_equal(c.restart_attempts, 1000);
        assert_int_equal(c.restart_window_usec, 3600 * USEC_PER_SEC);
        assert_int_equal(strv_length(c.operators), 2);
        assert_string_equal(c.operators[1], "bob.smith");
        assert_int_equal(strv_length(c.requires), 2);
        assert_string_equal(c.requires[0], "db");
        assert_int_equal(c.watchdog_usec, 500 * USEC_PER_MSEC);
        assert_int_equal(c.memory_max, 1024 * 1024);
        assert_int_equal(c.cpu_weight, 10000);
        assert_true(c.start);
        /* Left to the caller. */
        assert_string_equal(c.id, "");
        assert_int_equal(c.owner_uid, 0);
        assert_int_equal(c.created_usec, 0);

        /* With an id, what AddInstance accepted is a valid config. */
        assert_int_equal(uuid7_generate(c.id), 0);
        assert_int_equal(instance_config_validate(&c, NULL), 0);

        /* A second parse into a filled config replaces it (no leak, no mix). */
        assert_int_equal(parse_one_option(&c, &e, "Restart", "s", "on-failure"), 0);
        assert_string_equal(c.name, "robot");
        assert_int_equal(c.restart, RESTART_ON_FAILURE);
        assert_null(c.environment);
        assert_int_equal(c.memory_max, UINT64_MAX);
        instance_config_done(&c);
        assert_config_empty(&c);
}

static void test_defaults_and_edges(void **state) {
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char name64[65];
        (void) state;

        instance_config_init(&c);
        assert_int_equal(finish_and_parse(begin_call("x", true_argv), &c, &e), 0);
        assert_string_equal(c.name, "x");
        assert_null(c.environment);
        assert_int_equal(c.restart, RESTART_NO);
        assert_int_equal(c.restart_attempts, INSTANCE_RESTART_ATTEMPTS_DEFAULT);
        instance_config_done(&c);

        memset(name64, 'n', 64);
        name64[64] = '\0';
        assert_int_equal(finish_and_parse(begin_call(name64, true_argv), &c, &e), 0);
        instance_config_done(&c);
        assert_int_equal(finish_and_parse(begin_call("9", true_argv), &c, &e), 0);
        instance_config_done(&c);

        /* An empty description is none; empty lists are empty lists. */
        assert_int_equal(parse_one_option(&c, &e, "Description", "s", ""), 0);
        assert_null(c.description);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "Environment", "as", 0), 0);
        assert_non_null(c.environment);
        assert_int_equal(strv_length(c.environment), 0);
        instance_config_done(&c);

        /* The special values at the ends of the ranges. */
        assert_int_equal(parse_one_option(&c, &e, "WatchdogUSec", "t", (uint64_t) 0), 0);
        assert_int_equal(c.watchdog_usec, 0);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "MemoryMax", "t", UINT64_MAX), 0);
        assert_int_equal(c.memory_max, UINT64_MAX);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "CPUWeight", "t", (uint64_t) 1), 0);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "RestartAttempts", "u", 1), 0);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "RestartWindowUSec", "t", USEC_PER_SEC), 0);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "RestartWindowUSec", "t", 86400 * USEC_PER_SEC), 0);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "Start", "b", 0), 0);
        assert_false(c.start);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "User", "s", "1000"), 0);
        instance_config_done(&c);
        assert_int_equal(parse_one_option(&c, &e, "Operators", "as", 1, "robot"), 0);  /* a contact may share it */
        instance_config_done(&c);
        assert_false(sd_bus_error_is_set(&e));
}

static void test_wrong_types(void **state) {
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        (void) state;

        instance_config_init(&c);
#define WRONG(key, expected, ...)                                                               \
        assert_refused(parse_one_option(&c, &e, key, __VA_ARGS__), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT, \
                       "Option '" key "' must be of type '" expected "'", NULL)

        WRONG("Description", "s", "u", 1);
        WRONG("Description", "s", "as", 1, "x");
        WRONG("Environment", "as", "s", "A=1");
        WRONG("Environment", "as", "a{ss}", 1, "A", "1");
        WRONG("WorkingDirectory", "s", "o", "/var");
        WRONG("User", "s", "u", 1000);
        WRONG("Restart", "s", "b", 1);
        WRONG("RestartAttempts", "u", "t", (uint64_t) 5);
        WRONG("RestartAttempts", "u", "i", 5);
        WRONG("RestartWindowUSec", "t", "u", 5000000);
        WRONG("RestartWindowUSec", "t", "d", 5.0);
        WRONG("Operators", "as", "s", "alice");
        WRONG("Requires", "as", "ao", 1, "/x");
        WRONG("WatchdogUSec", "t", "x", (int64_t) 1000000);
        WRONG("MemoryMax", "t", "s", "1G");
        WRONG("CPUWeight", "t", "u", 100);
        WRONG("Start", "b", "s", "yes");
        WRONG("Start", "b", "u", 1);
#undef WRONG

        /* The whole sentence, as the contract shows it. */
        assert_int_equal(parse_one_option(&c, &e, "RestartAttempts", "s", "5"), -EINVAL);
        assert_string_equal(e.message, "Option 'RestartAttempts' must be of type 'u' (uint32), got 's'.");
        sd_bus_error_free(&e);
        instance_config_done(&c);
}

static void test_unknown_and_repeated_options(void **state) {
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m;
        char *long_key;
        (void) state;

        instance_config_init(&c);
        assert_refused(parse_one_option(&c, &e, "Frobnicate", "s", "x"), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Unknown option 'Frobnicate'", "Description", NULL);
        /* Names are case-sensitive, as everywhere on D-Bus. */
        assert_refused(parse_one_option(&c, &e, "description", "s", "x"), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Unknown option 'description'", NULL);
        assert_refused(parse_one_option(&c, &e, "", "s", "x"), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Unknown option ''", NULL);

        /* A long key of multi-byte characters is cut to ASCII, never mid-character. */
        long_key = malloc(2 * 200 + 1);
        for (int k = 0; k < 200; k++)
                memcpy(long_key + 2 * k, "\xc3\xa9", 2);        /* é */
        long_key[400] = '\0';
        assert_refused(parse_one_option(&c, &e, long_key, "s", "x"), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Unknown option '???", "...'", NULL);
        free(long_key);

        m = begin_call("robot", true_argv);
        append_option(m, "Start", "b", 1);
        append_option(m, "Description", "s", "one");
        append_option(m, "Start", "b", 0);
        assert_refused(finish_and_parse(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Option 'Start' is given more than once", NULL);

        /* Even a repeated option of the wrong type is a repeated option. */
        m = begin_call("robot", true_argv);
        append_option(m, "Description", "s", "one");
        append_option(m, "Description", "u", 2);
        assert_refused(finish_and_parse(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Option 'Description' is given more than once", NULL);

        /* 65 options: refused at an early one, never all read. */
        m = begin_call("robot", true_argv);
        for (int k = 0; k < 65; k++)
                append_option(m, "WatchdogUSec", "t", (uint64_t) 0);
        assert_refused(finish_and_parse(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "more than once", NULL);
        instance_config_done(&c);
}

static void test_bad_names(void **state) {
        static const char *const bad[] = { "", "/x", "..", ".", ".a", "-a", "_a", "a\x01", "a b", "a/b",
                                           "a:b", "a@b", "\xc3\xa9t\xc3\xa9", "a\n", "a\x7f" };
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char name65[66];
        (void) state;

        instance_config_init(&c);
        for (size_t k = 0; k < ELEMENTSOF(bad); k++)
                assert_refused(finish_and_parse(begin_call(bad[k], true_argv), &c, &e), &e, &c,
                               ORCHD_ERROR_INVALID_NAME, "Invalid instance name", "1-64 characters",
                               "starting with a letter or digit", NULL);

        memset(name65, 'n', 65);
        name65[65] = '\0';
        assert_refused(finish_and_parse(begin_call(name65, true_argv), &c, &e), &e, &c,
                       ORCHD_ERROR_INVALID_NAME, "Invalid instance name", NULL);

        /* The control character is not echoed. */
        assert_int_equal(finish_and_parse(begin_call("a\x01", true_argv), &c, &e), -EINVAL);
        assert_non_null(strstr(e.message, "'a?'"));
        sd_bus_error_free(&e);
        instance_config_done(&c);
}

static void test_bad_argv(void **state) {
        static const char *const empty[] = { NULL };
        static const char *const relative[] = { "bin/true", NULL };
        static const char *const bare[] = { "true", NULL };
        static const char *const dotdot[] = { "/bin/../bin/true", NULL };
        static const char *const control[] = { "/bin/echo", "a\nb", NULL };
        static const char *const first_empty[] = { "", "x", NULL };
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        (void) state;

        instance_config_init(&c);
        assert_refused(finish_and_parse(begin_call("robot", empty), &c, &e), &e, &c,
                       ORCHD_ERROR_INVALID_ARGUMENT, "Invalid command line", "empty", NULL);
        assert_refused(finish_and_parse(begin_call("robot", relative), &c, &e), &e, &c,
                       ORCHD_ERROR_INVALID_ARGUMENT, "Invalid command line", "absolute", NULL);
        assert_refused(finish_and_parse(begin_call("robot", bare), &c, &e), &e, &c,
                       ORCHD_ERROR_INVALID_ARGUMENT, "absolute", NULL);
        assert_refused(finish_and_parse(begin_call("robot", first_empty), &c, &e), &e, &c,
                       ORCHD_ERROR_INVALID_ARGUMENT, "Invalid command line", NULL);
        assert_refused(finish_and_parse(begin_call("robot", dotdot), &c, &e), &e, &c,
                       ORCHD_ERROR_INVALID_ARGUMENT, "\"..\"", NULL);
        assert_refused(finish_and_parse(begin_call("robot", control), &c, &e), &e, &c,
                       ORCHD_ERROR_INVALID_ARGUMENT, "control characters", NULL);
        instance_config_done(&c);
}

static void test_bad_environment(void **state) {
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m;
        (void) state;

        instance_config_init(&c);
#define BAD_ENV(fragment, ...)                                                                   \
        assert_refused(parse_one_option(&c, &e, "Environment", "as", __VA_ARGS__), &e, &c,       \
                       ORCHD_ERROR_INVALID_ARGUMENT, "Option 'Environment'", fragment, NULL)

        BAD_ENV("entry 1", 1, "NOEQUALS");
        BAD_ENV("entry 2", 2, "A=1", "1A=x");
        BAD_ENV("entry 1", 1, "=x");
        BAD_ENV("entry 1", 1, "A-B=x");
        BAD_ENV("entry 2", 2, "OK=1", "A=x\ny");
        BAD_ENV("entries 1 and 3", 3, "A=1", "B=2", "A=3");
        BAD_ENV("entries", 2, "SAME=", "SAME=");
#undef BAD_ENV

        /* The value, which may be a secret, is never quoted. */
        assert_int_equal(parse_one_option(&c, &e, "Environment", "as", 2, "TOKEN=s3cr3t", "TOKEN=s3cr3t"), -EINVAL);
        assert_null(strstr(e.message, "s3cr3t"));
        sd_bus_error_free(&e);

        /* More entries than allowed: refused while reading. */
        m = begin_call("robot", true_argv);
        assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        assert_true(sd_bus_message_append_basic(m, 's', "Environment") >= 0);
        assert_true(sd_bus_message_open_container(m, 'v', "as") >= 0);
        assert_true(sd_bus_message_open_container(m, 'a', "s") >= 0);
        for (unsigned k = 0; k <= ORCHD_ENV_MAX; k++) {
                char buf[32];
                snprintf(buf, sizeof buf, "V%u=x", k);
                assert_true(sd_bus_message_append_basic(m, 's', buf) >= 0);
        }
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_refused(finish_and_parse(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Option 'Environment' has more than 1024 entries", NULL);
        instance_config_done(&c);
}

static void test_bad_values(void **state) {
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *many[INSTANCE_OPERATORS_MAX + 1];
        sd_bus_message *m;
        (void) state;

        instance_config_init(&c);
#define BAD(key, fragment, ...)                                                                  \
        assert_refused(parse_one_option(&c, &e, key, __VA_ARGS__), &e, &c,                       \
                       ORCHD_ERROR_INVALID_ARGUMENT, "Option '" key "'", fragment, NULL)

        BAD("Description", "control characters", "s", "a\nb");
        BAD("Description", "UTF-8", "s", "\x1b[31mred");
        BAD("WorkingDirectory", "absolute", "s", "relative/dir");
        BAD("WorkingDirectory", "normalized", "s", "/a/../b");
        BAD("WorkingDirectory", "normalized", "s", "/a//b");
        BAD("User", "user name", "s", "Root");
        BAD("User", "user name", "s", "");
        BAD("User", "user name", "s", "65535");
        BAD("Restart", "'no', 'on-failure' or 'always'", "s", "sometimes");
        BAD("Restart", "'no', 'on-failure' or 'always'", "s", "");
        BAD("RestartAttempts", "between 1 and 1000, got 0", "u", 0);
        BAD("RestartAttempts", "got 1001", "u", 1001);
        BAD("RestartWindowUSec", "between 1 s and 1 day", "t", USEC_PER_SEC - 1);
        BAD("RestartWindowUSec", "between 1 s and 1 day", "t", 86400 * USEC_PER_SEC + 1);
        BAD("RestartWindowUSec", "between 1 s and 1 day", "t", (uint64_t) 0);
        BAD("WatchdogUSec", "0 (no watchdog)", "t", (uint64_t) 1);
        BAD("WatchdogUSec", "0 (no watchdog)", "t", 100 * USEC_PER_MSEC - 1);
        BAD("WatchdogUSec", "0 (no watchdog)", "t", 86400 * USEC_PER_SEC + 1);
        BAD("WatchdogUSec", "0 (no watchdog)", "t", UINT64_MAX);
        BAD("MemoryMax", "at least 1 MiB", "t", (uint64_t) 1024 * 1024 - 1);
        BAD("MemoryMax", "at least 1 MiB", "t", (uint64_t) 0);
        BAD("CPUWeight", "between 1 and 10000", "t", (uint64_t) 0);
        BAD("CPUWeight", "between 1 and 10000", "t", (uint64_t) 10001);
        BAD("Requires", "names the instance itself", "as", 2, "db", "robot");
        BAD("Requires", "entry 2 ('db') is given twice", "as", 2, "db", "db");
        BAD("Requires", "entry 1 ('../db') is not a valid instance name", "as", 1, "../db");
        BAD("Requires", "not a valid instance name", "as", 1, "");
        BAD("Operators", "entry 2 ('b c') is not a valid contact name", "as", 2, "alice", "b c");
        BAD("Operators", "is given twice", "as", 3, "alice", "bob", "alice");
        BAD("Operators", "not a valid contact name", "as", 1, ".hidden");
#undef BAD

        /* Requires is checked against the name whatever the order of the arguments' reading. */
        m = begin_call("db", true_argv);
        append_option(m, "Requires", "as", 1, "db");
        assert_refused(finish_and_parse(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT, "itself", NULL);

        /* One more operator than allowed. */
        for (size_t k = 0; k <= INSTANCE_OPERATORS_MAX; k++)
                assert_true(asprintf(&many[k], "op%zu", k) > 0);
        m = begin_call("robot", true_argv);
        assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        assert_true(sd_bus_message_append_basic(m, 's', "Operators") >= 0);
        assert_true(sd_bus_message_open_container(m, 'v', "as") >= 0);
        assert_true(sd_bus_message_open_container(m, 'a', "s") >= 0);
        for (size_t k = 0; k <= INSTANCE_OPERATORS_MAX; k++)
                assert_true(sd_bus_message_append_basic(m, 's', many[k]) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_refused(finish_and_parse(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Option 'Operators' has more than 64 entries", NULL);
        for (size_t k = 0; k <= INSTANCE_OPERATORS_MAX; k++)
                free(many[k]);

        /* Exactly as many is fine. */
        m = begin_call("robot", true_argv);
        assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        assert_true(sd_bus_message_append_basic(m, 's', "Requires") >= 0);
        assert_true(sd_bus_message_open_container(m, 'v', "as") >= 0);
        assert_true(sd_bus_message_open_container(m, 'a', "s") >= 0);
        for (size_t k = 0; k < INSTANCE_REQUIRES_MAX; k++) {
                char buf[16];
                snprintf(buf, sizeof buf, "dep%zu", k);
                assert_true(sd_bus_message_append_basic(m, 's', buf) >= 0);
        }
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_int_equal(finish_and_parse(m, &c, &e), 0);
        assert_int_equal(strv_length(c.requires), INSTANCE_REQUIRES_MAX);
        instance_config_done(&c);
}

static void test_malformed_message(void **state) {
        InstanceConfig c;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL;
        (void) state;

        /* Another signature than AddInstance's (sd-bus's vtable would refuse it before us; the
         * parser must not trust that). */
        instance_config_init(&c);
        assert_int_equal(sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                                        ORCHD_MANAGER_INTERFACE, "AddInstance"), 0);
        assert_true(sd_bus_message_append(m, "su", "robot", 5) >= 0);
        assert_int_equal(sd_bus_message_seal(m, ++cookie, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        assert_refused(instance_config_from_add_call(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Malformed arguments", NULL);
        sd_bus_message_unref(m);

        /* No options dictionary at all. */
        assert_int_equal(sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                                        ORCHD_MANAGER_INTERFACE, "AddInstance"), 0);
        assert_true(sd_bus_message_append(m, "sas", "robot", 1, "/bin/true") >= 0);
        assert_int_equal(sd_bus_message_seal(m, ++cookie, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        assert_refused(instance_config_from_add_call(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Malformed arguments", NULL);
        sd_bus_message_unref(m);

        /* Empty body. */
        assert_int_equal(sd_bus_message_new_method_call(bus, &m, ORCHD_BUS_NAME, ORCHD_MANAGER_PATH,
                                                        ORCHD_MANAGER_INTERFACE, "AddInstance"), 0);
        assert_int_equal(sd_bus_message_seal(m, ++cookie, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        assert_refused(instance_config_from_add_call(m, &c, &e), &e, &c, ORCHD_ERROR_INVALID_ARGUMENT,
                       "Malformed arguments", NULL);
        sd_bus_message_unref(m);
}

static void valid_config(InstanceConfig *c) {
        instance_config_init(c);
        assert_int_equal(uuid7_generate(c->id), 0);
        c->name = strdup("robot");
        c->argv = calloc(3, sizeof(char *));
        c->argv[0] = strdup("/bin/sh");
        c->argv[1] = strdup("-c");
}

static void assert_invalid(const InstanceConfig *c, const char *fragment) {
        const char *reason = NULL;

        assert_int_equal(instance_config_validate(c, &reason), -EINVAL);
        assert_non_null(reason);
        if (!strstr(reason, fragment))
                fail_msg("'%s' not in the reason '%s'", fragment, reason);
}

static char **strv_of(const char *a, const char *b) {
        char **l = calloc(3, sizeof(char *));
        l[0] = strdup(a);
        if (b)
                l[1] = strdup(b);
        return l;
}

static void test_validate(void **state) {
        InstanceConfig c;
        const char *reason = "untouched";
        (void) state;

        valid_config(&c);
        assert_int_equal(instance_config_validate(&c, &reason), 0);
        assert_string_equal(reason, "untouched");
        assert_int_equal(instance_config_validate(&c, NULL), 0);

#define CASE(mutate, fragment)                          \
        do {                                            \
                valid_config(&c);                       \
                mutate;                                 \
                assert_invalid(&c, fragment);           \
                instance_config_done(&c);               \
        } while (0)

        instance_config_done(&c);
        CASE(c.name = mfree_str(c.name), "name");
        CASE((free(c.name), c.name = strdup("..")), "name");
        CASE(c.id[0] = '\0', "id");
        CASE(c.id[14] = '4', "UUIDv7");
        CASE((strv_free(c.argv), c.argv = NULL), "command line is missing");
        CASE((free(c.argv[0]), c.argv[0] = strdup("sh")), "absolute");
        CASE(c.environment = strv_of("A=1", "A=2"), "environment");
        CASE(c.environment = strv_of("=1", NULL), "environment");
        CASE(c.description = strdup("a\nb"), "description");
        CASE(c.working_directory = strdup("/a/./b"), "working directory");
        CASE(c.user = strdup("no body"), "user");
        CASE(c.restart = _RESTART_POLICY_MAX, "restart policy");
        CASE(c.restart = (RestartPolicy) -1, "restart policy");
        CASE(c.restart_attempts = 0, "RestartAttempts");
        CASE(c.restart_attempts = 1001, "RestartAttempts");
        CASE(c.restart_window_usec = 0, "RestartWindowUSec");
        CASE(c.restart_window_usec = INSTANCE_RESTART_WINDOW_USEC_MAX + 1, "RestartWindowUSec");
        CASE(c.watchdog_usec = 1, "WatchdogUSec");
        CASE(c.memory_max = 4096, "MemoryMax");
        CASE(c.cpu_weight = 0, "CPUWeight");
        CASE(c.cpu_weight = 10001, "CPUWeight");
        CASE(c.operators = strv_of("alice", "alice"), "operators");
        CASE(c.operators = strv_of("a/b", NULL), "operators");
        CASE(c.requires = strv_of("robot", NULL), "required");
        CASE(c.requires = strv_of("db", "db"), "required");
#undef CASE

        /* Empty lists and the special values are valid. */
        valid_config(&c);
        c.environment = calloc(1, sizeof(char *));
        c.operators = calloc(1, sizeof(char *));
        c.watchdog_usec = INSTANCE_WATCHDOG_USEC_MIN;
        c.memory_max = INSTANCE_MEMORY_MAX_MIN;
        c.cpu_weight = UINT64_MAX;
        c.user = strdup("4294967294");
        c.working_directory = strdup("/");
        c.description = strdup("");
        assert_int_equal(instance_config_validate(&c, NULL), 0);
        instance_config_done(&c);
}

static void test_unit_name_and_contacts(void **state) {
        char *u;
        (void) state;

        u = instance_unit_name("robot-1");
        assert_string_equal(u, "orchd-robot-1.service");
        free(u);

        assert_true(contact_name_is_valid("alice"));
        assert_true(contact_name_is_valid("Bob.Smith_2-x"));
        assert_false(contact_name_is_valid(""));
        assert_false(contact_name_is_valid(".alice"));
        assert_false(contact_name_is_valid("al ice"));
        assert_false(contact_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert_false(contact_name_is_valid(NULL));
}

/* A registry for requires_find_cycle: "name:req,req" entries. */
static char **fake_requires(const char *name, void *userdata) {
        char ***table = userdata;

        for (size_t k = 0; table[k]; k++)
                if (streq(table[k][0], name))
                        return table[k] + 1;
        return NULL;
}

static void test_requires_cycle(void **state) {
        char *a[] = { "a", "b", NULL }, *b[] = { "b", "c", NULL }, *c[] = { "c", "d", "e", NULL },
             *e[] = { "e", "x", NULL }, *x[] = { "x", NULL };
        char **table[] = { a, b, c, e, x, NULL };
        char *to_x[] = { "a", NULL }, *to_d[] = { "d", NULL }, *to_missing[] = { "zz", "d", NULL };
        char *self_far[] = { "zz", "a", NULL };
        char *text;

        (void) state;
        /* x requires a → b → c → e → x: the path through the registry is named. */
        text = requires_find_cycle("x", to_x, fake_requires, table);
        assert_non_null(text);
        assert_string_equal(text, "x → a → b → c → e → x");
        free(text);
        /* The same walk through d (registered nowhere) finds nothing; neither do unknown names. */
        assert_null(requires_find_cycle("x", to_d, fake_requires, table));
        assert_null(requires_find_cycle("x", to_missing, fake_requires, table));
        /* A fresh name: no instance can require it yet. */
        assert_null(requires_find_cycle("new", self_far, fake_requires, table));
        /* d, through its second entry: d → a → b → c → d. */
        text = requires_find_cycle("d", self_far, fake_requires, table);
        assert_non_null(text);
        assert_string_equal(text, "d → a → b → c → d");
        free(text);
        assert_null(requires_find_cycle("y", NULL, fake_requires, table));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_all_options),
                cmocka_unit_test(test_defaults_and_edges),
                cmocka_unit_test(test_wrong_types),
                cmocka_unit_test(test_unknown_and_repeated_options),
                cmocka_unit_test(test_bad_names),
                cmocka_unit_test(test_bad_argv),
                cmocka_unit_test(test_bad_environment),
                cmocka_unit_test(test_bad_values),
                cmocka_unit_test(test_malformed_message),
                cmocka_unit_test(test_validate),
                cmocka_unit_test(test_unit_name_and_contacts),
                cmocka_unit_test(test_requires_cycle),
        };

        return cmocka_run_group_tests_name("instance-config", tests, setup_bus, teardown_bus);
}
