/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store: records survive a round trip exactly; truncated or corrupted files are rejected whole
 * (never a partial record, never a crash); files are written atomically and symlinks not followed.
 * File tests work in a directory given as argv[1] or $STORE_TEST_DIR, else in a new one under the
 * current directory (meson runs tests in the build dir); never in /tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "uuid7.h"

static char **strv_make(const char *first, ...) {
        va_list ap;
        size_t n = 0;
        char **l = calloc(64, sizeof(char *));

        assert_non_null(l);
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *)) {
                l[n] = strdup(s);
                assert_non_null(l[n++]);
        }
        va_end(ap);
        return l;
}

static void minimal_record(InstanceRecord *r, const char *name) {
        instance_record_init(r);
        assert_int_equal(uuid7_generate(r->config.id), 0);
        r->config.name = strdup(name);
        r->config.argv = strv_make("/bin/true", NULL);
}

static void full_record(InstanceRecord *r, const char *name) {
        minimal_record(r, name);
        r->config.description = strdup("  A robot; with \"quotes\", \\backslashes\\ and\ttabs; ");
        strv_free(r->config.argv);
        /* What GKeyFile must escape: ';' (the list separator), '\', leading and trailing spaces,
         * tabs, empty elements (also last). Newlines cannot be in a valid record (see below). */
        r->config.argv = strv_make("/bin/sh", "-c", "a;b\\c d", " leading space", "trailing space ",
                                   "\ttab\t", ";", "\\", "\\;", "x;;y", "#not a comment", "[not a group]",
                                   "key=value", "ünïcödé", "", NULL);
        r->config.environment = strv_make("A=1", "EMPTY=", "SEMI=x;y", "BS=\\n", "SP= v ", NULL);
        r->config.working_directory = strdup("/var/lib/robot");
        r->config.user = strdup("nobody");
        r->config.restart = RESTART_ON_FAILURE;
        r->config.restart_attempts = 7;
        r->config.restart_window_usec = 90 * USEC_PER_SEC;
        r->config.operators = strv_make("alice", "bob.smith", NULL);
        r->config.requires = strv_make("db", "cache-1", NULL);
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
        r->start_pending = true;
        memcpy(r->handled_invocation, "0123456789abcdef0123456789abcdef", 33);
}

static void assert_strv_equal(char **a, char **b) {
        /* NULL and empty differ: a field that was unset must stay unset. */
        assert_int_equal(!a, !b);
        assert_int_equal(strv_length(a), strv_length(b));
        for (size_t k = 0; a && a[k]; k++)
                assert_string_equal(a[k], b[k]);
}

static void assert_str_equal_or_null(const char *a, const char *b) {
        assert_int_equal(!a, !b);
        if (a)
                assert_string_equal(a, b);
}

static void assert_records_equal(const InstanceRecord *a, const InstanceRecord *b) {
        assert_string_equal(a->config.id, b->config.id);
        assert_string_equal(a->config.name, b->config.name);
        assert_str_equal_or_null(a->config.description, b->config.description);
        assert_strv_equal(a->config.argv, b->config.argv);
        assert_strv_equal(a->config.environment, b->config.environment);
        assert_str_equal_or_null(a->config.working_directory, b->config.working_directory);
        assert_str_equal_or_null(a->config.user, b->config.user);
        assert_int_equal(a->config.restart, b->config.restart);
        assert_int_equal(a->config.restart_attempts, b->config.restart_attempts);
        assert_int_equal(a->config.restart_window_usec, b->config.restart_window_usec);
        assert_strv_equal(a->config.operators, b->config.operators);
        assert_strv_equal(a->config.requires, b->config.requires);
        assert_int_equal(a->config.watchdog_usec, b->config.watchdog_usec);
        assert_int_equal(a->config.memory_max, b->config.memory_max);
        assert_int_equal(a->config.cpu_weight, b->config.cpu_weight);
        assert_int_equal(a->config.start, b->config.start);
        assert_int_equal(a->config.owner_uid, b->config.owner_uid);
        assert_int_equal(a->config.created_usec, b->config.created_usec);
        assert_int_equal(a->want_running, b->want_running);
        assert_int_equal(a->restart_count, b->restart_count);
        assert_int_equal(a->last_exit_code, b->last_exit_code);
        assert_str_equal_or_null(a->last_result, b->last_result);
        assert_int_equal(a->restart_window_start_usec, b->restart_window_start_usec);
        assert_int_equal(a->restart_window_failures, b->restart_window_failures);
        assert_int_equal(a->consecutive_failures, b->consecutive_failures);
        assert_int_equal(a->restart_at_usec, b->restart_at_usec);
        assert_int_equal(a->gave_up, b->gave_up);
        assert_int_equal(a->start_pending, b->start_pending);
        assert_string_equal(a->handled_invocation, b->handled_invocation);
}

