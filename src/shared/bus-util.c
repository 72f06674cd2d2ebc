/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-util.h"
#include "macro.h"

int bus_message_for_each_property(sd_bus_message *m, bus_property_fn fn, void *userdata) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = fn(m, name, userdata);
                if (r == 0)
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int bus_message_append_strv_entry(sd_bus_message *m, char container, const char *name, char **l) {
        int r;

        r = sd_bus_message_open_container(m, container, "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', "as");
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(m, l);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

int bus_message_append_exec_start(sd_bus_message *m, char **argv) {
        int r;

        if (!argv || !argv[0])
                return -EINVAL;
        /* ExecStart a(sasb): one command, its argv, and "ignore failure" false. */
        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "ExecStart");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "a(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sasb");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[0]);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "s");
        for (char **arg = argv; r >= 0 && *arg; arg++) {
                _cleanup_free_ char *escaped = malloc(strlen(*arg) * 2 + 1);
                char *q = escaped;

                if (!escaped)
                        return -ENOMEM;
                for (const char *p = *arg; *p; p++) {
                        if (*p == '$')
                                *q++ = '$';
                        *q++ = *p;
                }
                *q = '\0';
                r = sd_bus_message_append(m, "s", escaped);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", 0);
        for (int k = 0; r >= 0 && k < 4; k++)
                r = sd_bus_message_close_container(m);
        return r;
}
