/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-common.h"
#include "bus-util.h"
#include "instance.h"
#include "log.h"
#include "manager.h"
#include "unit-driver.h"
#include "unit-watcher.h"

struct ClientQueue {
        char *key;                     /* the caller's unique bus name, or "orchd" */
        Operation *head, *tail;        /* operations waiting for a slot in the job window */
        ClientQueue *next;             /* in the manager's ring of clients with waiting work */
        bool in_ring;
};

struct Operation {
        Manager *manager;
        Instance *instance;
        OperationKind kind;
        sd_bus_message *request;       /* to answer, or NULL */
        char *client;

        Operation *instance_next;      /* the instance's operations, in order */
        Operation *queue_next;         /* the client's queue while waiting for a slot */
        Operation *parent;             /* a start waiting for this start (Requires) */
        unsigned waiting_dependencies; /* internal starts this one waits for; it outlives them */
        bool collecting;               /* still submitting those starts */
        char *dependency_error;        /* the first of them that failed */

        sd_bus_slot *call_slot;        /* the call to systemd in flight */
        char *job_path;                /* the job at PID 1 */
        bool holds_slot;
        bool started;                  /* its first step has run */
        bool unit_exists_retry;        /* StartTransientUnit said the unit exists: StartUnit */
        bool unit_gone_retry;          /* StartUnit said there is no such unit: create it */
        bool parked;                   /* waiting for systemd to be back (it re-executes) */
};

static const char *const operation_kind_table[_OPERATION_KIND_MAX] = {
        [OPERATION_START] = "start",
        [OPERATION_STOP] = "stop",
        [OPERATION_RESTART] = "restart",
        [OPERATION_REMOVE] = "remove",
};

const char *operation_kind_to_string(OperationKind k) {
        return k >= 0 && k < _OPERATION_KIND_MAX ? operation_kind_table[k] : NULL;
}

static void operation_begin(Operation *op);
static void window_enqueue(Operation *op);
static bool unit_is_up(const Instance *i);
static void dependencies_done(Operation *op);
static void window_dispatch(Manager *m);

static Operation *operation_free(Operation *op) {
        if (!op)
                return NULL;
        sd_bus_slot_unref(op->call_slot);
        sd_bus_message_unref(op->request);
        free(op->client);
        free(op->job_path);
        free(op->dependency_error);
        free(op);
        return NULL;
}

static void forget_job(Operation *op) {
        if (op->job_path) {
                g_hash_table_remove(op->manager->jobs, op->job_path);
                op->job_path = mfree_str(op->job_path);
        }
}

static void release_slot(Operation *op) {
        Manager *m = op->manager;

        forget_job(op);
        op->call_slot = sd_bus_slot_unref(op->call_slot);
        if (op->holds_slot) {
                op->holds_slot = false;
                m->jobs_outstanding--;
                window_dispatch(m);
        }
}

