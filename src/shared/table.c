/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "table.h"

struct Table {
        size_t n_columns;
        const char * const *headers;
        bool *align_right;
        char **cells;   /* n_rows × n_columns, row-major */
        size_t n_rows, n_allocated;
};

Table *table_new(size_t n_columns, const char * const *headers) {
        Table *t;

        if (n_columns == 0)
                return NULL;
        t = calloc(1, sizeof(Table));
        if (!t)
                return NULL;
        t->align_right = calloc(n_columns, sizeof(bool));
        if (!t->align_right) {
                free(t);
                return NULL;
        }
        t->n_columns = n_columns;
        t->headers = headers;
        return t;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t->align_right);
        free(t);
        return NULL;
}

void table_set_align_right(Table *t, size_t column, bool b) {
        if (column < t->n_columns)
                t->align_right[column] = b;
}

int table_add_row(Table *t, const char * const *cells) {
        size_t base;

        if (t->n_rows >= t->n_allocated) {
                size_t n = MAX(t->n_allocated * 2, (size_t) 16);
                char **c;

                if (n > SIZE_MAX / t->n_columns / sizeof(char *))
                        return -ENOMEM;
                c = realloc(t->cells, n * t->n_columns * sizeof(char *));
                if (!c)
                        return -ENOMEM;
                t->cells = c;
                t->n_allocated = n;
        }

        base = t->n_rows * t->n_columns;
        for (size_t i = 0; i < t->n_columns; i++) {
                t->cells[base + i] = strdup(cells[i] ?: "-");
                if (!t->cells[base + i]) {
                        while (i > 0)
                                free(t->cells[base + --i]);
                        return -ENOMEM;
                }
        }
        t->n_rows++;
        return 0;
}

size_t table_get_rows(const Table *t) {
        return t->n_rows;
}

void table_sort(Table *t, size_t column) {
        if (column >= t->n_columns)
                return;
        /* Insertion sort of whole rows: stable, and the tables here are small. */
        for (size_t i = 1; i < t->n_rows; i++)
                for (size_t j = i; j > 0; j--) {
                        char **a = t->cells + (j - 1) * t->n_columns, **b = t->cells + j * t->n_columns;

                        if (strcmp(a[column], b[column]) <= 0)
                                break;
                        for (size_t k = 0; k < t->n_columns; k++) {
                                char *tmp = a[k];
                                a[k] = b[k];
                                b[k] = tmp;
                        }
                }
}

/* Characters, not bytes: UTF-8 continuation bytes do not count. */
static size_t text_width(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        n++;
        return n;
}

static void print_row(const Table *t, FILE *f, const char * const *row, const size_t *width) {
        for (size_t i = 0; i < t->n_columns; i++) {
                size_t w = text_width(row[i]), pad = width[i] - w;
                bool last = i + 1 == t->n_columns;

                if (i > 0)
                        fputc(' ', f);
                if (t->align_right[i])
                        fprintf(f, "%*s%s", (int) pad, "", row[i]);
                else if (last)
                        fputs(row[i], f);
                else
                        fprintf(f, "%s%*s", row[i], (int) pad, "");
        }
        fputc('\n', f);
}

int table_print(const Table *t, FILE *f, bool header) {
        _cleanup_free_ size_t *width = NULL;

        width = calloc(t->n_columns, sizeof(size_t));
        if (!width)
                return -ENOMEM;

        for (size_t i = 0; i < t->n_columns; i++) {
                if (header)
                        width[i] = text_width(t->headers[i]);
                for (size_t r = 0; r < t->n_rows; r++)
                        width[i] = MAX(width[i], text_width(t->cells[r * t->n_columns + i]));
        }

        if (header)
                print_row(t, f, t->headers, width);
        for (size_t r = 0; r < t->n_rows; r++)
                print_row(t, f, (const char * const *) t->cells + r * t->n_columns, width);

        return ferror(f) ? -EIO : 0;
}
