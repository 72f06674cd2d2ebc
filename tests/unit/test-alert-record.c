/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Alert and contact records: a round trip is a fixed point to the byte; every rule is enforced
 * both when writing and when reading, with a reason; damaged files are refused whole; the store
 * keeps alerts, contacts and instances apart. File tests work in a directory given as argv[1] or
 * $ALERT_RECORD_TEST_DIR, else in a new one under the current directory (meson runs tests in the
 * build dir); never in /tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert-record.h"
#include "log.h"
#include "store.h"
#include "uuid7.h"

static char **strv_make(const char *first, ...) {
        va_list ap;
        size_t n = 0;
        char **l = calloc(64, sizeof(char *));

        assert_non_null(l);
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *)) {
                l[n] = strdup(s);
                assert_non_null(l[n++]);
        }
        va_end(ap);
        return l;
}

static char *new_id(void) {
        char id[UUID7_STRING_SIZE];

        assert_int_equal(uuid7_generate(id), 0);
        return strdup(id);
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);

        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static void replace(char **field, const char *v) {
        free(*field);
        *field = v ? strdup(v) : NULL;
}

/* Open at level 1, waiting for the acknowledgement timeout: only what is required. */
static void minimal_alert(AlertRecord *r) {
        alert_record_init(r);
        r->id = new_id();
        r->instance_id = new_id();
        r->instance_name = strdup("m");
        r->progress = (AlertProgress) { .state = ALERT_OPEN, .level = 1, .next_action_usec = 1 };
        r->message = strdup("");
        r->raised_usec = 1;
        r->failures = 1;
}

/* Resolved, with every field set, and text GKeyFile must escape. */
static void full_alert(AlertRecord *r) {
        alert_record_init(r);
        r->id = new_id();
        r->instance_id = new_id();
        r->instance_name = strdup("robot-1.arm_2");
        r->progress = (AlertProgress) { .state = ALERT_RESOLVED, .level = 2, .next_action_usec = 0 };
        r->message = strdup("  robot gave up; \"exit-code\" \\ ünïcödé ✓ #1 [x] a=b ");
        r->log_lines = strv_make("a;b", "back\\slash", "tab\there\t", "\tleading tab", " leading space", "trailing space ",
                                 "   ", "", "ünïcödé ✓ 日本語", "#not a comment", "[not a group]", "key=value",
                                 ";", "\\", "\\;", "x;;y", "\\s \\n \\t literal escapes", "😀 outside the BMP",
                                 NULL);
        memcpy(r->invocation_id, "0123456789abcdef0123456789abcdef", 33);
        r->raised_usec = UINT64_C(1763800000000000);
        r->escalated_usec = UINT64_C(1763800300000000);
        r->acknowledged_usec = UINT64_C(1763800400000000);
        r->resolved_usec = UINT64_MAX;
        r->acknowledged_by = strdup("uid 1000 (alice)");
        r->resolved_by = strdup("orchd");
        r->note = strdup(" rebooted the arm; see ticket #42 \\ é ");
        r->failures = UINT32_MAX;
        r->notifications = 17;
}

static void assert_strv_equal(char **a, char **b) {
        /* NULL and empty differ: a field that was unset must stay unset. */
        assert_int_equal(!a, !b);
        assert_int_equal(strv_length(a), strv_length(b));
        for (size_t k = 0; a && a[k]; k++)
                assert_string_equal(a[k], b[k]);
}

static void assert_str_equal_or_null(const char *a, const char *b) {
        assert_int_equal(!a, !b);
        if (a)
                assert_string_equal(a, b);
}

static void assert_alerts_equal(const AlertRecord *a, const AlertRecord *b) {
        assert_string_equal(a->id, b->id);
        assert_string_equal(a->instance_id, b->instance_id);
        assert_string_equal(a->instance_name, b->instance_name);
        assert_int_equal(a->progress.state, b->progress.state);
        assert_int_equal(a->progress.level, b->progress.level);
        assert_int_equal(a->progress.next_action_usec, b->progress.next_action_usec);
        assert_string_equal(a->message, b->message);
        assert_strv_equal(a->log_lines, b->log_lines);
        assert_string_equal(a->invocation_id, b->invocation_id);
        assert_int_equal(a->raised_usec, b->raised_usec);
        assert_int_equal(a->escalated_usec, b->escalated_usec);
        assert_int_equal(a->acknowledged_usec, b->acknowledged_usec);
        assert_int_equal(a->resolved_usec, b->resolved_usec);
        assert_str_equal_or_null(a->acknowledged_by, b->acknowledged_by);
        assert_str_equal_or_null(a->resolved_by, b->resolved_by);
        assert_str_equal_or_null(a->note, b->note);
        assert_int_equal(a->failures, b->failures);
        assert_int_equal(a->notifications, b->notifications);
}

/* to_data, from_data, to_data again: the record and the bytes are the same. */
static void assert_alert_fixed_point(const AlertRecord *a) {
        AlertRecord b;
        char *data1, *data2;
        size_t size1, size2;
        const char *reason = NULL;

        assert_int_equal(alert_record_to_data(a, &data1, &size1, &reason), 0);
        assert_null(reason);
        assert_int_equal(strlen(data1), size1);
        assert_int_equal(alert_record_from_data(data1, size1, &b, &reason), 0);
        assert_null(reason);
        assert_alerts_equal(a, &b);
        assert_int_equal(alert_record_to_data(&b, &data2, &size2, &reason), 0);
        assert_int_equal(size1, size2);
        assert_memory_equal(data1, data2, size1);
        free(data1);
        free(data2);
        alert_record_done(&b);
}

