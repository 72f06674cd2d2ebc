/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* Called for each entry of an a{sv}, with the message positioned at the entry's variant. Returns
 * 1 if it read the variant, 0 to have it skipped, or a negative errno to stop. */
typedef int (*bus_property_fn)(sd_bus_message *m, const char *name, void *userdata);

/* Walks the a{sv} (property name → value) at M's read position, as PropertiesChanged and GetAll
 * carry it, calling FN for each entry. */
int bus_message_for_each_property(sd_bus_message *m, bus_property_fn fn, void *userdata);

/* Appends one NAME → "as" entry of a property list: CONTAINER 'e' for a{sv} (orchd's options),
 * 'r' for a(sv) (systemd's unit properties). */
int bus_message_append_strv_entry(sd_bus_message *m, char container, const char *name, char **l);

/* Appends systemd's ExecStart property, (sv) of a(sasb), running ARGV word for word: systemd
 * expands "$VAR" in ExecStart when it runs it, and "$$" stands for "$", so every "$" is doubled.
 * (ExecStartEx's "no-env-expand" would say it directly, but systemd 252 cannot read the transient
 * unit back after daemon-reexec: "bad-setting".) */
int bus_message_append_exec_start(sd_bus_message *m, char **argv);
