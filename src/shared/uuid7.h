/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* UUIDv7 (RFC 9562 §5.7) identifiers for instances and alerts: the leading 48-bit millisecond
 * timestamp makes ids sort by creation time, the 74 random bits make them unguessable. */

#include <stdbool.h>
#include <stdint.h>

#define UUID7_STRING_LEN 36
#define UUID7_STRING_SIZE (UUID7_STRING_LEN + 1)
#define UUID7_RANDOM_SIZE 10

/* Formats a UUIDv7 as 36 lowercase characters plus NUL into OUT. The bytes of RAND_BYTES are
 * used in order: the low nibble of rand_bytes[0] and rand_bytes[1] give the 12 bits of rand_a,
 * the low 6 bits of rand_bytes[2] and rand_bytes[3..9] give the 62 bits of rand_b; the bits that
 * do not fit are ignored. Returns 0, -EINVAL for a NULL pointer, -ERANGE if UNIX_MS needs more
 * than 48 bits. OUT is untouched on failure. */
int uuid7_format(uint64_t unix_ms, const uint8_t rand_bytes[UUID7_RANDOM_SIZE], char out[UUID7_STRING_SIZE]);

/* Makes a new UUIDv7 from CLOCK_REALTIME and getrandom(2). Ids made in the same millisecond
 * are not ordered among themselves, and a clock stepped back yields earlier ids: sortable,
 * not strictly monotonic. Returns 0 or a negative errno; OUT is untouched on failure. */
int uuid7_generate(char out[UUID7_STRING_SIZE]);

/* True for exactly the strings uuid7_format() produces: 36 characters, lowercase hex, dashes at
 * 8, 13, 18 and 23, version nibble 7 and variant bits 10. NULL is not valid. */
bool uuid7_is_valid(const char *s);
