/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "validate.h"

/* A sentinel that a reason must still point at when validation succeeds. */
static const char untouched[] = "untouched";

/* PREFIX, LEN copies of C, SUFFIX, allocated; the caller frees it. */
static char *make_string(const char *prefix, char c, size_t len, const char *suffix) {
        size_t plen = strlen(prefix), slen = strlen(suffix);
        char *s;

        s = malloc(plen + len + slen + 1);
        assert_non_null(s);
        memcpy(s, prefix, plen);
        memset(s + plen, c, len);
        memcpy(s + plen + len, suffix, slen + 1);
        return s;
}

static void test_utf8(void **state) {
        (void) state;
        assert_true(utf8_is_valid(""));
        assert_true(utf8_is_valid("plain ascii"));
        assert_true(utf8_is_valid("\xc3\xa9"));             /* U+00E9 */
        assert_true(utf8_is_valid("\xc2\x80"));             /* U+0080, smallest 2-byte */
        assert_true(utf8_is_valid("\xe0\xa0\x80"));         /* U+0800, smallest 3-byte */
        assert_true(utf8_is_valid("\xe2\x82\xac"));         /* U+20AC */
        assert_true(utf8_is_valid("\xed\x9f\xbf"));         /* U+D7FF, just below the surrogates */
        assert_true(utf8_is_valid("\xee\x80\x80"));         /* U+E000, just above them */
        assert_true(utf8_is_valid("\xf0\x90\x80\x80"));     /* U+10000, smallest 4-byte */
        assert_true(utf8_is_valid("\xf0\x9f\x98\x80"));     /* U+1F600 */
        assert_true(utf8_is_valid("\xf4\x8f\xbf\xbf"));     /* U+10FFFF, the last */

        assert_false(utf8_is_valid(NULL));
        assert_false(utf8_is_valid("\xc3\x28"));            /* lead byte without continuation */
        assert_false(utf8_is_valid("\xc0\xaf"));            /* overlong '/' */
        assert_false(utf8_is_valid("\xc1\xbf"));            /* overlong U+007F */
        assert_false(utf8_is_valid("\xc0\x80"));            /* overlong NUL */
        assert_false(utf8_is_valid("\xe0\x80\xaf"));        /* overlong '/', 3 bytes */
        assert_false(utf8_is_valid("\xe0\x9f\xbf"));        /* overlong U+07FF */
        assert_false(utf8_is_valid("\xf0\x80\x80\xaf"));    /* overlong '/', 4 bytes */
        assert_false(utf8_is_valid("\xf0\x8f\xbf\xbf"));    /* overlong U+FFFF */
        assert_false(utf8_is_valid("\xed\xa0\x80"));        /* U+D800, first surrogate */
        assert_false(utf8_is_valid("\xed\xbf\xbf"));        /* U+DFFF, last surrogate */
        assert_false(utf8_is_valid("\xf4\x90\x80\x80"));    /* U+110000 */
        assert_false(utf8_is_valid("\xf8\x88\x80\x80\x80")); /* 5-byte form */
        assert_false(utf8_is_valid("\xfe"));
        assert_false(utf8_is_valid("\xff"));
        assert_false(utf8_is_valid("\x80"));                /* stray continuation */
        assert_false(utf8_is_valid("a\xbf"));
        assert_false(utf8_is_valid("\xe2\x82"));            /* truncated at the end */
        assert_false(utf8_is_valid("\xf0\x9f\x98"));
        assert_false(utf8_is_valid("\xc3"));
        assert_false(utf8_is_valid("\xe2\x82" "a"));        /* truncated in the middle */
}

