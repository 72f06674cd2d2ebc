/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Persistence under orchd's state directory: one file per instance, "<name>.instance" (GKeyFile),
 * per alert, "<id>.alert", and per contact set at run time, "<name>.contact" (alert-record.h);
 * written atomically (temp file, fsync, rename, fsync of the directory), never through a symlink.
 * A file that does not parse or validate is reported and skipped whole: no partial record. Each
 * kind is listed by its own suffix, so one kind's files never reach another's loader. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert-record.h"
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
        bool start_pending;             /* a start was under way (saved before systemd is asked) */
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

/* Writes "<name>.instance" atomically (temporary file, fsync, rename, fsync of the directory).
 * -EINVAL for a record that would not load again (see instance_record_to_data()). */
int store_save_instance(Store *s, const InstanceRecord *r);
/* A missing file is success; an invalid name is -EINVAL. */
int store_remove_instance(Store *s, const char *name);
/* Every valid "*.instance" file, in the order of the file names (so which of two files with one id
 * wins does not depend on the file system); files that are no regular file, do not parse or
 * validate, are not named after their instance, or repeat an id are logged and skipped. Only
 * errors of the directory itself or -ENOMEM fail the call. *RET is NULL when none were found. */
int store_load_instances(Store *s, InstanceRecord **ret, size_t *ret_n);

/* Alerts: "<id>.alert", written like instances; -EINVAL for a record alert_record_to_data() refuses.
 * Removing a missing file is success; an id that is no UUIDv7 is -EINVAL. Loading returns every
 * valid "*.alert" file in the order of the file names (ids are UUIDv7, so that is the order they
 * were raised in, to the millisecond); files that are no regular file, do not parse or validate,
 * or are not named after the id they hold are logged and skipped. Only errors of the directory
 * itself or -ENOMEM fail the call. *RET is NULL when none were found. */
int store_save_alert(Store *s, const AlertRecord *r);
int store_remove_alert(Store *s, const char *id);
int store_load_alerts(Store *s, AlertRecord **ret, size_t *ret_n);
void alert_records_free(AlertRecord *r, size_t n);

/* Contacts set or removed at run time: "<name>.contact", the same way. */
int store_save_contact(Store *s, const ContactRecord *r);
int store_remove_contact(Store *s, const char *name);
int store_load_contacts(Store *s, ContactRecord **ret, size_t *ret_n);
void contact_records_free(ContactRecord *r, size_t n);

/* Pure, for tests and fuzzing. to_data validates first (-EINVAL rather than write a record that
 * would be refused on loading). from_data validates the whole record and refuses unknown or
 * repeated groups and keys; on failure *ret is untouched and *ret_reason (if not NULL) is a static
 * clause saying why, e.g. "the file is truncated (no final newline)". Both return -ENOMEM on
 * allocation failure. */
int instance_record_to_data(const InstanceRecord *r, char **ret, size_t *ret_size);
int instance_record_from_data(const char *data, size_t size, InstanceRecord *ret, const char **ret_reason);
