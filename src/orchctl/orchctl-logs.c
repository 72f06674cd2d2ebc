/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal of an instance: for status (the current run) and logs (all runs, or the current). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "orchctl.h"
#include "parse-util.h"

/* The value of FIELD in the current entry, allocated; NULL in *RET if the entry has no FIELD. */
static int journal_get_field(sd_journal *j, const char *field, char **ret, size_t *ret_len) {
        size_t flen = strlen(field), len;
        const void *data;
        char *v;
        int r;

        r = sd_journal_get_data(j, field, &data, &len);
        if (r == -ENOENT) {
                *ret = NULL;
                if (ret_len)
                        *ret_len = 0;
                return 0;
        }
        if (r < 0)
                return r;
        if (len < flen + 1 || memcmp(data, field, flen) != 0 || ((const char *) data)[flen] != '=')
                return -EBADMSG;

        v = strndup((const char *) data + flen + 1, len - flen - 1);
        if (!v)
                return -ENOMEM;
        *ret = v;
        if (ret_len)
                *ret_len = len - flen - 1; /* the value may hold NUL bytes */
        return 0;
}

/* The first of the fields present, as journalctl picks them. */
static int journal_get_first_field(sd_journal *j, const char *a, const char *b, char **ret) {
        int r;

        r = journal_get_field(j, a, ret, NULL);
        if (r < 0 || *ret)
                return r;
        return journal_get_field(j, b, ret, NULL);
}

static void print_message_text(const char *message, size_t len, size_t indent) {
        _cleanup_free_ char *e = NULL;

        /* One trailing newline is how many programs end a line; more lines are indented. */
        while (len > 0 && message[len - 1] == '\n')
                len--;
        e = escape_for_terminal(message, len, true);
        if (!e) {
                fputs("[out of memory]", stdout);
                return;
        }
        for (const char *p = e; *p; p++) {
                fputc(*p, stdout);
                if (*p == '\n')
                        printf("%*s", (int) indent, "");
        }
}

static int print_entry_json(sd_journal *j, uint64_t usec, const char *identifier, const char *pid,
                            const char *message, size_t message_len, JsonWriter *json) {
        _cleanup_free_ char *invocation = NULL;
        uint32_t p;
        int r;

        r = journal_get_first_field(j, "_SYSTEMD_INVOCATION_ID", "INVOCATION_ID", &invocation);
        if (r < 0)
                return r;

        json_begin_object(json);
        json_key(json, "timestamp_usec");
        json_unsigned(json, usec);
        json_key(json, "identifier");
        json_string(json, identifier);
        json_key(json, "pid");
        if (pid && parse_u32(pid, &p) >= 0)
                json_unsigned(json, p);
        else
                json_null(json);
        json_key(json, "invocation_id");
        json_string(json, invocation);
        json_key(json, "message");
        if (message)
                json_string_n(json, message, message_len);
        else
                json_null(json);
        json_end_object(json);
        return 0;
}

/* "MMM DD HH:MM:SS identifier[pid]: message", as journalctl's short output without the host. */
static int print_entry_text(uint64_t usec, const char *identifier, const char *pid, const char *message,
                            size_t message_len) {
        _cleanup_free_ char *id = NULL, *prefix = NULL;
        time_t t = (time_t) (usec / USEC_PER_SEC);
        char when[64] = "";
        struct tm tm;
        uint32_t p;
        int n;

        if (localtime_r(&t, &tm))
                (void) strftime(when, sizeof when, "%b %d %H:%M:%S", &tm);
        id = escape_for_terminal(strna(identifier), strlen(strna(identifier)), false);
        if (!id)
                return -ENOMEM;
        if (pid && parse_u32(pid, &p) >= 0)
                n = asprintf(&prefix, "%s %s[%" PRIu32 "]: ", when, id, p);
        else
                n = asprintf(&prefix, "%s %s: ", when, id);
        if (n < 0)
                return -ENOMEM;

        fputs(prefix, stdout);
        if (message)
                print_message_text(message, message_len, (size_t) n);
        fputc('\n', stdout);
        return 0;
}

static int print_entry(sd_journal *j, JsonWriter *json) {
        _cleanup_free_ char *identifier = NULL, *pid = NULL, *message = NULL;
        size_t message_len;
        uint64_t usec;
        int r;

        r = sd_journal_get_realtime_usec(j, &usec);
        if (r < 0)
                return r;
        r = journal_get_first_field(j, "SYSLOG_IDENTIFIER", "_COMM", &identifier);
        if (r < 0)
                return r;
        r = journal_get_first_field(j, "_PID", "SYSLOG_PID", &pid);
        if (r < 0)
                return r;
        r = journal_get_field(j, "MESSAGE", &message, &message_len);
        if (r < 0)
                return r;

        if (json)
                return print_entry_json(j, usec, identifier, pid, message, message_len, json);
        return print_entry_text(usec, identifier, pid, message, message_len);
}