static void test_instance_name(void **state) {
        _cleanup_free_ char *max = make_string("", 'a', ORCHD_INSTANCE_NAME_MAX, "");
        _cleanup_free_ char *too_long = make_string("", 'a', ORCHD_INSTANCE_NAME_MAX + 1, "");

        (void) state;
        assert_true(instance_name_is_valid("a"));
        assert_true(instance_name_is_valid("Z"));
        assert_true(instance_name_is_valid("0"));
        assert_true(instance_name_is_valid("web-1"));
        assert_true(instance_name_is_valid("a.b_c-d"));
        assert_true(instance_name_is_valid("a.."));
        assert_true(instance_name_is_valid("9lives"));
        assert_true(instance_name_is_valid(max));

        assert_false(instance_name_is_valid(too_long));
        assert_false(instance_name_is_valid(NULL));
        assert_false(instance_name_is_valid(""));
        assert_false(instance_name_is_valid("."));
        assert_false(instance_name_is_valid(".."));
        assert_false(instance_name_is_valid(".hidden"));
        assert_false(instance_name_is_valid("-x"));
        assert_false(instance_name_is_valid("_x"));
        assert_false(instance_name_is_valid("/"));
        assert_false(instance_name_is_valid("a/b"));
        assert_false(instance_name_is_valid("../etc"));
        assert_false(instance_name_is_valid("a b"));
        assert_false(instance_name_is_valid("a\tb"));
        assert_false(instance_name_is_valid("a\nb"));
        assert_false(instance_name_is_valid("a\x01"));
        assert_false(instance_name_is_valid("a\x7f"));
        assert_false(instance_name_is_valid("a:b"));
        assert_false(instance_name_is_valid("a@b"));
        assert_false(instance_name_is_valid("a\\b"));
        assert_false(instance_name_is_valid("caf\xc3\xa9"));
        assert_false(instance_name_is_valid("\xc3\xa9"));
}

static void test_env_assignment(void **state) {
        _cleanup_free_ char *key_max = make_string("", 'K', ORCHD_ENV_KEY_MAX, "=v");
        _cleanup_free_ char *key_too_long = make_string("", 'K', ORCHD_ENV_KEY_MAX + 1, "=v");
        _cleanup_free_ char *whole_max = make_string("K=", 'v', ORCHD_ENV_ASSIGNMENT_MAX - 2, "");
        _cleanup_free_ char *whole_too_long = make_string("K=", 'v', ORCHD_ENV_ASSIGNMENT_MAX - 1, "");

        (void) state;
        assert_int_equal(strlen(whole_max), ORCHD_ENV_ASSIGNMENT_MAX);

        assert_true(env_assignment_is_valid("A="));
        assert_true(env_assignment_is_valid("A=b"));
        assert_true(env_assignment_is_valid("_=x"));
        assert_true(env_assignment_is_valid("a_1=x"));
        assert_true(env_assignment_is_valid("K=a\tb"));
        assert_true(env_assignment_is_valid("K=="));
        assert_true(env_assignment_is_valid("K=a=b"));
        assert_true(env_assignment_is_valid("K=caf\xc3\xa9"));
        assert_true(env_assignment_is_valid("K=\xc2\xa0"));   /* U+00A0 is no control character */
        assert_true(env_assignment_is_valid(key_max));
        assert_true(env_assignment_is_valid(whole_max));

        assert_false(env_assignment_is_valid(key_too_long));
        assert_false(env_assignment_is_valid(whole_too_long));
        assert_false(env_assignment_is_valid(NULL));
        assert_false(env_assignment_is_valid(""));
        assert_false(env_assignment_is_valid("="));
        assert_false(env_assignment_is_valid("=x"));
        assert_false(env_assignment_is_valid("A"));
        assert_false(env_assignment_is_valid("1A=x"));
        assert_false(env_assignment_is_valid("A-B=x"));
        assert_false(env_assignment_is_valid("A.B=x"));
        assert_false(env_assignment_is_valid("A B=x"));
        assert_false(env_assignment_is_valid(" A=x"));
        assert_false(env_assignment_is_valid("A\t=x"));
        assert_false(env_assignment_is_valid("K\xc3\xa9=x"));
        assert_false(env_assignment_is_valid("A=line\nforged"));
        assert_false(env_assignment_is_valid("A=\r"));
        assert_false(env_assignment_is_valid("A=\x1b[31m"));
        assert_false(env_assignment_is_valid("A=\x01"));
        assert_false(env_assignment_is_valid("A=\x1f"));
        assert_false(env_assignment_is_valid("A=\x7f"));
        assert_false(env_assignment_is_valid("A=\xc2\x85"));  /* U+0085 NEL, C1 */
        assert_false(env_assignment_is_valid("A=\xc2\x9b"));  /* U+009B CSI, C1 */
        assert_false(env_assignment_is_valid("A=\xc3\x28"));
        assert_false(env_assignment_is_valid("A=\xc0\xaf"));
        assert_false(env_assignment_is_valid("A=\xed\xa0\x80"));
}