static void test_alert_round_trip(void **state) {
        AlertRecord a;
        (void) state;

        full_alert(&a);
        assert_alert_fixed_point(&a);
        alert_record_done(&a);

        minimal_alert(&a);
        assert_alert_fixed_point(&a);
        /* An empty list stays an empty list, one empty line one empty line. */
        a.log_lines = strv_make(NULL);
        assert_alert_fixed_point(&a);
        strv_free(a.log_lines);
        a.log_lines = strv_make("", NULL);
        assert_alert_fixed_point(&a);
        strv_free(a.log_lines);
        a.log_lines = NULL;
        /* Empty strings stay empty, not unset. */
        a.note = strdup("");
        a.acknowledged_by = strdup("");
        assert_alert_fixed_point(&a);
        alert_record_done(&a);

        /* The limits themselves are fine. */
        full_alert(&a);
        strv_free(a.log_lines);
        a.log_lines = calloc(ALERT_LOG_LINES_MAX + 1, sizeof(char *));
        for (size_t i = 0; i < ALERT_LOG_LINES_MAX; i++)
                a.log_lines[i] = repeat(i % 2 ? ';' : '\\', ALERT_LOG_LINE_MAX);
        free(a.message);
        a.message = repeat('m', ALERT_MESSAGE_MAX);
        free(a.note);
        a.note = repeat(' ', ALERT_NOTE_MAX);
        free(a.acknowledged_by);
        a.acknowledged_by = repeat('a', ALERT_ACTOR_MAX);
        free(a.resolved_by);
        a.resolved_by = repeat('r', ALERT_ACTOR_MAX);
        assert_alert_fixed_point(&a);
        /* A multi-byte character ending exactly at the limit. */
        free(a.log_lines[0]);
        a.log_lines[0] = repeat('x', ALERT_LOG_LINE_MAX);
        memcpy(a.log_lines[0] + ALERT_LOG_LINE_MAX - 3, "✓", 3);
        assert_alert_fixed_point(&a);
        alert_record_done(&a);

        /* Every state the machine can be in. */
        minimal_alert(&a);
        a.progress = (AlertProgress) { .state = ALERT_OPEN, .level = 2, .next_action_usec = 0 };
        assert_alert_fixed_point(&a);
        a.progress = (AlertProgress) { .state = ALERT_OPEN, .level = 2, .next_action_usec = UINT64_MAX };
        assert_alert_fixed_point(&a);
        a.progress = (AlertProgress) { .state = ALERT_ACKNOWLEDGED, .level = 1, .next_action_usec = 0 };
        a.acknowledged_usec = 5;
        assert_alert_fixed_point(&a);
        /* Escalated after an acknowledgement: open again, and still says who acknowledged. */
        a.progress = (AlertProgress) { .state = ALERT_OPEN, .level = 2, .next_action_usec = 9 };
        a.acknowledged_by = strdup("uid 0 (root)");
        assert_alert_fixed_point(&a);
        a.progress = (AlertProgress) { .state = ALERT_RESOLVED, .level = 1, .next_action_usec = 0 };
        a.resolved_usec = 7;
        assert_alert_fixed_point(&a);
        alert_record_done(&a);
}

static void test_alert_file_format(void **state) {
        AlertRecord a;
        char *data;
        size_t size;
        (void) state;

        /* What an operator sees in the state directory: one group, the keys in a fixed order,
         * the escapes of GKeyFile. */
        minimal_alert(&a);
        replace(&a.id, "01890a5d-ac96-774b-bcce-b302099a8057");
        replace(&a.instance_id, "01890a5d-ac96-774b-bcce-b302099a8058");
        replace(&a.message, " a\\b; c");
        a.log_lines = strv_make("x;y", " z", "é\t", "\tt", NULL);
        a.progress = (AlertProgress) { .state = ALERT_ACKNOWLEDGED, .level = 2 };
        a.acknowledged_usec = 12;
        a.acknowledged_by = strdup("uid 1000 (alice)");
        a.notifications = 3;
        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), 0);
        assert_string_equal(data,
                            "[Alert]\n"
                            "Id=01890a5d-ac96-774b-bcce-b302099a8057\n"
                            "InstanceId=01890a5d-ac96-774b-bcce-b302099a8058\n"
                            "InstanceName=m\n"
                            "State=acknowledged\n"
                            "Level=2\n"
                            "NextActionUSec=0\n"
                            "Message=\\sa\\\\b; c\n"
                            "LogLines=x\\;y;\\sz;é\t;\\tt;\n"
                            "InvocationID=\n"
                            "RaisedUSec=1\n"
                            "EscalatedUSec=0\n"
                            "AcknowledgedUSec=12\n"
                            "ResolvedUSec=0\n"
                            "AcknowledgedBy=uid 1000 (alice)\n"
                            "Failures=1\n"
                            "Notifications=3\n");
        free(data);
        alert_record_done(&a);
}

/* The valid file DATA with the line "KEY=..." replaced by "KEY=VALUE", removed (VALUE NULL), or,
 * if there is none, added at the end. */
static char *with_line(const char *data, const char *key, const char *value) {
        char *prefix, *s;
        const char *p = data, *end;

        assert_true(asprintf(&prefix, "%s=", key) > 0);
        for (;;) {
                if (strncmp(p, prefix, strlen(prefix)) == 0)
                        break;
                p = strchr(p, '\n');
                if (!p || !*++p) {
                        p = NULL;
                        break;
                }
        }
        free(prefix);
        if (!p) {
                assert_non_null(value);
                assert_true(asprintf(&s, "%s%s=%s\n", data, key, value) > 0);
                return s;
        }
        end = strchr(p, '\n') + 1;
        if (value)
                assert_true(asprintf(&s, "%.*s%s=%s\n%s", (int) (p - data), data, key, value, end) > 0);
        else
                assert_true(asprintf(&s, "%.*s%s", (int) (p - data), data, end) > 0);
        return s;
}

static void assert_alert_rejected(const char *data, const char *expected_reason) {
        AlertRecord b;
        const char *reason = NULL;

        alert_record_init(&b);
        b.failures = 77;
        assert_int_equal(alert_record_from_data(data, strlen(data), &b, &reason), -EINVAL);
        assert_non_null(reason);
        if (expected_reason)
                assert_string_equal(reason, expected_reason);
        assert_int_equal(b.failures, 77);       /* untouched */
        assert_null(b.id);
}

#define TEXT_REASON(key, max) key " is not one line of at most " max " bytes of UTF-8 without control characters"
#define LOG_LINE_REASON "LogLines has a line that is longer than 1024 bytes, not UTF-8, or has control characters other than tab"
#define PROGRESS_REASON "State, Level and NextActionUSec are not a state an alert can be in"

/* One rule each: the record changed by MUTATE is refused by to_data with REASON; the file of the
 * unchanged record with KEY set to VALUE (NULL: removed) is refused by from_data with
 * FILE_REASON (NULL: REASON). MUTATE or KEY may be NULL where only one direction applies. */
typedef struct AlertCase {
        const char *what;
        bool full;                      /* start from full_alert(), not minimal_alert() */
        void (*mutate)(AlertRecord *r);
        const char *reason;
        const char *key;
        const char *value;
        const char *file_reason;
} AlertCase;

