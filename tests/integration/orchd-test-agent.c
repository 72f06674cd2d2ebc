/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A desktop agent for the tests: registers with orchd (RegisterAgent) and writes one line per
 * Agent.Notify call it receives to OUT_FILE: "ALERT_ID INSTANCE LEVEL ACTIONS|SUMMARY|BODY" (body
 * newlines as "\n"). Runs until killed. Usage: orchd-test-agent OUT_FILE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define AGENT_PATH "/org/orchd/TestAgent"

static FILE *out;

static int method_notify(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *id, *instance, *summary, *body;
        char **actions = NULL;
        uint32_t level;
        int r;

        r = sd_bus_message_read(m, "ssuss", &id, &instance, &level, &summary, &body);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &actions);
        if (r < 0)
                return r;
        fprintf(out, "%s %s %u ", id, instance, level);
        for (char **a = actions; a && *a; a++)
                fprintf(out, "%s%s", a == actions ? "" : ",", *a);
        fprintf(out, "|%s|", summary);
        for (const char *p = body; *p; p++)
                fputs(*p == '\n' ? "\\n" : (char[]) { *p, 0 }, out);
        fputc('\n', out);
        fflush(out);
        for (char **a = actions; a && *a; a++)
                free(*a);
        free(actions);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable agent_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Notify", "ssussas", "", method_notify, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        int r;

        if (argc != 2) {
                fprintf(stderr, "Usage: %s OUT_FILE\n", argv[0]);
                return 2;
        }
        out = fopen(argv[1], "ae");
        if (!out) {
                fprintf(stderr, "Cannot open %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, 0);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, AGENT_PATH, "org.orchd.Orchestrator1.Agent", agent_vtable, NULL);
        if (r >= 0)
                r = sd_bus_call_method(bus, "org.orchd.Orchestrator1", "/org/orchd/Orchestrator1",
                                       "org.orchd.Orchestrator1.Manager", "RegisterAgent", &error, NULL, "o",
                                       AGENT_PATH);
        if (r < 0) {
                fprintf(stderr, "Failed to register: %s\n", error.message ?: strerror(-r));
                return 1;
        }
        /* Told the test it is registered. */
        fprintf(out, "registered\n");
        fflush(out);
        r = sd_event_loop(event);
        return r < 0 ? 1 : 0;
}
