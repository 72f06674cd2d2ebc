/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#if ORCHD_CRASH_POINTS
#include <fnmatch.h>
#include <limits.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile-util.h"
#include "log.h"
#include "store.h"
#include "uuid7.h"
#include "validate.h"

#define STORE_FILE_SIZE_MAX KEYFILE_SIZE_MAX /* keyfile_load_strict() reads no more */
/* Each kind of record has a suffix of its own: a listing for one kind never sees another's. */
#define INSTANCE_SUFFIX ".instance"
#define ALERT_SUFFIX ".alert"
#define CONTACT_SUFFIX ".contact"
/* Instance and contact names start with a letter or digit, alert ids with a hex digit, so no
 * record file ever starts with this. */
#define STORE_TEMP_PREFIX ".#"
#define LAST_RESULT_MAX 31U     /* systemd's Result words are short; Instance keeps 31 bytes */
#define TEMP_ATTEMPTS 16

#define GROUP_INSTANCE "Instance"
#define GROUP_STATE "State"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

#if ORCHD_CRASH_POINTS
/* Test builds only (meson -Dcrash-points=true, tests/integration/test-chaos-store.sh): with
 * ORCHD_CRASH_POINT=POINT:N[:GLOB] in its environment, read once when the store opens, orchd
 * abort()s the Nth time a write (or removal) of a file matching GLOB (default: any) reaches POINT,
 * one of the names below. */
static const char *const crash_point_names[] = {
        "after-temp-write",     /* the data is in the temporary file, not yet fsync()ed */
        "after-fsync",          /* the temporary file is durable, not yet renamed */
        "after-rename",         /* the record has its new content, the directory is not fsync()ed */
        "after-dir-fsync",      /* the write is complete; the caller has not been told */
        "after-unlink",         /* a record is removed, the directory is not fsync()ed */
};
static struct {
        bool read;
        const char *point;      /* NULL: disarmed */
        unsigned at, hits;
        char glob[128];
} crash;

static void crash_point_arm(void) {
        const char *e = getenv("ORCHD_CRASH_POINT"), *colon;
        char *end;

        if (crash.read)
                return;
        crash.read = true;
        if (isempty(e))
                return;
        colon = strchr(e, ':');
        for (size_t k = 0; colon && k < ELEMENTSOF(crash_point_names); k++)
                if (strlen(crash_point_names[k]) == (size_t) (colon - e) &&
                    strneq(e, crash_point_names[k], (size_t) (colon - e)))
                        crash.point = crash_point_names[k];
        if (crash.point) {
                unsigned long n;

                errno = 0;
                n = strtoul(colon + 1, &end, 10);
                if (errno != 0 || end == colon + 1 || n == 0 || n > UINT_MAX ||
                    (*end != '\0' && (*end != ':' || strlen(end + 1) >= sizeof crash.glob)))
                        crash.point = NULL;
                else {
                        crash.at = (unsigned) n;
                        (void) snprintf(crash.glob, sizeof crash.glob, "%s", *end == ':' ? end + 1 : "*");
                }
        }
        if (!crash.point) {
                log_error("ORCHD_CRASH_POINT=%s is not POINT:N[:GLOB] with a known point; not armed.", e);
                return;
        }
        log_warning("Crash point %s armed: orchd aborts when writes of %s have reached it %u times.",
                    crash.point, crash.glob, crash.at);
}

static void crash_point(const char *point, const char *file) {
        if (!crash.point || !streq(point, crash.point) || fnmatch(crash.glob, file, 0) != 0)
                return;
        if (++crash.hits < crash.at)
                return;
        log_error("Crash point %s reached by %s (time %u): aborting.", point, file, crash.hits);
        abort();
}
#else
static inline void crash_point_arm(void) {}
static inline void crash_point(const char *point, const char *file) {}
#endif