static void bad_id(AlertRecord *r) { replace(&r->id, "not-a-uuid"); }
static void v4_id(AlertRecord *r) { r->id[14] = '4'; }
static void no_id(AlertRecord *r) { replace(&r->id, NULL); }
static void upper_id(AlertRecord *r) { for (char *p = r->id; *p; p++) *p = (char) toupper((unsigned char) *p); }
static void bad_instance_id(AlertRecord *r) { replace(&r->instance_id, "01890a5d-ac96-774b-bcce-b302099a805"); }
static void bad_instance_name(AlertRecord *r) { replace(&r->instance_name, "../robot"); }
static void empty_instance_name(AlertRecord *r) { replace(&r->instance_name, ""); }
static void long_instance_name(AlertRecord *r) { free(r->instance_name); r->instance_name = repeat('n', 65); }
static void level_0(AlertRecord *r) { r->progress.level = 0; }
static void level_3(AlertRecord *r) { r->progress.level = 3; }
static void bad_state(AlertRecord *r) { r->progress.state = _ALERT_STATE_MAX; }
static void open_without_timer(AlertRecord *r) { r->progress.next_action_usec = 0; }
static void resolved_with_timer(AlertRecord *r) { r->progress.next_action_usec = 5; }
static void no_message(AlertRecord *r) { replace(&r->message, NULL); }
static void message_newline(AlertRecord *r) { replace(&r->message, "a\nb"); }
static void message_cr(AlertRecord *r) { replace(&r->message, "a\rb"); }
static void message_tab(AlertRecord *r) { replace(&r->message, "a\tb"); }
static void message_esc(AlertRecord *r) { replace(&r->message, "\x1b[31mred"); }
static void message_del(AlertRecord *r) { replace(&r->message, "a\x7f"); }
static void message_c1(AlertRecord *r) { replace(&r->message, "a\xc2\x85" "b"); }
static void message_bad_utf8(AlertRecord *r) { replace(&r->message, "a\xff"); }
static void message_overlong(AlertRecord *r) { replace(&r->message, "\xc0\xaf"); }
static void message_too_long(AlertRecord *r) { free(r->message); r->message = repeat('m', ALERT_MESSAGE_MAX + 1); }
static void lines_too_many(AlertRecord *r) {
        strv_free(r->log_lines);
        r->log_lines = calloc(ALERT_LOG_LINES_MAX + 2, sizeof(char *));
        for (size_t i = 0; i <= ALERT_LOG_LINES_MAX; i++)
                r->log_lines[i] = strdup("x");
}
static void line_too_long(AlertRecord *r) { free(r->log_lines[3]); r->log_lines[3] = repeat('l', ALERT_LOG_LINE_MAX + 1); }
static void line_newline(AlertRecord *r) { replace(&r->log_lines[0], "a\nb"); }
static void line_cr(AlertRecord *r) { replace(&r->log_lines[0], "a\r"); }
static void line_ctrl(AlertRecord *r) { replace(&r->log_lines[0], "\x01"); }
static void line_c1(AlertRecord *r) { replace(&r->log_lines[0], "\xc2\x9f"); }
static void line_bad_utf8(AlertRecord *r) { replace(&r->log_lines[0], "\xed\xa0\x80"); /* a surrogate */ }
static void invocation_upper(AlertRecord *r) { memcpy(r->invocation_id, "0123456789ABCDEF0123456789abcdef", 33); }
static void invocation_short(AlertRecord *r) { memcpy(r->invocation_id, "0123456789abcdef0123456789abcde", 32); }
static void invocation_unterminated(AlertRecord *r) { memset(r->invocation_id, 'a', sizeof r->invocation_id); }
static void raised_0(AlertRecord *r) { r->raised_usec = 0; }
static void resolved_without_time(AlertRecord *r) { r->resolved_usec = 0; }
static void open_with_resolved_time(AlertRecord *r) { r->resolved_usec = 1; }
static void acknowledged_without_time(AlertRecord *r) {
        r->progress = (AlertProgress) { .state = ALERT_ACKNOWLEDGED, .level = 1 };
}
static void acknowledged_by_newline(AlertRecord *r) { replace(&r->acknowledged_by, "alice\nbob"); }
static void acknowledged_by_too_long(AlertRecord *r) { free(r->acknowledged_by); r->acknowledged_by = repeat('a', ALERT_ACTOR_MAX + 1); }
static void resolved_by_ctrl(AlertRecord *r) { replace(&r->resolved_by, "orchd\x07"); }
static void note_newline(AlertRecord *r) { replace(&r->note, "line 1\nline 2"); }
static void note_too_long(AlertRecord *r) { free(r->note); r->note = repeat('n', ALERT_NOTE_MAX + 1); }
static void note_bad_utf8(AlertRecord *r) { replace(&r->note, "\xe2\x82"); }
static void failures_0(AlertRecord *r) { r->failures = 0; }

