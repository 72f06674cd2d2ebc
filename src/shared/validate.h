/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Validators for everything that arrives over D-Bus. Each string ends up in a unit name, a
 * command line, an environment block, the journal or a terminal, so the rules are strict and
 * the limits explicit. All lengths are in bytes and do not count the terminating NUL. */

#include <stdbool.h>
#include <stddef.h>

#define ORCHD_INSTANCE_NAME_MAX 64U
#define ORCHD_ARGV_MAX 4096U                   /* elements of ExecStart */
#define ORCHD_ARG_SIZE_MAX (32U * 1024U)       /* one element of ExecStart */
#define ORCHD_ARGV_TOTAL_MAX (1024U * 1024U)   /* all elements of ExecStart together */
#define ORCHD_ENV_MAX 1024U                    /* entries of Environment */
#define ORCHD_ENV_KEY_MAX 255U                 /* the KEY of one KEY=VALUE */
#define ORCHD_ENV_ASSIGNMENT_MAX (32U * 1024U) /* one whole KEY=VALUE */
#define ORCHD_DESCRIPTION_MAX 1024U
#define ORCHD_PATH_MAX 4095U                   /* PATH_MAX (4096) counts the NUL, this does not */
#define ORCHD_USER_NAME_MAX 31U

/* Strict UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 * NULL is not valid. */
bool utf8_is_valid(const char *s);

/* 1..ORCHD_INSTANCE_NAME_MAX characters of [A-Za-z0-9_.-], the first a letter or digit, so that
 * "orchd-<name>.service" is a valid unit name and "." or ".." can never be a name. */
bool instance_name_is_valid(const char *name);

/* KEY=VALUE with KEY matching [A-Za-z_][A-Za-z0-9_]* of at most ORCHD_ENV_KEY_MAX, VALUE possibly
 * empty, the whole at most ORCHD_ENV_ASSIGNMENT_MAX, valid UTF-8 and free of control characters
 * other than tab (C0, DEL and C1 are control characters). */
bool env_assignment_is_valid(const char *s);

/* True if the variable changes how the dynamic loader or libc set a program up (LD_*, MALLOC_*,
 * GCONV_PATH, GLIBC_TUNABLES, ...; glibc's list of variables unsafe for setuid programs, except
 * TMPDIR). Setting one needs the run-privileged action. Takes "KEY" or "KEY=VALUE". */
bool env_name_is_loader_affecting(const char *key_or_assignment);

/* Checks an ExecStart command line of N elements: 1..ORCHD_ARGV_MAX elements, argv[0] an
 * absolute path of at most ORCHD_PATH_MAX without ".." components, every element valid UTF-8
 * without control characters other than tab and at most ORCHD_ARG_SIZE_MAX, all together at most
 * ORCHD_ARGV_TOTAL_MAX. Returns 0, or -EINVAL and, if RET_REASON is not NULL, a static sentence
 * saying what is wrong in *RET_REASON. RET_REASON is untouched on success. */
int argv_validate(char * const *argv, size_t n, const char **ret_reason);

/* Checks an Environment list of N entries: at most ORCHD_ENV_MAX, each env_assignment_is_valid(),
 * no key set twice. Returns 0, or -EINVAL and, if RET_REASON is not NULL, an allocated sentence
 * naming the entry (counted from 1) in *RET_REASON, for the caller to free. Values are never
 * quoted in it, since they may be secrets. Returns -ENOMEM if that sentence cannot be allocated.
 * RET_REASON is untouched unless -EINVAL is returned. */
int env_validate(char * const *env, size_t n, char **ret_reason);

/* For WorkingDirectory: absolute, at most ORCHD_PATH_MAX, no "." or ".." components, no "//",
 * valid UTF-8 without control characters. A trailing "/" is fine. */
bool path_is_absolute_normalized(const char *p);

/* For User: a name of 1..ORCHD_USER_NAME_MAX matching [a-z_][a-z0-9_-]*[$]?, or a decimal uid
 * without sign or leading zeros in 0..4294967294, except 65535 (the 16-bit "nobody"/-1, which
 * systemd refuses too). */
bool unix_user_name_is_valid(const char *u);

/* For Description: valid UTF-8 of at most ORCHD_DESCRIPTION_MAX without control characters other
 * than tab. Empty is valid (no description). */
bool description_is_valid(const char *s);
