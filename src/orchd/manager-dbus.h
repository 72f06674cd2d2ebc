/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bus face of the Manager: org.orchd.Orchestrator1.Manager on /org/orchd/Orchestrator1. */

#include <systemd/sd-bus.h>

#include "manager.h"

extern const sd_bus_vtable manager_vtable[];

int manager_bus_register(Manager *m);
