/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ExecStart and Environment lists (validate.h's argv_validate() and env_validate(), which
 * AddInstance and the state files use): the input split at its NUL bytes is the list. Whatever is
 * accepted follows the documented rules (checked here independently), what is refused comes with a
 * reason that can travel in a D-Bus error (valid UTF-8, one line, no value quoted), and the reason
 * is untouched on success. */
#include "fuzz.h"
#include "validate.h"

static bool string_ok(const char *s) {
        return fuzz_utf8_valid(s) && !fuzz_has_control(s, true, false);
}

static void check_argv(char **argv, size_t n) {
        const char *const sentinel = "untouched";
        const char *reason = sentinel;
        size_t total = 0;
        bool ok = n >= 1 && n <= ORCHD_ARGV_MAX;
        int r;

        for (size_t i = 0; ok && i < n; i++) {
                size_t len = strlen(argv[i]);

                total += len;
                ok = len <= ORCHD_ARG_SIZE_MAX && string_ok(argv[i]);
        }
        if (ok)
                ok = total <= ORCHD_ARGV_TOTAL_MAX && argv[0][0] == '/' && strlen(argv[0]) <= ORCHD_PATH_MAX &&
                     !strstr(argv[0], "/../") &&
                     !(strlen(argv[0]) >= 3 && streq(argv[0] + strlen(argv[0]) - 3, "/.."));

        r = argv_validate(argv, n, &reason);
        FUZZ_CHECK_MSG((r == 0) == ok, "argv_validate() says %d, expected %s", r, ok ? "valid" : "invalid");
        if (r == 0)
                FUZZ_CHECK(reason == sentinel);
        else {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(reason && reason != sentinel && string_ok(reason) && reason[0]);
        }
        /* The same without a place for the reason. */
        FUZZ_CHECK(argv_validate(argv, n, NULL) == r);
}

static bool key_equal(const char *a, const char *b) {
        size_t ka = strcspn(a, "="), kb = strcspn(b, "=");

        return ka == kb && memcmp(a, b, ka) == 0;
}

static void check_env(char **env, size_t n) {
        char sentinel[] = "untouched";
        char *reason = sentinel;
        bool ok = n <= ORCHD_ENV_MAX;
        int r;

        for (size_t i = 0; ok && i < n; i++)
                ok = env_assignment_is_valid(env[i]);
        for (size_t i = 0; ok && i < n; i++)
                for (size_t j = i + 1; ok && j < n; j++)
                        ok = !key_equal(env[i], env[j]);

        r = env_validate(env, n, &reason);
        FUZZ_CHECK_MSG((r == 0) == ok, "env_validate() says %d, expected %s", r, ok ? "valid" : "invalid");
        if (r == 0) {
                FUZZ_CHECK(reason == sentinel);
                return;
        }
        FUZZ_CHECK(r == -EINVAL);
        FUZZ_CHECK(reason && reason != sentinel);
        FUZZ_CHECK_MSG(string_ok(reason), "the reason is not one line of UTF-8 without control characters");
        /* Values may be secrets: no value of an entry is quoted in the reason (a key may be). Only
         * values with a character neither a key nor the reasons' own words have are looked for. */
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(env[i], '=');

                if (eq && strlen(eq + 1) >= 4 && strpbrk(eq + 1, "@#~!$%^&*{}|<>?\x80\x90\xa0\xb0\xc3\xe2"))
                        FUZZ_CHECK_MSG(!strstr(reason, eq + 1), "the reason quotes the value of entry %zu", i + 1);
        }
        free(reason);
        FUZZ_CHECK(env_validate(env, n, NULL) == r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t n;
        char **l = fuzz_split_nul(data, size, &n);

        check_argv(l, n);
        check_env(l, n);
        /* Each element alone, and the list without its first element (argv[0] shifted away). */
        if (n > 1) {
                check_argv(l + 1, n - 1);
                check_env(l + 1, n - 1);
        }
        for (size_t i = 0; i < n && i < 16; i++)
                FUZZ_CHECK(env_validate(&l[i], 1, NULL) == (env_assignment_is_valid(l[i]) ? 0 : -EINVAL));

        FUZZ_CHECK(argv_validate(NULL, 0, NULL) == -EINVAL);
        FUZZ_CHECK(env_validate(NULL, 0, NULL) == 0);

        fuzz_strv_free(l);
        return 0;
}
