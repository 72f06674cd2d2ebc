/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-util.h, which orchctl uses on its command line and orchd on what it shows: the numbers,
 * sizes, time spans and line counts against exact reference parsers (128-bit arithmetic, written
 * from the documented syntax), output untouched on failure; format_timespan() gives what
 * parse_sec() reads back to within its smaller unit; instance_name_from_command() gives valid
 * names; utf8_decode_char() agrees with the UTF-8 standard; escape_for_terminal() leaves no
 * control character and valid UTF-8; quote_command_line() can be split back into the same words
 * by a shell. The input is the text (up to its first NUL), and split at NUL bytes the word list. */
#include "fuzz.h"
#include "macro.h"
#include "parse-util.h"
#include "validate.h"

typedef unsigned __int128 u128;

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* The decimal number at the start of S: digits, optionally '.' and at least one digit (or only
 * ".digits"). -EINVAL if there is no number; else 0, *RET_END after it, and *RET_OVERFLOW if the
 * integer part does not fit in 64 bits (a number that does not fit is -ERANGE, but only once the
 * whole text is known to be well-formed: what is malformed is -EINVAL). */
static int ref_decimal(const char *s, u128 *ret_int, bool *ret_overflow, const char **ret_frac, size_t *ret_n_frac,
                       const char **ret_end) {
        const char *p = s;
        bool overflow = false;
        u128 v = 0;

        for (; is_digit(*p); p++) {
                v = v * 10 + (unsigned) (*p - '0');
                if (v > UINT64_MAX) {
                        overflow = true;
                        v = (u128) UINT64_MAX + 1;
                }
        }
        *ret_frac = NULL;
        *ret_n_frac = 0;
        if (*p == '.') {
                const char *frac = ++p;

                while (is_digit(*p))
                        p++;
                if (p == frac)
                        return -EINVAL;
                *ret_frac = frac;
                *ret_n_frac = (size_t) (p - frac);
        } else if (p == s)
                return -EINVAL;
        *ret_int = v;
        *ret_overflow = overflow;
        *ret_end = p;
        return 0;
}

/* The first (up to 25) digits of FRAC as a number, *RET_POW = 10^(digits used): 0.FRAC is
 * F/POW exactly if FRAC has at most 25 digits, and a little more otherwise. */
static u128 frac_digits(const char *frac, size_t n, size_t *ret_n_used, u128 *ret_pow) {
        u128 f = 0, pow = 1;
        size_t used = MIN(n, (size_t) 25);

        for (size_t i = 0; i < used; i++) {
                f = f * 10 + (unsigned) (frac[i] - '0');
                pow *= 10;
        }
        *ret_n_used = used;
        *ret_pow = pow;
        return f;
}

/* 0 and the value, -EINVAL, or -ERANGE; for a value of more than 25 fraction digits, *RET_SLACK is
 * set: the true value may be one more. */
static int ref_size(const char *s, uint64_t *ret, bool *ret_slack) {
        static const char units[] = "KMGT";
        const char *frac, *end;
        u128 integer, factor = 1, f, pow = 1, v;
        size_t n_frac, used = 0;
        bool overflow;
        int r;

        *ret_slack = false;
        if (streq(s, "infinity")) {
                *ret = UINT64_MAX;
                return 0;
        }
        r = ref_decimal(s, &integer, &overflow, &frac, &n_frac, &end);
        if (r < 0)
                return r;
        if (*end && !streq(end, "B")) {
                const char *u = strchr(units, *end >= 'a' && *end <= 'z' ? *end - 'a' + 'A' : *end);

                if (!u || !*u)
                        return -EINVAL;
                factor = (u128) 1 << (10 * (u - units + 1));
                end++;
                if (*end && !streq(end, "B") && !streq(end, "iB"))
                        return -EINVAL;
        }
        if (overflow)
                return -ERANGE;
        f = frac ? frac_digits(frac, n_frac, &used, &pow) : 0;
        v = integer * factor + (frac ? f * factor / pow : 0);
        *ret_slack = frac && n_frac > used;
        if (v >= UINT64_MAX)
                return -ERANGE;
        *ret = (uint64_t) v;
        return 0;
}