static const AlertCase alert_cases[] = {
        { "Id not a UUID", false, bad_id, "Id is not a UUIDv7", "Id", "not-a-uuid", NULL },
        { "Id a UUIDv4", false, v4_id, "Id is not a UUIDv7", "Id", "01890a5d-ac96-474b-bcce-b302099a8057", NULL },
        { "Id in upper case", false, upper_id, "Id is not a UUIDv7", "Id", "01890A5D-AC96-774B-BCCE-B302099A8057", NULL },
        { "Id missing", false, no_id, "Id is not a UUIDv7", "Id", NULL, "Id is missing or not valid" },
        { "InstanceId too short", false, bad_instance_id, "InstanceId is not a UUIDv7",
          "InstanceId", "01890a5d-ac96-774b-bcce-b302099a805", NULL },
        { "InstanceId missing", false, NULL, NULL, "InstanceId", NULL, "InstanceId is missing or not valid" },
        { "InstanceName a path", false, bad_instance_name, "InstanceName is not a valid instance name",
          "InstanceName", "../robot", NULL },
        { "InstanceName empty", false, empty_instance_name, "InstanceName is not a valid instance name",
          "InstanceName", "", NULL },
        { "InstanceName too long", false, long_instance_name, "InstanceName is not a valid instance name",
          "InstanceName", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", NULL },
        { "State unknown", false, bad_state, PROGRESS_REASON, "State", "closed", "State is missing or not valid" },
        { "State in upper case", false, NULL, NULL, "State", "Open", "State is missing or not valid" },
        { "State missing", false, NULL, NULL, "State", NULL, "State is missing or not valid" },
        { "Level 0", false, level_0, PROGRESS_REASON, "Level", "0", NULL },
        { "Level 3", false, level_3, PROGRESS_REASON, "Level", "3", "Level is missing or not valid" },
        { "Level not a number", false, NULL, NULL, "Level", "one", "Level is missing or not valid" },
        { "open below the top without a timer", false, open_without_timer, PROGRESS_REASON,
          "NextActionUSec", "0", NULL },
        { "resolved with a timer", true, resolved_with_timer, PROGRESS_REASON, "NextActionUSec", "5", NULL },
        { "NextActionUSec negative", false, NULL, NULL, "NextActionUSec", "-1", "NextActionUSec is missing or not valid" },
        { "NextActionUSec beyond 64 bits", false, NULL, NULL, "NextActionUSec", "18446744073709551616",
          "NextActionUSec is missing or not valid" },
        { "Message missing", false, no_message, "Message is missing", "Message", NULL, "Message is missing or not valid" },
        { "Message with a newline", false, message_newline, TEXT_REASON("Message", "1024"), "Message", "a\\nb", NULL },
        { "Message with a CR", false, message_cr, TEXT_REASON("Message", "1024"), "Message", "a\\rb", NULL },
        { "Message with a tab", false, message_tab, TEXT_REASON("Message", "1024"), "Message", "a\\tb", NULL },
        { "Message with an escape sequence", false, message_esc, TEXT_REASON("Message", "1024"),
          "Message", "\x1b[31mred", NULL },
        { "Message with DEL", false, message_del, TEXT_REASON("Message", "1024"), "Message", "a\x7f", NULL },
        { "Message with a C1 control", false, message_c1, TEXT_REASON("Message", "1024"), "Message", "a\xc2\x85" "b", NULL },
        { "Message not UTF-8", false, message_bad_utf8, TEXT_REASON("Message", "1024"), "Message", "a\xff",
          "Message is missing or not valid" },
        { "Message overlong UTF-8", false, message_overlong, TEXT_REASON("Message", "1024"), "Message", "\xc0\xaf",
          "Message is missing or not valid" },
        { "Message with an unknown escape", false, NULL, NULL, "Message", "\\q", "Message is missing or not valid" },
        { "Message too long", false, message_too_long, TEXT_REASON("Message", "1024"), NULL, NULL, NULL },
        { "LogLines too many", true, lines_too_many, "LogLines has more than 20 lines",
          "LogLines", "1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;", NULL },
        { "a log line too long", true, line_too_long, LOG_LINE_REASON, NULL, NULL, NULL },
        { "a log line with a newline", true, line_newline, LOG_LINE_REASON, "LogLines", "a;b\\nc;", NULL },
        { "a log line with a CR", true, line_cr, LOG_LINE_REASON, "LogLines", "a\\r;", NULL },
        { "a log line with a C0 control", true, line_ctrl, LOG_LINE_REASON, "LogLines", "\x01;", NULL },
        { "a log line with a C1 control", true, line_c1, LOG_LINE_REASON, "LogLines", "\xc2\x9f;", NULL },
        { "a log line not UTF-8", true, line_bad_utf8, LOG_LINE_REASON, "LogLines", "ok;\xed\xa0\x80;",
          "LogLines is missing or not valid" },
        { "a log line with an unknown escape", true, NULL, NULL, "LogLines", "\\q;", "LogLines is missing or not valid" },
        { "InvocationID in upper case", true, invocation_upper, "InvocationID is not an invocation id",
          "InvocationID", "0123456789ABCDEF0123456789abcdef", NULL },
        { "InvocationID too short", true, invocation_short, "InvocationID is not an invocation id",
          "InvocationID", "0123456789abcdef0123456789abcde", NULL },
        { "InvocationID unterminated / too long", true, invocation_unterminated, "InvocationID is not an invocation id",
          "InvocationID", "0123456789abcdef0123456789abcdef0", "InvocationID is missing or not valid" },
        { "InvocationID missing", true, NULL, NULL, "InvocationID", NULL, "InvocationID is missing or not valid" },
        { "RaisedUSec 0", false, raised_0, "RaisedUSec is 0", "RaisedUSec", "0", NULL },
        { "RaisedUSec with a leading zero", false, NULL, NULL, "RaisedUSec", "01", "RaisedUSec is missing or not valid" },
        { "RaisedUSec with a sign", false, NULL, NULL, "RaisedUSec", "+1", "RaisedUSec is missing or not valid" },
        { "RaisedUSec with a space", false, NULL, NULL, "RaisedUSec", "1 ", "RaisedUSec is missing or not valid" },
        { "EscalatedUSec missing", false, NULL, NULL, "EscalatedUSec", NULL, "EscalatedUSec is missing or not valid" },
        { "resolved without ResolvedUSec", true, resolved_without_time, "the alert is resolved but ResolvedUSec is 0",
          "ResolvedUSec", "0", NULL },
        { "open with ResolvedUSec", false, open_with_resolved_time, "the alert is not resolved but has a ResolvedUSec",
          "ResolvedUSec", "1", NULL },
        { "acknowledged without AcknowledgedUSec", false, acknowledged_without_time,
          "the alert is acknowledged but AcknowledgedUSec is 0", NULL, NULL, NULL },
        { "AcknowledgedBy with a newline", true, acknowledged_by_newline, TEXT_REASON("AcknowledgedBy", "256"),
          "AcknowledgedBy", "alice\\nbob", NULL },
        { "AcknowledgedBy too long", true, acknowledged_by_too_long, TEXT_REASON("AcknowledgedBy", "256"), NULL, NULL, NULL },
        { "ResolvedBy with BEL", true, resolved_by_ctrl, TEXT_REASON("ResolvedBy", "256"), "ResolvedBy", "orchd\x07", NULL },
        { "Note with a newline", true, note_newline, TEXT_REASON("Note", "1024"), "Note", "line 1\\nline 2", NULL },
        { "Note too long", true, note_too_long, TEXT_REASON("Note", "1024"), NULL, NULL, NULL },
        { "Note cut inside a character", true, note_bad_utf8, TEXT_REASON("Note", "1024"), "Note", "\xe2\x82",
          "Note is missing or not valid" },
        { "Failures 0", false, failures_0, "Failures is 0", "Failures", "0", NULL },
        { "Failures beyond 32 bits", false, NULL, NULL, "Failures", "4294967296", "Failures is missing or not valid" },
        { "Notifications missing", false, NULL, NULL, "Notifications", NULL, "Notifications is missing or not valid" },
        { "Notifications negative", false, NULL, NULL, "Notifications", "-1", "Notifications is missing or not valid" },
};

static void test_alert_rules(void **state) {
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(alert_cases); i++) {
                const AlertCase *c = &alert_cases[i];
                AlertRecord a;
                char *data = NULL, *s;
                size_t size = 0;
                const char *reason = NULL;

                print_message("# %s\n", c->what);
                if (c->full)
                        full_alert(&a);
                else
                        minimal_alert(&a);
                /* The two ids of the file cases, so that their values make sense there. */
                replace(&a.id, "01890a5d-ac96-774b-bcce-b302099a8057");
                replace(&a.instance_id, "01890a5d-ac96-774b-bcce-b302099a8058");

                if (c->key) {
                        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), 0);
                        s = with_line(data, c->key, c->value);
                        assert_alert_rejected(s, c->file_reason ?: c->reason);
                        free(s);
                        free(data);
                        data = NULL;
                }
                if (c->mutate) {
                        c->mutate(&a);
                        assert_int_equal(alert_record_to_data(&a, &data, &size, &reason), -EINVAL);
                        assert_null(data);
                        assert_non_null(reason);
                        assert_string_equal(reason, c->reason);
                        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), -EINVAL);
                }
                alert_record_done(&a);
        }
}

