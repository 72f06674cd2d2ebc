/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a client registered: the program, its environment and its policy. Immutable once the
 * instance exists; parsed and validated from AddInstance's arguments and from the state file. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "instance-state.h"
#include "macro.h"

#define INSTANCE_RESTART_ATTEMPTS_DEFAULT 5U
#define INSTANCE_RESTART_WINDOW_USEC_DEFAULT (60U * USEC_PER_SEC)
#define INSTANCE_OPERATORS_MAX 64U  /* entries of Operators */
#define INSTANCE_REQUIRES_MAX 64U   /* entries of Requires */
#define CONTACT_NAME_MAX 64U        /* one operator (contact) name */

/* The ranges AddInstance accepts and a state file must hold; outside them a value is refused. */
#define INSTANCE_RESTART_ATTEMPTS_MIN 1U
#define INSTANCE_RESTART_ATTEMPTS_MAX 1000U
#define INSTANCE_RESTART_WINDOW_USEC_MIN USEC_PER_SEC
#define INSTANCE_RESTART_WINDOW_USEC_MAX (UINT64_C(86400) * USEC_PER_SEC)
#define INSTANCE_WATCHDOG_USEC_MIN (100U * USEC_PER_MSEC)   /* or 0: no watchdog */
#define INSTANCE_WATCHDOG_USEC_MAX (UINT64_C(86400) * USEC_PER_SEC)
#define INSTANCE_MEMORY_MAX_MIN (UINT64_C(1024) * 1024U)    /* or UINT64_MAX: no limit */
#define INSTANCE_CPU_WEIGHT_MIN 1U                          /* or UINT64_MAX: systemd's default */
#define INSTANCE_CPU_WEIGHT_MAX 10000U
#define INSTANCE_ADD_OPTIONS_MAX 64U  /* entries of AddInstance's options */

typedef struct InstanceConfig {
        char id[37];               /* UUIDv7 */
        char *name;
        char *description;         /* may be NULL */
        char **argv;               /* NULL-terminated, argv[0] absolute */
        char **environment;        /* NULL-terminated KEY=VALUE, may be NULL */
        char *working_directory;   /* may be NULL */
        char *user;                /* may be NULL: runs as root */
        RestartPolicy restart;
        uint32_t restart_attempts;
        uint64_t restart_window_usec;
        char **operators;          /* contact names, may be NULL */
        char **requires;           /* instance names, may be NULL */
        uint64_t watchdog_usec;    /* 0: none */
        uint64_t memory_max;       /* bytes, UINT64_MAX: no limit */
        uint64_t cpu_weight;       /* 1..10000, UINT64_MAX: default */
        bool start;                /* AddInstance's Start option: start at once */
        uid_t owner_uid;           /* who registered it */
        uint64_t created_usec;     /* CLOCK_REALTIME */
} InstanceConfig;

/* The defaults of RestartAttempts and RestartWindowUSec (orchd.conf's [Supervision]). */
void instance_config_set_defaults(uint32_t restart_attempts, uint64_t restart_window_usec);

/* Sets every field to its default (no allocation). */
void instance_config_init(InstanceConfig *c);
/* Frees the fields, not the struct; leaves it as after instance_config_init(). */
void instance_config_done(InstanceConfig *c);

/* Reads AddInstance's `s name, as argv, a{sv} options` from M (positioned at the name) into C,
 * validating every value. On failure returns negative errno and sets ERROR to a named orchd error
 * (InvalidName, InvalidArgument) with a message a person can act on; C is then left initialized
 * and empty. Does not set id, owner_uid or created_usec.
 * C must have been initialized: on success its old contents are freed and replaced, on failure it
 * is untouched (so initialized and empty if it was). Invalid values are -EINVAL, a message that
 * does not have AddInstance's signature -EINVAL with InvalidArgument too, allocation failure
 * -ENOMEM (ERROR then unset, for sd-bus to answer NoMemory). */
int instance_config_from_add_call(sd_bus_message *m, InstanceConfig *c, sd_bus_error *error);

/* Checks a whole config (also one loaded from disk): returns 0, or -EINVAL with a static reason
 * (a lowercase clause such as "the name is not valid", without a final period) in *RET_REASON if
 * that is not NULL. RET_REASON is untouched on success. */
int instance_config_validate(const InstanceConfig *c, const char **ret_reason);

/* An operator (contact) name: the same rules as an instance name, 1..CONTACT_NAME_MAX characters of
 * [A-Za-z0-9_.-] starting with a letter or digit, so it fits in a file name and a config group. */
bool contact_name_is_valid(const char *name);

/* Pure: the Requires cycle that an instance NAME requiring REQUIRES would close, given the other
 * instances' Requires (LOOKUP returns an instance's list, NULL for none or an unknown name), as
 * "NAME → a → b → NAME" (a string to free), or NULL when there is none (or on ENOMEM). */
char *requires_find_cycle(const char *name, char **requires,
                          char **(*lookup)(const char *name, void *userdata), void *userdata);

/* The unit orchd runs the instance as: "orchd-<name>.service". Returns NULL on OOM. */
char *instance_unit_name(const char *instance_name);
