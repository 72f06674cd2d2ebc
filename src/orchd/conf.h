/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* orchd's configuration: /etc/orchd/orchd.conf, then the drop-ins orchd.conf.d/NAME.conf in lexical order (later
 * wins). INI syntax as GKeyFile writes it; times in seconds, fractions allowed. Every unknown group
 * or key and every bad value is an error naming the file and line: never a silent default. The
 * parser is pure (text in, struct and errors out); config_load() reads the files. */

#include <stdbool.h>
#include <stdint.h>

typedef enum ContactRole {
        CONTACT_OPERATOR,
        CONTACT_SUPERIOR,
        _CONTACT_ROLE_MAX,
        _CONTACT_ROLE_INVALID = -22,
} ContactRole;

typedef struct Contact {
        char *name;
        ContactRole role;
        char *user;        /* may be NULL */
        char *exec;        /* may be NULL: an absolute command line */
        char *webhook;     /* may be NULL: an http:// or https:// URL */
} Contact;

typedef struct Config {
        /* [Supervision] */
        uint32_t restart_attempts;
        uint64_t restart_window_usec;
        uint64_t restart_delay_usec;
        uint64_t restart_max_delay_usec;
        uint64_t stable_usec;
        uint32_t max_instances;
        uint32_t max_instances_per_user;
        /* [Escalation] */
        char **operators;
        uint64_t ack_timeout_usec;
        uint64_t repeat_usec;
        uint32_t notify_burst;          /* notifications per recipient and channel ... */
        uint64_t notify_interval_usec;  /* ... per this window; the rest are sent grouped */
        uint64_t webhook_timeout_usec;  /* per attempt */
        uint32_t webhook_attempts;
        uint64_t desktop_ack_timeout_usec; /* desktop first; exec and webhook if not acknowledged */
        /* [Contact NAME] */
        Contact *contacts;
        size_t n_contacts;
} Config;

void config_init(Config *c);    /* the documented defaults */
void config_done(Config *c);

/* Parses TEXT (from FILE, for messages) on top of C. Problems are appended to *ERRORS as lines
 * "FILE:LINE: message" (a NULL-terminated list the caller frees); returns their number, or
 * -ENOMEM. */
int config_parse(Config *c, const char *file, const char *text, char ***errors);

/* The checks of keys that must agree with each other, once every file is read (WHERE names the
 * configuration in messages). Same return as config_parse(). */
int config_check(const Config *c, const char *where, char ***errors);

/* Loads DIR/orchd.conf and the drop-ins in DIR/orchd.conf.d (missing files are fine). Same return. */
int config_load(Config *c, const char *dir, char ***errors);

const char *contact_role_to_string(ContactRole r);
ContactRole contact_role_from_string(const char *s);