static void test_alert_structure(void **state) {
        AlertRecord a;
        char *data, *s;
        size_t size;
        (void) state;

        full_alert(&a);
        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), 0);

        assert_true(asprintf(&s, "%sFrobnicate=1\n", data) > 0);
        assert_alert_rejected(s, "the file has an unknown or repeated key");
        free(s);
        /* GKeyFile would let the last of a repeated key win, and merge a repeated group. */
        assert_true(asprintf(&s, "%sFailures=2\n", data) > 0);
        assert_alert_rejected(s, "the file has an unknown or repeated key");
        free(s);
        assert_true(asprintf(&s, "%s\n[Alert]\nFailures=2\n", data) > 0);
        assert_alert_rejected(s, "the file has a group more than once");
        free(s);
        assert_true(asprintf(&s, "%s[Alert]\n", data) > 0);
        assert_alert_rejected(s, "the file has a group more than once");
        free(s);
        assert_true(asprintf(&s, "%s[Other]\nA=1\n", data) > 0);
        assert_alert_rejected(s, "the file has an unknown group");
        free(s);
        assert_true(asprintf(&s, "%s[Contact]\nName=x\n", data) > 0);
        assert_alert_rejected(s, "the file has an unknown group");
        free(s);
        /* A localized key is another key. */
        assert_true(asprintf(&s, "%sMessage[de]=x\n", data) > 0);
        assert_alert_rejected(s, "the file has an unknown or repeated key");
        free(s);
        /* Keys are case-sensitive. */
        s = with_line(data, "Note", NULL);
        free(data);
        assert_true(asprintf(&data, "%snote=x\n", s) > 0);
        free(s);
        assert_alert_rejected(data, "the file has an unknown or repeated key");
        free(data);
        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), 0);

        assert_alert_rejected("", "the file is empty");
        assert_alert_rejected("\n", "the file lacks the [Alert] group");
        assert_alert_rejected("# a comment\n", "the file lacks the [Alert] group");
        assert_alert_rejected("Id=x\n", "the file is not a valid key file");
        assert_alert_rejected("[Alert\n", "the file is not a valid key file");
        assert_alert_rejected("[Alert]\n", "Id is missing or not valid");
        assert_alert_rejected("[Alert]\nId=01890a5d-ac96-774b-bcce-b302099a8057", "the file is truncated (no final newline)");

        /* A contact file is no alert file, and the other way round. */
        {
                ContactRecord c = { .contact = { .name = strdup("alice") } }, d;
                char *cdata;
                size_t csize;
                const char *reason = NULL;

                assert_int_equal(contact_record_to_data(&c, &cdata, &csize, NULL), 0);
                assert_alert_rejected(cdata, "the file has an unknown group");
                d.contact.name = NULL;
                assert_int_equal(contact_record_from_data(data, size, &d, &reason), -EINVAL);
                assert_string_equal(reason, "the file has an unknown group");
                assert_null(d.contact.name);
                free(cdata);
                contact_record_done(&c);
        }

        /* A NUL byte the key file syntax would not catch. */
        s = strdup(data);
        s[size / 2] = '\0';
        {
                AlertRecord b;
                const char *reason = NULL;
                assert_int_equal(alert_record_from_data(s, size, &b, &reason), -EINVAL);
                assert_string_equal(reason, "the file contains a NUL byte");
        }
        free(s);

        free(data);
        alert_record_done(&a);
}

static void test_alert_every_truncation_rejected(void **state) {
        AlertRecord a;
        char *data;
        size_t size, accepted = 0;
        (void) state;

        full_alert(&a);
        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), 0);
        for (size_t len = 0; len <= size; len++) {
                /* A copy of exactly LEN bytes, so that ASan sees any read past it. */
                char *cut = malloc(len ?: 1);
                AlertRecord b;
                const char *reason = NULL;
                int r;

                memcpy(cut, data, len);
                r = alert_record_from_data(cut, len, &b, &reason);
                if (r == 0) {
                        assert_alerts_equal(&a, &b);
                        alert_record_done(&b);
                        accepted++;
                } else {
                        assert_int_equal(r, -EINVAL);
                        assert_non_null(reason);
                }
                free(cut);
        }
        /* Only the whole file. */
        assert_int_equal(accepted, 1);
        free(data);
        alert_record_done(&a);
}

static void test_alert_random_corruption(void **state) {
        AlertRecord a;
        char *data;
        size_t size, accepted = 0;
        unsigned seed = 4711;
        (void) state;

        full_alert(&a);
        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), 0);
        for (int round = 0; round < 5000; round++) {
                char *copy = malloc(size);
                AlertRecord b;
                const char *reason = NULL;
                int r;

                memcpy(copy, data, size);
                for (int flips = 1 + rand_r(&seed) % 4; flips > 0; flips--)
                        copy[rand_r(&seed) % size] = (char) rand_r(&seed);
                r = alert_record_from_data(copy, size, &b, &reason);
                if (r == 0) {
                        /* Whatever was accepted is a whole, valid record that saves again. */
                        char *again;
                        size_t again_size;
                        assert_int_equal(alert_record_to_data(&b, &again, &again_size, NULL), 0);
                        free(again);
                        alert_record_done(&b);
                        accepted++;
                } else {
                        assert_int_equal(r, -EINVAL);
                        assert_non_null(reason);
                }
                free(copy);
        }
        assert_true(accepted < 5000);
        free(data);
        alert_record_done(&a);
}

static void full_contact(ContactRecord *r, const char *name) {
        *r = (ContactRecord) {
                .contact = {
                        .name = strdup(name),
                        .role = CONTACT_SUPERIOR,
                        .user = strdup("alice"),
                        .exec = strdup("/usr/local/bin/page --to 'ops; on call' \\ ünï\tx "),
                        .webhook = strdup("https://hooks.example.com/T0/B1?x=a;b&c=%20"),
                },
        };
}

