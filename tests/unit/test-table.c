/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "table.h"

static const char * const headers[] = { "NAME", "STATE", "RESTARTS", "ID" };

/* Prints T and compares with EXPECTED. */
static void check_print(const Table *t, bool header, const char *expected) {
        char *data = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&data, &size);
        assert_non_null(f);
        assert_int_equal(table_print(t, f, header), 0);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(data, expected);
        free(data);
}

static void test_empty(void **state) {
        _cleanup_(table_freep) Table *t = NULL;

        (void) state;
        assert_null(table_new(0, headers));
        t = table_new(ELEMENTSOF(headers), headers);
        assert_non_null(t);
        assert_int_equal(table_get_rows(t), 0);
        check_print(t, true, "NAME STATE RESTARTS ID\n");
        check_print(t, false, "");
        assert_null(table_free(NULL));
}

static void test_columns(void **state) {
        _cleanup_(table_freep) Table *t = NULL;

        (void) state;
        t = table_new(ELEMENTSOF(headers), headers);
        assert_non_null(t);
        table_set_align_right(t, 2, true);
        table_set_align_right(t, 99, true); /* out of range: ignored */
        assert_int_equal(table_add_row(t, (const char * const[]) { "robot", "running", "0", "id-1" }), 0);
        assert_int_equal(table_add_row(t, (const char * const[]) { "db", "failed", "12", NULL }), 0);
        assert_int_equal(table_add_row(t, (const char * const[]) { "caf\xc3\xa9-longer", "exited", "3", "id-3" }), 0);
        assert_int_equal(table_get_rows(t), 3);

        /* Widths count characters (é is one), the last column has no trailing blanks. */
        check_print(t, true,
                    "NAME        STATE   RESTARTS ID\n"
                    "robot       running        0 id-1\n"
                    "db          failed        12 -\n"
                    "caf\xc3\xa9-longer exited         3 id-3\n");
        check_print(t, false,
                    "robot       running  0 id-1\n"
                    "db          failed  12 -\n"
                    "caf\xc3\xa9-longer exited   3 id-3\n");
}

static void test_sort(void **state) {
        _cleanup_(table_freep) Table *t = NULL;
        char name[16];

        (void) state;
        t = table_new(2, (const char * const[]) { "A", "B" });
        assert_non_null(t);
        /* Enough rows to make the table grow more than once. */
        for (int i = 40; i > 0; i--) {
                (void) snprintf(name, sizeof name, "n%02d", i);
                assert_int_equal(table_add_row(t, (const char * const[]) { name, i % 2 ? "odd" : "even" }), 0);
        }
        table_sort(t, 0);
        table_sort(t, 7); /* out of range: ignored */

        {
                char *data = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&data, &size);

                assert_non_null(f);
                assert_int_equal(table_print(t, f, false), 0);
                assert_int_equal(fclose(f), 0);
                assert_true(strneq(data, "n01 odd\nn02 even\nn03 odd\n", 25));
                assert_non_null(strstr(data, "n39 odd\nn40 even\n"));
                free(data);
        }

        /* Stable: rows with equal keys keep their order. */
        table_sort(t, 1);
        {
                char *data = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&data, &size);

                assert_non_null(f);
                assert_int_equal(table_print(t, f, false), 0);
                assert_int_equal(fclose(f), 0);
                assert_true(strneq(data, "n02 even\nn04 even\n", 18));
                assert_non_null(strstr(data, "n40 even\nn01 odd\nn03 odd\n"));
                free(data);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_columns),
                cmocka_unit_test(test_sort),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
