/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile-util.h"
#include "macro.h"

/* The reasons below spell the limit out; keep them in step. */
_Static_assert(KEYFILE_SIZE_MAX == 4U * 1024U * 1024U, "update the reasons");
_Static_assert(KEYFILE_GROUP_KEYS_MAX <= 32, "seen-masks are uint32_t");

/* Lines that open a group, counted in the text itself: GKeyFile merges a group given twice. */
static size_t count_group_lines(const char *data, size_t size) {
        size_t n = 0;

        for (size_t i = 0; i < size; ) {
                const char *nl = memchr(data + i, '\n', size - i);
                size_t end = nl ? (size_t) (nl - data) : size;

                while (i < end && g_ascii_isspace(data[i]))
                        i++;
                if (i < end && data[i] == '[')
                        n++;
                i = end + 1;
        }
        return n;
}

static bool group_keys_valid(GKeyFile *k, const KeyfileGroup *group) {
        g_auto(GStrv) keys = g_key_file_get_keys(k, group->name, NULL, NULL);
        uint32_t seen = 0;

        for (char **key = keys; key && *key; key++) {
                size_t i;

                for (i = 0; i < group->n_keys; i++)
                        if (streq(*key, group->keys[i]))
                                break;
                /* g_key_file_get_keys() lists a key given twice twice; GKeyFile would use the last. */
                if (i >= group->n_keys || (seen & (UINT32_C(1) << i)))
                        return false;
                seen |= UINT32_C(1) << i;
        }
        return true;
}

static bool group_is_known(const KeyfileGroup *groups, size_t n_groups, const char *name) {
        for (size_t i = 0; i < n_groups; i++)
                if (streq(groups[i].name, name))
                        return true;
        return false;
}

/* Exactly the GROUPS, each once, with none but their keys, each once. */
static const char *check_structure(GKeyFile *k, const char *data, size_t size, const KeyfileGroup *groups,
                                   size_t n_groups) {
        g_auto(GStrv) names = g_key_file_get_groups(k, NULL);

        for (char **g = names; g && *g; g++)
                if (!group_is_known(groups, n_groups, *g))
                        return "the file has an unknown group";
        for (size_t i = 0; i < n_groups; i++)
                if (!g_key_file_has_group(k, groups[i].name))
                        return groups[i].missing_reason;
        if (count_group_lines(data, size) != n_groups)
                return "the file has a group more than once";
        for (size_t i = 0; i < n_groups; i++)
                if (!group_keys_valid(k, &groups[i]))
                        return "the file has an unknown or repeated key";
        return NULL;
}

int keyfile_load_strict(const char *data, size_t size, const KeyfileGroup *groups, size_t n_groups,
                        GKeyFile **ret, const char **ret_reason) {
        g_autoptr(GKeyFile) k = NULL;
        const char *reason = NULL;

        /* Written files end with a newline: a file cut short, even between the digits of a number,
         * does not (and one cut between lines lacks a required key). */
        if (size == 0)
                reason = "the file is empty";
        else if (size > KEYFILE_SIZE_MAX)
                reason = "the file is larger than 4 MiB";
        else if (memchr(data, '\0', size))
                reason = "the file contains a NUL byte";
        else if (data[size - 1] != '\n')
                reason = "the file is truncated (no final newline)";
        else {
                k = g_key_file_new();
                /* Without KEEP_TRANSLATIONS, GKeyFile silently drops "Key[xx]=" lines for other
                 * locales: keep them, to be refused as unknown keys. */
                if (!g_key_file_load_from_data(k, data, size, G_KEY_FILE_KEEP_TRANSLATIONS, NULL))
                        reason = "the file is not a valid key file";
                else
                        reason = check_structure(k, data, size, groups, n_groups);
        }
        if (reason) {
                if (ret_reason)
                        *ret_reason = reason;
                return -EINVAL;
        }

        *ret = TAKE_PTR(k);
        return 0;
}

int keyfile_to_data(GKeyFile *k, size_t max, char **ret, size_t *ret_size) {
        g_autofree char *data = NULL;
        char *copy;
        gsize size;

        /* GLib aborts rather than return NULL on OOM; the caller frees with free(), so copy. */
        data = g_key_file_to_data(k, &size, NULL);
        if (size > max)
                return -EFBIG;
        copy = malloc(size + 1);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, data, size + 1);
        *ret = copy;
        *ret_size = size;
        return 0;
}

