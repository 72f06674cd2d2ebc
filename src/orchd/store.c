/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "validate.h"
#include "store.h"

#define STORE_FILE_SIZE_MAX (4U * 1024U * 1024U)
#define STORE_SUFFIX ".instance"
#define STORE_TEMP_PREFIX ".#"

struct Store {
        int dir_fd;
        char *path;
};

void instance_record_init(InstanceRecord *r) {
        *r = (InstanceRecord) {};
        instance_config_init(&r->config);
}

void instance_record_done(InstanceRecord *r) {
        instance_config_done(&r->config);
        free(r->last_result);
        instance_record_init(r);
}

static void set_u64(GKeyFile *k, const char *group, const char *key, uint64_t v) {
        char buf[32];
        (void) snprintf(buf, sizeof buf, "%" PRIu64, v);
        g_key_file_set_value(k, group, key, buf);
}

static void set_strv(GKeyFile *k, const char *group, const char *key, char **l) {
        if (l)
                g_key_file_set_string_list(k, group, key, (const char * const *) l, strv_length(l));
}

int instance_record_to_data(const InstanceRecord *r, char **ret, size_t *ret_size) {
        const InstanceConfig *c = &r->config;
        g_autoptr(GKeyFile) k = g_key_file_new();
        gsize size;
        char *data;

        g_key_file_set_string(k, "Instance", "Id", c->id);
        g_key_file_set_string(k, "Instance", "Name", c->name);
        if (c->description)
                g_key_file_set_string(k, "Instance", "Description", c->description);
        set_strv(k, "Instance", "ExecStart", c->argv);
        set_strv(k, "Instance", "Environment", c->environment);
        if (c->working_directory)
                g_key_file_set_string(k, "Instance", "WorkingDirectory", c->working_directory);
        if (c->user)
                g_key_file_set_string(k, "Instance", "User", c->user);
        g_key_file_set_string(k, "Instance", "Restart", restart_policy_to_string(c->restart));
        set_u64(k, "Instance", "RestartAttempts", c->restart_attempts);
        set_u64(k, "Instance", "RestartWindowUSec", c->restart_window_usec);
        set_strv(k, "Instance", "Operators", c->operators);
        set_strv(k, "Instance", "Requires", c->requires);
        set_u64(k, "Instance", "WatchdogUSec", c->watchdog_usec);
        set_u64(k, "Instance", "MemoryMax", c->memory_max);
        set_u64(k, "Instance", "CPUWeight", c->cpu_weight);
        set_u64(k, "Instance", "OwnerUID", c->owner_uid);
        set_u64(k, "Instance", "CreatedUSec", c->created_usec);

        g_key_file_set_boolean(k, "State", "WantRunning", r->want_running);
        set_u64(k, "State", "RestartCount", r->restart_count);
        g_key_file_set_integer(k, "State", "LastExitCode", r->last_exit_code);
        if (r->last_result)
                g_key_file_set_string(k, "State", "LastResult", r->last_result);
        set_u64(k, "State", "RestartWindowStartUSec", r->restart_window_start_usec);
        set_u64(k, "State", "RestartWindowFailures", r->restart_window_failures);
        set_u64(k, "State", "ConsecutiveFailures", r->consecutive_failures);
        set_u64(k, "State", "RestartAtUSec", r->restart_at_usec);
        g_key_file_set_boolean(k, "State", "GaveUp", r->gave_up);
        g_key_file_set_string(k, "State", "HandledInvocation", r->handled_invocation);

        data = g_key_file_to_data(k, &size, NULL);
        if (!data)
                return -ENOMEM;
        /* The caller frees with free(): hand over a malloc'ed copy. */
        *ret = strndup(data, size);
        g_free(data);
        if (!*ret)
                return -ENOMEM;
        *ret_size = size;
        return 0;
}