static void assert_contacts_equal(const ContactRecord *a, const ContactRecord *b) {
        assert_string_equal(a->contact.name, b->contact.name);
        assert_int_equal(a->removed, b->removed);
        if (!a->removed)
                assert_int_equal(a->contact.role, b->contact.role);
        assert_str_equal_or_null(a->contact.user, b->contact.user);
        assert_str_equal_or_null(a->contact.exec, b->contact.exec);
        assert_str_equal_or_null(a->contact.webhook, b->contact.webhook);
}

static void assert_contact_fixed_point(const ContactRecord *a) {
        ContactRecord b;
        char *data1, *data2;
        size_t size1, size2;
        const char *reason = NULL;

        assert_int_equal(contact_record_to_data(a, &data1, &size1, &reason), 0);
        assert_null(reason);
        assert_int_equal(strlen(data1), size1);
        assert_int_equal(contact_record_from_data(data1, size1, &b, &reason), 0);
        assert_null(reason);
        assert_contacts_equal(a, &b);
        assert_int_equal(contact_record_to_data(&b, &data2, &size2, &reason), 0);
        assert_int_equal(size1, size2);
        assert_memory_equal(data1, data2, size1);
        free(data1);
        free(data2);
        contact_record_done(&b);
}

static void test_contact_round_trip(void **state) {
        ContactRecord c;
        char *data;
        size_t size;
        (void) state;

        full_contact(&c, "ops.team-1");
        assert_contact_fixed_point(&c);
        contact_record_done(&c);

        c = (ContactRecord) { .contact = { .name = strdup("bob"), .role = CONTACT_OPERATOR } };
        assert_contact_fixed_point(&c);
        c.contact.user = strdup("1000");
        assert_contact_fixed_point(&c);
        assert_int_equal(contact_record_to_data(&c, &data, &size, NULL), 0);
        assert_string_equal(data, "[Contact]\nName=bob\nRole=operator\nUser=1000\nRemoved=false\n");
        free(data);
        contact_record_done(&c);

        /* A tombstone: the name and Removed=true, nothing else. */
        c = (ContactRecord) { .contact = { .name = strdup("alice") }, .removed = true };
        assert_contact_fixed_point(&c);
        assert_int_equal(contact_record_to_data(&c, &data, &size, NULL), 0);
        assert_string_equal(data, "[Contact]\nName=alice\nRemoved=true\n");
        free(data);
        contact_record_done(&c);
}

typedef struct ContactCase {
        const char *what;
        void (*mutate)(ContactRecord *r);
        const char *reason;
        const char *key;
        const char *value;
        const char *file_reason;
} ContactCase;

static void contact_bad_name(ContactRecord *r) { replace(&r->contact.name, "../x"); }
static void contact_no_name(ContactRecord *r) { replace(&r->contact.name, NULL); }
static void contact_space_name(ContactRecord *r) { replace(&r->contact.name, "alice smith"); }
static void contact_bad_role(ContactRecord *r) { r->contact.role = _CONTACT_ROLE_MAX; }
static void contact_bad_user(ContactRecord *r) { replace(&r->contact.user, "Alice Smith"); }
static void contact_relative_exec(ContactRecord *r) { replace(&r->contact.exec, "page --all"); }
static void contact_exec_newline(ContactRecord *r) { replace(&r->contact.exec, "/bin/page\nrm -rf /"); }
static void contact_exec_bad_utf8(ContactRecord *r) { replace(&r->contact.exec, "/bin/p\xff"); }
static void contact_ftp_webhook(ContactRecord *r) { replace(&r->contact.webhook, "ftp://example.com/"); }
static void contact_hostless_webhook(ContactRecord *r) { replace(&r->contact.webhook, "https:///x"); }
static void contact_space_webhook(ContactRecord *r) { replace(&r->contact.webhook, "https://a.example/b c"); }
static void contact_removed_with_user(ContactRecord *r) { r->removed = true; }

static const ContactCase contact_cases[] = {
        { "Name a path", contact_bad_name, "Name is not a valid contact name", "Name", "../x", NULL },
        { "Name with a space", contact_space_name, "Name is not a valid contact name", "Name", "alice smith", NULL },
        { "Name missing", contact_no_name, "Name is not a valid contact name", "Name", NULL, "Name is missing or not valid" },
        { "Role unknown", contact_bad_role, "Role is not 'operator' or 'superior'", "Role", "boss", "Role is missing or not valid" },
        { "Role missing", NULL, NULL, "Role", NULL, "Role is missing or not valid" },
        { "User not a user name", contact_bad_user, "User is not a user name or a numeric uid", "User", "Alice Smith", NULL },
        { "User the 16-bit -1", NULL, NULL, "User", "65535", "User is not a user name or a numeric uid" },
        { "Exec relative", contact_relative_exec, "Exec is not a command line starting with an absolute path",
          "Exec", "page --all", NULL },
        { "Exec with a newline", contact_exec_newline, "Exec is not a command line starting with an absolute path",
          "Exec", "/bin/page\\nrm -rf /", NULL },
        { "Exec not UTF-8", contact_exec_bad_utf8, "Exec is not a command line starting with an absolute path",
          "Exec", "/bin/p\xff", "Exec is missing or not valid" },
        { "Webhook ftp", contact_ftp_webhook, "Webhook is not an http:// or https:// URL", "Webhook", "ftp://example.com/", NULL },
        { "Webhook without host", contact_hostless_webhook, "Webhook is not an http:// or https:// URL",
          "Webhook", "https:///x", NULL },
        { "Webhook with a space", contact_space_webhook, "Webhook is not an http:// or https:// URL",
          "Webhook", "https://a.example/b c", NULL },
        { "removed with fields", contact_removed_with_user, "a removed contact has User, Exec or Webhook",
          "Removed", "true", "a removed contact has keys other than Name and Removed" },
        { "Removed not a boolean", NULL, NULL, "Removed", "1", "Removed is missing or not valid" },
        { "Removed missing", NULL, NULL, "Removed", NULL, "Removed is missing or not valid" },
        { "unknown key", NULL, NULL, "Email", "alice@example.com", "the file has an unknown or repeated key" },
        { "repeated key", NULL, NULL, "Name", "x\nName=y", "the file has an unknown or repeated key" },
};

static void assert_contact_rejected(const char *data, const char *expected_reason) {
        ContactRecord b = { .removed = true };
        const char *reason = NULL;

        assert_int_equal(contact_record_from_data(data, strlen(data), &b, &reason), -EINVAL);
        assert_non_null(reason);
        if (expected_reason)
                assert_string_equal(reason, expected_reason);
        assert_true(b.removed);         /* untouched */
        assert_null(b.contact.name);
}

