/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* instance_state_derive() and unit_status_read_property(): how a unit's properties, as systemd
 * sends them, become an instance's state. Messages are built with sd-bus, no bus connection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instance.h"
#include "unit-watcher.h"

/* sd-bus builds messages only on a bus that is opening: a client on one end of a socketpair,
 * which never sends anything. */
static sd_bus *offline_bus(void) {
        sd_bus *bus = NULL;
        int fds[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        assert_int_equal(sd_bus_new(&bus), 0);
        assert_int_equal(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
        assert_int_equal(sd_bus_start(bus), 0);
        close(fds[1]);
        return bus;
}

static UnitStatus status(bool loaded, const char *active, const char *result) {
        UnitStatus s = { .loaded = loaded };
        snprintf(s.active_state, sizeof s.active_state, "%s", active);
        snprintf(s.result, sizeof s.result, "%s", result);
        return s;
}

static void test_derive_loaded_states(void **state) {
        UnitStatus s;
        (void) state;

        s = status(true, "active", "success");
        assert_int_equal(instance_state_derive(&s, true, true), INSTANCE_RUNNING);
        s = status(true, "reloading", "success");
        assert_int_equal(instance_state_derive(&s, true, true), INSTANCE_RUNNING);
        s = status(true, "activating", "success");
        assert_int_equal(instance_state_derive(&s, true, true), INSTANCE_STARTING);
        s = status(true, "deactivating", "success");
        assert_int_equal(instance_state_derive(&s, false, true), INSTANCE_STOPPING);
        s = status(true, "failed", "exit-code");
        assert_int_equal(instance_state_derive(&s, true, true), INSTANCE_FAILED);
}

static void test_derive_ended_runs(void **state) {
        UnitStatus s;
        (void) state;

        /* Never started: registered, whatever systemd says of a unit that does not exist. */
        s = status(false, "inactive", "");
        assert_int_equal(instance_state_derive(&s, false, false), INSTANCE_REGISTERED);
        assert_int_equal(instance_state_derive(&s, true, false), INSTANCE_REGISTERED);
        /* Ended cleanly and collected: stopped if we stopped it, exited if the program was done. */
        s = status(false, "inactive", "success");
        assert_int_equal(instance_state_derive(&s, false, true), INSTANCE_STOPPED);
        assert_int_equal(instance_state_derive(&s, true, true), INSTANCE_EXITED);
        /* A failure that was collected anyway is still a failure. */
        s = status(false, "inactive", "signal");
        assert_int_equal(instance_state_derive(&s, true, true), INSTANCE_FAILED);
}

static sd_bus_message *properties_message(sd_bus *bus) {
        sd_bus_message *m = NULL;
        const uint8_t id[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

        assert_int_equal(sd_bus_message_new_signal(bus, &m, "/org/freedesktop/systemd1/unit/orchd_2dx_2eservice",
                                                   "org.freedesktop.DBus.Properties", "PropertiesChanged"), 0);
        assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "ActiveState", "s", "failed") >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "SubState", "s", "failed") >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "Result", "s", "exit-code") >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "MainPID", "u", 0) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "ExecMainCode", "i", CLD_EXITED) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "ExecMainStatus", "i", 3) >= 0);
        assert_true(sd_bus_message_append(m, "{sv}", "Unrelated", "as", 2, "a", "b") >= 0);
        assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        assert_true(sd_bus_message_append(m, "s", "InvocationID") >= 0);
        assert_true(sd_bus_message_open_container(m, 'v', "ay") >= 0);
        assert_true(sd_bus_message_append_array(m, 'y', id, sizeof id) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_seal(m, 1, 0) >= 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        return m;
}

static void test_read_properties(void **state) {
        sd_bus *bus = NULL;
        sd_bus_message *m;
        UnitStatus s = { .main_pid = 42 };
        const char *name;
        (void) state;

        bus = offline_bus();
        m = properties_message(bus);
        assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                assert_true(sd_bus_message_read(m, "s", &name) > 0);
                assert_true(unit_status_read_property(&s, name, m) >= 0);
                assert_true(sd_bus_message_exit_container(m) >= 0);
        }
        assert_string_equal(s.active_state, "failed");
        assert_string_equal(s.sub_state, "failed");
        assert_string_equal(s.result, "exit-code");
        assert_int_equal(s.main_pid, 0);
        assert_int_equal(s.exec_main_code, CLD_EXITED);
        assert_int_equal(s.exec_main_status, 3);
        assert_string_equal(s.invocation_id, "0123456789abcdef0123456789abcdef");
        assert_int_equal(instance_state_derive(&s, true, true), INSTANCE_FAILED);

        sd_bus_message_unref(m);
        sd_bus_flush_close_unref(bus);
}

static void test_read_wrong_type(void **state) {
        sd_bus *bus = NULL;
        sd_bus_message *m = NULL;
        UnitStatus s = {};
        const char *name;
        (void) state;

        bus = offline_bus();
        assert_int_equal(sd_bus_message_new_signal(bus, &m, "/x", "a.b", "C"), 0);
        assert_true(sd_bus_message_append(m, "a{sv}", 1, "MainPID", "s", "not a number") >= 0);
        assert_true(sd_bus_message_seal(m, 1, 0) >= 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
        assert_true(sd_bus_message_enter_container(m, 'e', "sv") > 0);
        assert_true(sd_bus_message_read(m, "s", &name) > 0);
        /* A property of the wrong type is an error, never a wrong value. */
        assert_true(unit_status_read_property(&s, name, m) < 0);
        assert_int_equal(s.main_pid, 0);
        sd_bus_message_unref(m);
        sd_bus_flush_close_unref(bus);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_derive_loaded_states),
                cmocka_unit_test(test_derive_ended_runs),
                cmocka_unit_test(test_read_properties),
                cmocka_unit_test(test_read_wrong_type),
        };
        return cmocka_run_group_tests_name("instance", tests, NULL, NULL);
}