/* Ends an operation: answers its caller, wakes what waited for it, runs the instance's next. */
static void operation_finish(Operation *op, const char *error_name, const char *format, ...) _printf_(3, 4);
static void operation_finish(Operation *op, const char *error_name, const char *format, ...) {
        Instance *i = op->instance;
        Manager *m = op->manager;
        char message[512] = "";

        if (error_name) {
                va_list ap;
                va_start(ap, format);
                (void) vsnprintf(message, sizeof message, format, ap);
                va_end(ap);
                log_info("Instance %s: %s failed: %s", i->record.config.name,
                         operation_kind_to_string(op->kind), message);
        }

        release_slot(op);

        /* The start is over, one way or the other: nothing to redo after a crash of orchd. A
         * start a person asked for that was refused (a required instance did not start, systemd
         * would not create the unit) leaves the instance not marked to run: nothing runs, and
         * nothing would try again. (A run that failed is the supervisor's: it restarts or gives
         * up.) */
        if (op->kind == OPERATION_START && !i->removed) {
                bool refused = error_name && op->request && i->record.want_running && !unit_is_up(i) &&
                               !i->restart_timer && !i->record.gave_up;

                if (i->record.start_pending || refused) {
                        i->record.start_pending = false;
                        if (refused)
                                i->record.want_running = false;
                        (void) instance_save(i);
                        if (refused)
                                instance_apply_unit_status(i);
                }
        }

        if (op->request) {
                int r;
                if (error_name)
                        r = sd_bus_reply_method_errorf(op->request, error_name, "%s", message);
                else if (op->kind == OPERATION_START && sd_bus_message_is_method_call(op->request, NULL, "AddInstance"))
                        r = sd_bus_reply_method_return(op->request, "so", i->record.config.id, i->object_path);
                else
                        r = sd_bus_reply_method_return(op->request, NULL);
                if (r < 0)
                        log_debug_errno(r, "Failed to reply to %s's caller: %m", i->record.config.name);
        }

        if (op->parent) {
                Operation *parent = op->parent;
                if (error_name && !parent->dependency_error &&
                    asprintf(&parent->dependency_error, "Required instance '%s' did not start: %s",
                             i->record.config.name, message) < 0)
                        parent->dependency_error = NULL;
                if (--parent->waiting_dependencies == 0 && !parent->collecting)
                        dependencies_done(parent);
        }

        /* Unlink from the instance's queue (it is at the head once begun; a parent waiting on
         * dependencies also is). */
        Operation **p = &i->ops_head;
        while (*p && *p != op)
                p = &(*p)->instance_next;
        if (*p) {
                *p = op->instance_next;
                if (i->ops_tail == op) {
                        i->ops_tail = NULL;
                        for (Operation *o = i->ops_head; o; o = o->instance_next)
                                i->ops_tail = o;
                }
        }
        operation_free(op);

        if (i->removed) {
                /* Every queued operation of a removed instance fails; then it is freed. */
                while (i->ops_head) {
                        Operation *next = i->ops_head;
                        i->ops_head = next->instance_next;
                        next->instance_next = NULL;
                        if (next->request)
                                (void) sd_bus_reply_method_errorf(next->request, ORCHD_ERROR_NO_SUCH_INSTANCE,
                                                                  "Instance '%s' was removed.", i->record.config.name);
                        operation_free(next);
                }
                instance_free(i);
                return;
        }

        if (i->ops_head && !i->ops_head->started)
                operation_begin(i->ops_head);
        (void) m;
}

static bool unit_is_up(const Instance *i) {
        const char *a = i->status.active_state;
        return i->status.loaded && (streq(a, "active") || streq(a, "activating") || streq(a, "reloading"));
}

static bool unit_is_down(const Instance *i) {
        const char *a = i->status.active_state;
        return !i->status.loaded || streq(a, "inactive") || streq(a, "failed");
}

static Operation *operation_new(Instance *i, OperationKind kind, sd_bus_message *request) {
        const char *sender = request ? sd_bus_message_get_sender(request) : NULL;
        Operation *op;

        op = calloc(1, sizeof(*op));
        if (!op)
                return NULL;
        op->client = strdup(sender ?: "orchd");
        if (!op->client) {
                free(op);
                return NULL;
        }
        op->manager = i->manager;
        op->instance = i;
        op->kind = kind;
        op->request = sd_bus_message_ref(request);
        return op;
}

static void operation_enqueue(Operation *op) {
        Instance *i = op->instance;

        if (i->ops_tail)
                i->ops_tail->instance_next = op;
        else
                i->ops_head = op;
        i->ops_tail = op;
        if (i->ops_head == op)
                operation_begin(op);
}

int operation_submit(Instance *i, OperationKind kind, sd_bus_message *request) {
        Operation *op = operation_new(i, kind, request);

        if (!op)
                return -ENOMEM;
        operation_enqueue(op);
        return 0;
}

/* All the starts a start waited for have ended: go on, or fail with the first failure. */
static void dependencies_done(Operation *op) {
        if (op->dependency_error) {
                operation_finish(op, ORCHD_ERROR_BAD_STATE, "%s", op->dependency_error);
                return;
        }
        window_enqueue(op);
}

