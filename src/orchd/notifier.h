/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Delivers alerts to people: for each recipient contact, over each of its channels: registered
 * desktop agents of the contact's user (Agent.Notify, unicast), the Exec command (a transient
 * unit with the alert in its environment) and the Webhook (JSON POST, webhook.h). The journal
 * entry and the broadcast signals are alert.c's. Per recipient and channel a rate limit lets
 * NotifyBurst notifications through per NotifyIntervalSec; what it holds back goes out as one
 * grouped notification when the window ends, so a storm of failures is not a storm of messages. */

#include <systemd/sd-bus.h>

#include "manager.h"

typedef struct Alert Alert;
typedef struct Notifier Notifier;

int notifier_new(Manager *m, Notifier **ret);
Notifier *notifier_free(Notifier *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(Notifier *, notifier_free);

/* Tells LEVEL's recipients of the alert; EVENT ("raised", "escalate", "timer", ...) for the text. */
void notifier_alert(Notifier *n, Alert *a, unsigned level, const char *event);

/* Notifications not yet delivered or held back (for tests and the benchmark: none after a flush). */
unsigned notifier_pending(Notifier *n);

/* RegisterAgent / UnregisterAgent. */
int method_register_agent(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_unregister_agent(sd_bus_message *msg, void *userdata, sd_bus_error *error);