/* As journalctl -u does: the unit's own processes, and what systemd (PID 1) said about the unit.
 * With an invocation id, only that run of both. */
static int add_matches(sd_journal *j, const char *unit, const char *invocation_id) {
        _cleanup_free_ char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL;
        bool this_run = !isempty(invocation_id);
        int r;

        if (asprintf(&m1, "_SYSTEMD_UNIT=%s", unit) < 0 ||
            asprintf(&m2, "UNIT=%s", unit) < 0)
                return -ENOMEM;
        if (this_run &&
            (asprintf(&m3, "_SYSTEMD_INVOCATION_ID=%s", invocation_id) < 0 ||
             asprintf(&m4, "INVOCATION_ID=%s", invocation_id) < 0))
                return -ENOMEM;

        r = sd_journal_add_match(j, m1, 0);
        if (r >= 0 && this_run)
                r = sd_journal_add_match(j, m3, 0);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        if (r >= 0)
                r = sd_journal_add_match(j, m2, 0);
        if (r >= 0)
                r = sd_journal_add_match(j, "_PID=1", 0);
        if (r >= 0 && this_run)
                r = sd_journal_add_match(j, m4, 0);
        return r;
}

int show_journal(const char *unit, const char *invocation_id, uint64_t n_lines, bool follow,
                 JsonWriter *json) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        bool have_current = false;
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_SYSTEM | SD_JOURNAL_LOCAL_ONLY);
        if (r < 0) {
                fprintf(stderr, "Failed to open the journal: %s\n", strerror(-r));
                return r;
        }
        r = add_matches(j, unit, invocation_id);
        if (r < 0) {
                fprintf(stderr, "Failed to set up the journal query: %s\n", strerror(-r));
                return r;
        }

        if (!arg.quiet && !arg.no_legend &&
            sd_journal_has_runtime_files(j) <= 0 && sd_journal_has_persistent_files(j) <= 0) {
                fflush(stdout); /* after what is already printed */
                fprintf(stderr, "Hint: no journal files could be opened%s.\n",
                        geteuid() != 0 ? "; users in the groups 'systemd-journal' or 'adm' can read the "
                                         "system journal" : "");
        }

        if (n_lines == LINES_ALL)
                r = sd_journal_seek_head(j);
        else {
                r = sd_journal_seek_tail(j);
                if (r >= 0 && n_lines > 0) {
                        /* Back N entries from the end: the read position is then on the first of
                         * them, if there are any. */
                        r = sd_journal_previous_skip(j, n_lines);
                        have_current = r > 0;
                } else if (r >= 0)
                        /* No old entries, but the next ones after the last one. */
                        r = sd_journal_previous(j);
        }
        if (r < 0) {
                fprintf(stderr, "Failed to seek in the journal: %s\n", strerror(-r));
                return r;
        }

        for (;;) {
                for (;;) {
                        if (have_current)
                                have_current = false;
                        else {
                                r = sd_journal_next(j);
                                if (r < 0) {
                                        fprintf(stderr, "Failed to read the journal: %s\n", strerror(-r));
                                        return r;
                                }
                                if (r == 0)
                                        break;
                        }
                        r = print_entry(j, json);
                        if (r == -ENOMEM)
                                return log_oom();
                        /* An entry that cannot be read (corrupt, rotated away) is skipped. */
                }
                if (!follow)
                        break;

                if (fflush(stdout) != 0)
                        return -errno;
                r = sd_journal_wait(j, UINT64_MAX);
                if (r < 0) {
                        fprintf(stderr, "Failed to wait for the journal: %s\n", strerror(-r));
                        return r;
                }
        }
        return 0;
}

int verb_logs(int argc, char *argv[], void *userdata) {
        _cleanup_(instance_info_done) InstanceInfo info = {};
        uint64_t lines = arg.lines_set ? arg.lines : 50;
        JsonWriter json;
        sd_bus *bus;
        int r;

        (void) argc, (void) userdata;

        if (arg.host) {
                fprintf(stderr, "orchctl reads the journal of this machine only; on %s, run "
                        "'journalctl -u orchd-NAME.service'.\n", arg.host);
                return -EINVAL;
        }

        r = orchctl_bus(&bus);
        if (r < 0)
                return -r;
        r = instance_info_read(bus, argv[1], &info);
        if (r != 0)
                return r;

        if (arg.this_run && isempty(info.invocation_id)) {
                if (!arg.quiet)
                        fprintf(stderr, "Instance %s has not run yet, or systemd has forgotten its last run.\n",
                                info.name);
                return ORCHCTL_EXIT_SUCCESS;
        }

        if (arg.json != JSON_FORMAT_OFF)
                json_writer_init(&json, stdout, arg.json);
        r = show_journal(info.unit, arg.this_run ? info.invocation_id : NULL, lines, arg.follow,
                         arg.json != JSON_FORMAT_OFF ? &json : NULL);
        return r < 0 ? ORCHCTL_EXIT_FAILURE : ORCHCTL_EXIT_SUCCESS;
}