static void test_env_loader_affecting(void **state) {
        (void) state;
        assert_true(env_name_is_loader_affecting("LD_PRELOAD"));
        assert_true(env_name_is_loader_affecting("LD_PRELOAD=/tmp/evil.so"));
        assert_true(env_name_is_loader_affecting("LD_LIBRARY_PATH="));
        assert_true(env_name_is_loader_affecting("LD_AUDIT=x"));
        assert_true(env_name_is_loader_affecting("LD_"));
        assert_true(env_name_is_loader_affecting("LD_=x"));
        assert_true(env_name_is_loader_affecting("GCONV_PATH"));
        assert_true(env_name_is_loader_affecting("GCONV_PATH=/x"));
        assert_true(env_name_is_loader_affecting("GLIBC_TUNABLES=glibc.malloc.check=3"));
        assert_true(env_name_is_loader_affecting("MALLOC_CHECK_=3"));
        assert_true(env_name_is_loader_affecting("MALLOC_TRACE=/x"));
        assert_true(env_name_is_loader_affecting("MALLOC_ARENA_MAX"));
        assert_true(env_name_is_loader_affecting("LOCPATH=/x"));
        assert_true(env_name_is_loader_affecting("NLSPATH=/x"));
        assert_true(env_name_is_loader_affecting("HOSTALIASES=/x"));
        assert_true(env_name_is_loader_affecting("RESOLV_HOST_CONF=/x"));
        assert_true(env_name_is_loader_affecting("TZDIR=/x"));

        assert_false(env_name_is_loader_affecting(NULL));
        assert_false(env_name_is_loader_affecting(""));
        assert_false(env_name_is_loader_affecting("=LD_PRELOAD"));
        assert_false(env_name_is_loader_affecting("TMPDIR"));
        assert_false(env_name_is_loader_affecting("TMPDIR=/tmp"));
        assert_false(env_name_is_loader_affecting("PYTHONPATH=/x"));
        assert_false(env_name_is_loader_affecting("PATH=/usr/bin"));
        assert_false(env_name_is_loader_affecting("HOME=/root"));
        assert_false(env_name_is_loader_affecting("ld_preload=/x"));
        assert_false(env_name_is_loader_affecting("LD"));
        assert_false(env_name_is_loader_affecting("LD=x"));
        assert_false(env_name_is_loader_affecting("LDX_PRELOAD"));
        assert_false(env_name_is_loader_affecting("XLD_PRELOAD"));
        assert_false(env_name_is_loader_affecting("MALLOC"));
        assert_false(env_name_is_loader_affecting("GCONV"));
        assert_false(env_name_is_loader_affecting("GCONV_PATHS=/x"));
        assert_false(env_name_is_loader_affecting("GCONV_PAT=/x"));
        assert_false(env_name_is_loader_affecting("FOO=LD_PRELOAD"));
}

/* argv_validate() of a NULL-free vector must fail with a reason that contains WORD. */
static void assert_argv_invalid(char * const *argv, size_t n, const char *word) {
        const char *reason = untouched;

        assert_int_equal(argv_validate(argv, n, &reason), -EINVAL);
        assert_ptr_not_equal(reason, untouched);
        assert_non_null(reason);
        if (!strstr(reason, word))
                fail_msg("reason \"%s\" does not mention \"%s\"", reason, word);
}

static void assert_argv_valid(char * const *argv, size_t n) {
        const char *reason = untouched;

        assert_int_equal(argv_validate(argv, n, &reason), 0);
        assert_ptr_equal(reason, untouched);
}

#define ARGV(...) (char *[]) { __VA_ARGS__ }, ELEMENTSOF(((char *[]) { __VA_ARGS__ }))

