/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure helpers for command lines and for showing values to people: numbers, sizes and times as
 * people write them, names derived from commands, and text made safe for a terminal. None of
 * them touches anything but its arguments. Output parameters are untouched on failure. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A decimal number without sign, blanks, or anything after it; leading zeros are fine.
 * -EINVAL for anything else, -ERANGE if it does not fit. */
int parse_u32(const char *s, uint32_t *ret);
int parse_u64(const char *s, uint64_t *ret);

/* A size in bytes: a decimal number, optionally with a fraction ("1.5G"), optionally followed by
 * one of the suffixes K, M, G, T (base 1024, either case, optionally followed by "iB" or "B"),
 * or "infinity" for UINT64_MAX. Fractions of a byte are dropped. -EINVAL for a malformed size,
 * -ERANGE for one that does not fit in 64 bits (or would be UINT64_MAX itself). */
int parse_size_iec(const char *s, uint64_t *ret);

/* A time span in seconds: a decimal number, optionally with a fraction ("0.5"), optionally
 * followed by a unit: us, ms, s (the default), min, h, d. Rounded to the nearest microsecond.
 * -EINVAL for a malformed span, -ERANGE for one that does not fit in 64 bits of microseconds. */
int parse_sec(const char *s, uint64_t *ret_usec);

/* A line count for -n: a decimal number, or "all" for UINT64_MAX. */
#define LINES_ALL UINT64_MAX
int parse_lines(const char *s, uint64_t *ret);

/* Derives an instance name from a command (argv[0]): the part after the last '/', with every run
 * of characters not allowed in a name ([A-Za-z0-9_.-]) replaced by one '_', leading characters
 * other than letters and digits dropped, and cut to ORCHD_INSTANCE_NAME_MAX characters.
 * "/usr/bin/python3.11" → "python3.11". -EINVAL if nothing usable is left (e.g. "/" or "..."),
 * -ENOMEM on allocation failure. The result always passes instance_name_is_valid(). */
int instance_name_from_command(const char *command, char **ret);

/* Decodes one UTF-8 character of S (at most N bytes, N ≥ 1) strictly: no overlong forms, no
 * surrogates, nothing above U+10FFFF. Returns its length in bytes (1..4) and stores the code
 * point in *RET_CP, or -EINVAL for an invalid or truncated sequence. */
int utf8_decode_char(const char *s, size_t n, uint32_t *ret_cp);

/* Text of N bytes made safe for a terminal: C0 control characters (except tab, and newline if
 * KEEP_NEWLINE), DEL and the C1 controls U+0080..U+009F become "\xNN" (C1 as the bytes of their
 * UTF-8 form), bytes that are not valid UTF-8 become "\xNN", and a backslash stays as it is.
 * Returns an allocated string, or NULL on allocation failure. */
char *escape_for_terminal(const char *s, size_t n, bool keep_newline);

/* The elements of ARGV joined by spaces, each element quoted for a POSIX shell when it needs it
 * (single quotes, with ' written as '\''), so that the line can be pasted back into a shell.
 * An empty element is ''. NULL or empty ARGV gives "". Returns NULL on allocation failure. */
char *quote_command_line(char * const *argv);

/* A time span for people, with its two most significant units: "2d 3h", "1h 5min", "3min 2s",
 * "5s", "250ms", "7us", "0". Writes into BUF of size L (at least 1) and returns BUF; cut short
 * (but NUL-terminated) if BUF is too small. FORMAT_TIMESPAN_MAX is always enough. */
#define FORMAT_TIMESPAN_MAX 64U
char *format_timespan(char *buf, size_t l, uint64_t usec);
