/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asynchronous authorization through polkit, before any state changes (as systemd's
 * bus-polkit.c does it): the first dispatch of a method call asks polkit and returns without a
 * reply; when polkit answers, the call is dispatched again and finds the answer. The event loop
 * never blocks on polkit. An error, or polkit not answering, means denied; root is always allowed.
 * A caller that disconnects before the answer gets nothing done. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "manager.h"

#define ORCHD_ACTION_MANAGE "org.orchd.Orchestrator1.manage"
#define ORCHD_ACTION_RUN_PRIVILEGED "org.orchd.Orchestrator1.run-privileged"
#define ORCHD_ACTION_RESPOND "org.orchd.Orchestrator1.respond"
#define ORCHD_ACTION_CONFIGURE "org.orchd.Orchestrator1.configure"

/* Returns 1 if MSG's sender may perform ACTION, 0 if polkit has been asked (the method handler must
 * then return 1 without replying; it runs again with the answer), or a negative errno with ERROR
 * set (AccessDenied or InteractiveAuthorizationRequired). DETAILS: NULL or a NULL-terminated list of
 * key, value pairs shown to polkit ("instance", "verb"). */
int authz_check(Manager *m, sd_bus_message *msg, const char *action, const char **details,
                sd_bus_error *error);

/* Forgets the answers kept for MSG: call once the method has done its checks (or failed). */
void authz_release(Manager *m, sd_bus_message *msg);

/* The table of queries the Manager keeps (m->authz_queries). */
GHashTable *authz_queries_new(void);

/* The sender's effective uid. */
int bus_message_sender_uid(sd_bus_message *msg, uid_t *ret);

void authz_flush(Manager *m);

/* Whether USER (a name or a numeric uid) is the user with UID (a local, bounded lookup). */
bool user_is_uid(const char *user, uid_t uid);
