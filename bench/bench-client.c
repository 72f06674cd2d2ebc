/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load generator for bench/run.sh. Each mode keeps WINDOW calls in flight on the system bus and
 * prints one line of figures.
 *   bench-client plain N WINDOW   N StartTransientUnit of /bin/sleep to systemd, waiting for each
 *                                 job's JobRemoved: the baseline a plain client achieves
 *   bench-client orchd N WINDOW   N AddInstance(Start=true) to orchd, each answered when its
 *                                 start job has finished
 *   bench-client list N           N ListInstances calls one after the other: latency p50/p99 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

static unsigned n_total, n_sent, n_done, n_failed, window;
static sd_bus *bus;
static const char *mode;
static char **pending_jobs; /* plain mode: job paths waiting for JobRemoved */
static unsigned n_pending_jobs;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static int send_next(void);

static void one_done(bool ok) {
        n_done++;
        if (!ok)
                n_failed++;
        if (n_sent < n_total)
                (void) send_next();
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        const char *job, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        for (unsigned k = 0; k < n_pending_jobs; k++)
                if (pending_jobs[k] && strcmp(pending_jobs[k], job) == 0) {
                        free(pending_jobs[k]);
                        pending_jobs[k] = NULL;
                        one_done(strcmp(result, "done") == 0);
                        break;
                }
        return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        const char *job;

        if (sd_bus_message_is_method_error(m, NULL)) {
                fprintf(stderr, "call failed: %s\n", sd_bus_message_get_error(m)->message);
                one_done(false);
                return 0;
        }
        if (strcmp(mode, "plain") == 0) {
                if (sd_bus_message_read(m, "o", &job) < 0)
                        return 0;
                pending_jobs[n_pending_jobs++] = strdup(job);
                return 0;
        }
        one_done(true);
        return 0;
}

static int send_next(void) {

        sd_bus_message *m = NULL;
        char name[64];
        unsigned k = n_sent++;
        int r;

        if (strcmp(mode, "plain") == 0) {
                snprintf(name, sizeof name, "bench-plain-%u.service", k);
                r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                   "org.freedesktop.systemd1.Manager", "StartTransientUnit");
                if (r >= 0)
                        r = sd_bus_message_append(m, "ss", name, "fail");
                if (r >= 0)
                        r = sd_bus_message_append(m, "a(sv)", 4,
                                                  "Type", "s", "exec",
                                                  "Restart", "s", "no",
                                                  "Slice", "s", "bench.slice",
                                                  "ExecStart", "a(sasb)", 1, "/bin/sleep", 2, "/bin/sleep", "100000", 0);
                if (r >= 0)
                        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        } else {
                snprintf(name, sizeof name, "bench%u", k);
                r = sd_bus_message_new_method_call(bus, &m, "org.orchd.Orchestrator1", "/org/orchd/Orchestrator1",
                                                   "org.orchd.Orchestrator1.Manager", "AddInstance");
                if (r >= 0)
                        r = sd_bus_message_append(m, "sas", name, 2, "/bin/sleep", "100000");
                if (r >= 0)
                        r = sd_bus_message_append(m, "a{sv}", 1, "Start", "b", 1);
        }
        if (r >= 0)
                r = sd_bus_call_async(bus, NULL, m, on_reply, NULL, 120 * 1000000ULL);
        sd_bus_message_unref(m);
        if (r < 0)
                fprintf(stderr, "send failed: %s\n", strerror(-r));
        return r;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        uint64_t start;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: bench-client plain|orchd N WINDOW | list N\n");
                return 2;
        }
        mode = argv[1];
        n_total = (unsigned) atoi(argv[2]);
        window = argc > 3 ? (unsigned) atoi(argv[3]) : 1;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "bus: %s\n", strerror(-r));
                return 1;
        }

        if (strcmp(mode, "list") == 0) {
                uint64_t *lat = calloc(n_total, sizeof(uint64_t));
                for (unsigned k = 0; k < n_total; k++) {
                        sd_bus_message *reply = NULL;
                        uint64_t t = now_usec();
                        r = sd_bus_call_method(bus, "org.orchd.Orchestrator1", "/org/orchd/Orchestrator1",
                                               "org.orchd.Orchestrator1.Manager", "ListInstances", NULL, &reply, "");
                        lat[k] = now_usec() - t;
                        sd_bus_message_unref(reply);
                        if (r < 0) {
                                fprintf(stderr, "ListInstances: %s\n", strerror(-r));
                                return 1;
                        }
                }
                qsort(lat, n_total, sizeof(uint64_t), cmp_u64);
                printf("list calls=%u p50_ms=%.2f p99_ms=%.2f\n", n_total, lat[n_total / 2] / 1000.0,
                       lat[(n_total * 99) / 100 < n_total ? (n_total * 99) / 100 : n_total - 1] / 1000.0);
                return 0;
        }

        if (strcmp(mode, "plain") == 0) {
                pending_jobs = calloc(n_total, sizeof(char *));
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, NULL);
                if (r >= 0)
                        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, "");
                if (r < 0) {
                        fprintf(stderr, "subscribe: %s\n", strerror(-r));
                        return 1;
                }
        }

        start = now_usec();
        for (unsigned k = 0; k < window && n_sent < n_total; k++)
                send_next();
        while (n_done < n_total) {
                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        fprintf(stderr, "process: %s\n", strerror(-r));
                        return 1;
                }
                if (r == 0)
                        sd_bus_wait(bus, UINT64_MAX);
        }
        printf("%s n=%u window=%u failed=%u seconds=%.3f\n", mode, n_total, window, n_failed,
               (now_usec() - start) / 1e6);
        return n_failed ? 1 : 0;
}
