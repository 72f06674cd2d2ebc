/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What orchd keeps of an alert, persisted as "<id>.alert" in the state directory (store.h), and
 * of contacts set at run time, "<name>.contact". Pure conversions to and from the file text, with
 * the same validation both ways: a record that would not load is never written, and a file that
 * does not validate is refused whole. to_data() is also the check for a record built from a
 * D-Bus call: -EINVAL and the reason, before anything is changed.
 *
 * An alert file is one group [Alert] with, in this order, Id, InstanceId, InstanceName, State
 * (open|acknowledged|resolved), Level, NextActionUSec, Message, LogLines (a GKeyFile string list),
 * InvocationID (may be empty), RaisedUSec, EscalatedUSec, AcknowledgedUSec, ResolvedUSec,
 * AcknowledgedBy, ResolvedBy, Note, Failures, Notifications; LogLines, AcknowledgedBy, ResolvedBy
 * and Note are left out when NULL (an empty list or string is written as such, and stays so).
 * Numbers are canonical decimal. A contact file is one group [Contact] with Name, Role, User, Exec,
 * Webhook and Removed (User, Exec, Webhook left out when NULL); a removed contact has only Name
 * and Removed=true. The files end with a required key, so a file cut short is always refused. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "escalation.h"
#include "macro.h"

#define ALERT_LOG_LINES_MAX 20U
#define ALERT_LOG_LINE_MAX 1024U    /* bytes per line kept: whoever collects the lines cuts longer
                                     * ones (UTF-8 safe); a record with a longer one is refused */
#define ALERT_MESSAGE_MAX 1024U
#define ALERT_NOTE_MAX 1024U
#define ALERT_ACTOR_MAX 256U

typedef struct AlertRecord {
        char *id;                   /* UUIDv7 */
        char *instance_id;          /* UUIDv7 */
        char *instance_name;        /* a valid instance name */
        AlertProgress progress;     /* state, level, next_action_usec */
        char *message;              /* one line, at most ALERT_MESSAGE_MAX bytes (see below) */
        char **log_lines;           /* at most ALERT_LOG_LINES_MAX lines of valid UTF-8 without
                                     * control characters but tab; may be NULL */
        char invocation_id[33];     /* the failing run's; "" if unknown */
        uint64_t raised_usec;       /* CLOCK_REALTIME µs, > 0 */
        uint64_t escalated_usec;    /* 0: not (yet) */
        uint64_t acknowledged_usec;
        uint64_t resolved_usec;
        /* Message, AcknowledgedBy, ResolvedBy and Note: one line of valid UTF-8 without any
         * control character (not even tab: they reach notifications and terminals). */
        char *acknowledged_by;      /* may be NULL; "uid 1000 (alice)" or "orchd"; at most
                                     * ALERT_ACTOR_MAX bytes, as resolved_by */
        char *resolved_by;
        char *note;                 /* may be NULL: the last note given; at most ALERT_NOTE_MAX */
        uint32_t failures;          /* give-ups folded into the alert, >= 1 */
        uint32_t notifications;     /* notifications sent for it */
} AlertRecord;

void alert_record_init(AlertRecord *r);    /* all zero: not valid until filled in */
void alert_record_done(AlertRecord *r);    /* frees the fields, leaves R as after init */

/* Validates R (see alert_record_from_data) and formats it; -EINVAL with *ret_reason (if not NULL)
 * set to a static clause for a record that would not load again, -ENOMEM. The text is allocated
 * for free(), NUL-terminated, *ret_size bytes without the NUL. Besides the rules above: ids are
 * UUIDv7, InstanceName a valid instance name, alert_progress_is_valid(), resolved exactly when
 * ResolvedUSec > 0, acknowledged only with AcknowledgedUSec > 0, RaisedUSec > 0, Failures >= 1. */
int alert_record_to_data(const AlertRecord *r, char **ret, size_t *ret_size, const char **ret_reason);
/* Parses and validates a whole file: unknown or repeated groups and keys, a missing required key,
 * a bad value, an impossible state (alert_progress_is_valid(), resolved without resolved_usec, ...)
 * are -EINVAL with *ret_reason a static clause; on failure *ret is untouched. */
int alert_record_from_data(const char *data, size_t size, AlertRecord *ret, const char **ret_reason);

/* A contact set at run time (SetContact) or removed (RemoveContact: a tombstone that hides the
 * contact of that name from orchd.conf). The values follow conf.c's rules for [Contact NAME]: the
 * name as an instance name, User a user name or uid, Exec starting with '/' (valid UTF-8, and no
 * control characters but tab), Webhook an http:// or https:// URL. A tombstone has no User, Exec or
 * Webhook; its role is neither written nor read (loaded as CONTACT_OPERATOR). */
typedef struct ContactRecord {
        Contact contact;            /* name always set; the rest as in conf.h */
        bool removed;
} ContactRecord;

void contact_record_done(ContactRecord *r);        /* frees the fields, leaves R all zero */
int contact_record_to_data(const ContactRecord *r, char **ret, size_t *ret_size, const char **ret_reason);
int contact_record_from_data(const char *data, size_t size, ContactRecord *ret, const char **ret_reason);
