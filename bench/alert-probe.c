/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The programs of bench/alert-latency.sh: the instance that fails, the operator's exec channel
 * command that records when it ran, and a wait for that record.
 *
 *   alert-probe fail FILE NAME    appends "NAME EXIT\n" to FILE and exits 1 (EXIT: CLOCK_REALTIME,
 *                                 ns, just before _exit())
 *   alert-probe notify FILE       the contact's Exec=: appends
 *                                 "INSTANCE START EVENT COUNT HASEXIT ALERT_ID\n" to FILE, from
 *                                 $ORCHD_INSTANCE, $ORCHD_ALERT_EVENT, $ORCHD_ALERT_COUNT,
 *                                 $ORCHD_ALERT_ID ("-" for an empty one); START: CLOCK_REALTIME (ns),
 *                                 taken first thing in main(); HASEXIT: 1 if $ORCHD_ALERT_LOG holds
 *                                 systemd's "Main process exited" line of the run, else 0
 *   alert-probe wait FILE NAME MS until FILE has a line starting with "NAME ": exit 0, or 1 after
 *                                 MS milliseconds (inotify, no polling)
 *
 * CLOCK_REALTIME, as the journal's __REALTIME_TIMESTAMP the script compares it with. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(clockid_t clock) {
        struct timespec ts;
        (void) clock_gettime(clock, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One write with O_APPEND: a line is whole even if two writers overlap. */
static int append_line(const char *path, const char *line, size_t len) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, line, len);
        close(fd);
        return n == (ssize_t) len ? 0 : -1;
}

static const char *env_or_dash(const char *name) {
        const char *v = getenv(name);
        return v && *v ? v : "-";
}

static int notify(int64_t start, const char *path) {
        const char *log = getenv("ORCHD_ALERT_LOG");
        char line[512];
        int len;

        len = snprintf(line, sizeof line, "%s %" PRId64 " %s %s %d %s\n", env_or_dash("ORCHD_INSTANCE"), start,
                       env_or_dash("ORCHD_ALERT_EVENT"), env_or_dash("ORCHD_ALERT_COUNT"),
                       log && strstr(log, "Main process exited") ? 1 : 0, env_or_dash("ORCHD_ALERT_ID"));
        if (len < 0 || (size_t) len >= sizeof line)
                return 1;
        return append_line(path, line, (size_t) len) < 0 ? 1 : 0;
}

static int file_has(const char *path, const char *name) {
        size_t n = strlen(name);
        char line[1024];
        int found = 0;
        FILE *f = fopen(path, "re");

        if (!f)
                return 0;
        while (!found && fgets(line, sizeof line, f))
                found = strncmp(line, name, n) == 0 && line[n] == ' ';
        fclose(f);
        return found;
}

static int wait_for(const char *path, const char *name, const char *ms_arg) {
        char *end;
        long ms = strtol(ms_arg, &end, 10);
        int64_t deadline;
        int fd;

        if (*end != '\0' || ms <= 0) {
                fprintf(stderr, "alert-probe: bad timeout '%s'\n", ms_arg);
                return 2;
        }
        deadline = now_ns(CLOCK_MONOTONIC) + (int64_t) ms * 1000000;
        fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0 || inotify_add_watch(fd, path, IN_MODIFY) < 0) {
                fprintf(stderr, "alert-probe: watch %s: %s\n", path, strerror(errno));
                return 2;
        }
        for (;;) {
                char buf[4096];
                int64_t left;

                /* Checked after the watch is set: no record is missed in between. */
                if (file_has(path, name)) {
                        close(fd);
                        return 0;
                }
                left = deadline - now_ns(CLOCK_MONOTONIC);
                if (left <= 0)
                        break;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                (void) poll(&p, 1, (int) ((left + 999999) / 1000000));
                while (read(fd, buf, sizeof buf) > 0)
                        ;
        }
        close(fd);
        return 1;
}

int main(int argc, char *argv[]) {
        int64_t start = now_ns(CLOCK_REALTIME);

        if (argc == 3 && strcmp(argv[1], "notify") == 0)
                return notify(start, argv[2]);
        if (argc == 4 && strcmp(argv[1], "fail") == 0) {
                char line[256];
                int len = snprintf(line, sizeof line, "%s %" PRId64 "\n", argv[3], now_ns(CLOCK_REALTIME));
                if (len > 0 && (size_t) len < sizeof line)
                        (void) append_line(argv[2], line, (size_t) len);
                _exit(1);
        }
        if (argc == 5 && strcmp(argv[1], "wait") == 0)
                return wait_for(argv[2], argv[3], argv[4]);
        fprintf(stderr, "Usage: alert-probe fail FILE NAME | notify FILE | wait FILE NAME MS\n");
        return 2;
}
