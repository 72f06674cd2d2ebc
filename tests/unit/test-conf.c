/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "macro.h"

static int parse(Config *c, const char *text, char ***errors) {
        *errors = NULL;
        return config_parse(c, "orchd.conf", text, errors);
}

static void test_defaults(void **state) {
        Config c;
        (void) state;
        config_init(&c);
        assert_int_equal(c.restart_attempts, 5);
        assert_int_equal(c.restart_window_usec, 60 * USEC_PER_SEC);
        assert_int_equal(c.restart_delay_usec, 100 * USEC_PER_MSEC);
        assert_int_equal(c.restart_max_delay_usec, 30 * USEC_PER_SEC);
        assert_int_equal(c.stable_usec, 30 * USEC_PER_SEC);
        assert_int_equal(c.max_instances, 1000);
        assert_int_equal(c.max_instances_per_user, 50);
        assert_int_equal(c.ack_timeout_usec, 300 * USEC_PER_SEC);
        assert_int_equal(c.repeat_usec, 1800 * USEC_PER_SEC);
        config_done(&c);
}

static void test_full_file(void **state) {
        Config c;
        char **errors;
        (void) state;

        config_init(&c);
        assert_int_equal(parse(&c,
                "# comment\n"
                "[Supervision]\n"
                "RestartAttempts=3\n"
                "RestartWindowSec=90\n"
                "RestartDelaySec=0.25\n"
                "RestartMaxDelaySec = 10\n"
                "StableSec=5.5\n"
                "MaxInstances=200\n"
                "MaxInstancesPerUser=0\n"
                "\n"
                "[Escalation]\n"
                "Operators=alice, bob\n"
                "AckTimeoutSec=60\n"
                "RepeatSec=600\n"
                "[Contact alice]\n"
                "Role=operator\n"
                "User=alice\n"
                "Exec=/usr/local/bin/page-alice --urgent\n"
                "Webhook=https://chat.example/hooks/T0K3N\n"
                "[Contact carol]\n"
                "Role=superior\n", &errors), 0);
        assert_null(errors);
        assert_int_equal(c.restart_attempts, 3);
        assert_int_equal(c.restart_window_usec, 90 * USEC_PER_SEC);
        assert_int_equal(c.restart_delay_usec, 250 * USEC_PER_MSEC);
        assert_int_equal(c.restart_max_delay_usec, 10 * USEC_PER_SEC);
        assert_int_equal(c.stable_usec, 5500 * USEC_PER_MSEC);
        assert_int_equal(c.max_instances, 200);
        assert_int_equal(c.max_instances_per_user, 0);
        assert_int_equal(strv_length(c.operators), 2);
        assert_string_equal(c.operators[1], "bob");
        assert_int_equal(c.n_contacts, 2);
        assert_string_equal(c.contacts[0].name, "alice");
        assert_string_equal(c.contacts[0].exec, "/usr/local/bin/page-alice --urgent");
        assert_string_equal(c.contacts[0].webhook, "https://chat.example/hooks/T0K3N");
        assert_int_equal(c.contacts[1].role, CONTACT_SUPERIOR);
        config_done(&c);
}

static void expect_one_error(const char *text, const char *want) {
        Config c;
        char **errors;

        config_init(&c);
        assert_int_equal(parse(&c, text, &errors), 1);
        assert_non_null(errors);
        if (!strstr(errors[0], want))
                fail_msg("wanted '%s' in '%s'", want, errors[0]);
        strv_free(errors);
        config_done(&c);
}