/* to_data, from_data, to_data again: the record and the bytes are the same. */
static void assert_fixed_point(const InstanceRecord *a) {
        InstanceRecord b;
        char *data1, *data2;
        size_t size1, size2;
        const char *reason = NULL;

        assert_int_equal(instance_record_to_data(a, &data1, &size1), 0);
        assert_int_equal(strlen(data1), size1);
        assert_int_equal(instance_record_from_data(data1, size1, &b, &reason), 0);
        assert_null(reason);
        assert_records_equal(a, &b);
        assert_int_equal(instance_record_to_data(&b, &data2, &size2), 0);
        assert_int_equal(size1, size2);
        assert_memory_equal(data1, data2, size1);
        free(data1);
        free(data2);
        instance_record_done(&b);
}

static void test_round_trip_is_a_fixed_point(void **state) {
        InstanceRecord a;
        (void) state;

        full_record(&a, "robot");
        assert_fixed_point(&a);
        instance_record_done(&a);

        /* Unset fields stay unset; empty lists stay empty lists. StartPending is written only
         * when set: files of older versions, which lack it, are the minimal record's. */
        minimal_record(&a, "m");
        assert_fixed_point(&a);
        {
                char *data;
                size_t size;
                assert_int_equal(instance_record_to_data(&a, &data, &size), 0);
                assert_null(strstr(data, "StartPending"));
                free(data);
        }
        a.config.environment = strv_make(NULL);
        a.config.operators = strv_make(NULL);
        a.last_exit_code = INT32_MIN;
        a.restart_count = UINT32_MAX;
        a.restart_window_start_usec = UINT64_MAX;
        a.config.memory_max = UINT64_MAX;
        a.config.cpu_weight = 10000;
        a.config.owner_uid = UINT32_MAX - 1;
        assert_fixed_point(&a);
        a.last_exit_code = INT32_MAX;
        a.config.restart = RESTART_ALWAYS;
        assert_fixed_point(&a);
        instance_record_done(&a);
}

static void test_invalid_record_is_not_written(void **state) {
        InstanceRecord a;
        char *data = NULL;
        size_t size = 0;
        (void) state;

        /* A newline cannot be escaped wrong if it cannot be written: validation refuses it. */
        full_record(&a, "robot");
        free(a.config.argv[2]);
        a.config.argv[2] = strdup("a;b\\c\n d");
        assert_int_equal(instance_record_to_data(&a, &data, &size), -EINVAL);
        assert_null(data);
        instance_record_done(&a);

        full_record(&a, "robot");
        free(a.last_result);
        a.last_result = strdup("Exit Code\n");
        assert_int_equal(instance_record_to_data(&a, &data, &size), -EINVAL);
        instance_record_done(&a);

        full_record(&a, "robot");
        memcpy(a.handled_invocation, "0123456789ABCDEF0123456789abcdef", 33);
        assert_int_equal(instance_record_to_data(&a, &data, &size), -EINVAL);
        instance_record_done(&a);

        full_record(&a, "../robot");
        assert_int_equal(instance_record_to_data(&a, &data, &size), -EINVAL);
        instance_record_done(&a);

        full_record(&a, "robot");
        a.config.id[14] = '4';          /* a UUIDv4 */
        assert_int_equal(instance_record_to_data(&a, &data, &size), -EINVAL);
        instance_record_done(&a);
        assert_null(data);
}

