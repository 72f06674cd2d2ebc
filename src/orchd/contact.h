/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The contacts in effect: those of orchd.conf ([Contact NAME]), overridden by those set at run
 * time with SetContact (kept in the store, so they survive restarts of orchd); RemoveContact of a
 * configured contact leaves a tombstone that hides it. Who gets an alert at which level is
 * decided here: level 1 the instance's Operators (else [Escalation] Operators=, else every
 * contact with Role=operator), level 2 every contact with Role=superior. */

#include <systemd/sd-bus.h>

#include "conf.h"
#include "manager.h"

typedef struct Alert Alert;

/* NULL if no contact of that name is in effect. */
const Contact *manager_find_contact(Manager *m, const char *name);

/* Every contact in effect, sorted by name; *RET is a NULL-terminated array (free() it, not the
 * contacts). */
int manager_list_contacts(Manager *m, const Contact ***ret, size_t *ret_n);

/* The contacts an alert goes to at LEVEL (names that are no contact are left out). */
int alert_recipients(Manager *m, const Alert *a, unsigned level, char ***ret);

/* Whether UID is the User= of a contact that has been sent the alert (levels 1 to its current). */
bool alert_uid_is_responder(Manager *m, const Alert *a, uid_t uid);

/* The table of contacts set at run time: name → ContactRecord* (owned). */
GHashTable *contact_table_new(void);

/* Loads the contacts set at run time. */
int contacts_load(Manager *m);

int method_set_contact(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_remove_contact(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int method_list_contacts(sd_bus_message *msg, void *userdata, sd_bus_error *error);
