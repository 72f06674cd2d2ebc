/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store: records survive a round trip exactly; truncated or corrupted files are rejected whole
 * (never a partial record, never a crash); files are written atomically and symlinks not followed.
 * File tests work in a directory under the current one (meson runs tests in the build dir). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "uuid7.h"

static char **strv_make(const char *first, ...) {
        va_list ap;
        size_t n = 0;
        char **l = calloc(64, sizeof(char *));
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                l[n++] = strdup(s);
        va_end(ap);
        return l;
}

static void full_record(InstanceRecord *r, const char *name) {
        instance_record_init(r);
        assert_int_equal(uuid7_generate(r->config.id), 0);
        r->config.name = strdup(name);
        r->config.description = strdup("A robot; with \"quotes\" and ;semicolons;");
        r->config.argv = strv_make("/bin/sh", "-c", "a;b\\c d", " leading space", "", NULL);
        r->config.environment = strv_make("A=1", "EMPTY=", "SEMI=x;y", NULL);
        r->config.working_directory = strdup("/var/lib/robot");
        r->config.user = strdup("nobody");
        r->config.restart = RESTART_ON_FAILURE;
        r->config.restart_attempts = 7;
        r->config.restart_window_usec = 90 * USEC_PER_SEC;
        r->config.operators = strv_make("alice", "bob", NULL);
        r->config.requires = strv_make("db", NULL);
        r->config.watchdog_usec = 5 * USEC_PER_SEC;
        r->config.memory_max = 64 * 1024 * 1024;
        r->config.cpu_weight = 200;
        r->config.owner_uid = 1000;
        r->config.created_usec = UINT64_C(1763800000000000);
        r->want_running = true;
        r->restart_count = 3;
        r->last_exit_code = -5;
        r->last_result = strdup("exit-code");
        r->restart_window_start_usec = 12345;
        r->restart_window_failures = 2;
        r->consecutive_failures = 4;
        r->restart_at_usec = UINT64_C(1763800000123456);
        r->gave_up = true;
        memcpy(r->handled_invocation, "0123456789abcdef0123456789abcdef", 33);
}

static void assert_strv_equal(char **a, char **b) {
        assert_int_equal(strv_length(a), strv_length(b));
        for (size_t k = 0; a && a[k]; k++)
                assert_string_equal(a[k], b[k]);
}

static void assert_records_equal(const InstanceRecord *a, const InstanceRecord *b) {
        assert_string_equal(a->config.id, b->config.id);
        assert_string_equal(a->config.name, b->config.name);
        assert_string_equal(a->config.description, b->config.description);
        assert_strv_equal(a->config.argv, b->config.argv);
        assert_strv_equal(a->config.environment, b->config.environment);
        assert_string_equal(a->config.working_directory, b->config.working_directory);
        assert_string_equal(a->config.user, b->config.user);
        assert_int_equal(a->config.restart, b->config.restart);
        assert_int_equal(a->config.restart_attempts, b->config.restart_attempts);
        assert_int_equal(a->config.restart_window_usec, b->config.restart_window_usec);
        assert_strv_equal(a->config.operators, b->config.operators);
        assert_strv_equal(a->config.requires, b->config.requires);
        assert_int_equal(a->config.watchdog_usec, b->config.watchdog_usec);
        assert_int_equal(a->config.memory_max, b->config.memory_max);
        assert_int_equal(a->config.cpu_weight, b->config.cpu_weight);
        assert_int_equal(a->config.owner_uid, b->config.owner_uid);
        assert_int_equal(a->config.created_usec, b->config.created_usec);
        assert_int_equal(a->want_running, b->want_running);
        assert_int_equal(a->restart_count, b->restart_count);
        assert_int_equal(a->last_exit_code, b->last_exit_code);
        assert_string_equal(a->last_result, b->last_result);
        assert_int_equal(a->restart_window_start_usec, b->restart_window_start_usec);
        assert_int_equal(a->restart_window_failures, b->restart_window_failures);
        assert_int_equal(a->consecutive_failures, b->consecutive_failures);
        assert_int_equal(a->restart_at_usec, b->restart_at_usec);
        assert_int_equal(a->gave_up, b->gave_up);
        assert_string_equal(a->handled_invocation, b->handled_invocation);
}

static void test_round_trip_is_a_fixed_point(void **state) {
        InstanceRecord a, b;
        char *data1, *data2;
        size_t size1, size2;
        const char *reason = NULL;
        (void) state;

        full_record(&a, "robot");
        assert_int_equal(instance_record_to_data(&a, &data1, &size1), 0);
        assert_int_equal(instance_record_from_data(data1, size1, &b, &reason), 0);
        assert_records_equal(&a, &b);
        assert_int_equal(instance_record_to_data(&b, &data2, &size2), 0);
        assert_int_equal(size1, size2);
        assert_memory_equal(data1, data2, size1);
        free(data1);
        free(data2);
        instance_record_done(&a);
        instance_record_done(&b);
}