/* systemd's Result words: lowercase letters and '-'. */
static bool result_word_is_valid(const char *s) {
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || *s == '-'))
                        return false;
        return true;
}

static const char *const instance_keys[] = {
        "Id", "Name", "Description", "ExecStart", "Environment", "WorkingDirectory", "User",
        "Restart", "RestartAttempts", "RestartWindowUSec", "Operators", "Requires", "WatchdogUSec",
        "MemoryMax", "CPUWeight", "OwnerUID", "CreatedUSec", NULL,
};
static const char *const state_keys[] = {
        "WantRunning", "RestartCount", "LastExitCode", "LastResult", "RestartWindowStartUSec",
        "RestartWindowFailures", "ConsecutiveFailures", "RestartAtUSec", "GaveUp", "HandledInvocation", NULL,
};

static bool key_known(const char *key, const char *const *known) {
        for (; *known; known++)
                if (streq(key, *known))
                        return true;
        return false;
}

/* Only the groups and keys orchd writes: anything else means the file is not what we wrote. */
static bool keys_all_known(GKeyFile *k) {
        g_auto(GStrv) groups = g_key_file_get_groups(k, NULL);

        for (char **g = groups; g && *g; g++) {
                const char *const *known;
                if (streq(*g, "Instance"))
                        known = instance_keys;
                else if (streq(*g, "State"))
                        known = state_keys;
                else
                        return false;
                g_auto(GStrv) keys = g_key_file_get_keys(k, *g, NULL, NULL);
                for (char **key = keys; key && *key; key++)
                        if (!key_known(*key, known))
                                return false;
        }
        return true;
}

static int get_u64(GKeyFile *k, const char *group, const char *key, bool required, uint64_t max, uint64_t *ret) {
        g_autofree char *v = g_key_file_get_value(k, group, key, NULL);
        char *end;
        uint64_t u;

        if (!v)
                return required ? -EINVAL : 0;
        if (!g_ascii_isdigit(v[0]))
                return -EINVAL;
        errno = 0;
        u = g_ascii_strtoull(v, &end, 10);
        if (errno != 0 || *end != '\0' || u > max)
                return -EINVAL;
        *ret = u;
        return 0;
}

