/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit driver turns operations on instances (start, stop, restart, remove) into jobs at PID 1.
 * Operations on one instance run one after the other; across instances, at most job_window jobs
 * are outstanding at PID 1 and the rest wait in per-client queues served round-robin, so one
 * client's burst neither floods PID 1 nor starves the others. A method call is answered when its
 * job has finished. */

#include <systemd/sd-bus.h>

#include "instance.h"
#include "manager.h"

typedef enum OperationKind {
        OPERATION_START,
        OPERATION_STOP,
        OPERATION_RESTART,
        OPERATION_REMOVE,
        _OPERATION_KIND_MAX,
} OperationKind;

const char *operation_kind_to_string(OperationKind k);

/* Queues an operation. REQUEST, if not NULL, is the method call to answer when it is done (its
 * sender is the fairness key); internal operations pass NULL. */
int operation_submit(Instance *i, OperationKind kind, sd_bus_message *request);

/* systemd reported that a job finished (JobRemoved). */
void unit_driver_job_removed(Manager *m, const char *job_path, const char *result);

/* After a reload, re-exec or reconnect of systemd: JOBS is the set of job paths PID 1 still has
 * (NULL: the connection was lost and every call in flight failed). Operations whose job is gone
 * are finished from the unit's state. */
void unit_driver_reconcile(Manager *m, GHashTable *live_jobs);

/* systemd is back and its state has been read again: operations that met it away (re-executing)
 * are issued again. */
void unit_driver_resume_parked(Manager *m);

/* After orchd's first listing of units: finishes the starts and stops that a kill of orchd
 * interrupted (StartPending, WantRunning against the unit). */
void unit_driver_adopt(Manager *m);

/* Destructor for the manager's table of client queues. */
void client_queue_free(void *p);

/* Fails every operation (daemon shutdown). */
void unit_driver_abort_all(Manager *m);