static void test_contact_rules(void **state) {
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(contact_cases); i++) {
                const ContactCase *c = &contact_cases[i];
                ContactRecord r;
                char *data = NULL, *s;
                size_t size = 0;
                const char *reason = NULL;

                print_message("# %s\n", c->what);
                full_contact(&r, "alice");
                if (c->key) {
                        assert_int_equal(contact_record_to_data(&r, &data, &size, NULL), 0);
                        s = with_line(data, c->key, c->value);
                        assert_contact_rejected(s, c->file_reason ?: c->reason);
                        free(s);
                        free(data);
                        data = NULL;
                }
                if (c->mutate) {
                        c->mutate(&r);
                        assert_int_equal(contact_record_to_data(&r, &data, &size, &reason), -EINVAL);
                        assert_null(data);
                        assert_string_equal(reason, c->reason);
                }
                contact_record_done(&r);
        }

        /* A tombstone with a role line is refused too; the structure rules hold as for alerts. */
        assert_contact_rejected("[Contact]\nName=alice\nRole=operator\nRemoved=true\n",
                                "a removed contact has keys other than Name and Removed");
        assert_contact_rejected("[Contact]\nName=alice\nRemoved=true\n[Contact]\nName=bob\nRemoved=true\n",
                                "the file has a group more than once");
        assert_contact_rejected("[Contact]\nName=alice\nRemoved=true", "the file is truncated (no final newline)");
        assert_contact_rejected("[Contact]\nName=alice\n", "Removed is missing or not valid");
        assert_contact_rejected("[Contact NAME]\nName=alice\nRemoved=true\n", "the file has an unknown group");
}

/* The directory the file tests work in. */
static const char *base_dir = NULL;
static char test_dir[1024];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static int setup_dir(void **state) {
        (void) state;
        snprintf(test_dir, sizeof test_dir, "%s/test-alert-record.XXXXXX", base_dir);
        return mkdtemp(test_dir) ? 0 : -1;
}

static int teardown_dir(void **state) {
        (void) state;
        return nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *dir, const char *name, const char *content) {
        char path[2048];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(content, f);
        assert_int_equal(fclose(f), 0);
}

static size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void load_alerts(Store *s, AlertRecord **ret, size_t *ret_n) {
        *ret = NULL;
        *ret_n = SIZE_MAX;
        assert_int_equal(store_load_alerts(s, ret, ret_n), 0);
}

static void load_contacts(Store *s, ContactRecord **ret, size_t *ret_n) {
        *ret = NULL;
        *ret_n = SIZE_MAX;
        assert_int_equal(store_load_contacts(s, ret, ret_n), 0);
}

static void test_store_alerts(void **state) {
        char dir[1100], path[2048];
        Store *s = NULL;
        AlertRecord a, b, *loaded, *first, *second;
        struct stat st;
        size_t n;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(store_open(dir, &s), 0);
        load_alerts(s, &loaded, &n);
        assert_int_equal(n, 0);
        assert_null(loaded);

        full_alert(&a);
        minimal_alert(&b);
        assert_int_equal(store_save_alert(s, &a), 0);
        assert_int_equal(store_save_alert(s, &b), 0);
        a.notifications++;
        assert_int_equal(store_save_alert(s, &a), 0);       /* replaced in place */
        assert_int_equal(count_entries(dir), 2);            /* no temporary files left */
        snprintf(path, sizeof path, "%s/%s.alert", dir, a.id);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);

        /* In the order of the file names, that is of the ids. */
        first = strcmp(a.id, b.id) < 0 ? &a : &b;
        second = first == &a ? &b : &a;
        load_alerts(s, &loaded, &n);
        assert_int_equal(n, 2);
        assert_alerts_equal(first, &loaded[0]);
        assert_alerts_equal(second, &loaded[1]);
        alert_records_free(loaded, n);

        assert_int_equal(store_remove_alert(s, a.id), 0);
        assert_int_equal(store_remove_alert(s, a.id), 0);   /* already gone: fine */
        assert_int_equal(store_remove_alert(s, "../state"), -EINVAL);
        assert_int_equal(store_remove_alert(s, NULL), -EINVAL);
        load_alerts(s, &loaded, &n);
        assert_int_equal(n, 1);
        assert_alerts_equal(&b, &loaded[0]);
        alert_records_free(loaded, n);

        /* An invalid record is not saved, and leaves nothing behind. */
        a.failures = 0;
        assert_int_equal(store_save_alert(s, &a), -EINVAL);
        replace(&a.id, "../escape");
        a.failures = 1;
        assert_int_equal(store_save_alert(s, &a), -EINVAL);
        assert_int_equal(count_entries(dir), 1);

        store_free(s);
        alert_record_done(&a);
        alert_record_done(&b);
}

static void test_store_contacts(void **state) {
        char dir[1100];
        Store *s = NULL;
        ContactRecord a, gone, *loaded;
        size_t n;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(store_open(dir, &s), 0);
        load_contacts(s, &loaded, &n);
        assert_int_equal(n, 0);
        assert_null(loaded);

        full_contact(&a, "zoe");
        gone = (ContactRecord) { .contact = { .name = strdup("alice") }, .removed = true };
        assert_int_equal(store_save_contact(s, &a), 0);
        assert_int_equal(store_save_contact(s, &gone), 0);
        assert_int_equal(count_entries(dir), 2);
        load_contacts(s, &loaded, &n);
        assert_int_equal(n, 2);
        assert_contacts_equal(&gone, &loaded[0]);           /* "alice.contact" < "zoe.contact" */
        assert_contacts_equal(&a, &loaded[1]);
        contact_records_free(loaded, n);

        assert_int_equal(store_remove_contact(s, "alice"), 0);
        assert_int_equal(store_remove_contact(s, "alice"), 0);
        assert_int_equal(store_remove_contact(s, "../zoe"), -EINVAL);
        load_contacts(s, &loaded, &n);
        assert_int_equal(n, 1);
        assert_contacts_equal(&a, &loaded[0]);
        contact_records_free(loaded, n);

        replace(&a.contact.webhook, "gopher://x");
        assert_int_equal(store_save_contact(s, &a), -EINVAL);
        assert_int_equal(count_entries(dir), 1);

        store_free(s);
        contact_record_done(&a);
        contact_record_done(&gone);
}