struct Store {
        int dir_fd;
        char *path;     /* for messages */
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

void alert_records_free(AlertRecord *records, size_t n) {
        for (size_t k = 0; k < n; k++)
                alert_record_done(&records[k]);
        free(records);
}

void contact_records_free(ContactRecord *records, size_t n) {
        for (size_t k = 0; k < n; k++)
                contact_record_done(&records[k]);
        free(records);
}

/* systemd's Result words ("success", "exit-code", "oom-kill", ...). */
static bool last_result_is_valid(const char *s) {
        size_t n = strlen(s);

        return n > 0 && n <= LAST_RESULT_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* "" (none yet) or an invocation id as systemd formats it: 32 lowercase hex digits. */
static bool invocation_id_is_valid(const char *s, size_t size) {
        size_t n = strnlen(s, size);

        return n < size && (n == 0 || (n == 32 && strspn(s, "0123456789abcdef") == 32));
}

/* The same checks for writing as for reading: a record that could not be loaded is never saved. */
static int instance_record_validate(const InstanceRecord *r, const char **ret_reason) {
        const char *reason = NULL;

        if (instance_config_validate(&r->config, &reason) < 0)
                ;       /* reason set */
        else if (r->last_result && !last_result_is_valid(r->last_result))
                reason = "LastResult is not a result word of systemd";
        else if (!invocation_id_is_valid(r->handled_invocation, sizeof r->handled_invocation))
                reason = "HandledInvocation is not an invocation id";

        if (reason) {
                if (ret_reason)
                        *ret_reason = reason;
                return -EINVAL;
        }
        return 0;
}

int instance_record_to_data(const InstanceRecord *r, char **ret, size_t *ret_size) {
        const InstanceConfig *c = &r->config;
        g_autoptr(GKeyFile) k = NULL;
        int q;

        q = instance_record_validate(r, NULL);
        if (q < 0)
                return q;

        k = g_key_file_new();
        g_key_file_set_string(k, GROUP_INSTANCE, "Id", c->id);
        g_key_file_set_string(k, GROUP_INSTANCE, "Name", c->name);
        keyfile_set_string(k, GROUP_INSTANCE, "Description", c->description);
        keyfile_set_strv(k, GROUP_INSTANCE, "ExecStart", c->argv);
        keyfile_set_strv(k, GROUP_INSTANCE, "Environment", c->environment);
        keyfile_set_string(k, GROUP_INSTANCE, "WorkingDirectory", c->working_directory);
        keyfile_set_string(k, GROUP_INSTANCE, "User", c->user);
        g_key_file_set_string(k, GROUP_INSTANCE, "Restart", restart_policy_to_string(c->restart));
        keyfile_set_u64(k, GROUP_INSTANCE, "RestartAttempts", c->restart_attempts);
        keyfile_set_u64(k, GROUP_INSTANCE, "RestartWindowUSec", c->restart_window_usec);
        keyfile_set_strv(k, GROUP_INSTANCE, "Operators", c->operators);
        keyfile_set_strv(k, GROUP_INSTANCE, "Requires", c->requires);
        keyfile_set_u64(k, GROUP_INSTANCE, "WatchdogUSec", c->watchdog_usec);
        keyfile_set_u64(k, GROUP_INSTANCE, "MemoryMax", c->memory_max);
        keyfile_set_u64(k, GROUP_INSTANCE, "CPUWeight", c->cpu_weight);
        keyfile_set_u64(k, GROUP_INSTANCE, "OwnerUID", c->owner_uid);
        keyfile_set_u64(k, GROUP_INSTANCE, "CreatedUSec", c->created_usec);

        g_key_file_set_boolean(k, GROUP_STATE, "WantRunning", r->want_running);
        /* Only when set (files of older versions lack it), and never last: a file cut at a line's
         * end still lacks a required key after it. */
        if (r->start_pending)
                g_key_file_set_boolean(k, GROUP_STATE, "StartPending", true);
        keyfile_set_u64(k, GROUP_STATE, "RestartCount", r->restart_count);
        g_key_file_set_integer(k, GROUP_STATE, "LastExitCode", r->last_exit_code);
        keyfile_set_string(k, GROUP_STATE, "LastResult", r->last_result);
        keyfile_set_u64(k, GROUP_STATE, "RestartWindowStartUSec", r->restart_window_start_usec);
        keyfile_set_u64(k, GROUP_STATE, "RestartWindowFailures", r->restart_window_failures);
        keyfile_set_u64(k, GROUP_STATE, "ConsecutiveFailures", r->consecutive_failures);
        keyfile_set_u64(k, GROUP_STATE, "RestartAtUSec", r->restart_at_usec);
        g_key_file_set_boolean(k, GROUP_STATE, "GaveUp", r->gave_up);
        g_key_file_set_string(k, GROUP_STATE, "HandledInvocation", r->handled_invocation);

        return keyfile_to_data(k, SIZE_MAX, ret, ret_size);
}

static const char *const instance_keys[] = {
        "Id", "Name", "Description", "ExecStart", "Environment", "WorkingDirectory", "User",
        "Restart", "RestartAttempts", "RestartWindowUSec", "Operators", "Requires", "WatchdogUSec",
        "MemoryMax", "CPUWeight", "OwnerUID", "CreatedUSec",
};
static const char *const state_keys[] = {
        "WantRunning", "RestartCount", "LastExitCode", "LastResult", "RestartWindowStartUSec",
        "RestartWindowFailures", "ConsecutiveFailures", "RestartAtUSec", "GaveUp", "HandledInvocation",
        "StartPending",
};
_Static_assert(ELEMENTSOF(instance_keys) <= KEYFILE_GROUP_KEYS_MAX && ELEMENTSOF(state_keys) <= KEYFILE_GROUP_KEYS_MAX,
               "too many keys for keyfile_load_strict()");
/* Exactly the groups and keys orchd writes, each once: anything else means the file is not one
 * we wrote, and guessing what it meant could resurrect a damaged record. */
#define LACKS_GROUP "the file lacks the [Instance] or [State] group"
static const KeyfileGroup instance_groups[] = {
        { GROUP_INSTANCE, instance_keys, ELEMENTSOF(instance_keys), LACKS_GROUP },
        { GROUP_STATE, state_keys, ELEMENTSOF(state_keys), LACKS_GROUP },
};
#undef LACKS_GROUP

/* Fills R from K, with *RET_REASON naming the first key that is missing or bad. */
static int record_from_key_file(GKeyFile *k, InstanceRecord *r, const char **ret_reason) {
        InstanceConfig *c = &r->config;
        _cleanup_free_ char *id = NULL, *restart = NULL, *invocation = NULL;
        uint64_t u;
        int q;

        KEYFILE_FIELD(keyfile_get_string(k, GROUP_INSTANCE, "Id", true, &id), "Id");
        if (!uuid7_is_valid(id)) {
                *ret_reason = "Id is not a UUIDv7";
                return -EINVAL;
        }
        memcpy(c->id, id, sizeof c->id);
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_INSTANCE, "Name", true, &c->name), "Name");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_INSTANCE, "Description", false, &c->description), "Description");
        KEYFILE_FIELD(keyfile_get_strv(k, GROUP_INSTANCE, "ExecStart", true, &c->argv), "ExecStart");
        KEYFILE_FIELD(keyfile_get_strv(k, GROUP_INSTANCE, "Environment", false, &c->environment), "Environment");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_INSTANCE, "WorkingDirectory", false, &c->working_directory),
                      "WorkingDirectory");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_INSTANCE, "User", false, &c->user), "User");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_INSTANCE, "Restart", true, &restart), "Restart");
        c->restart = restart_policy_from_string(restart);
        KEYFILE_FIELD(c->restart < 0 ? -EINVAL : 0, "Restart");
        KEYFILE_FIELD(keyfile_get_u32(k, GROUP_INSTANCE, "RestartAttempts", &c->restart_attempts), "RestartAttempts");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_INSTANCE, "RestartWindowUSec", UINT64_MAX, &c->restart_window_usec),
                      "RestartWindowUSec");
        KEYFILE_FIELD(keyfile_get_strv(k, GROUP_INSTANCE, "Operators", false, &c->operators), "Operators");
        KEYFILE_FIELD(keyfile_get_strv(k, GROUP_INSTANCE, "Requires", false, &c->requires), "Requires");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_INSTANCE, "WatchdogUSec", UINT64_MAX, &c->watchdog_usec),
                      "WatchdogUSec");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_INSTANCE, "MemoryMax", UINT64_MAX, &c->memory_max), "MemoryMax");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_INSTANCE, "CPUWeight", UINT64_MAX, &c->cpu_weight), "CPUWeight");
        /* (uid_t) -1 is "no user" to the kernel: never an owner. */
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_INSTANCE, "OwnerUID", UINT32_MAX - 1, &u), "OwnerUID");
        c->owner_uid = (uid_t) u;
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_INSTANCE, "CreatedUSec", UINT64_MAX, &c->created_usec), "CreatedUSec");

        KEYFILE_FIELD(keyfile_get_bool(k, GROUP_STATE, "WantRunning", &r->want_running), "WantRunning");
        KEYFILE_FIELD(keyfile_get_u32(k, GROUP_STATE, "RestartCount", &r->restart_count), "RestartCount");
        KEYFILE_FIELD(keyfile_get_i32(k, GROUP_STATE, "LastExitCode", &r->last_exit_code), "LastExitCode");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_STATE, "LastResult", false, &r->last_result), "LastResult");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_STATE, "RestartWindowStartUSec", UINT64_MAX,
                                      &r->restart_window_start_usec),
                      "RestartWindowStartUSec");
        KEYFILE_FIELD(keyfile_get_u32(k, GROUP_STATE, "RestartWindowFailures", &r->restart_window_failures),
                      "RestartWindowFailures");
        KEYFILE_FIELD(keyfile_get_u32(k, GROUP_STATE, "ConsecutiveFailures", &r->consecutive_failures),
                      "ConsecutiveFailures");
        KEYFILE_FIELD(keyfile_get_u64(k, GROUP_STATE, "RestartAtUSec", UINT64_MAX, &r->restart_at_usec),
                      "RestartAtUSec");
        KEYFILE_FIELD(keyfile_get_bool(k, GROUP_STATE, "GaveUp", &r->gave_up), "GaveUp");
        if (g_key_file_has_key(k, GROUP_STATE, "StartPending", NULL))
                KEYFILE_FIELD(keyfile_get_bool(k, GROUP_STATE, "StartPending", &r->start_pending), "StartPending");
        KEYFILE_FIELD(keyfile_get_string(k, GROUP_STATE, "HandledInvocation", true, &invocation), "HandledInvocation");
        KEYFILE_FIELD(strlen(invocation) < sizeof r->handled_invocation ? 0 : -EINVAL, "HandledInvocation");
        strcpy(r->handled_invocation, invocation);

        return instance_record_validate(r, ret_reason);
}