static void test_every_truncation_is_rejected_or_exact(void **state) {
        InstanceRecord a;
        char *data;
        size_t size, accepted = 0;
        (void) state;

        full_record(&a, "robot");
        assert_int_equal(instance_record_to_data(&a, &data, &size), 0);
        for (size_t len = 0; len <= size; len++) {
                /* A copy of exactly LEN bytes, so that ASan sees any read past it. */
                char *cut = malloc(len ?: 1);
                InstanceRecord b;
                const char *reason = NULL;
                int r;

                memcpy(cut, data, len);
                r = instance_record_from_data(cut, len, &b, &reason);
                if (r == 0) {
                        assert_records_equal(&a, &b);
                        instance_record_done(&b);
                        accepted++;
                } else {
                        assert_int_equal(r, -EINVAL);
                        assert_non_null(reason);
                }
                free(cut);
        }
        /* Only the whole file: not even a cut that leaves a valid-looking number behind. */
        assert_int_equal(accepted, 1);
        free(data);
        instance_record_done(&a);
}

static void test_random_corruption_never_crashes(void **state) {
        InstanceRecord a;
        char *data;
        size_t size, accepted = 0;
        unsigned seed = 4242;
        (void) state;

        full_record(&a, "robot");
        assert_int_equal(instance_record_to_data(&a, &data, &size), 0);
        for (int round = 0; round < 5000; round++) {
                char *copy = malloc(size);
                InstanceRecord b;
                const char *reason = NULL;
                int r;

                memcpy(copy, data, size);
                for (int flips = 1 + rand_r(&seed) % 4; flips > 0; flips--)
                        copy[rand_r(&seed) % size] = (char) rand_r(&seed);
                r = instance_record_from_data(copy, size, &b, &reason);
                if (r == 0) {
                        /* Whatever was accepted is a whole, valid record that saves again. */
                        char *again;
                        size_t again_size;
                        assert_int_equal(instance_config_validate(&b.config, NULL), 0);
                        assert_int_equal(instance_record_to_data(&b, &again, &again_size), 0);
                        free(again);
                        instance_record_done(&b);
                        accepted++;
                } else {
                        assert_int_equal(r, -EINVAL);
                        assert_non_null(reason);
                }
                free(copy);
        }
        /* Some flips land in values where another valid value results (a digit, a letter of the
         * description): those are accepted, most are not. */
        assert_true(accepted < 5000);
        free(data);
        instance_record_done(&a);
}

/* The valid file with the first occurrence of FROM replaced by TO. */
static char *edit(const char *data, const char *from, const char *to) {
        const char *p = strstr(data, from);
        char *s;

        assert_non_null(p);
        assert_true(asprintf(&s, "%.*s%s%s", (int) (p - data), data, to, p + strlen(from)) > 0);
        return s;
}

static void assert_rejected(const char *data, const char *expected_reason) {
        InstanceRecord b;
        const char *reason = NULL;

        instance_record_init(&b);
        b.restart_count = 77;
        assert_int_equal(instance_record_from_data(data, strlen(data), &b, &reason), -EINVAL);
        assert_non_null(reason);
        if (expected_reason)
                assert_string_equal(reason, expected_reason);
        assert_int_equal(b.restart_count, 77);  /* untouched */
}

