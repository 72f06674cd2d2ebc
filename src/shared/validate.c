/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() */
#endif

#include <errno.h>
#include <stdio.h>

#include "macro.h"
#include "validate.h"

/* The static reasons below spell the limits out; keep them in step. */
_Static_assert(ORCHD_ARGV_MAX == 4096, "update the reasons in argv_validate()");
_Static_assert(ORCHD_ARG_SIZE_MAX == 32768, "update the reasons in argv_validate()");
_Static_assert(ORCHD_ARGV_TOTAL_MAX == 1024 * 1024, "update the reasons in argv_validate()");
_Static_assert(ORCHD_PATH_MAX == 4095, "update the reasons in argv_validate()");
_Static_assert(ORCHD_ENV_KEY_MAX == 255, "update the reasons in env_assignment_check()");
_Static_assert(ORCHD_ENV_ASSIGNMENT_MAX == 32768, "update the reasons in env_assignment_check()");

static bool char_is_ascii_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool char_is_ascii_digit(char c) {
        return c >= '0' && c <= '9';
}

bool utf8_is_valid(const char *s) {
        const uint8_t *p = (const uint8_t *) s;

        if (!s)
                return false;

        while (*p) {
                uint32_t cp, min;
                size_t len;

                if (*p < 0x80) {
                        p++;
                        continue;
                }

                if ((*p & 0xe0) == 0xc0) {
                        len = 2;
                        cp = *p & 0x1f;
                        min = 0x80;
                } else if ((*p & 0xf0) == 0xe0) {
                        len = 3;
                        cp = *p & 0x0f;
                        min = 0x800;
                } else if ((*p & 0xf8) == 0xf0) {
                        len = 4;
                        cp = *p & 0x07;
                        min = 0x10000;
                } else /* a stray continuation byte, or 0xf8..0xff */
                        return false;

                /* The terminating NUL is no continuation byte, so a truncated sequence stops here
                 * without reading past the end. */
                for (size_t i = 1; i < len; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i] & 0x3f);
                }

                /* Overlong forms would smuggle e.g. '/' or NUL past byte-wise checks. */
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;

                p += len;
        }

        return true;
}

/* C0 controls except tab, DEL, and C1 controls (U+0080..U+009F, encoded 0xc2 0x80..0x9f): they
 * could forge lines or escape sequences in the journal and on terminals. Expects valid UTF-8,
 * in which 0xc2 is always a lead byte. */
static bool string_has_control_chars(const char *s) {
        for (const uint8_t *p = (const uint8_t *) s; *p; p++) {
                if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
                        return true;
                if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
                        return true;
        }
        return false;
}

/* Length of S if it is at most MAX, otherwise MAX + 1; does not read further than that. */
static size_t strlen_capped(const char *s, size_t max) {
        return strnlen(s, max + 1);
}

bool instance_name_is_valid(const char *name) {
        size_t len;

        if (!name)
                return false;

        len = strlen_capped(name, ORCHD_INSTANCE_NAME_MAX);
        if (len == 0 || len > ORCHD_INSTANCE_NAME_MAX)
                return false;

        if (!char_is_ascii_alpha(name[0]) && !char_is_ascii_digit(name[0]))
                return false;

        for (size_t i = 1; i < len; i++)
                if (!char_is_ascii_alpha(name[i]) && !char_is_ascii_digit(name[i]) &&
                    !strchr("_.-", name[i]))
                        return false;

        return true;
}

/* Why an assignment is invalid, as the end of a sentence starting with its position; NULL if it
 * is valid. */
static const char *env_assignment_check(const char *s) {
        const char *bad_key = "is not KEY=VALUE with a key of letters, digits and '_' that does not start with a digit";
        size_t key_len;

        if (!s)
                return bad_key;

        key_len = strcspn(s, "=");
        if (key_len == 0 || s[key_len] != '=')
                return bad_key;
        if (char_is_ascii_digit(s[0]))
                return bad_key;
        for (size_t i = 0; i < key_len; i++)
                if (!char_is_ascii_alpha(s[i]) && !char_is_ascii_digit(s[i]) && s[i] != '_')
                        return bad_key;
        if (key_len > ORCHD_ENV_KEY_MAX)
                return "has a key longer than 255 characters";

        if (strlen_capped(s, ORCHD_ENV_ASSIGNMENT_MAX) > ORCHD_ENV_ASSIGNMENT_MAX)
                return "is longer than 32768 bytes";
        if (!utf8_is_valid(s))
                return "is not valid UTF-8";
        if (string_has_control_chars(s))
                return "contains control characters (only tab is allowed)";

        return NULL;
}