static int ref_sec(const char *s, uint64_t *ret, bool *ret_slack) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } table[] = {
                { "", 1000000 }, { "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "min", 60000000 },
                { "h", UINT64_C(3600000000) }, { "d", UINT64_C(86400000000) },
        };
        const char *frac, *end;
        u128 integer, m = 0, f, pow = 1, v;
        size_t n_frac, used = 0;
        bool overflow;
        int r;

        *ret_slack = false;
        r = ref_decimal(s, &integer, &overflow, &frac, &n_frac, &end);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(end, table[i].suffix))
                        m = table[i].usec;
        if (m == 0)
                return -EINVAL;
        if (overflow)
                return -ERANGE;
        f = frac ? frac_digits(frac, n_frac, &used, &pow) : 0;
        /* Rounded to the nearest microsecond, halves up. */
        v = integer * m + (frac ? (2 * f * m + pow) / (2 * pow) : 0);
        *ret_slack = frac && n_frac > used;
        if (v > UINT64_MAX)
                return -ERANGE;
        *ret = (uint64_t) v;
        return 0;
}

/* Compares a parser's answer with the reference's: with SLACK (more fraction digits than the
 * reference reads), the value may be one more, and so may not fit where the reference's does. */
static void compare(const char *what, const char *s, int r, uint64_t v, int ref_r, uint64_t ref_v, bool slack) {
        if (slack && r != ref_r && (ref_r == -ERANGE || ref_v >= UINT64_MAX - 1))
                return;
        FUZZ_CHECK_MSG(r == ref_r, "%s(\"%s\") = %d, expected %d", what, s, r, ref_r);
        if (r == 0)
                FUZZ_CHECK_MSG(v == ref_v || (slack && v == ref_v + 1), "%s(\"%s\") = %llu, expected %llu", what, s,
                               (unsigned long long) v, (unsigned long long) ref_v);
        else
                FUZZ_CHECK_MSG(v == SENTINEL, "%s(\"%s\") failed but wrote its output", what, s);
}

/* A decimal number without sign, blanks or anything else. */
static int ref_u64(const char *s, uint64_t *ret) {
        u128 x = 0;

        if (!is_digit(s[0]))
                return -EINVAL;
        for (const char *p = s; *p; p++)
                if (!is_digit(*p))
                        return -EINVAL;
        for (const char *p = s; *p; p++) {
                x = x * 10 + (unsigned) (*p - '0');
                if (x > UINT64_MAX)
                        return -ERANGE;
        }
        *ret = (uint64_t) x;
        return 0;
}

static void check_numbers(const char *s) {
        uint64_t v = SENTINEL, ref_v = 0;
        uint32_t u = (uint32_t) SENTINEL;
        bool slack;
        int r, ref_r;

        r = parse_u64(s, &v);
        ref_r = ref_u64(s, &ref_v);
        compare("parse_u64", s, r, v, ref_r, ref_v, false);

        r = parse_u32(s, &u);
        if (ref_r == 0 && ref_v > UINT32_MAX)
                ref_r = -ERANGE;
        FUZZ_CHECK_MSG(r == ref_r, "parse_u32(\"%s\") = %d, expected %d", s, r, ref_r);
        FUZZ_CHECK(r == 0 ? u == ref_v : u == (uint32_t) SENTINEL);

        /* A number of lines, "all", but never UINT64_MAX itself (that is "all"). */
        v = SENTINEL;
        r = parse_lines(s, &v);
        if (streq(s, "all"))
                FUZZ_CHECK(r == 0 && v == LINES_ALL);
        else {
                ref_r = ref_u64(s, &ref_v);
                if (ref_r == 0 && ref_v == UINT64_MAX)
                        ref_r = -ERANGE;
                compare("parse_lines", s, r, v, ref_r, ref_v, false);
        }

        v = SENTINEL;
        r = parse_size_iec(s, &v);
        ref_r = ref_size(s, &ref_v, &slack);
        compare("parse_size_iec", s, r, v, ref_r, ref_v, slack);

        v = SENTINEL;
        r = parse_sec(s, &v);
        ref_r = ref_sec(s, &ref_v, &slack);
        compare("parse_sec", s, r, v, ref_r, ref_v, slack);
}

/* format_timespan(USEC) read back: one or two tokens "N<unit>" of consecutive units, the second
 * less than one of the first, each as parse_sec() reads it, adding up to USEC less less than the
 * last unit. */