/* Whether OP is (or waits, through its parents, for) a start of DEP. */
static bool operation_waits_for(const Operation *op, const Instance *dep) {
        for (const Operation *o = op; o; o = o->parent)
                if (o->instance == dep)
                        return true;
        return false;
}

/* A start first starts the instances it requires (their units must exist for Requires=). The
 * start then waits for them; it is freed only after the last of them has reported back. */
static void start_with_dependencies(Operation *op) {
        Instance *i = op->instance;
        Manager *m = op->manager;

        op->collecting = true;
        STRV_FOREACH(name, i->record.config.requires) {
                Instance *dep = manager_find_instance(m, *name);
                Operation *child;

                if (!dep) {
                        if (!op->dependency_error &&
                            asprintf(&op->dependency_error,
                                     "Required instance '%s' is not registered; add it first.", *name) < 0)
                                op->dependency_error = NULL;
                        break;
                }
                if (unit_is_up(dep))
                        continue;
                if (operation_waits_for(op, dep)) {
                        /* A cycle (AddInstance refuses them; a state file may still hold one):
                         * this start would wait for itself. */
                        if (!op->dependency_error &&
                            asprintf(&op->dependency_error,
                                     "Required instance '%s' requires '%s' in turn: a Requires cycle.",
                                     *name, i->record.config.name) < 0)
                                op->dependency_error = NULL;
                        break;
                }
                child = operation_new(dep, OPERATION_START, NULL);
                if (!child)
                        break;
                child->parent = op;
                op->waiting_dependencies++;
                operation_enqueue(child);
        }
        op->collecting = false;
        if (op->waiting_dependencies == 0)
                dependencies_done(op);
}

/* Marks the instance to run, and a start as under way (START_PENDING): both on disk before
 * systemd is asked, so that orchd, killed in between, finishes the start when it is back. */
static void mark_wanted(Instance *i, bool start_pending) {
        if (i->record.want_running && i->record.start_pending == start_pending)
                return;
        i->record.want_running = true;
        i->record.start_pending = start_pending;
        (void) instance_save(i);
        instance_mark_changed(i);
}

static void operation_begin(Operation *op) {
        Instance *i = op->instance;

        op->started = true;
        /* What a person asks for replaces what the supervisor planned. */
        if (op->request)
                instance_reset_supervision(i, op->kind == OPERATION_START || op->kind == OPERATION_RESTART);
        switch (op->kind) {
        case OPERATION_START:
                if (unit_is_up(i)) {
                        mark_wanted(i, false);
                        operation_finish(op, NULL, NULL);
                        return;
                }
                mark_wanted(i, true);
                start_with_dependencies(op);
                return;
        case OPERATION_RESTART:
                if (!unit_is_up(i)) {
                        /* Restarting what does not run is starting it. */
                        op->kind = OPERATION_START;
                        mark_wanted(i, true);
                        start_with_dependencies(op);
                        return;
                }
                mark_wanted(i, false);
                break;
        case OPERATION_STOP:
        case OPERATION_REMOVE:
                /* Saved for a removal too: an orchd killed before the removal is over keeps the
                 * instance, and it must not start it again. */
                if (i->record.want_running) {
                        i->record.want_running = false;
                        i->record.start_pending = false;
                        (void) instance_save(i);
                }
                /* No longer restarting: the state follows the unit again. */
                instance_apply_unit_status(i);
                break;
        default:
                assert_not_reached();
        }
        window_enqueue(op);
}

static ClientQueue *client_queue_get(Manager *m, const char *key) {
        ClientQueue *q = g_hash_table_lookup(m->clients, key);

        if (q)
                return q;
        q = calloc(1, sizeof(*q));
        if (!q)
                return NULL;
        q->key = strdup(key);
        if (!q->key) {
                free(q);
                return NULL;
        }
        g_hash_table_insert(m->clients, q->key, q);
        return q;
}

