/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "macro.h"
#include "uuid7.h"

#define UUID7_UNIX_MS_MAX ((UINT64_C(1) << 48) - 1)

static bool char_is_lower_hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool uuid7_is_dash_position(size_t i) {
        return i == 8 || i == 13 || i == 18 || i == 23;
}

int uuid7_format(uint64_t unix_ms, const uint8_t rand_bytes[UUID7_RANDOM_SIZE], char out[UUID7_STRING_SIZE]) {
        static const char hex[] = "0123456789abcdef";
        uint8_t bytes[16];
        size_t k = 0;

        if (!rand_bytes || !out)
                return -EINVAL;
        if (unix_ms > UUID7_UNIX_MS_MAX)
                return -ERANGE;

        /* Big-endian timestamp first, so that the string order is the time order. */
        for (size_t i = 0; i < 6; i++)
                bytes[i] = (uint8_t) (unix_ms >> (8 * (5 - i)));

        bytes[6] = 0x70 | (rand_bytes[0] & 0x0f); /* version 7, then the top of rand_a */
        bytes[7] = rand_bytes[1];
        bytes[8] = 0x80 | (rand_bytes[2] & 0x3f); /* variant 10, then the top of rand_b */
        memcpy(bytes + 9, rand_bytes + 3, 7);

        /* Build the whole string before writing any of OUT: nothing can fail from here on. */
        for (size_t i = 0; i < 16; i++) {
                if (uuid7_is_dash_position(k))
                        out[k++] = '-';
                out[k++] = hex[bytes[i] >> 4];
                out[k++] = hex[bytes[i] & 0x0f];
        }
        out[k] = '\0';

        return 0;
}

static int random_bytes(void *p, size_t n) {
        uint8_t *q = p;

        while (n > 0) {
                ssize_t k;

                k = getrandom(q, n, 0);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0) /* cannot happen for n > 0, but must not loop forever if it does */
                        return -EIO;

                q += k;
                n -= (size_t) k;
        }

        return 0;
}

int uuid7_generate(char out[UUID7_STRING_SIZE]) {
        uint8_t rand_bytes[UUID7_RANDOM_SIZE];
        struct timespec ts;
        uint64_t unix_ms;
        int r;

        if (!out)
                return -EINVAL;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return -errno;
        if (ts.tv_sec < 0) /* a clock before 1970 has no UUIDv7 timestamp */
                return -ERANGE;
        unix_ms = (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;

        r = random_bytes(rand_bytes, sizeof(rand_bytes));
        if (r < 0)
                return r;

        return uuid7_format(unix_ms, rand_bytes, out);
}

bool uuid7_is_valid(const char *s) {
        if (!s)
                return false;

        /* Stops at a NUL inside the first 36 characters, since NUL is neither dash nor hex. */
        for (size_t i = 0; i < UUID7_STRING_LEN; i++) {
                if (uuid7_is_dash_position(i)) {
                        if (s[i] != '-')
                                return false;
                } else if (!char_is_lower_hex(s[i]))
                        return false;
        }
        if (s[UUID7_STRING_LEN] != '\0')
                return false;

        if (s[14] != '7')
                return false;
        /* Variant bits 10xx: the first hex digit of the fourth group is 8, 9, a or b. */
        if (!strchr("89ab", s[19]))
                return false;

        return true;
}
