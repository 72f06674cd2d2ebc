/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* orchd.conf (conf.h's config_parse(), what config_load() does with each file's text): never a
 * crash, never -ENOMEM without a shortage of memory, and every problem one line "FILE:LINE: message"
 * with LINE a line of the file, valid UTF-8 (the errors travel in Reload's D-Bus error) without
 * line breaks or other control characters (they are printed on terminals), and without the value
 * of an Exec= or Webhook= (tokens). The returned count is the number of errors. Parsing the same
 * text again on top gives the same errors (a drop-in that repeats the main file); config_check()
 * then adds "FILE: message" errors, and a configuration without any holds values within the
 * documented ranges. */
#include "fuzz.h"     /* first: conf.h needs <stddef.h> */
#include "conf.h"
#include "instance-config.h"
#include "validate.h"
#include "webhook-url.h"

#define FILE_NAME "fuzz.conf"

static size_t count_lines(const char *text) {
        size_t n = 1;

        for (const char *p = text; *p; p++)
                if (*p == '\n')
                        n++;
        return n;
}

static void check_errors(char **errors, size_t first, int r, size_t n_lines) {
        FUZZ_CHECK_MSG(r >= 0, "config_parse() failed with %d", r);
        FUZZ_CHECK((size_t) r == strv_length(errors));
        for (size_t i = first; i < (size_t) r; i++) {
                const char *e = errors[i], *p;
                unsigned long line;
                char *end;

                FUZZ_CHECK_MSG(strncmp(e, FILE_NAME ":", strlen(FILE_NAME ":")) == 0, "not FILE:LINE: %s", e);
                p = e + strlen(FILE_NAME ":");
                FUZZ_CHECK_MSG(*p >= '1' && *p <= '9', "not FILE:LINE: %s", e);
                line = strtoul(p, &end, 10);
                FUZZ_CHECK_MSG(line >= 1 && line <= n_lines, "line %lu of a file of %zu lines", line, n_lines);
                FUZZ_CHECK_MSG(strncmp(end, ": ", 2) == 0 && end[2], "not FILE:LINE: message: %s", e);
                FUZZ_CHECK_MSG(fuzz_utf8_valid(e), "error %zu is not valid UTF-8", i);
                FUZZ_CHECK_MSG(!fuzz_has_control(e, true, false), "error %zu has control characters: %s", i, e);
        }
}

/* TEXT split into its lines (as g_strsplit(text, "\n") does), each stripped as conf.c strips it;
 * the copy is in *RET_BUF. */
static char **split_lines(const char *text, size_t n_lines, char **ret_buf) {
        char *buf = strdup(text), **lines = calloc(n_lines + 1, sizeof(char *)), *p;
        size_t k = 0;

        FUZZ_CHECK(buf && lines);
        for (p = buf; k < n_lines; k++) {
                char *nl = strchrnul(p, '\n'), *e = nl, *b = p;
                bool last = !*nl;

                *nl = '\0';
                while (*b == ' ' || *b == '\t')
                        b++;
                while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                        *--e = '\0';
                lines[k] = b;
                if (last)
                        break;
                p = nl + 1;
        }
        *ret_buf = buf;
        return lines;
}

/* An error about an assignment to Exec= or Webhook= does not repeat its value. */
static void check_secrets(char **errors, const char *text, size_t n_lines) {
        char *buf, **lines = split_lines(text, n_lines, &buf);

        for (char **e = errors; e && *e; e++) {
                unsigned long n = strtoul(*e + strlen(FILE_NAME ":"), NULL, 10);
                const char *line, *value, *eq;
                size_t key_len;

                if (n < 1 || n > n_lines || !lines[n - 1])
                        continue;
                line = lines[n - 1];
                eq = strchr(line, '=');
                if (line[0] == '[' || !eq)
                        continue;
                key_len = (size_t) (eq - line);
                while (key_len > 0 && (line[key_len - 1] == ' ' || line[key_len - 1] == '\t'))
                        key_len--;
                if (!((key_len == 4 && strncmp(line, "Exec", 4) == 0) || (key_len == 7 && strncmp(line, "Webhook", 7) == 0)))
                        continue;
                value = eq + 1;
                while (*value == ' ' || *value == '\t')
                        value++;
                /* With a character none of conf.c's messages has, so that a value that happens to
                 * be a word of a message is not taken for repeated. */
                if (strlen(value) >= 4 && strpbrk(value, "@#~!$%^&*{}|<>?\\\x80\x90\xa0\xb0\xc3\xe2"))
                        FUZZ_CHECK_MSG(!strstr(*e + strlen(FILE_NAME ":"), value),
                                       "an error repeats the value of %.*s=: %s", (int) key_len, line, *e);
        }
        free(lines);
        free(buf);
}

static void check_config(const Config *c) {
        FUZZ_CHECK(c->restart_attempts >= 1 && c->restart_attempts <= 1000);
        FUZZ_CHECK(c->restart_window_usec >= INSTANCE_RESTART_WINDOW_USEC_MIN &&
                   c->restart_window_usec <= INSTANCE_RESTART_WINDOW_USEC_MAX);
        FUZZ_CHECK(c->max_instances >= 1 && c->max_instances <= 100000);
        FUZZ_CHECK(c->max_instances_per_user <= 100000);
        FUZZ_CHECK(c->notify_burst >= 1 && c->notify_burst <= 10000);
        FUZZ_CHECK(c->webhook_attempts >= 1 && c->webhook_attempts <= 20);
        FUZZ_CHECK(c->webhook_timeout_usec > 0);
        FUZZ_CHECK(c->restart_delay_usec <= c->restart_max_delay_usec);
        FUZZ_CHECK(c->restart_max_delay_usec <= UINT64_C(31536000) * USEC_PER_SEC);
        FUZZ_CHECK(c->stable_usec <= UINT64_C(31536000) * USEC_PER_SEC);
        FUZZ_CHECK(c->ack_timeout_usec <= UINT64_C(31536000) * USEC_PER_SEC);
        FUZZ_CHECK(c->repeat_usec <= UINT64_C(31536000) * USEC_PER_SEC);
        for (char **o = c->operators; o && *o; o++)
                FUZZ_CHECK(instance_name_is_valid(*o));
        FUZZ_CHECK(c->n_contacts == 0 || c->contacts);
        for (size_t i = 0; i < c->n_contacts; i++) {
                const Contact *k = &c->contacts[i];

                FUZZ_CHECK(k->name && instance_name_is_valid(k->name));
                FUZZ_CHECK(contact_role_to_string(k->role));
                FUZZ_CHECK(!k->user || unix_user_name_is_valid(k->user));
                FUZZ_CHECK(!k->exec || (k->exec[0] == '/' && fuzz_utf8_valid(k->exec)));
                FUZZ_CHECK(!k->webhook || webhook_url_is_valid(k->webhook));
                for (size_t j = 0; j < i; j++)
                        FUZZ_CHECK(!streq(c->contacts[j].name, k->name));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text, **errors = NULL;
        size_t n_lines;
        Config c;
        int r, again, checked;

        /* What load_file() refuses before parsing. */
        if (size > 1024 * 1024 || memchr(data, '\0', size))
                return 0;
        text = fuzz_cstring(data, size);
        n_lines = count_lines(text);

        config_init(&c);
        r = config_parse(&c, FILE_NAME, text, &errors);
        check_errors(errors, 0, r, n_lines);
        check_secrets(errors, text, n_lines);

        /* The same text again, as a drop-in on top: the same errors again, appended. */
        again = config_parse(&c, FILE_NAME, text, &errors);
        check_errors(errors, (size_t) r, again, n_lines);
        FUZZ_CHECK(again == 2 * r);
        for (int i = 0; i < r; i++)
                FUZZ_CHECK_MSG(streq(errors[i], errors[r + i]), "%s != %s", errors[i], errors[r + i]);

        /* Once every file is read: "WHERE: message", then the values hold together. */
        checked = config_check(&c, FILE_NAME, &errors);
        FUZZ_CHECK_MSG(checked >= again && (size_t) checked == strv_length(errors), "config_check() = %d", checked);
        for (int i = again; i < checked; i++) {
                FUZZ_CHECK(strncmp(errors[i], FILE_NAME ": ", strlen(FILE_NAME ": ")) == 0);
                FUZZ_CHECK(fuzz_utf8_valid(errors[i]) && !fuzz_has_control(errors[i], true, false));
        }
        if (checked == 0)
                check_config(&c);

        strv_free(errors);
        config_done(&c);
        free(text);
        return 0;
}
