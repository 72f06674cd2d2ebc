/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The crashing program of bench/restart-gap.sh, and the summary of what it recorded.
 *
 *   restart-probe FILE            appends "START EXIT\n" (CLOCK_BOOTTIME, ns) to FILE and exits 1:
 *                                 START is taken first thing in main(), EXIT just before _exit()
 *   restart-probe stats FILE N    the gaps start(k+1) - exit(k) of the first N+1 runs in FILE:
 *                                 prints "GAPS P50 P99 MEAN MAX" (ms), GAPS < N if FILE holds
 *                                 fewer runs ("0 - - - -" for none)
 *
 * CLOCK_BOOTTIME is one clock for every process on the machine, whichever supervisor started it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_BOOTTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int compare_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least P % of the samples at or below it. */
static double percentile_ms(const int64_t *sorted, size_t n, unsigned p) {
        size_t rank = (n * p + 99) / 100;
        return (double) sorted[rank > 0 ? rank - 1 : 0] / 1e6;
}

static int stats(const char *path, const char *count) {
        char *end;
        unsigned long n;
        int64_t start, exit_, prev_exit = 0, *gaps;
        size_t runs = 0;
        double sum = 0;
        FILE *f;

        errno = 0;
        n = strtoul(count, &end, 10);
        if (errno != 0 || *end != '\0' || n == 0 || n > 10000000) {
                fprintf(stderr, "restart-probe: bad number of gaps '%s'\n", count);
                return 2;
        }
        f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "restart-probe: %s: %s\n", path, strerror(errno));
                return 1;
        }
        gaps = calloc(n, sizeof(int64_t));
        if (!gaps) {
                fclose(f);
                return 1;
        }
        while (runs < n + 1 && fscanf(f, "%" SCNd64 " %" SCNd64, &start, &exit_) == 2) {
                if (runs > 0) {
                        gaps[runs - 1] = start - prev_exit;
                        sum += (double) gaps[runs - 1];
                }
                prev_exit = exit_;
                runs++;
        }
        fclose(f);
        if (runs < 2) {
                printf("0 - - - -\n");
                free(gaps);
                return 0;
        }
        n = runs - 1;
        qsort(gaps, n, sizeof(int64_t), compare_i64);
        printf("%lu %.3f %.3f %.3f %.3f\n", n, percentile_ms(gaps, n, 50), percentile_ms(gaps, n, 99),
               sum / (double) n / 1e6, (double) gaps[n - 1] / 1e6);
        free(gaps);
        return 0;
}

int main(int argc, char *argv[]) {
        int64_t start = now_ns();
        char line[64];
        int fd, len;

        if (argc == 4 && strcmp(argv[1], "stats") == 0)
                return stats(argv[2], argv[3]);
        if (argc != 2) {
                fprintf(stderr, "Usage: restart-probe FILE | restart-probe stats FILE N\n");
                return 2;
        }
        fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return 1;
        /* One write: a line is whole even if runs overlap. */
        len = snprintf(line, sizeof line, "%" PRId64 " %" PRId64 "\n", start, now_ns());
        (void) !write(fd, line, (size_t) len);
        _exit(1);
}
