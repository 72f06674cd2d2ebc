/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Persistence under orchd's state directory: one file per instance, "<name>.instance" (GKeyFile),
 * written atomically (temp file, fsync, rename, fsync of the directory), never through a symlink.
 * A file that does not parse or validate is reported and skipped whole: no partial record. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "instance-config.h"

typedef struct InstanceRecord {
        InstanceConfig config;
        bool want_running;          /* Start()ed and not Stop()ped: re-created after a reboot */
        uint32_t restart_count;
        int32_t last_exit_code;
        char *last_result;          /* may be NULL: never ended */
        /* The restart budget, kept by orchd (systemd forgets it with the transient unit). */
        uint64_t restart_window_start_usec;
        uint32_t restart_window_failures;
        uint32_t consecutive_failures;  /* since the last stable run: the backoff step */
        uint64_t restart_at_usec;       /* CLOCK_REALTIME of the pending restart, 0: none */
        bool gave_up;                   /* the budget was spent; InstanceGaveUp was sent */
        char handled_invocation[33];    /* the last run whose end orchd acted on */
} InstanceRecord;

void instance_record_init(InstanceRecord *r);
void instance_record_done(InstanceRecord *r);

typedef struct Store Store;

/* Opens (creating it, mode 0700, if missing) the state directory; refuses a symlink; removes
 * temporary files a crash left behind. */
int store_open(const char *directory, Store **ret);
Store *store_free(Store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_free);

int store_save_instance(Store *s, const InstanceRecord *r);
/* A missing file is success. */
int store_remove_instance(Store *s, const char *name);
/* Every valid "*.instance" file; invalid ones are logged and skipped. */
int store_load_instances(Store *s, InstanceRecord **ret, size_t *ret_n);

/* Pure, for tests and fuzzing. from_data validates the whole record; on failure *ret is untouched
 * and *ret_reason says why. */
int instance_record_to_data(const InstanceRecord *r, char **ret, size_t *ret_size);
int instance_record_from_data(const char *data, size_t size, InstanceRecord *ret, const char **ret_reason);