void keyfile_set_u64(GKeyFile *k, const char *group, const char *key, uint64_t v) {
        char buf[sizeof "18446744073709551615"];

        (void) snprintf(buf, sizeof buf, "%" PRIu64, v);
        g_key_file_set_value(k, group, key, buf);
}

void keyfile_set_string(GKeyFile *k, const char *group, const char *key, const char *s) {
        if (s)
                g_key_file_set_string(k, group, key, s);
}

void keyfile_set_strv(GKeyFile *k, const char *group, const char *key, char **l) {
        if (l)
                g_key_file_set_string_list(k, group, key, (const char * const *) l, strv_length(l));
}

/* Canonical decimal only: no sign, no spaces, no leading zeros, no overflow. */
static int parse_u64(const char *v, uint64_t max, uint64_t *ret) {
        size_t n = strlen(v);
        char *end;
        uint64_t u;

        if (n == 0 || strspn(v, "0123456789") != n || (v[0] == '0' && n > 1))
                return -EINVAL;
        errno = 0;
        u = g_ascii_strtoull(v, &end, 10);
        if (errno != 0 || *end != '\0' || u > max)
                return -EINVAL;
        *ret = u;
        return 0;
}

int keyfile_get_u64(GKeyFile *k, const char *group, const char *key, uint64_t max, uint64_t *ret) {
        g_autofree char *v = g_key_file_get_value(k, group, key, NULL);

        if (!v)
                return -EINVAL;
        return parse_u64(v, max, ret);
}

int keyfile_get_u32(GKeyFile *k, const char *group, const char *key, uint32_t *ret) {
        uint64_t u;
        int q;

        q = keyfile_get_u64(k, group, key, UINT32_MAX, &u);
        if (q < 0)
                return q;
        *ret = (uint32_t) u;
        return 0;
}

int keyfile_get_i32(GKeyFile *k, const char *group, const char *key, int32_t *ret) {
        g_autofree char *v = g_key_file_get_value(k, group, key, NULL);
        bool negative;
        uint64_t u;

        if (!v)
                return -EINVAL;
        negative = v[0] == '-';
        if (parse_u64(v + negative, negative ? (uint64_t) INT32_MAX + 1 : INT32_MAX, &u) < 0)
                return -EINVAL;
        if (negative && u == 0)
                return -EINVAL;         /* "-0" is not what we write */
        *ret = negative ? (int32_t) -(int64_t) u : (int32_t) u;
        return 0;
}

int keyfile_get_bool(GKeyFile *k, const char *group, const char *key, bool *ret) {
        g_autofree char *v = g_key_file_get_value(k, group, key, NULL);

        /* Only what g_key_file_set_boolean() writes. */
        if (!v || (!streq(v, "true") && !streq(v, "false")))
                return -EINVAL;
        *ret = streq(v, "true");
        return 0;
}

int keyfile_get_string(GKeyFile *k, const char *group, const char *key, bool required, char **ret) {
        g_autoptr(GError) e = NULL;
        g_autofree char *v = NULL;
        char *copy;

        if (!g_key_file_has_key(k, group, key, NULL))
                return required ? -EINVAL : 0;
        /* GKeyFile lets unknown escapes through unless it has a GError to report them in. */
        v = g_key_file_get_string(k, group, key, &e);
        if (!v || e)
                return -EINVAL;         /* a bad escape (a value is returned anyway), or not UTF-8 */
        copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        free(*ret);
        *ret = copy;
        return 0;
}

int keyfile_get_strv(GKeyFile *k, const char *group, const char *key, bool required, char ***ret) {
        g_autoptr(GError) e = NULL;
        g_auto(GStrv) v = NULL;
        _cleanup_strv_free_ char **copy = NULL;
        gsize n;

        if (!g_key_file_has_key(k, group, key, NULL))
                return required ? -EINVAL : 0;
        v = g_key_file_get_string_list(k, group, key, &n, &e);
        if (!v || e)
                return -EINVAL;
        copy = calloc(n + 1, sizeof(char *));
        if (!copy)
                return -ENOMEM;
        for (gsize i = 0; i < n; i++) {
                copy[i] = strdup(v[i]);
                if (!copy[i])
                        return -ENOMEM;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(copy);
        return 0;
}