static void test_unknown_repeated_and_bad_keys_rejected(void **state) {
        InstanceRecord a;
        char *data, *s;
        size_t size;
        (void) state;

        full_record(&a, "robot");
        assert_int_equal(instance_record_to_data(&a, &data, &size), 0);

        assert_true(asprintf(&s, "%sFrobnicate=1\n", data) > 0);
        assert_rejected(s, "the file has an unknown or repeated key");
        free(s);
        assert_true(asprintf(&s, "%s[Other]\nA=1\n", data) > 0);
        assert_rejected(s, "the file has an unknown group");
        free(s);
        /* GKeyFile would merge a repeated group and let the last of a repeated key win. */
        assert_true(asprintf(&s, "%s[Instance]\nOwnerUID=0\n", data) > 0);
        assert_rejected(s, "the file has a group more than once");
        free(s);
        assert_true(asprintf(&s, "%sGaveUp=false\n", data) > 0);
        assert_rejected(s, "the file has an unknown or repeated key");
        free(s);
        /* A localized key is another key. */
        assert_true(asprintf(&s, "%sLastResult[de]=x\n", data) > 0);
        assert_rejected(s, NULL);
        free(s);

        s = edit(data, "ExecStart=", "#xecStart=");
        assert_rejected(s, "ExecStart is missing or not valid");
        free(s);
        s = edit(data, "[State]", "[Stat]");
        assert_rejected(s, "the file has an unknown group");
        free(s);

        /* Numbers in canonical decimal only. */
        s = edit(data, "RestartAttempts=7", "RestartAttempts=07");
        assert_rejected(s, "RestartAttempts is missing or not valid");
        free(s);
        s = edit(data, "RestartAttempts=7", "RestartAttempts=+7");
        assert_rejected(s, "RestartAttempts is missing or not valid");
        free(s);
        s = edit(data, "RestartAttempts=7", "RestartAttempts=7 ");
        assert_rejected(s, "RestartAttempts is missing or not valid");
        free(s);
        s = edit(data, "RestartAttempts=7", "RestartAttempts=");
        assert_rejected(s, "RestartAttempts is missing or not valid");
        free(s);
        s = edit(data, "RestartAttempts=7", "RestartAttempts=1001");
        assert_rejected(s, "RestartAttempts is not within 1..1000");
        free(s);
        s = edit(data, "RestartCount=3", "RestartCount=4294967296");
        assert_rejected(s, "RestartCount is missing or not valid");
        free(s);
        s = edit(data, "MemoryMax=67108864", "MemoryMax=18446744073709551616");
        assert_rejected(s, "MemoryMax is missing or not valid");
        free(s);
        s = edit(data, "MemoryMax=67108864", "MemoryMax=-1");
        assert_rejected(s, "MemoryMax is missing or not valid");
        free(s);
        s = edit(data, "MemoryMax=67108864", "MemoryMax=1048575");
        assert_rejected(s, "MemoryMax is below 1 MiB");
        free(s);
        s = edit(data, "OwnerUID=1000", "OwnerUID=4294967295");
        assert_rejected(s, "OwnerUID is missing or not valid");
        free(s);
        s = edit(data, "LastExitCode=-5", "LastExitCode=-2147483649");
        assert_rejected(s, "LastExitCode is missing or not valid");
        free(s);
        s = edit(data, "LastExitCode=-5", "LastExitCode=-0");
        assert_rejected(s, "LastExitCode is missing or not valid");
        free(s);
        s = edit(data, "WantRunning=true", "WantRunning=1");
        assert_rejected(s, "WantRunning is missing or not valid");
        free(s);
        s = edit(data, "Restart=on-failure", "Restart=sometimes");
        assert_rejected(s, "Restart is missing or not valid");
        free(s);
        s = edit(data, "Requires=db;", "Requires=robot;");
        assert_rejected(s, NULL);
        free(s);
        s = edit(data, "Name=robot", "Name=../robot");
        assert_rejected(s, NULL);
        free(s);
        s = edit(data, "ExecStart=/bin/sh", "ExecStart=sh");
        assert_rejected(s, "the program (first argument) is not an absolute path");
        free(s);
        s = edit(data, "LastResult=exit-code", "LastResult=Exit code");
        assert_rejected(s, "LastResult is not a result word of systemd");
        free(s);
        s = edit(data, "Description=", "Description=\\q");     /* an unknown escape */
        assert_rejected(s, "Description is missing or not valid");
        free(s);
        s = edit(data, "Environment=A=1;", "Environment=A=1;A=2;");
        assert_rejected(s, "the environment has an invalid or repeated entry");
        free(s);

        /* Bytes the key file syntax would not catch. */
        s = strdup(data);
        s[size / 2] = '\0';
        {
                InstanceRecord b;
                const char *reason = NULL;
                assert_int_equal(instance_record_from_data(s, size, &b, &reason), -EINVAL);
                assert_string_equal(reason, "the file contains a NUL byte");
        }
        free(s);
        s = edit(data, "Description=", "Description=\xff");
        assert_rejected(s, NULL);
        free(s);

        free(data);
        instance_record_done(&a);
}

/* The directory the file tests work in. */
static const char *base_dir = NULL;
static char test_dir[1024];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static int setup_dir(void **state) {
        (void) state;
        snprintf(test_dir, sizeof test_dir, "%s/test-store.XXXXXX", base_dir);
        return mkdtemp(test_dir) ? 0 : -1;
}

static int teardown_dir(void **state) {
        (void) state;
        return nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *dir, const char *name, const char *content) {
        char path[2048];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(content, f);
        assert_int_equal(fclose(f), 0);
}

static size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void load(Store *s, InstanceRecord **ret, size_t *ret_n) {
        *ret = NULL;
        *ret_n = SIZE_MAX;
        assert_int_equal(store_load_instances(s, ret, ret_n), 0);
}

