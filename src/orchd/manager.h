/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Manager owns orchd's event loop, its bus connections and the registry of instances;
 * every other module hangs off it. */

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "conf.h"
#include "store.h"

typedef struct Instance Instance;
typedef struct Operation Operation;
typedef struct ClientQueue ClientQueue;
typedef struct Notifier Notifier;

/* Counters since orchd started (Manager properties). */
typedef struct Counters {
        uint64_t restarts, failures, give_ups;
        uint64_t alerts_raised, escalations, acknowledged, resolved;
        uint64_t ack_usec_sum, resolve_usec_sum;
        uint64_t notifications_sent, notifications_grouped;
} Counters;

/* Jobs orchd keeps outstanding at PID 1 at most: a burst of hundreds got PID 1 cut off the
 * system bus (SYSTEMD-FACTS.md); the rest wait in per-client queues served in turn. */
#define MANAGER_JOB_WINDOW_DEFAULT 32U

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;                    /* the system bus: orchd's API */
        sd_bus *systemd;                /* PID 1: its private socket as root, else the system bus */
        bool systemd_private;           /* whether `systemd` is the private socket */
        bool systemd_private_seen;      /* it was once: reconnect there only */
        sd_event_source *systemd_reconnect;
        unsigned systemd_reconnect_attempt;

        sd_bus_slot *manager_vtable_slot;
        sd_bus_slot *object_manager_slot;
        sd_bus_slot *instance_vtable_slot;
        sd_bus_slot *instance_enumerator_slot;
        sd_bus_slot *request_name_slot;
        sd_bus_slot *alert_vtable_slot;
        sd_bus_slot *alert_enumerator_slot;

        const char *version;            /* the Version property, read through its offset */
        char *state_directory;
        Store *store;

        GHashTable *instances_by_name;  /* name → Instance* (owns) */
        GHashTable *instances_by_id;    /* id → Instance* */
        GHashTable *instances_by_unit;  /* unit name → Instance* */
        GHashTable *jobs;               /* job object path → Operation* */
        GHashTable *authz_queries;      /* method call → AuthzQuery* (authz.c) */
        Config config;                  /* orchd.conf and its drop-ins; max_instances etc. */
        char *config_directory;
        char **stray_units;             /* orchd-* units with no registration */

        GHashTable *alerts;             /* alert id → Alert* (owns); open and recently resolved */
        GHashTable *runtime_contacts;   /* contact name → ContactRecord* (owns): SetContact's */
        Notifier *notifier;
        Counters counters;

        /* The unit driver's window of outstanding jobs and its fair queue. */
        unsigned job_window;
        unsigned jobs_outstanding;
        ClientQueue *clients_head, *clients_tail; /* clients with operations waiting, in turn */
        GHashTable *clients;            /* client key → ClientQueue* */

        /* Property changes, coalesced and sent once per loop turn. */
        sd_event_source *changes_defer;
        GPtrArray *changed_instances;
        bool manager_changed;

        GPtrArray *parked_operations;   /* Operation*: met systemd away, issued again on its return */
        bool resync_in_flight;          /* a listing of units and jobs is on its way */
        bool resync_again;              /* and another is due after it */
        bool adopted;                   /* the first listing is done: half-done operations redone */
        bool systemd_reloading;
        /* First start of orchd since the machine booted: transient units are gone, and instances
         * marked to run are created again (once, on the first listing of units). */
        bool recreate_after_boot;
        /* The bus name is requested only once the units have been listed and adopted, so that no
         * call acts on a state not yet known (the two connections are not ordered). */
        bool name_requested;
} Manager;

int manager_new(const char *state_directory, const char *config_directory, Manager **ret);

/* Reads the configuration again (SIGHUP, Reload()): with any error, the running one stays. The
 * problems ("FILE:LINE: message") are returned in *ERRORS if it is not NULL, else logged. */
int manager_reload_config(Manager *m, char ***errors);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Loads the registry, connects to systemd and the system bus, serves the API, requests the name. */
int manager_start(Manager *m);
/* Runs the event loop until SIGTERM/SIGINT; returns the loop's exit code. */
int manager_run(Manager *m);

/* Finds an instance by id or name. */
Instance *manager_find_instance(Manager *m, const char *id_or_name);
/* Adds an instance to the registry (takes it) and publishes it on the bus. */
int manager_add_instance(Manager *m, Instance *i);
/* Removes an instance from the registry, its object from the bus and its file from the store. */
void manager_forget_instance(Manager *m, Instance *i);

/* The Requires cycle an instance NAME requiring REQUIRES would close among the registered
 * instances, as "NAME → a → NAME" (to free), or NULL if none. */
char *manager_requires_cycle(Manager *m, const char *name, char **requires);

/* Requests orchd's bus name (once): called when the first listing of units is done. */
int manager_request_name(Manager *m);

/* Schedules the coalesced PropertiesChanged of the Manager object (NInstances, StrayUnits). */
void manager_mark_changed(Manager *m);
void manager_schedule_changes(Manager *m);
