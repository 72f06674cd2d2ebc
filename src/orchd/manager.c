/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "bus-common.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager.h"

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->version = PACKAGE_VERSION;

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;

        /* A NULL handler makes sd-event leave the loop on these signals: a clean exit. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
        if (r < 0)
                return r;
        r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        sd_bus_slot_unref(m->request_name_slot);
        sd_bus_slot_unref(m->object_manager_slot);
        sd_bus_slot_unref(m->manager_vtable_slot);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

static int on_name_acquired(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        Manager *m = userdata;

        (void) ret_error;
        if (e) {
                /* Without our name no client can reach us: exit, and let systemd tell. */
                log_error_errno(sd_bus_error_get_errno(e), "Failed to acquire bus name %s: %s",
                                ORCHD_BUS_NAME, e->message);
                return sd_event_exit(m->event, EXIT_FAILURE);
        }

        log_info("orchd %s serving %s.", PACKAGE_VERSION, ORCHD_BUS_NAME);
        (void) sd_notify(false, "READY=1\nSTATUS=Serving " ORCHD_BUS_NAME);
        return 1;
}

int manager_start(Manager *m) {
        int r;

        r = sd_bus_open_system_with_description(&m->bus, "orchd");
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        /* Losing the bus ends the daemon; systemd restarts it (Restart=on-failure). */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set exit-on-disconnect: %m");

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        r = manager_bus_register(m);
        if (r < 0)
                return r;

        r = sd_bus_request_name_async(m->bus, &m->request_name_slot, ORCHD_BUS_NAME, 0,
                                      on_name_acquired, m);
        if (r < 0)
                return log_error_errno(r, "Failed to request bus name %s: %m", ORCHD_BUS_NAME);

        return 0;
}

int manager_run(Manager *m) {
        int r;

        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");

        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        log_info("orchd stopping.");
        return r;
}