static void free_loaded(InstanceRecord *l, size_t n) {
        for (size_t k = 0; k < n; k++)
                instance_record_done(&l[k]);
        free(l);
}

static void test_save_load_remove(void **state) {
        char dir[1100], path[2048];
        Store *s = NULL;
        InstanceRecord a, b, *loaded;
        struct stat st;
        size_t n;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(store_open(dir, &s), 0);          /* created */
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);

        load(s, &loaded, &n);
        assert_int_equal(n, 0);
        assert_null(loaded);

        full_record(&a, "robot");
        minimal_record(&b, "a-minimal");
        assert_int_equal(store_save_instance(s, &a), 0);
        assert_int_equal(store_save_instance(s, &b), 0);
        a.restart_count = 4;
        assert_int_equal(store_save_instance(s, &a), 0);   /* replaced in place */
        assert_int_equal(count_entries(dir), 2);            /* no temporary files left */
        snprintf(path, sizeof path, "%s/robot.instance", dir);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);

        load(s, &loaded, &n);
        assert_int_equal(n, 2);
        assert_records_equal(&b, &loaded[0]);               /* in the order of the file names */
        assert_records_equal(&a, &loaded[1]);

        /* What was loaded saves to the same bytes: load, save, load is a fixed point. */
        {
                char *d1, *d2;
                size_t s1, s2;
                assert_int_equal(instance_record_to_data(&loaded[1], &d1, &s1), 0);
                assert_int_equal(store_save_instance(s, &loaded[1]), 0);
                free_loaded(loaded, n);
                load(s, &loaded, &n);
                assert_int_equal(n, 2);
                assert_int_equal(instance_record_to_data(&loaded[1], &d2, &s2), 0);
                assert_int_equal(s1, s2);
                assert_memory_equal(d1, d2, s1);
                free(d1);
                free(d2);
        }
        free_loaded(loaded, n);

        assert_int_equal(store_remove_instance(s, "robot"), 0);
        assert_int_equal(store_remove_instance(s, "robot"), 0);   /* already gone: fine */
        assert_int_equal(store_remove_instance(s, "../state"), -EINVAL);
        load(s, &loaded, &n);
        assert_int_equal(n, 1);
        assert_records_equal(&b, &loaded[0]);
        free_loaded(loaded, n);

        /* An invalid record is not saved, and leaves nothing behind. */
        free(a.config.name);
        a.config.name = strdup("../escape");
        assert_int_equal(store_save_instance(s, &a), -EINVAL);
        assert_int_equal(count_entries(dir), 1);

        store_free(s);
        instance_record_done(&a);
        instance_record_done(&b);
}

static void test_stale_temp_files_removed(void **state) {
        char dir[1100], path[2048];
        Store *s = NULL;
        InstanceRecord *loaded;
        size_t n;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(mkdir(dir, 0700), 0);
        write_file(dir, ".#robot.1234abcd", "half a rec");
        write_file(dir, ".#robot.instance", "[Instance]\n");
        write_file(dir, "keep.txt", "not ours");
        assert_int_equal(store_open(dir, &s), 0);
        snprintf(path, sizeof path, "%s/.#robot.1234abcd", dir);
        assert_int_equal(access(path, F_OK), -1);
        snprintf(path, sizeof path, "%s/.#robot.instance", dir);
        assert_int_equal(access(path, F_OK), -1);
        snprintf(path, sizeof path, "%s/keep.txt", dir);
        assert_int_equal(access(path, F_OK), 0);            /* other files are left alone */
        load(s, &loaded, &n);
        assert_int_equal(n, 0);
        store_free(s);
}

static void test_symlinked_state_directory_refused(void **state) {
        char dir[1100], link[1100];
        Store *s = NULL;
        (void) state;

        snprintf(dir, sizeof dir, "%s/real", test_dir);
        snprintf(link, sizeof link, "%s/state", test_dir);
        assert_int_equal(mkdir(dir, 0700), 0);
        assert_int_equal(symlink(dir, link), 0);
        assert_int_equal(store_open(link, &s), -ELOOP);
        assert_null(s);

        /* A dangling one neither: mkdir() must not create its target. */
        snprintf(dir, sizeof dir, "%s/nowhere", test_dir);
        snprintf(link, sizeof link, "%s/dangling", test_dir);
        assert_int_equal(symlink(dir, link), 0);
        assert_int_equal(store_open(link, &s), -ELOOP);
        assert_int_equal(access(dir, F_OK), -1);

        /* A file is no directory. */
        write_file(test_dir, "file", "x");
        snprintf(dir, sizeof dir, "%s/file", test_dir);
        assert_int_equal(store_open(dir, &s), -ENOTDIR);
}