static void check_timespan(uint64_t usec, size_t l) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "d", UINT64_C(86400000000) }, { "h", UINT64_C(3600000000) }, { "min", 60000000 },
                { "s", 1000000 }, { "ms", 1000 }, { "us", 1 },
        };
        char buf[FORMAT_TIMESPAN_MAX], small[FORMAT_TIMESPAN_MAX], *tok, *save = NULL;
        size_t unit_index[2] = {};
        uint64_t number[2] = {};
        unsigned n_tokens = 0;
        u128 sum = 0;

        FUZZ_CHECK(format_timespan(buf, sizeof buf, usec) == buf);
        FUZZ_CHECK(strlen(buf) < sizeof buf);
        if (usec == 0)
                FUZZ_CHECK(streq(buf, "0"));
        else {
                char copy[FORMAT_TIMESPAN_MAX];

                memcpy(copy, buf, sizeof copy);
                for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
                        uint64_t t = 0;
                        char *end;
                        size_t i;

                        FUZZ_CHECK_MSG(n_tokens < 2 && is_digit(tok[0]), "\"%s\" for %llu", buf, (unsigned long long) usec);
                        number[n_tokens] = strtoull(tok, &end, 10);
                        for (i = 0; i < ELEMENTSOF(units); i++)
                                if (streq(end, units[i].suffix))
                                        break;
                        FUZZ_CHECK_MSG(i < ELEMENTSOF(units), "\"%s\" for %llu", buf, (unsigned long long) usec);
                        FUZZ_CHECK(number[n_tokens] > 0);
                        FUZZ_CHECK(parse_sec(tok, &t) == 0 && t == number[n_tokens] * units[i].usec);
                        unit_index[n_tokens++] = i;
                        sum += t;
                }
                FUZZ_CHECK(n_tokens >= 1);
                if (n_tokens == 2) {
                        FUZZ_CHECK(unit_index[1] == unit_index[0] + 1);
                        FUZZ_CHECK(number[1] < units[unit_index[0]].usec / units[unit_index[1]].usec);
                }
                FUZZ_CHECK_MSG(sum <= usec && usec - sum < units[unit_index[n_tokens - 1]].usec,
                               "\"%s\" for %llu", buf, (unsigned long long) usec);
        }

        /* Into a small buffer: the same, cut short. */
        if (l == 0)
                return;
        FUZZ_CHECK(format_timespan(small, l, usec) == small);
        FUZZ_CHECK(strlen(small) == MIN(strlen(buf), l - 1));
        FUZZ_CHECK(strncmp(small, buf, strlen(small)) == 0);
}

static void check_name_from_command(const char *s) {
        const char *base = strrchr(s, '/');
        char *name = NULL;
        bool has_alnum = false;
        int r;

        base = base ? base + 1 : s;
        for (const char *p = base; *p; p++)
                has_alnum = has_alnum || is_digit(*p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');

        r = instance_name_from_command(s, &name);
        FUZZ_CHECK_MSG((r == 0) == has_alnum, "instance_name_from_command(\"%s\") = %d", s, r);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL && !name);
                return;
        }
        FUZZ_CHECK_MSG(instance_name_is_valid(name), "\"%s\" from \"%s\"", name, s);
        for (const char *p = name; *p; p++)
                FUZZ_CHECK(*p == '_' || strchr(base, *p));
        free(name);
}

/* Each character decoded is what the standard says; the whole is valid exactly when every
 * character decodes. */
static void check_utf8(const uint8_t *data, size_t size) {
        bool all = true;

        for (size_t i = 0; i < size;) {
                uint32_t cp = 0x5a5a5a5a;
                int len = utf8_decode_char((const char *) data + i, size - i, &cp);

                if (len < 0) {
                        FUZZ_CHECK(len == -EINVAL && cp == 0x5a5a5a5a);
                        for (size_t k = 1; k <= 4 && k <= size - i; k++)
                                FUZZ_CHECK(!fuzz_utf8_valid_n(data + i, k));
                        all = false;
                        i++;
                        continue;
                }
                FUZZ_CHECK(len >= 1 && len <= 4 && (size_t) len <= size - i);
                FUZZ_CHECK(fuzz_utf8_valid_n(data + i, (size_t) len));
                /* Encoded again, the same bytes. */
                {
                        uint8_t enc[4];
                        size_t n;

                        if (cp < 0x80)
                                enc[0] = (uint8_t) cp, n = 1;
                        else if (cp < 0x800)
                                enc[0] = (uint8_t) (0xc0 | cp >> 6), enc[1] = (uint8_t) (0x80 | (cp & 0x3f)), n = 2;
                        else if (cp < 0x10000)
                                enc[0] = (uint8_t) (0xe0 | cp >> 12), enc[1] = (uint8_t) (0x80 | ((cp >> 6) & 0x3f)),
                                enc[2] = (uint8_t) (0x80 | (cp & 0x3f)), n = 3;
                        else
                                enc[0] = (uint8_t) (0xf0 | cp >> 18), enc[1] = (uint8_t) (0x80 | ((cp >> 12) & 0x3f)),
                                enc[2] = (uint8_t) (0x80 | ((cp >> 6) & 0x3f)), enc[3] = (uint8_t) (0x80 | (cp & 0x3f)),
                                n = 4;
                        FUZZ_CHECK(n == (size_t) len && memcmp(enc, data + i, n) == 0);
                }
                i += (size_t) len;
        }
        FUZZ_CHECK(all == fuzz_utf8_valid_n(data, size));
        FUZZ_CHECK(utf8_decode_char("x", 0, &(uint32_t) { 0 }) == -EINVAL);
}

