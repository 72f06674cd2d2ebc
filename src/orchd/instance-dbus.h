/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bus face of instances: org.orchd.Orchestrator1.Instance on
 * /org/orchd/Orchestrator1/instance/NAME, served by a fallback vtable and a node enumerator. */

#include <systemd/sd-bus.h>

#include "manager.h"

extern const sd_bus_vtable instance_vtable[];

int instance_bus_register(Manager *m);
/* Emits PropertiesChanged of the instance's changing properties. */
int instance_emit_changed(Instance *i);

/* Shared by the Manager's and the Instance's methods: authorizes and queues an operation. */
int instance_method_operation(sd_bus_message *msg, Instance *i, int kind, sd_bus_error *error);

/* Authorizes VERB on instance I: root and the instance's owner may; others need polkit's
 * "manage". Returns 1 (go on), 0 (polkit asked: return 1 without replying) or <0 with ERROR. */
int instance_authorize(sd_bus_message *msg, Instance *i, const char *verb, sd_bus_error *error);
