/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The validators of validate.h (and the UUIDv7 check of uuid7.h) against reference checks written
 * from their documented rules, on the input as one string; and the D-Bus object paths of a valid
 * instance name: sd_bus_path_decode(sd_bus_path_encode(name)) == name, for the instance's path
 * and for the path of its unit "orchd-NAME.service" under systemd's prefix. */
#include <systemd/sd-bus.h>

#include "bus-common.h"
#include "fuzz.h"
#include "instance-config.h"
#include "uuid7.h"
#include "validate.h"

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool ref_instance_name(const char *s) {
        size_t n = strlen(s);

        if (n < 1 || n > ORCHD_INSTANCE_NAME_MAX || !(is_alpha(s[0]) || is_digit(s[0])))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

static bool ref_env_assignment(const char *s) {
        const char *eq = strchr(s, '=');
        size_t key_len;

        if (!eq)
                return false;
        key_len = (size_t) (eq - s);
        if (key_len < 1 || key_len > ORCHD_ENV_KEY_MAX || is_digit(s[0]))
                return false;
        for (size_t i = 0; i < key_len; i++)
                if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_')
                        return false;
        return strlen(s) <= ORCHD_ENV_ASSIGNMENT_MAX && fuzz_utf8_valid(s) && !fuzz_has_control(s, true, false);
}

static bool ref_path_normalized(const char *s) {
        size_t n = strlen(s);

        if (n < 1 || s[0] != '/' || n > ORCHD_PATH_MAX)
                return false;
        if (!fuzz_utf8_valid(s) || fuzz_has_control(s, true, false))
                return false;
        if (strstr(s, "//"))
                return false;
        /* No component "." or "..": look at each slash-delimited piece. */
        for (size_t i = 1; i <= n; ) {
                size_t j = i;

                while (j < n && s[j] != '/')
                        j++;
                if ((j - i == 1 && s[i] == '.') || (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
                        return false;
                i = j + 1;
        }
        return true;
}

static bool ref_user_name(const char *s) {
        size_t n = strlen(s);

        if (n < 1 || n > ORCHD_USER_NAME_MAX)
                return false;
        if (is_digit(s[0])) {
                unsigned long long uid = 0;

                if (n > 10 || (s[0] == '0' && n > 1))
                        return false;
                for (size_t i = 0; i < n; i++) {
                        if (!is_digit(s[i]))
                                return false;
                        uid = uid * 10 + (unsigned) (s[i] - '0');
                }
                return uid <= 4294967294ULL && uid != 65535;
        }
        if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++) {
                bool ok = (s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) || s[i] == '_' || s[i] == '-' ||
                          (s[i] == '$' && i == n - 1);
                if (!ok)
                        return false;
        }
        return true;
}

static bool ref_uuid7(const char *s) {
        if (strlen(s) != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return false;
                } else if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
                        return false;
        }
        return s[14] == '7' && strchr("89ab", s[19]);
}

/* decode(encode(s)) == s under PREFIX, and the path is a valid object path. */
static void check_path_round_trip(const char *prefix, const char *s) {
        char *path = NULL, *back = NULL;
        int r;

        r = sd_bus_path_encode(prefix, s, &path);
        FUZZ_CHECK(r >= 0);
        FUZZ_CHECK(sd_bus_object_path_is_valid(path));
        r = sd_bus_path_decode(path, prefix, &back);
        FUZZ_CHECK_MSG(r > 0, "%s does not decode under %s", path, prefix);
        FUZZ_CHECK(streq(back, s));
        free(back);
        /* Not under another prefix of ours. */
        back = NULL;
        FUZZ_CHECK(sd_bus_path_decode(path, ORCHD_ALERT_PATH_PREFIX, &back) == 0);
        FUZZ_CHECK(!back);
        free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = fuzz_cstring(data, size);
        FuzzReader reader = fuzz_reader(data, size);
        char id[UUID7_STRING_SIZE], untouched[UUID7_STRING_SIZE];
        uint8_t random_bytes[UUID7_RANDOM_SIZE];
        uint64_t ms;
        bool utf8;
        int r;

        utf8 = utf8_is_valid(s);
        FUZZ_CHECK(utf8 == fuzz_utf8_valid(s));
        FUZZ_CHECK(instance_name_is_valid(s) == ref_instance_name(s));
        FUZZ_CHECK(contact_name_is_valid(s) == ref_instance_name(s));
        FUZZ_CHECK(env_assignment_is_valid(s) == ref_env_assignment(s));
        FUZZ_CHECK(path_is_absolute_normalized(s) == ref_path_normalized(s));
        FUZZ_CHECK(unix_user_name_is_valid(s) == ref_user_name(s));
        FUZZ_CHECK(description_is_valid(s) ==
                   (strlen(s) <= ORCHD_DESCRIPTION_MAX && utf8 && !fuzz_has_control(s, true, false)));
        FUZZ_CHECK(uuid7_is_valid(s) == ref_uuid7(s));
        if (strncmp(s, "LD_", 3) == 0 || strncmp(s, "MALLOC_", 7) == 0)
                FUZZ_CHECK(env_name_is_loader_affecting(s));
        if (env_name_is_loader_affecting(s))
                FUZZ_CHECK(s[0] >= 'A' && s[0] <= 'Z');
        FUZZ_CHECK(!utf8_is_valid(NULL) && !instance_name_is_valid(NULL) && !env_assignment_is_valid(NULL) &&
                   !path_is_absolute_normalized(NULL) && !unix_user_name_is_valid(NULL) &&
                   !description_is_valid(NULL) && !uuid7_is_valid(NULL) && !env_name_is_loader_affecting(NULL));

        /* Any string survives the object path encoding; a valid name also as its unit's path. */
        check_path_round_trip(ORCHD_INSTANCE_PATH_PREFIX, s);
        if (instance_name_is_valid(s)) {
                char *unit = instance_unit_name(s);

                FUZZ_CHECK(unit);
                FUZZ_CHECK(strlen(unit) == strlen("orchd-.service") + strlen(s));
                FUZZ_CHECK(strncmp(unit, "orchd-", 6) == 0 && streq(unit + 6 + strlen(s), ".service"));
                check_path_round_trip("/org/freedesktop/systemd1/unit", unit);
                free(unit);
        }
        /* What instance-dbus.c does with an object path it is asked about. */
        if (sd_bus_object_path_is_valid(s)) {
                char *name = NULL;

                r = sd_bus_path_decode(s, ORCHD_INSTANCE_PATH_PREFIX, &name);
                FUZZ_CHECK(r >= 0);
                FUZZ_CHECK((r > 0) == !!name);
                free(name);
        }

        /* uuid7_format() makes only ids uuid7_is_valid() accepts, or refuses a time over 48 bits. */
        ms = fuzz_u64(&reader);
        if (fuzz_bool(&reader))
                ms &= (UINT64_C(1) << 48) - 1;
        for (size_t i = 0; i < UUID7_RANDOM_SIZE; i++)
                random_bytes[i] = fuzz_u8(&reader);
        memset(untouched, 'x', sizeof untouched);
        memcpy(id, untouched, sizeof id);
        r = uuid7_format(ms, random_bytes, id);
        if (ms >> 48) {
                FUZZ_CHECK(r == -ERANGE);
                FUZZ_CHECK(memcmp(id, untouched, sizeof id) == 0);
        } else {
                FUZZ_CHECK(r == 0);
                FUZZ_CHECK(uuid7_is_valid(id) && ref_uuid7(id));
        }

        free(s);
        return 0;
}
