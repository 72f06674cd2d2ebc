/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The life cycle of an instance as orchd sees it (ARCHITECTURE.md, "Instance states"), and the
 * restart policy, with the strings used for them on the bus and in the state files. */

#include <errno.h>

typedef enum InstanceState {
        INSTANCE_REGISTERED,  /* added, never started */
        INSTANCE_STARTING,
        INSTANCE_RUNNING,
        INSTANCE_STOPPING,
        INSTANCE_STOPPED,
        INSTANCE_RESTARTING,  /* failed, waiting out the backoff before starting again */
        INSTANCE_FAILED,      /* restart budget spent; an alert is open */
        INSTANCE_EXITED,      /* exited 0 and the policy does not restart it */
        _INSTANCE_STATE_MAX,
        _INSTANCE_STATE_INVALID = -EINVAL,
} InstanceState;

typedef enum RestartPolicy {
        RESTART_NO,
        RESTART_ON_FAILURE,
        RESTART_ALWAYS,
        _RESTART_POLICY_MAX,
        _RESTART_POLICY_INVALID = -EINVAL,
} RestartPolicy;

/* The string of a value, or NULL for a value out of range. */
const char *instance_state_to_string(InstanceState s);
/* The value of a string, or _INSTANCE_STATE_INVALID for NULL or an unknown string. */
InstanceState instance_state_from_string(const char *s);

/* "no", "on-failure", "always"; NULL for a value out of range. */
const char *restart_policy_to_string(RestartPolicy p);
/* The value of a string, or _RESTART_POLICY_INVALID for NULL or an unknown string. */
RestartPolicy restart_policy_from_string(const char *s);