int instance_record_from_data(const char *data, size_t size, InstanceRecord *ret, const char **ret_reason) {
        _cleanup_(instance_record_done) InstanceRecord r;
        g_autoptr(GKeyFile) k = NULL;
        const char *reason = NULL;
        int q;

        instance_record_init(&r);

        q = keyfile_load_strict(data, size, instance_groups, ELEMENTSOF(instance_groups), &k, &reason);
        if (q < 0)
                goto fail;
        q = record_from_key_file(k, &r, &reason);
        if (q < 0)
                goto fail;

        *ret = r;
        instance_record_init(&r);       /* handed over */
        return 0;

fail:
        if (ret_reason)
                *ret_reason = q == -ENOMEM ? "out of memory" : reason;
        return q == -ENOMEM ? -ENOMEM : -EINVAL;
}

static bool is_temp_name(const char *name) {
        return strneq(name, STORE_TEMP_PREFIX, strlen(STORE_TEMP_PREFIX));
}

/* A directory stream of its own: a dup()ed fd would share (and move) the store's file offset. */
static int store_opendir(Store *s, DIR **ret) {
        _cleanup_close_ int fd = -EBADF;
        DIR *d;

        fd = openat(s->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        *ret = d;
        return 0;
}

/* A crash between writing and renaming leaves a temporary file: it never was the record. */
static void store_remove_stale(Store *s) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int q;

        q = store_opendir(s, &d);
        if (q < 0) {
                log_warning_errno(q, "Failed to list %s for interrupted writes, ignoring: %m", s->path);
                return;
        }
        while ((de = readdir(d))) {
                if (!is_temp_name(de->d_name))
                        continue;
                log_info("Removing %s/%s, left by an interrupted write.", s->path, de->d_name);
                if (unlinkat(s->dir_fd, de->d_name, 0) < 0 && errno != ENOENT)
                        log_warning_errno(errno, "Failed to remove %s/%s, ignoring: %m", s->path, de->d_name);
        }
}