static void check_escape(const uint8_t *data, size_t size, bool keep_newline) {
        char *e = escape_for_terminal((const char *) data, size, keep_newline);
        bool clean;

        FUZZ_CHECK(e);
        FUZZ_CHECK(strlen(e) <= 4 * size);
        FUZZ_CHECK_MSG(fuzz_utf8_valid(e), "escape_for_terminal() gives invalid UTF-8");
        FUZZ_CHECK_MSG(!fuzz_has_control(e, true, keep_newline), "escape_for_terminal() leaves a control character");
        /* Text that needs nothing stays as it is. */
        clean = !memchr(data, '\0', size) && fuzz_utf8_valid_n(data, size);
        if (clean) {
                char *copy = strndup((const char *) data, size);

                FUZZ_CHECK(copy);
                clean = !fuzz_has_control(copy, true, keep_newline);
                if (clean)
                        FUZZ_CHECK(strlen(e) == size && memcmp(e, data, size) == 0);
                free(copy);
        }
        free(e);
}

/* Splits LINE as a POSIX shell would (for what quote_command_line() writes: words separated by
 * one space, unquoted characters, '...' and \'), into at most MAX words. */
static size_t shell_split(const char *line, char **words, size_t max, size_t line_size) {
        size_t n = 0, len = 0;
        bool started = false;
        char *cur = malloc(line_size + 1);

        FUZZ_CHECK(cur);
        for (const char *p = line;; p++) {
                if (*p == ' ' || *p == '\0') {
                        if (started) {
                                FUZZ_CHECK(n < max);
                                cur[len] = '\0';
                                words[n] = strdup(cur);
                                FUZZ_CHECK(words[n]);
                                n++;
                        }
                        started = false;
                        len = 0;
                        if (*p == '\0')
                                break;
                        continue;
                }
                started = true;
                if (*p == '\'') {
                        for (p++; *p != '\''; p++) {
                                FUZZ_CHECK_MSG(*p, "unterminated quote in %s", line);
                                cur[len++] = *p;
                        }
                } else if (*p == '\\') {
                        p++;
                        FUZZ_CHECK(*p);
                        cur[len++] = *p;
                } else {
                        FUZZ_CHECK_MSG(!strchr("\"$`!*?[]{}()<>|&;#~\t\n", *p), "unquoted '%c' in %s", *p, line);
                        cur[len++] = *p;
                }
        }
        free(cur);
        return n;
}

static void check_quote(char **argv, size_t n) {
        char *line = quote_command_line(argv), **words;
        size_t n_words;

        FUZZ_CHECK(line);
        words = calloc(n + 1, sizeof(char *));
        FUZZ_CHECK(words);
        n_words = shell_split(line, words, n, strlen(line));
        FUZZ_CHECK_MSG(n_words == n, "%zu words, split back into %zu: %s", n, n_words, line);
        for (size_t i = 0; i < n; i++) {
                FUZZ_CHECK_MSG(streq(words[i], argv[i]), "word %zu changed: %s", i, line);
                free(words[i]);
        }
        free(words);
        free(line);

        line = quote_command_line(NULL);
        FUZZ_CHECK(line && streq(line, ""));
        free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = fuzz_cstring(data, size), **argv;
        FuzzReader r = fuzz_reader(data, size);
        uint64_t usec;
        size_t n;

        check_numbers(s);
        check_name_from_command(s);
        check_utf8(data, size);
        check_escape(data, size, false);
        check_escape(data, size, true);

        argv = fuzz_split_nul(data, size, &n);
        check_quote(argv, n);
        fuzz_strv_free(argv);

        /* Time spans: the input's first bytes as a number, and what parse_sec() made of the text. */
        usec = fuzz_u64(&r);
        check_timespan(usec, fuzz_u8(&r) % FORMAT_TIMESPAN_MAX);
        check_timespan(usec >> (fuzz_u8(&r) % 64), 0);
        if (parse_sec(s, &usec) == 0)
                check_timespan(usec, 0);

        free(s);
        return 0;
}
