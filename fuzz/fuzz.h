/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every fuzz target shares: the libFuzzer entry point, a check that aborts (so that libFuzzer
 * and the replay driver both see a crash), and a reader that turns the input bytes into
 * structured values. Targets are built two ways (fuzz/meson.build): with libFuzzer under clang,
 * and with replay-main.c, which runs them on every file of their corpus as a meson test. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not assert(): it must hold in every build type, and say what failed. */
#define FUZZ_CHECK(cond)                                                                        \
        do {                                                                                    \
                if (!(cond)) {                                                                  \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                \
                }                                                                               \
        } while (0)

#define FUZZ_CHECK_MSG(cond, ...)                                                               \
        do {                                                                                    \
                if (!(cond)) {                                                                  \
                        fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
                        fprintf(stderr, __VA_ARGS__);                                           \
                        fputc('\n', stderr);                                                    \
                        abort();                                                                \
                }                                                                               \
        } while (0)

/* The input as a stream of values; reading past the end gives zeros and empty strings, so a
 * target never has to check for the end itself. */
typedef struct FuzzReader {
        const uint8_t *data;
        size_t size;
        size_t pos;
} FuzzReader;

static inline FuzzReader fuzz_reader(const uint8_t *data, size_t size) {
        return (FuzzReader) { .data = data, .size = size };
}

static inline bool fuzz_done(const FuzzReader *r) {
        return r->pos >= r->size;
}

static inline uint8_t fuzz_u8(FuzzReader *r) {
        return r->pos < r->size ? r->data[r->pos++] : 0;
}

static inline bool fuzz_bool(FuzzReader *r) {
        return fuzz_u8(r) & 1;
}

static inline uint32_t fuzz_u32(FuzzReader *r) {
        uint32_t v = 0;

        for (unsigned i = 0; i < 4; i++)
                v |= (uint32_t) fuzz_u8(r) << (8 * i);
        return v;
}

static inline uint64_t fuzz_u64(FuzzReader *r) {
        return (uint64_t) fuzz_u32(r) | ((uint64_t) fuzz_u32(r) << 32);
}

/* A number that is often one of the interesting ones: 0, 1, the limits, around a boundary. */
static inline uint64_t fuzz_u64_interesting(FuzzReader *r, const uint64_t *special, size_t n_special) {
        uint8_t b = fuzz_u8(r);

        if (b < 0x80 && n_special > 0)
                return special[b % n_special];
        if (b < 0xc0)
                return fuzz_u8(r);
        if (b < 0xe0)
                return fuzz_u32(r);
        return fuzz_u64(r);
}

/* A newly allocated NUL-terminated string of at most MAX bytes: a length byte (scaled if MAX is
 * large), then the bytes; NUL bytes of the input become 0x01 so the length is exact. */
static inline char *fuzz_string(FuzzReader *r, size_t max) {
        size_t n = fuzz_u8(r);
        char *s;

        if (n == 0xff && max > 0xfe)    /* a long one: two more length bytes */
                n = (size_t) fuzz_u8(r) | ((size_t) fuzz_u8(r) << 8);
        if (n > max)
                n = max;
        if (n > r->size - r->pos)       /* pos never passes size */
                n = r->size - r->pos;
        s = malloc(n + 1);
        if (!s)
                abort();
        for (size_t i = 0; i < n; i++)
                s[i] = r->data[r->pos + i] ? (char) r->data[r->pos + i] : '\x01';
        s[n] = '\0';
        r->pos += n;
        return s;
}

/* The whole input as a string (up to its first NUL byte). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size) {
        char *s = strndup((const char *) data, size);

        if (!s)
                abort();
        return s;
}

/* The input split at its NUL bytes into N strings (N ≥ 1 for any input, 0 for an empty one):
 * "a\0b" is { "a", "b" }, "a\0" is { "a", "" }. The list is NULL-terminated; free with
 * fuzz_strv_free(). */
static inline char **fuzz_split_nul(const uint8_t *data, size_t size, size_t *ret_n) {
        size_t n = size == 0 ? 0 : 1, k = 0, start = 0;
        char **l;

        for (size_t i = 0; i < size; i++)
                if (data[i] == 0)
                        n++;
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                abort();
        for (size_t i = 0; size > 0 && i <= size; i++)
                if (i == size || data[i] == 0) {
                        l[k] = strndup((const char *) data + start, i - start);
                        if (!l[k])
                                abort();
                        k++;
                        start = i + 1;
                }
        *ret_n = n;
        return l;
}

static inline void fuzz_strv_free(char **l) {
        for (char **p = l; p && *p; p++)
                free(*p);
        free(l);
}

/* Reference checks written from the standards, not from orchd's code, to compare it with. */

/* Well-formed UTF-8 (Unicode 15, table 3-7), N bytes. */
static inline bool fuzz_utf8_valid_n(const uint8_t *s, size_t n) {
        size_t i = 0;

        while (i < n) {
                uint8_t b = s[i];
                size_t len;
                uint8_t lo = 0x80, hi = 0xbf;

                if (b <= 0x7f) {
                        i++;
                        continue;
                } else if (b >= 0xc2 && b <= 0xdf)
                        len = 2;
                else if (b >= 0xe0 && b <= 0xef) {
                        len = 3;
                        if (b == 0xe0)
                                lo = 0xa0;
                        else if (b == 0xed)
                                hi = 0x9f;
                } else if (b >= 0xf0 && b <= 0xf4) {
                        len = 4;
                        if (b == 0xf0)
                                lo = 0x90;
                        else if (b == 0xf4)
                                hi = 0x8f;
                } else
                        return false;
                if (n - i < len)
                        return false;
                if (s[i + 1] < lo || s[i + 1] > hi)
                        return false;
                for (size_t k = 2; k < len; k++)
                        if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                                return false;
                i += len;
        }
        return true;
}

static inline bool fuzz_utf8_valid(const char *s) {
        return fuzz_utf8_valid_n((const uint8_t *) s, strlen(s));
}

/* Whether valid UTF-8 S has a C0 control (but tab if ALLOW_TAB, and newline if ALLOW_NEWLINE),
 * DEL, or a C1 control (U+0080..U+009F). */
static inline bool fuzz_has_control(const char *s, bool allow_tab, bool allow_newline) {
        const uint8_t *p = (const uint8_t *) s;
        size_t n = strlen(s);

        for (size_t i = 0; i < n; i++) {
                if (p[i] == '\t' && allow_tab)
                        continue;
                if (p[i] == '\n' && allow_newline)
                        continue;
                if (p[i] < 0x20 || p[i] == 0x7f)
                        return true;
                if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
                        return true;
        }
        return false;
}