static void test_every_truncation_is_rejected_or_exact(void **state) {
        InstanceRecord a;
        char *data;
        size_t size, accepted = 0;
        (void) state;

        full_record(&a, "robot");
        assert_int_equal(instance_record_to_data(&a, &data, &size), 0);
        for (size_t len = 0; len < size; len++) {
                InstanceRecord b;
                const char *reason = NULL;
                int r = instance_record_from_data(data, len, &b, &reason);
                if (r == 0) {
                        assert_records_equal(&a, &b);
                        instance_record_done(&b);
                        accepted++;
                } else {
                        assert_int_equal(r, -EINVAL);
                        assert_non_null(reason);
                }
        }
        /* No cut is accepted: not even one that leaves a valid-looking number behind. */
        assert_int_equal(accepted, 0);
        free(data);
        instance_record_done(&a);
}

static void test_random_corruption_never_crashes(void **state) {
        InstanceRecord a;
        char *data;
        size_t size;
        unsigned seed = 4242;
        (void) state;

        full_record(&a, "robot");
        assert_int_equal(instance_record_to_data(&a, &data, &size), 0);
        for (int round = 0; round < 3000; round++) {
                char *copy = malloc(size);
                InstanceRecord b;
                memcpy(copy, data, size);
                for (int flips = 1 + rand_r(&seed) % 4; flips > 0; flips--)
                        copy[rand_r(&seed) % size] = (char) rand_r(&seed);
                if (instance_record_from_data(copy, size, &b, NULL) == 0) {
                        /* Whatever was accepted is a whole, valid record. */
                        assert_int_equal(instance_config_validate(&b.config, NULL), 0);
                        instance_record_done(&b);
                }
                free(copy);
        }
        free(data);
        instance_record_done(&a);
}

static void test_unknown_key_and_missing_key_rejected(void **state) {
        InstanceRecord a, b;
        char *data, *edited;
        size_t size;
        const char *reason = NULL;
        (void) state;

        full_record(&a, "robot");
        assert_int_equal(instance_record_to_data(&a, &data, &size), 0);
        assert_true(asprintf(&edited, "%sFrobnicate=1\n", data) > 0);
        assert_int_equal(instance_record_from_data(edited, strlen(edited), &b, &reason), -EINVAL);
        assert_string_equal(reason, "has an unknown group or key");
        free(edited);

        /* Without its ExecStart, no record. */
        char *p = strstr(data, "ExecStart=");
        assert_non_null(p);
        memcpy(p, "#xecStart=", 10);
        assert_int_equal(instance_record_from_data(data, size, &b, &reason), -EINVAL);
        free(data);
        instance_record_done(&a);
}

static char test_dir[256];

static int setup_dir(void **state) {
        (void) state;
        snprintf(test_dir, sizeof test_dir, "%s/test-store.XXXXXX", getenv("STORE_TEST_DIR") ?: ".");
        assert_non_null(mkdtemp(test_dir));
        return 0;
}

static int teardown_dir(void **state) {
        char cmd[512];
        (void) state;
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *dir, const char *name, const char *content) {
        char path[512];
        FILE *f;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void test_files(void **state) {
        char dir[300], path[600], other[600];
        Store *s = NULL;
        InstanceRecord a, *loaded = NULL;
        size_t n = 0;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(store_open(dir, &s), 0);
        full_record(&a, "robot");
        assert_int_equal(store_save_instance(s, &a), 0);
        assert_int_equal(store_save_instance(s, &a), 0);          /* overwrite in place */

        /* Noise the loader must skip: a corrupt file, a file under the wrong name, a symlink, a
         * directory, and a temporary file left by a crash (removed when the store opens). */
        write_file(dir, "broken.instance", "[Instance]\nId=nope\n");
        char *data;
        size_t size;
        assert_int_equal(instance_record_to_data(&a, &data, &size), 0);
        write_file(dir, "wrongname.instance", data);
        free(data);
        snprintf(other, sizeof other, "%s/elsewhere", test_dir);
        write_file(test_dir, "elsewhere", "[Instance]\n");
        snprintf(path, sizeof path, "%s/link.instance", dir);
        assert_int_equal(symlink(other, path), 0);
        snprintf(path, sizeof path, "%s/dir.instance", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        write_file(dir, ".#robot.instance.1234", "half a record");
        store_free(s);

        assert_int_equal(store_open(dir, &s), 0);
        snprintf(path, sizeof path, "%s/.#robot.instance.1234", dir);
        assert_int_equal(access(path, F_OK), -1);                 /* stale temp file removed */
        assert_int_equal(store_load_instances(s, &loaded, &n), 0);
        assert_int_equal(n, 1);
        assert_records_equal(&a, &loaded[0]);
        instance_record_done(&loaded[0]);
        free(loaded);

        assert_int_equal(store_remove_instance(s, "robot"), 0);
        assert_int_equal(store_remove_instance(s, "robot"), 0);   /* already gone: fine */
        assert_int_equal(store_load_instances(s, &loaded, &n), 0);
        assert_int_equal(n, 0);
        free(loaded);
        store_free(s);
        instance_record_done(&a);

        /* A state directory that is a symlink is refused. */
        snprintf(path, sizeof path, "%s/state-link", test_dir);
        assert_int_equal(symlink(dir, path), 0);
        assert_int_equal(store_open(path, &s), -ELOOP);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip_is_a_fixed_point),
                cmocka_unit_test(test_every_truncation_is_rejected_or_exact),
                cmocka_unit_test(test_random_corruption_never_crashes),
                cmocka_unit_test(test_unknown_key_and_missing_key_rejected),
                cmocka_unit_test_setup_teardown(test_files, setup_dir, teardown_dir),
        };
        return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