static int get_string(GKeyFile *k, const char *group, const char *key, bool required, char **ret) {
        g_autoptr(GError) e = NULL;
        char *v = g_key_file_get_string(k, group, key, &e);

        if (!v)
                return required || !g_error_matches(e, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ? -EINVAL : 0;
        free(*ret);
        *ret = strdup(v);
        g_free(v);
        return *ret ? 0 : -ENOMEM;
}

static int get_strv(GKeyFile *k, const char *group, const char *key, bool required, char ***ret) {
        g_autoptr(GError) e = NULL;
        gsize n;
        char **v = g_key_file_get_string_list(k, group, key, &n, &e);
        char **copy;

        if (!v)
                return required || !g_error_matches(e, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ? -EINVAL : 0;
        copy = calloc(n + 1, sizeof(char *));
        for (gsize i = 0; copy && i < n; i++) {
                copy[i] = strdup(v[i]);
                if (!copy[i]) {
                        strv_free(copy);
                        copy = NULL;
                }
        }
        g_strfreev(v);
        if (!copy)
                return -ENOMEM;
        strv_free(*ret);
        *ret = copy;
        return 0;
}

int instance_record_from_data(const char *data, size_t size, InstanceRecord *ret, const char **ret_reason) {
        g_autoptr(GKeyFile) k = g_key_file_new();
        _cleanup_free_ char *id = NULL, *restart = NULL;
        InstanceRecord r;
        InstanceConfig *c = &r.config;
        uint64_t u;
        const char *reason = NULL;
        int q = 0;

        instance_record_init(&r);
        if (memchr(data, '\0', size)) {
                reason = "contains a NUL byte";
                goto fail;
        }
        /* Written files end with a newline: a file cut short, even between the digits of a number,
         * does not (and one cut between lines misses a required key). */
        if (size == 0 || data[size - 1] != '\n') {
                reason = "is truncated";
                goto fail;
        }
        if (!g_key_file_load_from_data(k, data, size, G_KEY_FILE_NONE, NULL)) {
                reason = "is not a valid key file";
                goto fail;
        }
        if (!keys_all_known(k)) {
                reason = "has an unknown group or key";
                goto fail;
        }
#define CHECK(expr, why) do { q = (expr); if (q < 0) { reason = (why); goto fail; } } while (0)
        CHECK(get_string(k, "Instance", "Id", true, &id), "has no valid Id");
        if (strlen(id) != 36) {
                reason = "has no valid Id";
                goto fail;
        }
        memcpy(c->id, id, 37);
        CHECK(get_string(k, "Instance", "Name", true, &c->name), "has no valid Name");
        CHECK(get_string(k, "Instance", "Description", false, &c->description), "has a bad Description");
        CHECK(get_strv(k, "Instance", "ExecStart", true, &c->argv), "has no valid ExecStart");
        CHECK(get_strv(k, "Instance", "Environment", false, &c->environment), "has a bad Environment");
        CHECK(get_string(k, "Instance", "WorkingDirectory", false, &c->working_directory), "has a bad WorkingDirectory");
        CHECK(get_string(k, "Instance", "User", false, &c->user), "has a bad User");
        CHECK(get_string(k, "Instance", "Restart", true, &restart), "has no valid Restart");
        c->restart = restart_policy_from_string(restart);
        u = 0;
        CHECK(get_u64(k, "Instance", "RestartAttempts", true, UINT32_MAX, &u), "has no valid RestartAttempts");
        c->restart_attempts = (uint32_t) u;
        CHECK(get_u64(k, "Instance", "RestartWindowUSec", true, UINT64_MAX, &c->restart_window_usec), "has no valid RestartWindowUSec");
        CHECK(get_strv(k, "Instance", "Operators", false, &c->operators), "has bad Operators");
        CHECK(get_strv(k, "Instance", "Requires", false, &c->requires), "has bad Requires");
        CHECK(get_u64(k, "Instance", "WatchdogUSec", true, UINT64_MAX, &c->watchdog_usec), "has no valid WatchdogUSec");
        CHECK(get_u64(k, "Instance", "MemoryMax", true, UINT64_MAX, &c->memory_max), "has no valid MemoryMax");
        CHECK(get_u64(k, "Instance", "CPUWeight", true, UINT64_MAX, &c->cpu_weight), "has no valid CPUWeight");
        u = 0;
        CHECK(get_u64(k, "Instance", "OwnerUID", true, UINT32_MAX - 1, &u), "has no valid OwnerUID");
        c->owner_uid = (uid_t) u;
        CHECK(get_u64(k, "Instance", "CreatedUSec", true, UINT64_MAX, &c->created_usec), "has no valid CreatedUSec");

        {
                g_autoptr(GError) e = NULL;
                gboolean b = g_key_file_get_boolean(k, "State", "WantRunning", &e);
                if (e) {
                        reason = "has no valid WantRunning";
                        goto fail;
                }
                r.want_running = b;
        }
        u = 0;
        CHECK(get_u64(k, "State", "RestartCount", true, UINT32_MAX, &u), "has no valid RestartCount");
        r.restart_count = (uint32_t) u;
        {
                g_autoptr(GError) e = NULL;
                g_autofree char *v = g_key_file_get_value(k, "State", "LastExitCode", NULL);
                char *end;
                long l;
                if (!v || !*v) {
                        reason = "has no valid LastExitCode";
                        goto fail;
                }
                errno = 0;
                l = strtol(v, &end, 10);
                if (errno != 0 || *end != '\0' || l < INT32_MIN || l > INT32_MAX) {
                        reason = "has no valid LastExitCode";
                        goto fail;
                }
                r.last_exit_code = (int32_t) l;
        }
        CHECK(get_string(k, "State", "LastResult", false, &r.last_result), "has a bad LastResult");
        if (r.last_result && (strlen(r.last_result) > 31 || !result_word_is_valid(r.last_result))) {
                reason = "has a bad LastResult";
                goto fail;
        }
        CHECK(get_u64(k, "State", "RestartWindowStartUSec", true, UINT64_MAX, &r.restart_window_start_usec),
              "has no valid RestartWindowStartUSec");
        u = 0;
        CHECK(get_u64(k, "State", "RestartWindowFailures", true, UINT32_MAX, &u), "has no valid RestartWindowFailures");
        r.restart_window_failures = (uint32_t) u;
        u = 0;
        CHECK(get_u64(k, "State", "ConsecutiveFailures", true, UINT32_MAX, &u), "has no valid ConsecutiveFailures");
        r.consecutive_failures = (uint32_t) u;
        CHECK(get_u64(k, "State", "RestartAtUSec", true, UINT64_MAX, &r.restart_at_usec), "has no valid RestartAtUSec");
        {
                g_autoptr(GError) e = NULL;
                r.gave_up = g_key_file_get_boolean(k, "State", "GaveUp", &e);
                if (e) {
                        reason = "has no valid GaveUp";
                        goto fail;
                }
        }
        {
                _cleanup_free_ char *inv = NULL;
                CHECK(get_string(k, "State", "HandledInvocation", true, &inv), "has no valid HandledInvocation");
                if (inv && *inv) {
                        if (strlen(inv) != 32 || strspn(inv, "0123456789abcdef") != 32) {
                                reason = "has a bad HandledInvocation";
                                goto fail;
                        }
                        memcpy(r.handled_invocation, inv, 33);
                }
        }
#undef CHECK

        if (instance_config_validate(c, &reason) < 0)
                goto fail;

        *ret = r;
        return 0;

fail:
        instance_record_done(&r);
        if (ret_reason)
                *ret_reason = reason;
        return q == -ENOMEM ? -ENOMEM : -EINVAL;
}

static bool is_temp_name(const char *name) {
        return strneq(name, STORE_TEMP_PREFIX, strlen(STORE_TEMP_PREFIX));
}

int store_open(const char *directory, Store **ret) {
        Store *s;
        struct stat st;
        int fd;

        if (mkdir(directory, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                /* O_DIRECTORY on a symlink says ENOTDIR: tell the real reason. */
                if (errno == ENOTDIR && lstat(directory, &st) == 0 && S_ISLNK(st.st_mode))
                        return -ELOOP;
                return -errno;
        }
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
                close(fd);
                return -ENOTDIR;
        }

        s = calloc(1, sizeof(*s));
        if (!s || !(s->path = strdup(directory))) {
                free(s);
                close(fd);
                return -ENOMEM;
        }
        s->dir_fd = fd;

        /* A crash between writing and renaming leaves a temporary file: it was never the record. */
        int dfd = dup(fd);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (d) {
                struct dirent *de;
                while ((de = readdir(d)))
                        if (is_temp_name(de->d_name)) {
                                log_info("Removing %s/%s, left by an interrupted write.", directory, de->d_name);
                                (void) unlinkat(fd, de->d_name, 0);
                        }
                closedir(d);
        } else if (dfd >= 0)
                close(dfd);

        *ret = s;
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        if (s->dir_fd >= 0)
                close(s->dir_fd);
        free(s->path);
        free(s);
        return NULL;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

int store_save_instance(Store *s, const InstanceRecord *r) {
        _cleanup_free_ char *data = NULL, *final = NULL, *temp = NULL;
        size_t size;
        int fd, q;

        q = instance_record_to_data(r, &data, &size);
        if (q < 0)
                return q;
        if (asprintf(&final, "%s" STORE_SUFFIX, r->config.name) < 0 ||
            asprintf(&temp, STORE_TEMP_PREFIX "%s.%08x", r->config.name, g_random_int()) < 0)
                return -ENOMEM;

        fd = openat(s->dir_fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        q = write_all(fd, data, size);
        if (q >= 0 && fsync(fd) < 0)
                q = -errno;
        if (close(fd) < 0 && q >= 0)
                q = -errno;
        if (q >= 0 && renameat(s->dir_fd, temp, s->dir_fd, final) < 0)
                q = -errno;
        if (q < 0) {
                (void) unlinkat(s->dir_fd, temp, 0);
                return q;
        }
        /* The rename is durable only once the directory is. */
        if (fsync(s->dir_fd) < 0)
                return -errno;
        return 0;
}

int store_remove_instance(Store *s, const char *name) {
        _cleanup_free_ char *file = NULL;

        if (asprintf(&file, "%s" STORE_SUFFIX, name) < 0)
                return -ENOMEM;
        if (unlinkat(s->dir_fd, file, 0) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fsync(s->dir_fd) < 0)
                return -errno;
        return 0;
}

static int read_file_at(int dir_fd, const char *name, char **ret, size_t *ret_size) {
        struct stat st;
        char *buf;
        size_t n = 0;
        int fd;

        /* O_NOFOLLOW: a symlink planted in the state directory is never followed. */
        fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STORE_FILE_SIZE_MAX) {
                close(fd);
                return -EBADMSG;
        }
        buf = malloc((size_t) st.st_size + 1);
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        while (n < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        close(fd);
        buf[n] = '\0';
        *ret = buf;
        *ret_size = n;
        return 0;
}

int store_load_instances(Store *s, InstanceRecord **ret, size_t *ret_n) {
        InstanceRecord *records = NULL;
        size_t n = 0;
        DIR *d;
        struct dirent *de;
        int dfd;

        dfd = dup(s->dir_fd);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        rewinddir(d);
        while ((de = readdir(d))) {
                _cleanup_free_ char *data = NULL;
                const char *reason = NULL;
                size_t size, len = strlen(de->d_name), suffix = strlen(STORE_SUFFIX);
                InstanceRecord r;
                int q;

                if (is_temp_name(de->d_name) || len <= suffix || !streq(de->d_name + len - suffix, STORE_SUFFIX))
                        continue;
                q = read_file_at(s->dir_fd, de->d_name, &data, &size);
                if (q < 0) {
                        log_warning_errno(q, "Skipping %s/%s: not a readable regular file: %m", s->path, de->d_name);
                        continue;
                }
                q = instance_record_from_data(data, size, &r, &reason);
                if (q < 0) {
                        log_warning("Skipping %s/%s: it %s.", s->path, de->d_name, strna(reason));
                        continue;
                }
                if (strlen(r.config.name) != len - suffix || !strneq(r.config.name, de->d_name, len - suffix)) {
                        log_warning("Skipping %s/%s: it names instance '%s'.", s->path, de->d_name, r.config.name);
                        instance_record_done(&r);
                        continue;
                }
                bool duplicate = false;
                for (size_t k = 0; k < n; k++)
                        if (streq(records[k].config.id, r.config.id))
                                duplicate = true;
                if (duplicate) {
                        log_warning("Skipping %s/%s: its id %s is another instance's.", s->path, de->d_name, r.config.id);
                        instance_record_done(&r);
                        continue;
                }
                InstanceRecord *bigger = realloc(records, (n + 1) * sizeof(InstanceRecord));
                if (!bigger) {
                        instance_record_done(&r);
                        closedir(d);
                        for (size_t k = 0; k < n; k++)
                                instance_record_done(&records[k]);
                        free(records);
                        return -ENOMEM;
                }
                records = bigger;
                records[n++] = r;
        }
        closedir(d);
        *ret = records;
        *ret_n = n;
        return 0;
}
