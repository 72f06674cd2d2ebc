/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "instance-state.h"
#include "macro.h"

static const char * const instance_state_table[_INSTANCE_STATE_MAX] = {
        [INSTANCE_REGISTERED] = "registered",
        [INSTANCE_STARTING]   = "starting",
        [INSTANCE_RUNNING]    = "running",
        [INSTANCE_STOPPING]   = "stopping",
        [INSTANCE_STOPPED]    = "stopped",
        [INSTANCE_RESTARTING] = "restarting",
        [INSTANCE_FAILED]     = "failed",
        [INSTANCE_EXITED]     = "exited",
};

static const char * const restart_policy_table[_RESTART_POLICY_MAX] = {
        [RESTART_NO]         = "no",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ALWAYS]     = "always",
};

/* Shared by both enums: the index of S in TABLE, or -EINVAL. */
static int string_table_lookup(const char * const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;

        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;

        return -EINVAL;
}

const char *instance_state_to_string(InstanceState s) {
        if (s < 0 || s >= _INSTANCE_STATE_MAX)
                return NULL;
        return instance_state_table[s];
}

InstanceState instance_state_from_string(const char *s) {
        return (InstanceState) string_table_lookup(instance_state_table, ELEMENTSOF(instance_state_table), s);
}

const char *restart_policy_to_string(RestartPolicy p) {
        if (p < 0 || p >= _RESTART_POLICY_MAX)
                return NULL;
        return restart_policy_table[p];
}

RestartPolicy restart_policy_from_string(const char *s) {
        return (RestartPolicy) string_table_lookup(restart_policy_table, ELEMENTSOF(restart_policy_table), s);
}