bool env_assignment_is_valid(const char *s) {
        return !env_assignment_check(s);
}

bool env_name_is_loader_affecting(const char *key_or_assignment) {
        /* glibc's UNSECURE_ENVVARS (unsecvars.h), which it strips for setuid programs, minus
         * TMPDIR, which only says where temporary files go. */
        static const char * const names[] = {
                "GCONV_PATH",
                "GETCONF_DIR",
                "GLIBC_TUNABLES",
                "HOSTALIASES",
                "LOCALDOMAIN",
                "LOCPATH",
                "NIS_PATH",
                "NLSPATH",
                "RESOLV_HOST_CONF",
                "RES_OPTIONS",
                "TZDIR",
        };
        static const char * const prefixes[] = {
                "LD_",     /* LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, ... */
                "MALLOC_", /* MALLOC_TRACE writes files, the others tune the allocator */
        };
        size_t key_len;

        if (!key_or_assignment)
                return false;

        key_len = strcspn(key_or_assignment, "=");

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (key_len == strlen(names[i]) && strneq(key_or_assignment, names[i], key_len))
                        return true;

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (key_len >= strlen(prefixes[i]) &&
                    strneq(key_or_assignment, prefixes[i], strlen(prefixes[i])))
                        return true;

        return false;
}

typedef enum PathFlags {
        PATH_HAS_DOT_DOT = 1 << 0, /* a ".." component */
        PATH_HAS_DOT     = 1 << 1, /* a "." component */
        PATH_HAS_EMPTY   = 1 << 2, /* "//" anywhere */
} PathFlags;

/* Looks at the components of an absolute path P. A trailing "/" is no empty component. */
static PathFlags path_scan_components(const char *p) {
        PathFlags flags = 0;

        for (const char *c = p + 1; *c; ) {
                size_t n = strcspn(c, "/");

                if (n == 0)
                        flags |= PATH_HAS_EMPTY;
                else if (n == 1 && c[0] == '.')
                        flags |= PATH_HAS_DOT;
                else if (n == 2 && strneq(c, "..", 2))
                        flags |= PATH_HAS_DOT_DOT;

                c += n;
                if (*c == '/')
                        c++;
        }

        return flags;
}

bool path_is_absolute_normalized(const char *p) {
        if (!p || p[0] != '/')
                return false;
        if (strlen_capped(p, ORCHD_PATH_MAX) > ORCHD_PATH_MAX)
                return false;
        if (!utf8_is_valid(p) || string_has_control_chars(p))
                return false;

        return path_scan_components(p) == 0;
}