static void test_argv_basic(void **state) {
        (void) state;
        assert_argv_valid(ARGV("/bin/true"));
        assert_argv_valid(ARGV("/usr/bin/env", "-i", "", "a\tb", "caf\xc3\xa9", "..", "../x"));
        assert_argv_valid(ARGV("/usr/./bin/true"));
        assert_argv_valid(ARGV("/usr/bin/..foo"));
        assert_argv_valid(ARGV("/usr/bin/foo.."));
        assert_argv_valid(ARGV("/a/.../b"));
        assert_int_equal(argv_validate(ARGV("/bin/true"), NULL), 0);
        assert_int_equal(argv_validate(ARGV("true"), NULL), -EINVAL);

        assert_argv_invalid(NULL, 0, "empty");
        assert_argv_invalid((char *[]) { "/bin/true" }, 0, "empty"); /* n == 0 with a vector */
        assert_argv_invalid(ARGV("/bin/true", NULL), "missing");
        assert_argv_invalid(ARGV(NULL), "missing");
}

static void test_argv_program_path(void **state) {
        _cleanup_free_ char *path_max = make_string("/", 'p', ORCHD_PATH_MAX - 1, "");
        _cleanup_free_ char *path_too_long = make_string("/", 'p', ORCHD_PATH_MAX, "");

        (void) state;
        assert_argv_valid(ARGV(path_max));
        assert_argv_invalid(ARGV(path_too_long), "longer than 4095");

        assert_argv_invalid(ARGV(""), "absolute");
        assert_argv_invalid(ARGV("true"), "absolute");
        assert_argv_invalid(ARGV("bin/true"), "absolute");
        assert_argv_invalid(ARGV("./true"), "absolute");
        assert_argv_invalid(ARGV("~/bin/true"), "absolute");

        assert_argv_invalid(ARGV("/usr/../bin/sh"), "\"..\"");
        assert_argv_invalid(ARGV("/.."), "\"..\"");
        assert_argv_invalid(ARGV("/../bin/sh"), "\"..\"");
        assert_argv_invalid(ARGV("/usr/bin/.."), "\"..\"");
        assert_argv_invalid(ARGV("/usr/bin/../"), "\"..\"");
        assert_argv_invalid(ARGV("/a//../b"), "\"..\"");
}

static void test_argv_characters(void **state) {
        (void) state;
        assert_argv_invalid(ARGV("/bin/echo", "a\nb"), "control");
        assert_argv_invalid(ARGV("/bin/echo", "\r"), "control");
        assert_argv_invalid(ARGV("/bin/echo", "\x1b]0;title\x07"), "control");
        assert_argv_invalid(ARGV("/bin/echo", "\x7f"), "control");
        assert_argv_invalid(ARGV("/bin/echo", "\xc2\x9b"), "control");
        assert_argv_invalid(ARGV("/bin/ec\nho"), "control");
        assert_argv_invalid(ARGV("/bin/echo", "\xc3\x28"), "UTF-8");
        assert_argv_invalid(ARGV("/bin/echo", "\xc0\xaf"), "UTF-8");
        assert_argv_invalid(ARGV("/bin/echo", "\xed\xa0\x80"), "UTF-8");
        assert_argv_invalid(ARGV("/bin/echo", "ok", "\xff"), "UTF-8");
}

static void test_argv_element_size(void **state) {
        _cleanup_free_ char *arg_max = make_string("", 'a', ORCHD_ARG_SIZE_MAX, "");
        _cleanup_free_ char *arg_too_long = make_string("", 'a', ORCHD_ARG_SIZE_MAX + 1, "");

        (void) state;
        assert_argv_valid(ARGV("/bin/echo", arg_max));
        assert_argv_invalid(ARGV("/bin/echo", arg_too_long), "longer than 32768");
}

static void test_argv_count(void **state) {
        _cleanup_free_ char **argv = NULL;

        (void) state;
        argv = calloc(ORCHD_ARGV_MAX + 1, sizeof(char *));
        assert_non_null(argv);
        argv[0] = (char *) "/bin/echo";
        for (size_t i = 1; i <= ORCHD_ARGV_MAX; i++)
                argv[i] = (char *) "x";

        assert_argv_valid(argv, ORCHD_ARGV_MAX);
        assert_argv_invalid(argv, ORCHD_ARGV_MAX + 1, "more than 4096");
}