static void window_enqueue(Operation *op) {
        Manager *m = op->manager;
        ClientQueue *q = client_queue_get(m, op->client);

        if (!q) {
                operation_finish(op, SD_BUS_ERROR_NO_MEMORY, "Out of memory.");
                return;
        }
        if (q->tail)
                q->tail->queue_next = op;
        else
                q->head = op;
        q->tail = op;
        if (!q->in_ring) {
                q->in_ring = true;
                q->next = NULL;
                if (m->clients_tail)
                        m->clients_tail->next = q;
                else
                        m->clients_head = q;
                m->clients_tail = q;
        }
        window_dispatch(m);
}

static int on_job_call_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error);
static int operation_call(Operation *op);

/* Takes the next operation in turn: one from the client at the head of the ring, which then goes
 * to the back if it has more. */
static void window_dispatch(Manager *m) {
        while (m->jobs_outstanding < m->job_window && m->clients_head) {
                ClientQueue *q = m->clients_head;
                Operation *op = q->head;

                q->head = op->queue_next;
                op->queue_next = NULL;
                if (!q->head)
                        q->tail = NULL;

                m->clients_head = q->next;
                if (!m->clients_head)
                        m->clients_tail = NULL;
                q->next = NULL;
                if (q->head) {
                        if (m->clients_tail)
                                m->clients_tail->next = q;
                        else
                                m->clients_head = q;
                        m->clients_tail = q;
                } else {
                        q->in_ring = false;
                        g_hash_table_remove(m->clients, q->key);
                }

                op->holds_slot = true;
                m->jobs_outstanding++;
                (void) operation_call(op);
        }
}

/* Requires=/After= name units, the instance lists names of instances. */
static int append_unit_list_property(sd_bus_message *msg, const char *name, char **instances) {
        _cleanup_strv_free_ char **units = calloc(strv_length(instances) + 1, sizeof(char *));
        size_t n = 0;

        if (!units)
                return -ENOMEM;
        STRV_FOREACH(i, instances) {
                units[n] = instance_unit_name(*i);
                if (!units[n++])
                        return -ENOMEM;
        }
        return bus_message_append_strv_entry(msg, 'r', name, units);
}

/* The transient unit: the program, its environment and options, Restart=no (orchd decides about
 * restarts), in orchd.slice. */