int store_open(const char *directory, Store **ret) {
        _cleanup_(store_freep) Store *s = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (mkdir(directory, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                /* O_NOFOLLOW|O_DIRECTORY on a symlink may say ENOTDIR: tell the real reason. */
                if ((errno == ENOTDIR || errno == ELOOP) && lstat(directory, &st) == 0 && S_ISLNK(st.st_mode))
                        return -ELOOP;
                return -errno;
        }

        s = calloc(1, sizeof(Store));
        if (!s)
                return -ENOMEM;
        s->dir_fd = TAKE_FD(fd);
        s->path = strdup(directory);
        if (!s->path)
                return -ENOMEM;

        crash_point_arm();
        store_remove_stale(s);

        *ret = TAKE_PTR(s);
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        if (s->dir_fd >= 0)
                (void) close(s->dir_fd);
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

/* Creates a temporary file next to the records, under a name no record can have. */
static int open_temp(Store *s, const char *name, char **ret_temp) {
        for (int attempt = 0; attempt < TEMP_ATTEMPTS; attempt++) {
                _cleanup_free_ char *temp = NULL;
                int fd;

                if (asprintf(&temp, STORE_TEMP_PREFIX "%s.%08" PRIx32, name, g_random_int()) < 0)
                        return -ENOMEM;
                fd = openat(s->dir_fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0) {
                        *ret_temp = TAKE_PTR(temp);
                        return fd;
                }
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

/* Writes FILE (a name in the directory) atomically: temporary file, fsync, rename, fsync of the
 * directory. */
static int store_write_file(Store *s, const char *file, const char *data, size_t size) {
        _cleanup_free_ char *temp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int q;

        fd = open_temp(s, file, &temp);
        if (fd < 0)
                return fd;
        q = write_all(fd, data, size);
        if (q >= 0)
                crash_point("after-temp-write", file);
        if (q >= 0 && fsync(fd) < 0)
                q = -errno;
        if (q >= 0)
                crash_point("after-fsync", file);
        if (close(TAKE_FD(fd)) < 0 && q >= 0)
                q = -errno;
        if (q >= 0 && renameat(s->dir_fd, temp, s->dir_fd, file) < 0)
                q = -errno;
        if (q < 0) {
                (void) unlinkat(s->dir_fd, temp, 0);
                return q;
        }
        crash_point("after-rename", file);

        /* The rename is durable only once the directory is. */
        if (fsync(s->dir_fd) < 0)
                return -errno;
        crash_point("after-dir-fsync", file);
        return 0;
}

/* Removes FILE, a name the caller validated; a missing file is success. */
static int store_remove_file(Store *s, const char *file) {
        if (unlinkat(s->dir_fd, file, 0) < 0)
                return errno == ENOENT ? 0 : -errno;
        crash_point("after-unlink", file);
        if (fsync(s->dir_fd) < 0)
                return -errno;
        return 0;
}

int store_save_instance(Store *s, const InstanceRecord *r) {
        _cleanup_free_ char *data = NULL, *final = NULL;
        size_t size;
        int q;

        /* Validates the record, and so the name that becomes a file name. */
        q = instance_record_to_data(r, &data, &size);
        if (q < 0)
                return q;
        if (asprintf(&final, "%s" INSTANCE_SUFFIX, r->config.name) < 0)
                return -ENOMEM;
        return store_write_file(s, final, data, size);
}

int store_remove_instance(Store *s, const char *name) {
        _cleanup_free_ char *file = NULL;

        /* The name becomes a path: never let one reach outside the directory. */
        if (!instance_name_is_valid(name))
                return -EINVAL;
        if (asprintf(&file, "%s" INSTANCE_SUFFIX, name) < 0)
                return -ENOMEM;
        return store_remove_file(s, file);
}

int store_save_alert(Store *s, const AlertRecord *r) {
        _cleanup_free_ char *data = NULL, *final = NULL;
        size_t size;
        int q;

        /* Validates the record, and so the id that becomes a file name. */
        q = alert_record_to_data(r, &data, &size, NULL);
        if (q < 0)
                return q;
        if (asprintf(&final, "%s" ALERT_SUFFIX, r->id) < 0)
                return -ENOMEM;
        return store_write_file(s, final, data, size);
}

int store_remove_alert(Store *s, const char *id) {
        _cleanup_free_ char *file = NULL;

        if (!id || !uuid7_is_valid(id))
                return -EINVAL;
        if (asprintf(&file, "%s" ALERT_SUFFIX, id) < 0)
                return -ENOMEM;
        return store_remove_file(s, file);
}

int store_save_contact(Store *s, const ContactRecord *r) {
        _cleanup_free_ char *data = NULL, *final = NULL;
        size_t size;
        int q;

        q = contact_record_to_data(r, &data, &size, NULL);
        if (q < 0)
                return q;
        if (asprintf(&final, "%s" CONTACT_SUFFIX, r->contact.name) < 0)
                return -ENOMEM;
        return store_write_file(s, final, data, size);
}

int store_remove_contact(Store *s, const char *name) {
        _cleanup_free_ char *file = NULL;

        if (!name || !instance_name_is_valid(name))
                return -EINVAL;
        if (asprintf(&file, "%s" CONTACT_SUFFIX, name) < 0)
                return -ENOMEM;
        return store_remove_file(s, file);
}

/* Reads one state file. -EINVAL with *RET_REASON for what is no regular file of ours; another
 * negative errno for an I/O error. */
static int read_state_file(Store *s, const char *name, char **ret, size_t *ret_size, const char **ret_reason) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0;

        /* Look before opening: opening a device or FIFO can have effects of its own. */
        if (fstatat(s->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode)) {
                *ret_reason = "it is a symbolic link, which orchd never follows";
                return -EINVAL;
        }
        if (!S_ISREG(st.st_mode)) {
                *ret_reason = "it is not a regular file";
                return -EINVAL;
        }

        fd = openat(s->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ELOOP) {   /* replaced by a symlink since */
                        *ret_reason = "it is a symbolic link, which orchd never follows";
                        return -EINVAL;
                }
                return -errno;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                *ret_reason = "it is not a regular file";
                return -EINVAL;
        }
        if (st.st_size > STORE_FILE_SIZE_MAX) {
                *ret_reason = "it is larger than 4 MiB";
                return -EINVAL;
        }

        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (n < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;  /* shrunk meanwhile: the parser sees a truncated file */
                n += (size_t) k;
        }
        buf[n] = '\0';

        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

static int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

/* The names of the record files ending in SUFFIX, sorted: which of two files with one id wins
 * must not depend on the order the file system lists them in. */
static int list_record_files(Store *s, const char *suffix, char ***ret, size_t *ret_n) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0, allocated = 0, suffix_len = strlen(suffix);
        struct dirent *de;
        int q;

        q = store_opendir(s, &d);
        if (q < 0)
                return q;
        for (;;) {
                size_t len;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return -errno;
                        break;
                }
                len = strlen(de->d_name);
                if (is_temp_name(de->d_name) || len <= suffix_len || !streq(de->d_name + len - suffix_len, suffix))
                        continue;
                if (n + 2 > allocated) {
                        size_t want = MAX(allocated * 2, (size_t) 16);
                        char **bigger = realloc(names, want * sizeof(char *));
                        if (!bigger)
                                return -ENOMEM;
                        names = bigger;
                        allocated = want;
                }
                names[n] = strdup(de->d_name);
                if (!names[n])
                        return -ENOMEM;
                names[++n] = NULL;
        }
        if (n > 0)
                qsort(names, n, sizeof(char *), strcmp_ptr);

        *ret = TAKE_PTR(names);
        *ret_n = n;
        return 0;
}

/* What the loader needs to know of a kind of record. The callbacks take the record as void *:
 * the records are an array of SIZE bytes each. */
typedef struct RecordType {
        const char *suffix;
        const char *noun;       /* for messages */
        size_t size;
        int (*from_data)(const char *data, size_t size, void *ret, const char **ret_reason);
        const char *(*file_stem)(const void *r);        /* the file name without the suffix */
        /* Optional: whether R may be loaded next to the N records loaded before it. */
        bool (*is_unique)(Store *s, const char *file, const void *records, size_t n, const void *r);
        void (*done)(void *r);
} RecordType;

static void records_free(const RecordType *type, void *records, size_t n) {
        for (size_t k = 0; k < n; k++)
                type->done((char *) records + k * type->size);
        free(records);
}

/* Every valid file of TYPE, in the order of the file names; see store_load_instances(). */
static int load_records(Store *s, const RecordType *type, void **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **names = NULL;
        char *records = NULL;
        size_t n_names = 0, n = 0, suffix = strlen(type->suffix);
        int q;

        q = list_record_files(s, type->suffix, &names, &n_names);
        if (q < 0)
                return q;
        if (n_names > 0) {
                records = calloc(n_names, type->size);
                if (!records)
                        return -ENOMEM;
        }

        for (size_t k = 0; k < n_names; k++) {
                _cleanup_free_ char *data = NULL;
                const char *file = names[k], *reason = NULL, *stem;
                void *r = records + n * type->size;
                size_t size = 0;

                q = read_state_file(s, file, &data, &size, &reason);
                if (q == -ENOMEM)
                        goto fail;
                if (q == -EINVAL) {
                        log_warning("Skipping %s/%s: %s.", s->path, file, reason);
                        continue;
                }
                if (q < 0) {
                        log_warning_errno(q, "Skipping %s/%s: failed to read it: %m", s->path, file);
                        continue;
                }

                /* Out of memory is no reason to drop a record: a later save of that name would
                 * overwrite its file. */
                q = type->from_data(data, size, r, &reason);
                if (q == -ENOMEM)
                        goto fail;
                if (q < 0) {
                        log_warning("Skipping %s/%s: %s.", s->path, file, reason);
                        continue;
                }

                stem = type->file_stem(r);
                if (strlen(stem) != strlen(file) - suffix || !strneq(stem, file, strlen(file) - suffix)) {
                        log_warning("Skipping %s/%s: it holds %s '%s', whose file is %s%s.",
                                    s->path, file, type->noun, stem, stem, type->suffix);
                        type->done(r);
                        continue;
                }

                if (type->is_unique && !type->is_unique(s, file, records, n, r)) {
                        type->done(r);
                        continue;
                }
                n++;
        }

        if (n == 0) {
                free(records);
                records = NULL;
        }
        *ret = records;
        *ret_n = n;
        return 0;

fail:
        records_free(type, records, n);
        return q;
}

static int instance_from_data(const char *data, size_t size, void *ret, const char **ret_reason) {
        return instance_record_from_data(data, size, ret, ret_reason);
}

static const char *instance_file_stem(const void *r) {
        return ((const InstanceRecord *) r)->config.name;
}

/* An id is one instance's: of two files with one id, the first by file name wins. */
static bool instance_is_unique(Store *s, const char *file, const void *records, size_t n, const void *r) {
        const InstanceRecord *loaded = records, *i = r;

        for (size_t j = 0; j < n; j++)
                if (streq(loaded[j].config.id, i->config.id)) {
                        log_warning("Skipping %s/%s: its id %s is that of instance '%s' too, loaded first.",
                                    s->path, file, i->config.id, loaded[j].config.name);
                        return false;
                }
        return true;
}

static void instance_done(void *r) {
        instance_record_done(r);
}

static const RecordType instance_type = {
        .suffix = INSTANCE_SUFFIX,
        .noun = "instance",
        .size = sizeof(InstanceRecord),
        .from_data = instance_from_data,
        .file_stem = instance_file_stem,
        .is_unique = instance_is_unique,
        .done = instance_done,
};

int store_load_instances(Store *s, InstanceRecord **ret, size_t *ret_n) {
        void *records;
        int q;

        q = load_records(s, &instance_type, &records, ret_n);
        if (q < 0)
                return q;
        *ret = records;
        return 0;
}

static int alert_from_data(const char *data, size_t size, void *ret, const char **ret_reason) {
        return alert_record_from_data(data, size, ret, ret_reason);
}

static const char *alert_file_stem(const void *r) {
        return ((const AlertRecord *) r)->id;
}

static void alert_done(void *r) {
        alert_record_done(r);
}

/* Files are named after the alert's id, so no two loaded alerts share one. */
static const RecordType alert_type = {
        .suffix = ALERT_SUFFIX,
        .noun = "alert",
        .size = sizeof(AlertRecord),
        .from_data = alert_from_data,
        .file_stem = alert_file_stem,
        .done = alert_done,
};

int store_load_alerts(Store *s, AlertRecord **ret, size_t *ret_n) {
        void *records;
        int q;

        q = load_records(s, &alert_type, &records, ret_n);
        if (q < 0)
                return q;
        *ret = records;
        return 0;
}

static int contact_from_data(const char *data, size_t size, void *ret, const char **ret_reason) {
        return contact_record_from_data(data, size, ret, ret_reason);
}

static const char *contact_file_stem(const void *r) {
        return ((const ContactRecord *) r)->contact.name;
}

static void contact_done(void *r) {
        contact_record_done(r);
}

static const RecordType contact_type = {
        .suffix = CONTACT_SUFFIX,
        .noun = "contact",
        .size = sizeof(ContactRecord),
        .from_data = contact_from_data,
        .file_stem = contact_file_stem,
        .done = contact_done,
};

int store_load_contacts(Store *s, ContactRecord **ret, size_t *ret_n) {
        void *records;
        int q;

        q = load_records(s, &contact_type, &records, ret_n);
        if (q < 0)
                return q;
        *ret = records;
        return 0;
}