static void test_store_bad_files_skipped(void **state) {
        char dir[1100], path[2048], name[2048];
        Store *s = NULL;
        AlertRecord a, other, *loaded;
        ContactRecord c, *contacts;
        char *data;
        size_t size, n;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(store_open(dir, &s), 0);
        full_alert(&a);
        assert_int_equal(store_save_alert(s, &a), 0);

        /* A valid alert in the file of another id. */
        minimal_alert(&other);
        assert_int_equal(alert_record_to_data(&other, &data, &size, NULL), 0);
        snprintf(name, sizeof name, "%s.alert", a.id);
        name[0] = name[0] == '0' ? '1' : '0';
        write_file(dir, name, data);
        /* And under a name that is no id at all. */
        write_file(dir, "robot.alert", data);
        free(data);

        /* Corrupt, truncated, empty, a bare suffix, a directory, a symlink to a valid one. */
        write_file(dir, "01890a5d-ac96-774b-bcce-b302099a8057.alert", "[Alert]\nId=nope\n");
        assert_int_equal(alert_record_to_data(&other, &data, &size, NULL), 0);
        data[size - 1] = '\0';
        snprintf(name, sizeof name, "%s.alert", other.id);
        write_file(dir, name, data);
        free(data);
        write_file(dir, "01890a5d-ac96-774b-bcce-b302099a8059.alert", "");
        write_file(dir, ".alert", "");
        snprintf(path, sizeof path, "%s/01890a5d-ac96-774b-bcce-b302099a805a.alert", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/%s.alert", dir, a.id);
        snprintf(name, sizeof name, "%s/01890a5d-ac96-774b-bcce-b302099a805b.alert", dir);
        assert_int_equal(symlink(path, name), 0);

        load_alerts(s, &loaded, &n);
        assert_int_equal(n, 1);
        assert_alerts_equal(&a, &loaded[0]);
        alert_records_free(loaded, n);

        /* The same for contacts. */
        full_contact(&c, "bob");
        assert_int_equal(contact_record_to_data(&c, &data, &size, NULL), 0);
        write_file(dir, "alice.contact", data);                 /* holds bob */
        write_file(dir, "bob.contact", "[Contact]\nName=bob\nRemoved=maybe\n");
        free(data);
        load_contacts(s, &contacts, &n);
        assert_int_equal(n, 0);
        assert_null(contacts);

        store_free(s);
        alert_record_done(&a);
        alert_record_done(&other);
        contact_record_done(&c);
}

static void minimal_instance(InstanceRecord *r, const char *name) {
        instance_record_init(r);
        assert_int_equal(uuid7_generate(r->config.id), 0);
        r->config.name = strdup(name);
        r->config.argv = strv_make("/bin/true", NULL);
}

/* Instances, alerts and contacts share the directory, and even names, but never a loader. */
static void test_store_kinds_apart(void **state) {
        char dir[1100], path[2048], name[256];
        Store *s = NULL;
        InstanceRecord i, *instances;
        AlertRecord a, *alerts;
        ContactRecord c, *contacts;
        char *data;
        size_t size, n;
        (void) state;

        snprintf(dir, sizeof dir, "%s/state", test_dir);
        assert_int_equal(mkdir(dir, 0700), 0);

        minimal_instance(&i, "robot");
        full_alert(&a);
        replace(&a.instance_name, "robot");
        memcpy(a.instance_id, i.config.id, UUID7_STRING_SIZE);
        full_contact(&c, "robot");

        /* Stale temporary files of every kind are removed when the store is opened. */
        snprintf(name, sizeof name, ".#%s.alert.1234abcd", a.id);
        write_file(dir, name, "[Alert]\n");
        write_file(dir, ".#robot.contact.1234abcd", "[Contact]\n");
        write_file(dir, ".#robot.instance.1234abcd", "[Instance]\n");
        assert_int_equal(store_open(dir, &s), 0);
        assert_int_equal(count_entries(dir), 0);

        assert_int_equal(store_save_instance(s, &i), 0);
        assert_int_equal(store_save_alert(s, &a), 0);
        assert_int_equal(store_save_contact(s, &c), 0);

        /* Records of one kind under another kind's suffix: each loader refuses them. */
        assert_int_equal(alert_record_to_data(&a, &data, &size, NULL), 0);
        write_file(dir, "alerty.instance", data);
        write_file(dir, "alerty.contact", data);
        free(data);
        assert_int_equal(instance_record_to_data(&i, &data, &size), 0);
        snprintf(name, sizeof name, "%s.alert", i.config.id);
        write_file(dir, name, data);
        write_file(dir, "robot2.contact", data);
        free(data);
        assert_int_equal(count_entries(dir), 7);

        instances = NULL;
        assert_int_equal(store_load_instances(s, &instances, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(instances[0].config.id, i.config.id);
        assert_string_equal(instances[0].config.name, "robot");
        instance_record_done(&instances[0]);
        free(instances);

        load_alerts(s, &alerts, &n);
        assert_int_equal(n, 1);
        assert_alerts_equal(&a, &alerts[0]);
        alert_records_free(alerts, n);

        load_contacts(s, &contacts, &n);
        assert_int_equal(n, 1);
        assert_contacts_equal(&c, &contacts[0]);
        contact_records_free(contacts, n);

        /* Removing one kind leaves the others. */
        assert_int_equal(store_remove_instance(s, "robot"), 0);
        assert_int_equal(store_remove_contact(s, "robot"), 0);
        load_alerts(s, &alerts, &n);
        assert_int_equal(n, 1);
        alert_records_free(alerts, n);
        snprintf(path, sizeof path, "%s/%s.alert", dir, a.id);
        assert_int_equal(access(path, F_OK), 0);

        store_free(s);
        instance_record_done(&i);
        alert_record_done(&a);
        contact_record_done(&c);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_alert_round_trip),
                cmocka_unit_test(test_alert_file_format),
                cmocka_unit_test(test_alert_rules),
                cmocka_unit_test(test_alert_structure),
                cmocka_unit_test(test_alert_every_truncation_rejected),
                cmocka_unit_test(test_alert_random_corruption),
                cmocka_unit_test(test_contact_round_trip),
                cmocka_unit_test(test_contact_rules),
                cmocka_unit_test_setup_teardown(test_store_alerts, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_store_contacts, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_store_bad_files_skipped, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_store_kinds_apart, setup_dir, teardown_dir),
        };

        base_dir = argc > 1 ? argv[1] : getenv("ALERT_RECORD_TEST_DIR");
        if (isempty(base_dir))
                base_dir = ".";
        /* The warnings about skipped files are expected; keep the TAP output readable. */
        if (!getenv("ORCHD_LOG_LEVEL"))
                log_set_max_level(LOG_ERR);
        return cmocka_run_group_tests_name("alert-record", tests, NULL, NULL);
}
