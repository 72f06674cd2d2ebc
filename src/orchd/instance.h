/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A runtime instance: what was registered (InstanceRecord, persisted) and what systemd says of
 * its unit now. State is derived from the unit's properties, never polled. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "instance-state.h"
#include "macro.h"
#include "store.h"

typedef struct Manager Manager;
typedef struct Operation Operation;

/* What orchd last learned of the instance's unit from systemd's signals and replies. */
typedef struct UnitStatus {
        bool loaded;              /* systemd has the unit loaded (a failed unit stays loaded) */
        char active_state[16];    /* active, activating, deactivating, inactive, failed, ... */
        char sub_state[32];
        char result[32];          /* the service's Result: success, exit-code, signal, ... */
        uint32_t main_pid;
        int32_t exec_main_code;   /* CLD_EXITED, CLD_KILLED, ... (0: not run yet) */
        int32_t exec_main_status; /* exit status or signal number */
        char invocation_id[33];   /* 32 hex digits, "" if none */
        uint64_t active_enter_usec;
} UnitStatus;

/* Whether an ActiveState is one of a unit that runs or is on its way up or down: such a unit
 * is never collected before its end has been signalled. */
static inline bool active_state_is_up(const char *a) {
        return streq(a, "active") || streq(a, "activating") || streq(a, "deactivating") ||
               streq(a, "reloading");
}

typedef struct Instance {
        Manager *manager;
        InstanceRecord record;
        char *unit;                /* orchd-NAME.service */
        char *unit_path;           /* systemd's object path of the unit */
        char *object_path;         /* our object path */
        UnitStatus status;
        InstanceState state;

        /* Operations on this instance run one at a time, in order (unit-driver.c). */
        Operation *ops_head, *ops_tail;
        sd_event_source *restart_timer; /* the backoff wait before an automatic restart */
        sd_event_source *stable_timer;  /* StableSec after the unit became active */
        bool changed;              /* a PropertiesChanged is due (coalesced per loop turn) */
        char last_active_state[16]; /* as last seen: tells a run that ended from one about to start */
        char last_invocation[33];  /* the InvocationID last applied */
        bool invocation_asked;     /* a GetAll for a changed or unknown InvocationID is on its way */
        bool removed;              /* forgotten; freed once its last operation ends */
} Instance;

int instance_new(Manager *m, InstanceRecord *record, Instance **ret);
Instance *instance_free(Instance *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(Instance *, instance_free);

/* Pure: the instance state that the unit's status and orchd's intent imply. */
InstanceState instance_state_derive(const UnitStatus *status, bool want_running, bool ever_started);

/* Applies a change of the unit's status: re-derives the state, records the last result and
 * exit code, persists what changed and schedules the property change signal. */
void instance_apply_unit_status(Instance *i);

/* A person started, restarted, stopped or removed the instance: the automatic restarts and the
 * restart budget start over (start, restart) or stop (stop, remove). */
void instance_reset_supervision(Instance *i, bool keep_running);

/* After loading: arms the restart that was pending when orchd stopped. */
void instance_resume_restart(Instance *i);

/* Marks the instance's properties as changed; the signal goes out once per loop turn. */
void instance_mark_changed(Instance *i);

/* Persists the record; logs on failure. */
int instance_save(Instance *i);

/* Escape-free helpers for the unit's object path in systemd's namespace. */
int unit_object_path(const char *unit, char **ret);