static void test_errors_name_file_and_line(void **state) {
        (void) state;
        expect_one_error("[Supervision]\nRestartAttempts=3\nFrobnicate=1\n", "orchd.conf:3: Frobnicate=1: is not a key of [Supervision]");
        expect_one_error("[Supervisor]\nRestartAttempts=3\n", "orchd.conf:1: unknown group [Supervisor]");
        expect_one_error("[Supervision]\nRestartAttempts=0\n", "orchd.conf:2: RestartAttempts=0: must be a number from 1 to 1000");
        expect_one_error("[Supervision]\nRestartAttempts=five\n", "orchd.conf:2:");
        expect_one_error("[Supervision]\nRestartDelaySec=abc\n", "orchd.conf:2: RestartDelaySec=abc: must be a time");
        expect_one_error("[Supervision]\nStableSec=-1\n", "orchd.conf:2:");
        expect_one_error("[Supervision]\n\nStableSec=1e400\n", "orchd.conf:3:");
        expect_one_error("[Contact x]\nRole=boss\n", "orchd.conf:2: Role=boss: must be 'operator' or 'superior'");
        expect_one_error("[Contact x]\nWebhook=ftp://host/\n", "must be an http:// or https:// URL");
        expect_one_error("[Contact x]\nExec=page-me\n", "absolute path");
        expect_one_error("[Contact a/b]\n", "unknown group [Contact a/b]");
        expect_one_error("RestartAttempts=3\n", "orchd.conf:1: 'RestartAttempts' outside of any group");
        expect_one_error("[Supervision]\njust words\n", "orchd.conf:2: expected KEY=VALUE");
        expect_one_error("[Supervision]\nRestartWindowSec=0\n", "orchd.conf:2: RestartWindowSec=0: must be a time from 1 to 86400 seconds");
        expect_one_error("[Supervision]\nRestartWindowSec=86401\n", "from 1 to 86400");
        expect_one_error("[Escalation]\nNotifyBurst=0\n", "orchd.conf:2: NotifyBurst=0: must be a number from 1 to 10000");
        expect_one_error("[Escalation]\nNotifyIntervalSec=x\n", "orchd.conf:2: NotifyIntervalSec=x: must be a time");
        expect_one_error("[Escalation]\nWebhookTimeoutSec=0\n", "orchd.conf:2: WebhookTimeoutSec=0: must be a time in seconds above 0");
        expect_one_error("[Escalation]\nWebhookAttempts=21\n", "orchd.conf:2: WebhookAttempts=21: must be a number from 1 to 20");
        /* A command or URL may hold a token: a bad one is not repeated in the message. */
        expect_one_error("[Contact x]\nWebhook=ftp://T0K3N@host/\n", "orchd.conf:2: Webhook=(value not shown): must be an http");
        expect_one_error("[Contact x]\nExec=page --token=T0K3N\n", "orchd.conf:2: Exec=(value not shown): must be a command line");
}

static void test_delays_checked_after_every_file(void **state) {
        Config c;
        char **errors = NULL;
        (void) state;
        config_init(&c);
        /* The first file raises the delay, a later one the maximum: fine once both are read. */
        assert_int_equal(config_parse(&c, "a.conf", "[Supervision]\nRestartDelaySec=60\n", &errors), 0);
        assert_int_equal(config_parse(&c, "b.conf", "[Supervision]\nRestartMaxDelaySec=120\n", &errors), 0);
        assert_int_equal(config_check(&c, "/etc/orchd", &errors), 0);
        assert_int_equal(config_parse(&c, "c.conf", "[Supervision]\nRestartMaxDelaySec=30\n", &errors), 0);
        assert_int_equal(config_check(&c, "/etc/orchd", &errors), 1);
        assert_string_equal(errors[0], "/etc/orchd: RestartDelaySec (60.000 s) is longer than RestartMaxDelaySec (30.000 s)");
        strv_free(errors);
        config_done(&c);
}

static void test_escalation_keys(void **state) {
        Config c;
        char **errors;
        (void) state;
        config_init(&c);
        assert_int_equal(c.notify_burst, 5);
        assert_int_equal(c.notify_interval_usec, 60 * USEC_PER_SEC);
        assert_int_equal(c.webhook_attempts, 4);
        assert_int_equal(parse(&c, "[Escalation]\nNotifyBurst=3\nNotifyIntervalSec=2.5\nWebhookTimeoutSec=0.5\nWebhookAttempts=2\n", &errors), 0);
        assert_int_equal(c.notify_burst, 3);
        assert_int_equal(c.notify_interval_usec, 2500 * USEC_PER_MSEC);
        assert_int_equal(c.webhook_timeout_usec, 500 * USEC_PER_MSEC);
        assert_int_equal(c.webhook_attempts, 2);
        config_done(&c);
}

static void test_keys_under_unknown_group_not_reported_twice(void **state) {
        Config c;
        char **errors;
        (void) state;
        config_init(&c);
        assert_int_equal(parse(&c, "[Nope]\nA=1\nB=2\n[Supervision]\nRestartAttempts=2\n", &errors), 1);
        assert_int_equal(c.restart_attempts, 2);
        strv_free(errors);
        config_done(&c);
}

static void test_later_wins(void **state) {
        Config c;
        char **errors = NULL;
        (void) state;
        config_init(&c);
        assert_int_equal(config_parse(&c, "a.conf", "[Supervision]\nRestartAttempts=3\nStableSec=7\n", &errors), 0);
        assert_int_equal(config_parse(&c, "b.conf", "[Supervision]\nRestartAttempts=9\n", &errors), 0);
        assert_int_equal(c.restart_attempts, 9);
        assert_int_equal(c.stable_usec, 7 * USEC_PER_SEC);
        config_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_full_file),
                cmocka_unit_test(test_errors_name_file_and_line),
                cmocka_unit_test(test_keys_under_unknown_group_not_reported_twice),
                cmocka_unit_test(test_later_wins),
                cmocka_unit_test(test_escalation_keys),
                cmocka_unit_test(test_delays_checked_after_every_file),
        };
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
