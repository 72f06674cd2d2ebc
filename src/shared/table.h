/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A text table for command-line output: a header row and rows of strings, printed in columns as
 * wide as their widest cell (counted in characters, not bytes), separated by one space, without
 * trailing blanks. Cells are copied. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct Table Table;

/* N_COLUMNS headers, which must stay valid as long as the table. NULL on allocation failure. */
Table *table_new(size_t n_columns, const char * const *headers);
Table *table_free(Table *t);
static inline void table_freep(Table **t) {
        if (*t)
                table_free(*t);
}

/* Right-aligns a column (for numbers). */
void table_set_align_right(Table *t, size_t column, bool b);

/* Adds a row of n_columns cells; a NULL cell is shown as "-". 0 or -ENOMEM. */
int table_add_row(Table *t, const char * const *cells);

size_t table_get_rows(const Table *t);

/* Sorts the rows by the strings of COLUMN (strcmp order), stable. */
void table_sort(Table *t, size_t column);

/* Prints the rows, preceded by the header if HEADER. Returns 0 or a negative errno if the stream
 * is in error afterwards. */
int table_print(const Table *t, FILE *f, bool header);
