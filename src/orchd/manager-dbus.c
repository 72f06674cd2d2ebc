/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "bus-common.h"
#include "log.h"
#include "macro.h"
#include "manager-dbus.h"

const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", NULL, offsetof(Manager, version), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END,
};

int manager_bus_register(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, &m->manager_vtable_slot, ORCHD_MANAGER_PATH,
                                     ORCHD_MANAGER_INTERFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the Manager object: %m");

        r = sd_bus_add_object_manager(m->bus, &m->object_manager_slot, ORCHD_MANAGER_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to register the object manager: %m");

        return 0;
}
