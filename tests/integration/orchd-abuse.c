/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bad and heavy callers for tests/integration/test-limits.sh. Prints one line per run:
 *   orchd-abuse name BYTES     AddInstance with a name of BYTES bytes
 *   orchd-abuse arg BYTES      AddInstance with one argument of BYTES bytes
 *   orchd-abuse argv COUNT     AddInstance with COUNT argv entries
 *   orchd-abuse env COUNT      AddInstance with COUNT Environment entries
 *     → "<error name or ok> <milliseconds>"
 *   orchd-abuse flood SECONDS  read calls and calls that will be denied, as fast as answered
 *     → "calls=N errors=N"
 *   orchd-abuse latency SECONDS  ListInstances one after another → "calls=N p50_ms=X p99_ms=Y" */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

#define DEST "org.orchd.Orchestrator1"
#define PATH "/org/orchd/Orchestrator1"
#define IFACE "org.orchd.Orchestrator1.Manager"

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static char *filled(size_t n, char c) {
        char *s = malloc(n + 1);
        if (!s)
                exit(1);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static int add_call(sd_bus *bus, const char *mode, size_t n) {
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t t;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, IFACE, "AddInstance");
        if (r < 0)
                return r;
        if (strcmp(mode, "name") == 0) {
                char *name = filled(n, 'a');
                r = sd_bus_message_append(m, "sas", name, 1, "/bin/true");
                free(name);
        } else if (strcmp(mode, "arg") == 0) {
                char *arg = filled(n, 'x');
                r = sd_bus_message_append(m, "sas", "bigarg", 2, "/bin/echo", arg);
                free(arg);
        } else if (strcmp(mode, "argv") == 0) {
                r = sd_bus_message_append(m, "s", "bigargv");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "s");
                for (size_t k = 0; r >= 0 && k < n; k++)
                        r = sd_bus_message_append(m, "s", k == 0 ? "/bin/echo" : "x");
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        } else {
                r = sd_bus_message_append(m, "sas", "bigenv", 1, "/bin/true");
        }
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && strcmp(mode, "env") == 0) {
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", "Environment");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'v', "as");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "s");
                for (size_t k = 0; r >= 0 && k < n; k++) {
                        char e[32];
                        snprintf(e, sizeof e, "K%zu=v", k);
                        r = sd_bus_message_append(m, "s", e);
                }
                for (int k = 0; r >= 0 && k < 3; k++)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;

        t = now_usec();
        r = sd_bus_call(bus, m, 60 * 1000000ULL, &error, &reply);
        printf("%s %.1f\n", r >= 0 ? "ok" : (error.name ?: strerror(-r)), (now_usec() - t) / 1000.0);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return 0;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        size_t n;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: orchd-abuse name|arg|argv|env|flood|latency N\n");
                return 2;
        }
        n = strtoul(argv[2], NULL, 10);
        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "bus: %s\n", strerror(-r));
                return 1;
        }

        if (strcmp(argv[1], "flood") == 0 || strcmp(argv[1], "latency") == 0) {
                bool flood = strcmp(argv[1], "flood") == 0;
                uint64_t end = now_usec() + n * 1000000ULL, calls = 0, errors = 0, cap = 1 << 20;
                uint64_t *lat = flood ? NULL : malloc(cap * sizeof(uint64_t));
                while (now_usec() < end) {
                        sd_bus_error error = SD_BUS_ERROR_NULL;
                        sd_bus_message *reply = NULL;
                        uint64_t t = now_usec();
                        switch (flood ? calls % 4 : 0) {
                        case 0:
                                r = sd_bus_call_method(bus, DEST, PATH, IFACE, "ListInstances", &error, &reply, "");
                                break;
                        case 1:
                                r = sd_bus_call_method(bus, DEST, PATH, IFACE, "GetInstance", &error, &reply, "s", "nosuch");
                                break;
                        case 2:
                                /* root's instance: polkit says no to an ordinary user */
                                r = sd_bus_call_method(bus, DEST, PATH, IFACE, "StopInstance", &error, &reply, "s", "victim");
                                break;
                        default:
                                r = sd_bus_call_method(bus, DEST, PATH, IFACE, "AddInstance", &error, &reply,
                                                       "sasa{sv}", "x/y", 1, "/bin/true", 0);
                                break;
                        }
                        if (r < 0)
                                errors++;
                        if (lat && calls < cap)
                                lat[calls] = now_usec() - t;
                        calls++;
                        sd_bus_error_free(&error);
                        sd_bus_message_unref(reply);
                }
                if (flood)
                        printf("calls=%llu errors=%llu\n", (unsigned long long) calls, (unsigned long long) errors);
                else {
                        uint64_t k = calls < cap ? calls : cap;
                        qsort(lat, k, sizeof(uint64_t), cmp_u64);
                        printf("calls=%llu p50_ms=%.2f p99_ms=%.2f\n", (unsigned long long) calls,
                               lat[k / 2] / 1000.0, lat[(k * 99) / 100] / 1000.0);
                }
                free(lat);
                fflush(stdout);
                sd_bus_flush_close_unref(bus);
                return 0;
        }
        r = add_call(bus, argv[1], n);
        fflush(stdout);
        sd_bus_flush_close_unref(bus);
        return r < 0 ? 1 : 0;
}
