/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Strict reading and writing of the key files orchd keeps in its state directory (store.c's
 * instance records, alert-record.c's alerts and contacts). A file is accepted only if it is
 * exactly what orchd writes: the known groups, each once, with none but the known keys, each at
 * most once, and values in the one form the setters below write (canonical decimal, "true" or
 * "false", strings without bad escapes). Anything else means the file is not one orchd wrote, and
 * guessing what it meant could resurrect a damaged record.
 *
 * Errors are negative errnos; where a caller needs to say why, a static clause ("the file has an
 * unknown group") is returned through RET_REASON, to be put after "Skipping FILE: ". */

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest file read (and, for alerts and contacts, written). */
#define KEYFILE_SIZE_MAX (4U * 1024U * 1024U)
#define KEYFILE_GROUP_KEYS_MAX 32U      /* keys a group may know (a uint32_t seen-mask) */

/* A group a file must have, once, and the keys it may have (none required here: the getters
 * below say which are). */
typedef struct KeyfileGroup {
        const char *name;
        const char *const *keys;
        size_t n_keys;                  /* at most KEYFILE_GROUP_KEYS_MAX */
        const char *missing_reason;     /* the clause if the group is missing */
} KeyfileGroup;

/* Loads DATA (SIZE bytes) into a new key file: -EINVAL with *RET_REASON one of
 *   "the file is empty", "the file is larger than 4 MiB" (KEYFILE_SIZE_MAX),
 *   "the file contains a NUL byte", "the file is truncated (no final newline)" (written files end
 *   with a newline: one cut short, even between the digits of a number, does not),
 *   "the file is not a valid key file", "the file has an unknown group" (one not in GROUPS),
 *   the group's missing_reason, "the file has a group more than once",
 *   "the file has an unknown or repeated key";
 * or 0 and *RET. "Key[xx]=" lines for other locales are kept, so refused as unknown keys. */
int keyfile_load_strict(const char *data, size_t size, const KeyfileGroup *groups, size_t n_groups,
                        GKeyFile **ret, const char **ret_reason);

/* The text of K, in memory the caller frees with free(), NUL-terminated, *RET_SIZE bytes without
 * the NUL. -EFBIG if that is more than MAX bytes (SIZE_MAX: no bound), -ENOMEM. */
int keyfile_to_data(GKeyFile *k, size_t max, char **ret, size_t *ret_size);

/* Setters in the form the getters accept. A NULL string or list is left out (no key). GKeyFile
 * escapes '\', tabs, newlines and a leading space of strings, and ';' too in list elements. */
void keyfile_set_u64(GKeyFile *k, const char *group, const char *key, uint64_t v);
void keyfile_set_string(GKeyFile *k, const char *group, const char *key, const char *s);
void keyfile_set_strv(GKeyFile *k, const char *group, const char *key, char **l);

/* Getters: -EINVAL for a missing key or a value not in the written form, -ENOMEM. Numbers are
 * canonical decimal only: no sign (but '-' for a negative i32, never "-0"), no spaces, no leading
 * zeros, at most MAX (get_u64). Booleans are "true" or "false" only. */
int keyfile_get_u64(GKeyFile *k, const char *group, const char *key, uint64_t max, uint64_t *ret);
int keyfile_get_u32(GKeyFile *k, const char *group, const char *key, uint32_t *ret);
int keyfile_get_i32(GKeyFile *k, const char *group, const char *key, int32_t *ret);
int keyfile_get_bool(GKeyFile *k, const char *group, const char *key, bool *ret);

/* A string (list) without bad escapes, valid UTF-8, copied for free() (strv_free()); the old *RET
 * is freed. An optional (not REQUIRED) key that is missing leaves *RET untouched and returns 0. */
int keyfile_get_string(GKeyFile *k, const char *group, const char *key, bool required, char **ret);
int keyfile_get_strv(GKeyFile *k, const char *group, const char *key, bool required, char ***ret);

/* For a function filling a record from a key file, with `int q` and `const char **ret_reason` in
 * scope: evaluates EXPR (a getter, or a check giving 0 or a negative errno) into q, and if that
 * failed sets *ret_reason to "KEY is missing or not valid" and returns q. KEY is a string
 * literal. */
#define KEYFILE_FIELD(expr, key)                                                \
        do {                                                                    \
                q = (expr);                                                     \
                if (q < 0) {                                                    \
                        *ret_reason = key " is missing or not valid";           \
                        return q;                                               \
                }                                                               \
        } while (0)