static void test_bad_files_skipped(void **state) {
        char dir[1100], path[2048], other[2048];
        Store *s = NULL;
        InstanceRecord a, twin, *loaded;
        char *data;
        size_t size, n;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(store_open(dir, &s), 0);
        full_record(&a, "robot");
        assert_int_equal(store_save_instance(s, &a), 0);

        /* A valid record elsewhere, reachable through a symlink named like a record: not followed. */
        full_record(&twin, "link");
        assert_int_equal(instance_record_to_data(&twin, &data, &size), 0);
        write_file(test_dir, "elsewhere", data);
        free(data);
        snprintf(other, sizeof other, "%s/elsewhere", test_dir);
        snprintf(path, sizeof path, "%s/link.instance", dir);
        assert_int_equal(symlink(other, path), 0);
        instance_record_done(&twin);

        /* A valid record under another name than its own. */
        full_record(&twin, "robot2");
        assert_int_equal(instance_record_to_data(&twin, &data, &size), 0);
        write_file(dir, "wrongname.instance", data);
        free(data);
        instance_record_done(&twin);

        /* Another file with robot's id: file names sort "robot-twin.instance" before
         * "robot.instance" ('-' < '.'), so the twin is loaded and robot skipped. */
        full_record(&twin, "robot-twin");
        memcpy(twin.config.id, a.config.id, sizeof a.config.id);
        assert_int_equal(store_save_instance(s, &twin), 0);

        /* Corrupt, empty, a directory, a FIFO (must not block), a bare suffix. */
        write_file(dir, "broken.instance", "[Instance]\nId=nope\n");
        write_file(dir, "empty.instance", "");
        write_file(dir, ".instance", "");
        snprintf(path, sizeof path, "%s/dir.instance", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/fifo.instance", dir);
        assert_int_equal(mkfifo(path, 0600), 0);

        load(s, &loaded, &n);
        assert_int_equal(n, 1);
        assert_records_equal(&twin, &loaded[0]);
        free_loaded(loaded, n);

        /* Without the twin, robot itself. */
        assert_int_equal(store_remove_instance(s, "robot-twin"), 0);
        load(s, &loaded, &n);
        assert_int_equal(n, 1);
        assert_records_equal(&a, &loaded[0]);
        free_loaded(loaded, n);

        /* The symlink's target is untouched, and still there. */
        assert_int_equal(access(other, F_OK), 0);

        store_free(s);
        instance_record_done(&a);
        instance_record_done(&twin);
}

static void test_oversized_file_skipped(void **state) {
        char dir[1100], path[2048];
        Store *s = NULL;
        InstanceRecord *loaded;
        size_t n;
        int fd;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(store_open(dir, &s), 0);
        snprintf(path, sizeof path, "%s/big.instance", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 4 * 1024 * 1024 + 1), 0);
        close(fd);
        load(s, &loaded, &n);
        assert_int_equal(n, 0);
        store_free(s);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip_is_a_fixed_point),
                cmocka_unit_test(test_invalid_record_is_not_written),
                cmocka_unit_test(test_every_truncation_is_rejected_or_exact),
                cmocka_unit_test(test_random_corruption_never_crashes),
                cmocka_unit_test(test_unknown_repeated_and_bad_keys_rejected),
                cmocka_unit_test_setup_teardown(test_save_load_remove, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_stale_temp_files_removed, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_symlinked_state_directory_refused, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_bad_files_skipped, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_oversized_file_skipped, setup_dir, teardown_dir),
        };

        base_dir = argc > 1 ? argv[1] : getenv("STORE_TEST_DIR");
        if (isempty(base_dir))
                base_dir = ".";
        /* The warnings about skipped files are expected; keep the TAP output readable. */
        if (!getenv("ORCHD_LOG_LEVEL"))
                log_set_max_level(LOG_ERR);
        return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
