/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include "log.h"

static int log_max_level = LOG_INFO;
static bool log_to_journal = false;
static const char *log_identifier = NULL;

/* True when stderr is the stream systemd connected to the journal ($JOURNAL_STREAM), so that
 * native journal fields can be used instead of text on stderr. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

void log_setup(const char *identifier) {
        const char *e;

        log_identifier = identifier;
        log_to_journal = stderr_is_journal();
        e = getenv("ORCHD_LOG_LEVEL");
        if (e) {
                int l = log_level_from_string(e);
                if (l >= 0)
                        log_max_level = l;
        }
}

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

int log_level_from_string(const char *s) {
        static const char *const names[] = { "emerg", "alert", "crit", "err",
                                             "warning", "notice", "info", "debug" };
        char *end;
        long l;

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (int) i;
        errno = 0;
        l = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || l < LOG_EMERG || l > LOG_DEBUG)
                return -EINVAL;
        return (int) l;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        char buf[2048];
        va_list ap;
        int saved_errno = errno;

        error = abs(error);
        /* %m in the format expands to the error passed in, not to whatever errno is now. */
        errno = error;
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);

        if (log_to_journal) {
                char code_file[512], code_line[32];

                (void) snprintf(code_file, sizeof code_file, "CODE_FILE=%s", file);
                (void) snprintf(code_line, sizeof code_line, "CODE_LINE=%d", line);
                if (error > 0)
                        (void) sd_journal_send_with_location(code_file, code_line, func,
                                                             "MESSAGE=%s", buf,
                                                             "PRIORITY=%i", level,
                                                             "ERRNO=%i", error,
                                                             "SYSLOG_IDENTIFIER=%s", strempty(log_identifier),
                                                             NULL);
                else
                        (void) sd_journal_send_with_location(code_file, code_line, func,
                                                             "MESSAGE=%s", buf,
                                                             "PRIORITY=%i", level,
                                                             "SYSLOG_IDENTIFIER=%s", strempty(log_identifier),
                                                             NULL);
        } else
                fprintf(stderr, "%s\n", buf);

        errno = saved_errno;
        return -error;
}