int argv_validate(char * const *argv, size_t n, const char **ret_reason) {
        const char *reason;
        size_t total = 0;

        if (!argv || n == 0) {
                reason = "the command line is empty";
                goto invalid;
        }
        if (n > ORCHD_ARGV_MAX) {
                reason = "the command line has more than 4096 arguments";
                goto invalid;
        }

        for (size_t i = 0; i < n; i++) {
                size_t len;

                if (!argv[i]) {
                        reason = "the command line has a missing argument";
                        goto invalid;
                }

                len = strlen_capped(argv[i], ORCHD_ARG_SIZE_MAX);
                if (len > ORCHD_ARG_SIZE_MAX) {
                        reason = "an argument of the command line is longer than 32768 bytes";
                        goto invalid;
                }
                /* Cannot overflow: at most 4096 * 32768 bytes. */
                total += len;
                if (total > ORCHD_ARGV_TOTAL_MAX) {
                        reason = "the arguments of the command line are longer than 1 MiB together";
                        goto invalid;
                }

                if (!utf8_is_valid(argv[i])) {
                        reason = "an argument of the command line is not valid UTF-8";
                        goto invalid;
                }
                if (string_has_control_chars(argv[i])) {
                        reason = "an argument of the command line contains control characters (only tab is allowed)";
                        goto invalid;
                }
        }

        /* The program is looked up by systemd, not by a $PATH of ours, and ".." could climb out of
         * a directory an administrator allowed. */
        if (argv[0][0] != '/') {
                reason = "the program (first argument) is not an absolute path";
                goto invalid;
        }
        if (strlen(argv[0]) > ORCHD_PATH_MAX) {
                reason = "the program (first argument) is a path longer than 4095 bytes";
                goto invalid;
        }
        if (path_scan_components(argv[0]) & PATH_HAS_DOT_DOT) {
                reason = "the program (first argument) is a path with a \"..\" component";
                goto invalid;
        }

        return 0;

invalid:
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

static size_t env_key_length(const char *assignment) {
        return strcspn(assignment, "=");
}

int env_validate(char * const *env, size_t n, char **ret_reason) {
        _cleanup_free_ char *reason = NULL;

        if (n > ORCHD_ENV_MAX) {
                if (asprintf(&reason, "the environment has %zu entries, more than the %u allowed",
                             n, ORCHD_ENV_MAX) < 0)
                        return -ENOMEM;
                goto invalid;
        }
        if (n > 0 && !env) {
                reason = strdup("the environment is missing");
                if (!reason)
                        return -ENOMEM;
                goto invalid;
        }

        for (size_t i = 0; i < n; i++) {
                const char *why = env_assignment_check(env[i]);

                if (why) {
                        if (asprintf(&reason, "environment entry %zu %s", i + 1, why) < 0)
                                return -ENOMEM;
                        goto invalid;
                }
        }

        /* Quadratic, but at most ORCHD_ENV_MAX²/2 short comparisons, and it needs no copy. The
         * keys are valid by now, so naming the key in the message is safe; values are not named. */
        for (size_t i = 0; i < n; i++) {
                size_t key_len = env_key_length(env[i]);

                for (size_t j = i + 1; j < n; j++)
                        if (env_key_length(env[j]) == key_len && strneq(env[i], env[j], key_len)) {
                                if (asprintf(&reason, "environment entries %zu and %zu both set %.*s",
                                             i + 1, j + 1, (int) key_len, env[i]) < 0)
                                        return -ENOMEM;
                                goto invalid;
                        }
        }

        return 0;

invalid:
        if (ret_reason)
                *ret_reason = TAKE_PTR(reason);
        return -EINVAL;
}

bool unix_user_name_is_valid(const char *u) {
        size_t len;

        if (!u)
                return false;

        len = strlen_capped(u, ORCHD_USER_NAME_MAX);
        if (len == 0 || len > ORCHD_USER_NAME_MAX)
                return false;

        if (char_is_ascii_digit(u[0])) {
                uint64_t uid = 0;

                /* Leading zeros would make two spellings of one uid (and "010" looks octal). */
                if (u[0] == '0' && len > 1)
                        return false;
                if (len > 10)
                        return false;
                for (size_t i = 0; i < len; i++) {
                        if (!char_is_ascii_digit(u[i]))
                                return false;
                        uid = uid * 10 + (uint64_t) (u[i] - '0');
                }

                /* (uid_t) -1 means "no change" to chown() and setresuid(); 65535 is the same in
                 * 16-bit uid interfaces. */
                return uid <= UINT64_C(4294967294) && uid != 65535;
        }

        if (!(u[0] >= 'a' && u[0] <= 'z') && u[0] != '_')
                return false;

        for (size_t i = 1; i < len; i++) {
                if ((u[i] >= 'a' && u[i] <= 'z') || char_is_ascii_digit(u[i]) || u[i] == '_' || u[i] == '-')
                        continue;
                /* Samba machine accounts end in '$'. */
                if (u[i] == '$' && i == len - 1)
                        continue;
                return false;
        }

        return true;
}

bool description_is_valid(const char *s) {
        if (!s)
                return false;
        if (strlen_capped(s, ORCHD_DESCRIPTION_MAX) > ORCHD_DESCRIPTION_MAX)
                return false;

        return utf8_is_valid(s) && !string_has_control_chars(s);
}