static void test_argv_total_size(void **state) {
        _cleanup_free_ char *full = make_string("", 'a', ORCHD_ARG_SIZE_MAX, "");
        char *argv[64];
        size_t n = 0, total = 0, rest_len;
        _cleanup_free_ char *rest = NULL, *rest_plus_one = NULL;

        (void) state;
        /* Fill exactly ORCHD_ARGV_TOTAL_MAX bytes with the program and full-size arguments. */
        argv[n++] = (char *) "/bin/echo";
        total += strlen("/bin/echo");
        while (ORCHD_ARGV_TOTAL_MAX - total >= ORCHD_ARG_SIZE_MAX) {
                argv[n++] = full;
                total += ORCHD_ARG_SIZE_MAX;
        }
        rest_len = ORCHD_ARGV_TOTAL_MAX - total;
        assert_true(rest_len > 0 && rest_len < ORCHD_ARG_SIZE_MAX);
        rest = make_string("", 'r', rest_len, "");
        rest_plus_one = make_string("", 'r', rest_len + 1, "");
        assert_true(n < ELEMENTSOF(argv));

        argv[n] = rest;
        assert_argv_valid(argv, n + 1);

        argv[n] = rest_plus_one;
        assert_argv_invalid(argv, n + 1, "1 MiB");

        /* One more empty argument adds no bytes; one more byte anywhere does. */
        argv[n] = rest;
        argv[n + 1] = (char *) "";
        assert_argv_valid(argv, n + 2);
        argv[n + 1] = (char *) "x";
        assert_argv_invalid(argv, n + 2, "1 MiB");
}

/* env_validate() must fail with an allocated reason that contains WORD and does not contain
 * NOT_WORD (when given). */
static void assert_env_invalid(char * const *env, size_t n, const char *word, const char *not_word) {
        _cleanup_free_ char *reason = NULL;

        assert_int_equal(env_validate(env, n, &reason), -EINVAL);
        assert_non_null(reason);
        if (!strstr(reason, word))
                fail_msg("reason \"%s\" does not mention \"%s\"", reason, word);
        if (not_word && strstr(reason, not_word))
                fail_msg("reason \"%s\" mentions \"%s\"", reason, not_word);
}

static void assert_env_valid(char * const *env, size_t n) {
        char *reason = (char *) untouched;

        assert_int_equal(env_validate(env, n, &reason), 0);
        assert_ptr_equal(reason, untouched);
}

static void test_env_validate(void **state) {
        (void) state;
        assert_env_valid(NULL, 0);
        assert_env_valid(ARGV("A=1"));
        assert_env_valid(ARGV("A=1", "B=2", "AB=3", "A_=4", "_A="));
        assert_env_valid(ARGV("AB=1", "A=1"));
        assert_int_equal(env_validate(ARGV("A=1", "A=2"), NULL), -EINVAL);
        assert_int_equal(env_validate(ARGV("A=1", "B=2"), NULL), 0);

        assert_env_invalid(NULL, 1, "missing", NULL);
        assert_env_invalid(ARGV("A=1", NULL), "entry 2 ", NULL);
        assert_env_invalid(ARGV("1A=x"), "environment entry 1 is not KEY=VALUE", NULL);
        assert_env_invalid(ARGV("A=1", "B=2", "no equals sign"), "environment entry 3 is not KEY=VALUE", NULL);
        assert_env_invalid(ARGV("A=1", "B=secret\nvalue"), "environment entry 2 contains control", "secret");
        assert_env_invalid(ARGV("A=secret\xc3\x28"), "environment entry 1 is not valid UTF-8", "secret");

        assert_env_invalid(ARGV("A=1", "B=2", "A=3"), "environment entries 1 and 3 both set A", NULL);
        assert_env_invalid(ARGV("A=", "A=x"), "environment entries 1 and 2 both set A", NULL);
        assert_env_invalid(ARGV("X=1", "PASSWORD=hunter2", "PASSWORD=hunter3"), "entries 2 and 3 both set PASSWORD", "hunter");
}

