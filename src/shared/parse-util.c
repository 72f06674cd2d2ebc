/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "parse-util.h"
#include "validate.h"

static bool char_is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool char_is_alnum(char c) {
        return char_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int parse_u64(const char *s, uint64_t *ret) {
        uint64_t v = 0;

        if (!s || !char_is_digit(*s) || s[strspn(s, "0123456789")] != '\0')
                return -EINVAL;         /* malformed, before whether it fits */
        for (; *s; s++) {
                unsigned d;

                if (!char_is_digit(*s))
                        return -EINVAL;
                d = (unsigned) (*s - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int parse_u32(const char *s, uint32_t *ret) {
        uint64_t v;
        int r;

        r = parse_u64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* Parses "DIGITS[.DIGITS]" or ".DIGITS" at the start of S into the integer part and the fraction
 * digits, and leaves *RET_END after it. */
static int parse_decimal(const char *s, uint64_t *ret_int, bool *ret_overflow, const char **ret_frac,
                         size_t *ret_n_frac, const char **ret_end) {
        uint64_t v = 0;
        const char *p = s, *frac = NULL;
        size_t n_frac = 0;
        bool have_int = false, overflow = false;

        for (; char_is_digit(*p); p++) {
                unsigned d = (unsigned) (*p - '0');

                if (v > (UINT64_MAX - d) / 10)
                        overflow = true;
                else
                        v = v * 10 + d;
                have_int = true;
        }
        if (*p == '.') {
                p++;
                frac = p;
                while (char_is_digit(*p))
                        p++;
                n_frac = (size_t) (p - frac);
                if (n_frac == 0) /* "5." and "." */
                        return -EINVAL;
        } else if (!have_int)
                return -EINVAL;

        *ret_int = v;
        *ret_overflow = overflow;
        *ret_frac = frac;
        *ret_n_frac = n_frac;
        *ret_end = p;
        return 0;
}

/* floor(0.FRAC × M) exactly, for M ≤ UINT64_MAX / 10: Horner's scheme from the last digit, where
 * floor((d×M + floor(x)) / 10) = floor((d×M + x) / 10) keeps every step exact. */
static uint64_t fraction_times(const char *frac, size_t n_frac, uint64_t m) {
        uint64_t v = 0;

        for (size_t i = n_frac; i > 0; i--)
                v = ((uint64_t) (frac[i - 1] - '0') * m + v) / 10;
        return v;
}

/* INT × M + FRAC, checking for overflow. */
static int scale(uint64_t integer, uint64_t m, uint64_t frac, uint64_t *ret) {
        if (integer != 0 && m > UINT64_MAX / integer)
                return -ERANGE;
        if (integer * m > UINT64_MAX - frac)
                return -ERANGE;
        *ret = integer * m + frac;
        return 0;
}

int parse_size_iec(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                uint64_t factor;
        } table[] = {
                { 'K', UINT64_C(1) << 10 },
                { 'M', UINT64_C(1) << 20 },
                { 'G', UINT64_C(1) << 30 },
                { 'T', UINT64_C(1) << 40 },
        };
        const char *frac, *end;
        uint64_t integer, factor = 1, v;
        size_t n_frac;
        bool overflow;
        int r;

        if (!s)
                return -EINVAL;
        if (streq(s, "infinity")) {
                *ret = UINT64_MAX;
                return 0;
        }

        r = parse_decimal(s, &integer, &overflow, &frac, &n_frac, &end);
        if (r < 0)
                return r;

        if (*end != '\0' && !streq(end, "B")) {
                char c = *end;
                size_t i;

                if (c >= 'a' && c <= 'z')
                        c = (char) (c - 'a' + 'A');
                for (i = 0; i < ELEMENTSOF(table); i++)
                        if (table[i].suffix == c)
                                break;
                if (i >= ELEMENTSOF(table))
                        return -EINVAL;
                end++;
                if (!streq(end, "") && !streq(end, "B") && !streq(end, "iB"))
                        return -EINVAL;
                factor = table[i].factor;
        }
        if (overflow)
                return -ERANGE;

        r = scale(integer, factor, fraction_times(frac, n_frac, factor), &v);
        if (r < 0)
                return r;
        if (v == UINT64_MAX) /* reserved for "infinity" */
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_sec(const char *s, uint64_t *ret_usec) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } table[] = {
                { "",    USEC_PER_SEC },
                { "us",  1 },
                { "ms",  USEC_PER_MSEC },
                { "s",   USEC_PER_SEC },
                { "min", 60 * USEC_PER_SEC },
                { "h",   3600 * USEC_PER_SEC },
                { "d",   86400 * USEC_PER_SEC },
        };
        const char *frac, *end;
        uint64_t integer, m = 0, v;
        size_t n_frac;
        bool overflow;
        int r;

        if (!s)
                return -EINVAL;

        r = parse_decimal(s, &integer, &overflow, &frac, &n_frac, &end);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(end, table[i].suffix)) {
                        m = table[i].usec;
                        break;
                }
        if (m == 0)
                return -EINVAL;
        if (overflow)
                return -ERANGE;

        /* Rounded to the nearest microsecond: floor(2 × fraction × m), then halved rounding up. */
        r = scale(integer, m, (fraction_times(frac, n_frac, 2 * m) + 1) / 2, &v);
        if (r < 0)
                return r;
        *ret_usec = v;
        return 0;
}

int parse_lines(const char *s, uint64_t *ret) {
        uint64_t v;
        int r;

        if (s && streq(s, "all")) {
                *ret = LINES_ALL;
                return 0;
        }
        r = parse_u64(s, &v);
        if (r < 0)
                return r;
        if (v == LINES_ALL)
                return -ERANGE;
        *ret = v;
        return 0;
}

static bool char_is_name_char(char c) {
        return char_is_alnum(c) || c == '_' || c == '.' || c == '-';
}

int instance_name_from_command(const char *command, char **ret) {
        const char *base;
        bool pending = false;
        size_t n = 0;
        char *name;

        if (!command)
                return -EINVAL;

        base = strrchr(command, '/');
        base = base ? base + 1 : command;

        name = malloc(ORCHD_INSTANCE_NAME_MAX + 1);
        if (!name)
                return -ENOMEM;

        for (const char *p = base; *p && n < ORCHD_INSTANCE_NAME_MAX; p++) {
                if (!char_is_name_char(*p)) {
                        /* A run of characters a name cannot hold becomes one '_', but only
                         * between kept characters: never at the start or at the end. */
                        pending = n > 0;
                        continue;
                }
                if (n == 0 && !char_is_alnum(*p))
                        continue;
                if (pending) {
                        if (n + 2 > ORCHD_INSTANCE_NAME_MAX) /* no room for '_' and a character */
                                break;
                        name[n++] = '_';
                        pending = false;
                }
                name[n++] = *p;
        }
        name[n] = '\0';

        if (n == 0) {
                free(name);
                return -EINVAL;
        }
        *ret = name;
        return 0;
}

int utf8_decode_char(const char *s, size_t n, uint32_t *ret_cp) {
        const unsigned char *u = (const unsigned char *) s;
        uint32_t cp, min;
        size_t len;

        if (!s || n == 0)
                return -EINVAL;

        if (u[0] < 0x80) {
                *ret_cp = u[0];
                return 1;
        }
        if ((u[0] & 0xe0) == 0xc0) {
                len = 2;
                cp = u[0] & 0x1f;
                min = 0x80;
        } else if ((u[0] & 0xf0) == 0xe0) {
                len = 3;
                cp = u[0] & 0x0f;
                min = 0x800;
        } else if ((u[0] & 0xf8) == 0xf0) {
                len = 4;
                cp = u[0] & 0x07;
                min = 0x10000;
        } else
                return -EINVAL;

        if (n < len)
                return -EINVAL;
        for (size_t i = 1; i < len; i++) {
                if ((u[i] & 0xc0) != 0x80)
                        return -EINVAL;
                cp = (cp << 6) | (u[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return -EINVAL;

        *ret_cp = cp;
        return (int) len;
}

char *escape_for_terminal(const char *s, size_t n, bool keep_newline) {
        char *buf, *t;

        if (n > (SIZE_MAX - 1) / 4)
                return NULL;
        buf = malloc(n * 4 + 1);
        if (!buf)
                return NULL;

        t = buf;
        for (size_t i = 0; i < n;) {
                uint32_t cp;
                int len;

                len = utf8_decode_char(s + i, n - i, &cp);
                if (len < 0) {
                        t += sprintf(t, "\\x%02x", (unsigned char) s[i]);
                        i++;
                        continue;
                }
                if ((cp < 0x20 && cp != '\t' && !(cp == '\n' && keep_newline)) ||
                    (cp >= 0x7f && cp <= 0x9f)) {
                        for (int k = 0; k < len; k++)
                                t += sprintf(t, "\\x%02x", (unsigned char) s[i + (size_t) k]);
                } else {
                        memcpy(t, s + i, (size_t) len);
                        t += len;
                }
                i += (size_t) len;
        }
        *t = '\0';
        return buf;
}

static bool shell_safe_char(char c) {
        return char_is_alnum(c) || strchr("_./:=@%+,-", c);
}

char *quote_command_line(char * const *argv) {
        size_t size = 1;
        char *buf, *t;

        STRV_FOREACH(a, (char **) argv) {
                size_t l = strlen(*a);

                /* Worst case: every character a quote, each written as 4 ('\''), plus the
                 * surrounding quotes and a space. */
                if (l > (SIZE_MAX - size - 3) / 4)
                        return NULL;
                size += l * 4 + 3;
        }

        buf = malloc(size);
        if (!buf)
                return NULL;

        t = buf;
        STRV_FOREACH(a, (char **) argv) {
                bool safe = **a != '\0';

                for (const char *p = *a; *p && safe; p++)
                        safe = shell_safe_char(*p);

                if (t != buf)
                        *t++ = ' ';
                if (safe) {
                        t = stpcpy(t, *a);
                        continue;
                }
                *t++ = '\'';
                for (const char *p = *a; *p; p++)
                        if (*p == '\'')
                                t = stpcpy(t, "'\\''");
                        else
                                *t++ = *p;
                *t++ = '\'';
        }
        *t = '\0';
        return buf;
}

char *format_timespan(char *buf, size_t l, uint64_t usec) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } table[] = {
                { "d",   86400 * USEC_PER_SEC },
                { "h",   3600 * USEC_PER_SEC },
                { "min", 60 * USEC_PER_SEC },
                { "s",   USEC_PER_SEC },
                { "ms",  USEC_PER_MSEC },
                { "us",  1 },
        };

        if (usec == 0) {
                (void) snprintf(buf, l, "0");
                return buf;
        }

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                uint64_t a, rest;

                if (usec < table[i].usec)
                        continue;

                a = usec / table[i].usec;
                rest = usec % table[i].usec;
                if (i + 1 < ELEMENTSOF(table) && rest / table[i + 1].usec > 0)
                        (void) snprintf(buf, l, "%llu%s %llu%s", (unsigned long long) a, table[i].suffix,
                                        (unsigned long long) (rest / table[i + 1].usec), table[i + 1].suffix);
                else
                        (void) snprintf(buf, l, "%llu%s", (unsigned long long) a, table[i].suffix);
                break;
        }
        return buf;
}
