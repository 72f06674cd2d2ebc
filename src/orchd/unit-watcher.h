/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit watcher keeps orchd's view of its units equal to systemd's, from systemd's own signals
 * (JobRemoved, UnitNew, UnitRemoved, Reloading, PropertiesChanged): no polling. Signals are taken
 * only from PID 1: over its private socket, where no other peer can speak, or on the system bus with
 * matches bound to the owner of org.freedesktop.systemd1. After a reload, a re-exec or a new
 * connection it re-lists the orchd-*.service units and reconciles. */

#include "manager.h"

/* Connects to PID 1, subscribes, and lists and adopts the units (asynchronously). */
int unit_watcher_connect(Manager *m);
void unit_watcher_disconnect(Manager *m);

/* An operation met systemd away: make sure a resync follows once it answers again (which
 * issues the operation again). */
void unit_watcher_systemd_away(Manager *m);

/* Asks systemd for all properties of the instance's unit (both interfaces); applied on reply. */
int unit_watcher_fetch(Instance *i);

/* Pure: parses one property of systemd's Unit or Service interface from M (positioned at the
 * variant) into S; unknown properties are skipped. Returns <0 on a malformed message. */
int unit_status_read_property(UnitStatus *s, const char *name, sd_bus_message *m);