static void test_env_limits(void **state) {
        _cleanup_free_ char *key_too_long = make_string("", 'K', ORCHD_ENV_KEY_MAX + 1, "=v");
        _cleanup_free_ char *whole_too_long = make_string("K=", 'v', ORCHD_ENV_ASSIGNMENT_MAX - 1, "");
        _cleanup_free_ char *whole_max = make_string("K=", 'v', ORCHD_ENV_ASSIGNMENT_MAX - 2, "");
        char storage[ORCHD_ENV_MAX + 1][16];
        char *env[ORCHD_ENV_MAX + 1];

        (void) state;
        assert_env_valid(ARGV(whole_max));
        assert_env_invalid(ARGV("A=1", key_too_long), "environment entry 2 has a key longer than 255", NULL);
        assert_env_invalid(ARGV(whole_too_long), "environment entry 1 is longer than 32768", NULL);

        for (size_t i = 0; i <= ORCHD_ENV_MAX; i++) {
                assert_true(snprintf(storage[i], sizeof(storage[i]), "K%zu=v", i) > 0);
                env[i] = storage[i];
        }
        assert_env_valid(env, ORCHD_ENV_MAX);
        assert_env_invalid(env, ORCHD_ENV_MAX + 1, "1025 entries, more than the 1024", NULL);
        assert_int_equal(env_validate(env, ORCHD_ENV_MAX + 1, NULL), -EINVAL);

        /* A duplicate at the very end of a full list is still found. */
        assert_true(snprintf(storage[ORCHD_ENV_MAX - 1], sizeof(storage[0]), "K0=w") > 0);
        assert_env_invalid(env, ORCHD_ENV_MAX, "entries 1 and 1024 both set K0", NULL);
}

static void test_path_is_absolute_normalized(void **state) {
        _cleanup_free_ char *path_max = make_string("/", 'p', ORCHD_PATH_MAX - 1, "");
        _cleanup_free_ char *path_too_long = make_string("/", 'p', ORCHD_PATH_MAX, "");

        (void) state;
        assert_true(path_is_absolute_normalized("/"));
        assert_true(path_is_absolute_normalized("/srv/app"));
        assert_true(path_is_absolute_normalized("/srv/app/"));
        assert_true(path_is_absolute_normalized("/a/..b"));
        assert_true(path_is_absolute_normalized("/a/b.."));
        assert_true(path_is_absolute_normalized("/a/.b"));
        assert_true(path_is_absolute_normalized("/a/..."));
        assert_true(path_is_absolute_normalized("/srv/my app\t/caf\xc3\xa9"));
        assert_true(path_is_absolute_normalized(path_max));

        assert_false(path_is_absolute_normalized(path_too_long));
        assert_false(path_is_absolute_normalized(NULL));
        assert_false(path_is_absolute_normalized(""));
        assert_false(path_is_absolute_normalized("srv"));
        assert_false(path_is_absolute_normalized("./srv"));
        assert_false(path_is_absolute_normalized("../srv"));
        assert_false(path_is_absolute_normalized("/.."));
        assert_false(path_is_absolute_normalized("/../srv"));
        assert_false(path_is_absolute_normalized("/srv/../etc"));
        assert_false(path_is_absolute_normalized("/srv/.."));
        assert_false(path_is_absolute_normalized("/srv/../"));
        assert_false(path_is_absolute_normalized("/."));
        assert_false(path_is_absolute_normalized("/srv/."));
        assert_false(path_is_absolute_normalized("/srv/./app"));
        assert_false(path_is_absolute_normalized("//"));
        assert_false(path_is_absolute_normalized("//srv"));
        assert_false(path_is_absolute_normalized("/srv//app"));
        assert_false(path_is_absolute_normalized("/srv/app//"));
        assert_false(path_is_absolute_normalized("/srv\n"));
        assert_false(path_is_absolute_normalized("/srv\x7f"));
        assert_false(path_is_absolute_normalized("/srv\xc2\x85"));
        assert_false(path_is_absolute_normalized("/\xc0\xaf"));
        assert_false(path_is_absolute_normalized("/\xc3\x28"));
}

