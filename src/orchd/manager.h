/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Manager owns orchd's event loop and its bus connection; every other module hangs off it. */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *manager_vtable_slot;
        sd_bus_slot *object_manager_slot;
        sd_bus_slot *request_name_slot;

        /* Served as the Manager's Version property, read through its offset. */
        const char *version;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Connects to the system bus, serves the Manager object and requests orchd's bus name. */
int manager_start(Manager *m);
/* Runs the event loop until SIGTERM/SIGINT; returns the loop's exit code. */
int manager_run(Manager *m);