static int append_transient_properties(sd_bus_message *msg, const Instance *i) {
        const InstanceConfig *c = &i->record.config;
        _cleanup_free_ char *description = NULL, *env_name = NULL, *env_id = NULL;
        int r;

        if (c->description)
                description = strdup(c->description);
        else if (asprintf(&description, "orchd instance %s", c->name) < 0)
                description = NULL;
        if (!description)
                return -ENOMEM;
        if (asprintf(&env_name, "ORCHD_INSTANCE=%s", c->name) < 0 ||
            asprintf(&env_id, "ORCHD_INSTANCE_ID=%s", c->id) < 0)
                return -ENOMEM;

        r = sd_bus_message_open_container(msg, 'a', "(sv)");
        if (r < 0)
                return r;
        /* Restart=no and no start rate limit: restarts are orchd's decision, with its own budget. */
        r = sd_bus_message_append(msg, "(sv)(sv)(sv)(sv)(sv)(sv)",
                                  "Description", "s", description,
                                  "Type", "s", "exec",
                                  "Restart", "s", "no",
                                  "StartLimitIntervalUSec", "t", UINT64_C(0),
                                  "Slice", "s", "orchd.slice",
                                  "CollectMode", "s", "inactive");
        if (r < 0)
                return r;

        r = bus_message_append_exec_start(msg, c->argv);
        if (r < 0)
                return r;

        /* Environment as: the instance's, and who it is. */
        r = sd_bus_message_open_container(msg, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(msg, "s", "Environment");
        if (r >= 0)
                r = sd_bus_message_open_container(msg, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_open_container(msg, 'a', "s");
        STRV_FOREACH(e, c->environment)
                if (r >= 0)
                        r = sd_bus_message_append(msg, "s", *e);
        if (r >= 0)
                r = sd_bus_message_append(msg, "ss", env_name, env_id);
        for (int k = 0; r >= 0 && k < 3; k++)
                r = sd_bus_message_close_container(msg);
        if (r < 0)
                return r;

        if (c->working_directory) {
                r = sd_bus_message_append(msg, "(sv)", "WorkingDirectory", "s", c->working_directory);
                if (r < 0)
                        return r;
        }
        if (c->user) {
                r = sd_bus_message_append(msg, "(sv)", "User", "s", c->user);
                if (r < 0)
                        return r;
        }
        if (c->watchdog_usec > 0) {
                r = sd_bus_message_append(msg, "(sv)", "WatchdogUSec", "t", c->watchdog_usec);
                if (r < 0)
                        return r;
        }
        if (c->memory_max != UINT64_MAX) {
                r = sd_bus_message_append(msg, "(sv)", "MemoryMax", "t", c->memory_max);
                if (r < 0)
                        return r;
        }
        if (c->cpu_weight != UINT64_MAX) {
                r = sd_bus_message_append(msg, "(sv)", "CPUWeight", "t", c->cpu_weight);
                if (r < 0)
                        return r;
        }
        if (c->requires) {
                r = append_unit_list_property(msg, "Requires", c->requires);
                if (r < 0)
                        return r;
                r = append_unit_list_property(msg, "After", c->requires);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(msg);
}

static int call_systemd(Operation *op, const char *method, const char *signature, ...) {
        Manager *m = op->manager;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(m->systemd, &msg, "org.freedesktop.systemd1",
                                           "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", method);
        if (r < 0)
                return r;
        va_start(ap, signature);
        r = sd_bus_message_appendv(msg, signature, ap);
        va_end(ap);
        if (r < 0)
                return r;
        if (streq(method, "StartTransientUnit")) {
                r = append_transient_properties(msg, op->instance);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(msg, "a(sa(sv))", 0);
                if (r < 0)
                        return r;
        }
        op->call_slot = sd_bus_slot_unref(op->call_slot);
        return sd_bus_call_async(m->systemd, &op->call_slot, msg, on_job_call_reply, op, 0);
}

/* systemd is away (it re-executes, or the connection to it broke): the operation keeps its
 * place and is issued again once systemd is back and its state has been read again
 * (unit_driver_resume_parked()). */
static void operation_park(Operation *op) {
        Manager *m = op->manager;

        if (op->parked)
                return;
        log_info("Instance %s: systemd is not reachable; the %s waits for it.", op->instance->record.config.name,
                 operation_kind_to_string(op->kind));
        op->parked = true;
        op->call_slot = sd_bus_slot_unref(op->call_slot);
        g_ptr_array_add(m->parked_operations, op);
        unit_watcher_systemd_away(m);
}

static bool error_means_systemd_away(const Manager *m, sd_bus *bus, const sd_bus_error *e) {
        /* A call in flight when the connection closed. */
        if (bus != m->systemd || sd_bus_is_open(bus) <= 0)
                return true;
        /* On the system bus, while PID 1 re-executes, its name has no owner. */
        return !m->systemd_private &&
               (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
                sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
                sd_bus_error_has_name(e, SD_BUS_ERROR_DISCONNECTED));
}

/* Issues the systemd call for the operation's current step. */
static int operation_call(Operation *op) {
        Instance *i = op->instance;
        int r;

        if (!op->manager->systemd || sd_bus_is_open(op->manager->systemd) <= 0) {
                operation_park(op);
                return 0;
        }
        switch (op->kind) {
        case OPERATION_START:
                if (unit_is_up(i)) {
                        operation_finish(op, NULL, NULL);
                        return 0;
                }
                /* A failed unit is still loaded: StartUnit starts it again, with a new invocation
                 * (SYSTEMD-FACTS.md). Otherwise the unit must be created. */
                if (i->status.loaded || op->unit_exists_retry)
                        r = call_systemd(op, "StartUnit", "ss", i->unit, "replace");
                else
                        r = call_systemd(op, "StartTransientUnit", "ss", i->unit, "fail");
                break;
        case OPERATION_RESTART:
                r = call_systemd(op, "RestartUnit", "ss", i->unit, "replace");
                break;
        case OPERATION_STOP:
        case OPERATION_REMOVE:
                if (unit_is_down(i)) {
                        if (op->kind == OPERATION_REMOVE && i->status.loaded) {
                                /* A failed unit stays loaded: let systemd collect it. */
                                r = call_systemd(op, "ResetFailedUnit", "s", i->unit);
                                break;
                        }
                        if (op->kind == OPERATION_REMOVE)
                                manager_forget_instance(op->manager, i);
                        operation_finish(op, NULL, NULL);
                        return 0;
                }
                r = call_systemd(op, "StopUnit", "ss", i->unit, "replace");
                break;
        default:
                assert_not_reached();
        }
        if (r == -ENOTCONN || r == -ECONNRESET || r == -EPIPE) {
                operation_park(op);
                return 0;
        }
        if (r < 0) {
                operation_finish(op, SD_BUS_ERROR_FAILED, "Failed to ask systemd to %s %s: %s",
                                 operation_kind_to_string(op->kind), i->unit, strerror(-r));
                return r;
        }
        return 0;
}

static int on_job_call_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Operation *op = userdata;
        Instance *i = op->instance;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *job;
        int r;

        (void) ret_error;
        op->call_slot = sd_bus_slot_unref(op->call_slot);

        if (e) {
                if (error_means_systemd_away(op->manager, sd_bus_message_get_bus(reply), e)) {
                        operation_park(op);
                        return 0;
                }
                if (op->kind == OPERATION_START && !op->unit_gone_retry &&
                    sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit")) {
                        /* Collected meanwhile (it ended cleanly): create it again. */
                        op->unit_gone_retry = true;
                        i->status.loaded = false;
                        return operation_call(op), 0;
                }
                if (op->kind == OPERATION_START && !op->unit_exists_retry &&
                    sd_bus_error_has_name(e, "org.freedesktop.systemd1.UnitExists")) {
                        /* Our view was stale (e.g. right after a restart of orchd). */
                        op->unit_exists_retry = true;
                        return operation_call(op), 0;
                }
                if (sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit") &&
                    (op->kind == OPERATION_STOP || op->kind == OPERATION_REMOVE)) {
                        i->status.loaded = false;
                        return operation_call(op), 0;
                }
                operation_finish(op, ORCHD_ERROR_BAD_STATE, "systemd refused to %s %s: %s",
                                 operation_kind_to_string(op->kind), i->unit, e->message);
                return 0;
        }

        if (sd_bus_message_has_signature(reply, "")) {
                /* ResetFailedUnit: no job; the unit is collected and the instance can go. */
                if (op->kind == OPERATION_REMOVE) {
                        i->status.loaded = false;
                        manager_forget_instance(op->manager, i);
                }
                operation_finish(op, NULL, NULL);
                return 0;
        }

        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0) {
                operation_finish(op, SD_BUS_ERROR_FAILED, "Unexpected reply from systemd: %s", strerror(-r));
                return 0;
        }
        op->job_path = strdup(job);
        if (!op->job_path) {
                operation_finish(op, SD_BUS_ERROR_NO_MEMORY, "Out of memory.");
                return 0;
        }
        g_hash_table_insert(op->manager->jobs, op->job_path, op);
        return 0;
}

void unit_driver_job_removed(Manager *m, const char *job_path, const char *result) {
        Operation *op = g_hash_table_lookup(m->jobs, job_path);
        Instance *i;

        if (!op)
                return;
        i = op->instance;
        if (!streq(result, "done")) {
                operation_finish(op, ORCHD_ERROR_BAD_STATE,
                                 "The %s job of %s ended with result '%s'; see 'orchctl status %s'.",
                                 operation_kind_to_string(op->kind), i->unit, result, i->record.config.name);
                return;
        }
        if (op->kind == OPERATION_REMOVE) {
                /* Stopped; a unit that failed while stopping stays loaded and is reset next. */
                forget_job(op);
                if (i->status.loaded && streq(i->status.active_state, "failed")) {
                        (void) call_systemd(op, "ResetFailedUnit", "s", i->unit);
                        return;
                }
                manager_forget_instance(m, i);
        }
        operation_finish(op, NULL, NULL);
}

void unit_driver_reconcile(Manager *m, GHashTable *live_jobs) {
        GHashTableIter it;
        gpointer key, value;
        GPtrArray *gone = g_ptr_array_new();

        g_hash_table_iter_init(&it, m->jobs);
        while (g_hash_table_iter_next(&it, &key, &value))
                if (!live_jobs || !g_hash_table_contains(live_jobs, key))
                        g_ptr_array_add(gone, value);

        /* A job that vanished while we did not listen (JobRemoved lost during a reload): judge
         * by the unit's state instead. */
        for (guint k = 0; k < gone->len; k++) {
                Operation *op = gone->pdata[k];
                bool ok = (op->kind == OPERATION_START || op->kind == OPERATION_RESTART)
                        ? unit_is_up(op->instance) : unit_is_down(op->instance);
                log_info("Job %s of %s vanished during a reload of systemd; the unit is %s.",
                         op->job_path, op->instance->unit, op->instance->status.active_state);
                unit_driver_job_removed(m, op->job_path, ok ? "done" : "failed");
        }
        g_ptr_array_free(gone, true);
}

void unit_driver_resume_parked(Manager *m) {
        g_autoptr(GPtrArray) parked = m->parked_operations;

        /* Each may park again (systemd went away once more): into a fresh list. */
        m->parked_operations = g_ptr_array_new();
        for (guint k = 0; k < parked->len; k++) {
                Operation *op = parked->pdata[k];

                op->parked = false;
                log_info("Instance %s: systemd is back; issuing the %s again.", op->instance->record.config.name,
                         operation_kind_to_string(op->kind));
                (void) operation_call(op);
        }
}

/* A start of orchd: what a kill of orchd in the middle of an operation left half done. The
 * record says what was asked (WantRunning, StartPending), systemd what happened. */
void unit_driver_adopt(Manager *m) {
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, m->instances_by_name);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                Instance *i = value;
                InstanceRecord *rec = &i->record;

                if (i->ops_head || i->restart_timer || i->removed)
                        continue;
                if (rec->want_running && unit_is_up(i)) {
                        if (rec->start_pending) {
                                rec->start_pending = false;
                                (void) instance_save(i);
                        }
                } else if (rec->want_running && rec->start_pending && !rec->gave_up) {
                        log_info("Instance %s: orchd stopped before its start reached systemd; starting it.",
                                 rec->config.name);
                        (void) operation_submit(i, OPERATION_START, NULL);
                } else if (rec->want_running && !rec->gave_up && rec->config.restart == RESTART_ALWAYS &&
                           !i->status.loaded) {
                        /* Its run ended cleanly while orchd was away, and systemd collected the
                         * unit (a failed one stays, and is judged by its InvocationID). */
                        log_info("Instance %s: its unit is gone and Restart=always; starting it.",
                                 rec->config.name);
                        (void) operation_submit(i, OPERATION_START, NULL);
                } else if (!rec->want_running && unit_is_up(i)) {
                        log_info("Instance %s: orchd stopped before its stop reached systemd; stopping it.",
                                 rec->config.name);
                        (void) operation_submit(i, OPERATION_STOP, NULL);
                }
        }
}

void unit_driver_abort_all(Manager *m) {
        GHashTableIter it;
        gpointer value;

        /* Drop the clients' queues; the operations themselves belong to their instances. */
        g_hash_table_iter_init(&it, m->clients);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                ClientQueue *q = value;
                q->head = q->tail = NULL;
        }
        m->clients_head = m->clients_tail = NULL;
}

void client_queue_free(void *p) {
        ClientQueue *q = p;
        if (!q)
                return;
        free(q->key);
        free(q);
}