static void test_unix_user_name(void **state) {
        _cleanup_free_ char *name_max = make_string("", 'u', ORCHD_USER_NAME_MAX, "");
        _cleanup_free_ char *name_too_long = make_string("", 'u', ORCHD_USER_NAME_MAX + 1, "");
        _cleanup_free_ char *name_max_dollar = make_string("", 'u', ORCHD_USER_NAME_MAX - 1, "$");
        _cleanup_free_ char *name_too_long_dollar = make_string("", 'u', ORCHD_USER_NAME_MAX, "$");

        (void) state;
        assert_true(unix_user_name_is_valid("root"));
        assert_true(unix_user_name_is_valid("a"));
        assert_true(unix_user_name_is_valid("_"));
        assert_true(unix_user_name_is_valid("_apt"));
        assert_true(unix_user_name_is_valid("systemd-network"));
        assert_true(unix_user_name_is_valid("user1"));
        assert_true(unix_user_name_is_valid("a_b-c"));
        assert_true(unix_user_name_is_valid("host$"));
        assert_true(unix_user_name_is_valid(name_max));
        assert_true(unix_user_name_is_valid(name_max_dollar));
        assert_true(unix_user_name_is_valid("0"));
        assert_true(unix_user_name_is_valid("1000"));
        assert_true(unix_user_name_is_valid("65534"));
        assert_true(unix_user_name_is_valid("65536"));
        assert_true(unix_user_name_is_valid("4294967294"));

        assert_false(unix_user_name_is_valid(name_too_long));
        assert_false(unix_user_name_is_valid(name_too_long_dollar));
        assert_false(unix_user_name_is_valid(NULL));
        assert_false(unix_user_name_is_valid(""));
        assert_false(unix_user_name_is_valid("Root"));
        assert_false(unix_user_name_is_valid("rOot"));
        assert_false(unix_user_name_is_valid("-x"));
        assert_false(unix_user_name_is_valid("1abc"));
        assert_false(unix_user_name_is_valid("a b"));
        assert_false(unix_user_name_is_valid("a.b"));
        assert_false(unix_user_name_is_valid("a:b"));
        assert_false(unix_user_name_is_valid("a/b"));
        assert_false(unix_user_name_is_valid("a\n"));
        assert_false(unix_user_name_is_valid("$"));
        assert_false(unix_user_name_is_valid("a$b"));
        assert_false(unix_user_name_is_valid("a$$"));
        assert_false(unix_user_name_is_valid("\xc3\xbc"));
        assert_false(unix_user_name_is_valid("4294967295"));
        assert_false(unix_user_name_is_valid("4294967296"));
        assert_false(unix_user_name_is_valid("99999999999"));
        assert_false(unix_user_name_is_valid("65535"));
        assert_false(unix_user_name_is_valid("-1"));
        assert_false(unix_user_name_is_valid("+1"));
        assert_false(unix_user_name_is_valid("007"));
        assert_false(unix_user_name_is_valid("00"));
        assert_false(unix_user_name_is_valid("1000 "));
        assert_false(unix_user_name_is_valid("0x10"));
}

static void test_description(void **state) {
        _cleanup_free_ char *max = make_string("", 'd', ORCHD_DESCRIPTION_MAX, "");
        _cleanup_free_ char *too_long = make_string("", 'd', ORCHD_DESCRIPTION_MAX + 1, "");

        (void) state;
        assert_true(description_is_valid(""));
        assert_true(description_is_valid("Web frontend"));
        assert_true(description_is_valid("tab\tseparated"));
        assert_true(description_is_valid("caf\xc3\xa9 \xc2\xa0"));
        assert_true(description_is_valid(max));

        assert_false(description_is_valid(too_long));
        assert_false(description_is_valid(NULL));
        assert_false(description_is_valid("two\nlines"));
        assert_false(description_is_valid("\x1b[2J"));
        assert_false(description_is_valid("\x7f"));
        assert_false(description_is_valid("\xc2\x9b"));
        assert_false(description_is_valid("\xc3\x28"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf8),
                cmocka_unit_test(test_instance_name),
                cmocka_unit_test(test_env_assignment),
                cmocka_unit_test(test_env_loader_affecting),
                cmocka_unit_test(test_argv_basic),
                cmocka_unit_test(test_argv_program_path),
                cmocka_unit_test(test_argv_characters),
                cmocka_unit_test(test_argv_element_size),
                cmocka_unit_test(test_argv_count),
                cmocka_unit_test(test_argv_total_size),
                cmocka_unit_test(test_env_validate),
                cmocka_unit_test(test_env_limits),
                cmocka_unit_test(test_path_is_absolute_normalized),
                cmocka_unit_test(test_unix_user_name),
                cmocka_unit_test(test_description),
        };

        return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
