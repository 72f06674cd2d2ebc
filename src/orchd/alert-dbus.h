/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Alert objects on the bus and the Manager's alert methods. Acknowledge, Escalate and Resolve
 * are for root, the alert's recipients (a contact's User= among those notified so far), and whom
 * polkit allows org.orchd.Orchestrator1.respond. */

#include <systemd/sd-bus.h>

#include "manager.h"

typedef struct Alert Alert;

int alert_bus_register(Manager *m);
int alert_emit_added(Alert *a);
int alert_emit_removed(Alert *a);
int alert_emit_changed(Alert *a);

int method_list_alerts(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_get_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_acknowledge_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_escalate_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_resolve_alert(sd_bus_message *msg, void *userdata, sd_bus_error *error);
