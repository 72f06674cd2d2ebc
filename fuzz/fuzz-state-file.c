/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state files orchd loads at start (store.h, alert-record.h): the input is given to each of
 * instance_record_from_data(), alert_record_from_data() and contact_record_from_data(). What one
 * accepts, its to_data() must write, and loading and saving that again gives the same bytes (the
 * load→save→load fixed point); the written file cut after any of its lines is refused. What is
 * refused comes with a reason and leaves the output record exactly as it was (a corrupt file never
 * yields a partial record). No file is accepted as two kinds. */
#include "alert-record.h"
#include "fuzz.h"
#include "store.h"

#define POISON 0xa5

typedef struct Kind {
        const char *name;
        size_t record_size;
        int (*from_data)(const char *data, size_t size, void *ret, const char **ret_reason);
        int (*to_data)(const void *r, char **ret, size_t *ret_size);
        void (*done)(void *r);
} Kind;

static int instance_from(const char *data, size_t size, void *ret, const char **ret_reason) {
        return instance_record_from_data(data, size, ret, ret_reason);
}
static int instance_to(const void *r, char **ret, size_t *ret_size) {
        return instance_record_to_data(r, ret, ret_size);
}
static void instance_done(void *r) {
        instance_record_done(r);
}
static int alert_from(const char *data, size_t size, void *ret, const char **ret_reason) {
        return alert_record_from_data(data, size, ret, ret_reason);
}
static int alert_to(const void *r, char **ret, size_t *ret_size) {
        const char *reason = NULL;
        int q = alert_record_to_data(r, ret, ret_size, &reason);

        FUZZ_CHECK_MSG(q >= 0, "a loaded alert is not written: %s", reason);
        return q;
}
static void alert_done(void *r) {
        alert_record_done(r);
}
static int contact_from(const char *data, size_t size, void *ret, const char **ret_reason) {
        return contact_record_from_data(data, size, ret, ret_reason);
}
static int contact_to(const void *r, char **ret, size_t *ret_size) {
        const char *reason = NULL;
        int q = contact_record_to_data(r, ret, ret_size, &reason);

        FUZZ_CHECK_MSG(q >= 0, "a loaded contact is not written: %s", reason);
        return q;
}
static void contact_done(void *r) {
        contact_record_done(r);
}

static const Kind kinds[] = {
        { "instance", sizeof(InstanceRecord), instance_from, instance_to, instance_done },
        { "alert", sizeof(AlertRecord), alert_from, alert_to, alert_done },
        { "contact", sizeof(ContactRecord), contact_from, contact_to, contact_done },
};

/* Loads DATA as K into a poisoned record: on failure it must still be poisoned. Returns the
 * record (to free with done() and free()) or NULL. */
static void *load(const Kind *k, const char *data, size_t size) {
        uint8_t *rec = malloc(k->record_size), *poisoned = malloc(k->record_size);
        const char *reason = NULL;
        int r;

        FUZZ_CHECK(rec && poisoned);
        memset(rec, POISON, k->record_size);
        memset(poisoned, POISON, k->record_size);
        r = k->from_data(data, size, rec, &reason);
        if (r < 0) {
                FUZZ_CHECK_MSG(r == -EINVAL, "%s: unexpected error %d", k->name, r);
                FUZZ_CHECK_MSG(reason && reason[0], "%s: refused without a reason", k->name);
                FUZZ_CHECK_MSG(memcmp(rec, poisoned, k->record_size) == 0, "%s: refused (%s), but the record was changed",
                               k->name, reason);
                free(rec);
                free(poisoned);
                return NULL;
        }
        FUZZ_CHECK(r == 0);
        free(poisoned);
        return rec;
}

static void unload(const Kind *k, void *rec) {
        k->done(rec);
        free(rec);
}

static void check_fixed_point(const Kind *k, void *rec) {
        char *data1 = NULL, *data2 = NULL;
        size_t size1 = 0, size2 = 0;
        void *again;
        int r;

        r = k->to_data(rec, &data1, &size1);
        FUZZ_CHECK_MSG(r == 0, "%s: a loaded record is not written (%d)", k->name, r);
        FUZZ_CHECK(data1 && strlen(data1) == size1);

        again = load(k, data1, size1);
        FUZZ_CHECK_MSG(again, "%s: a written record does not load again:\n%s", k->name, data1);
        r = k->to_data(again, &data2, &size2);
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK_MSG(size1 == size2 && memcmp(data1, data2, size1) == 0,
                       "%s: load, save, load, save is no fixed point:\n%s\n---\n%s", k->name, data1, data2);
        unload(k, again);

        /* A file cut short after any of its lines is refused (the last line is a required key). */
        for (size_t i = 0; i + 1 < size1; i++)
                if (data1[i] == '\n') {
                        void *cut = load(k, data1, i + 1);

                        FUZZ_CHECK_MSG(!cut, "%s: the file cut after %zu bytes is accepted", k->name, i + 1);
                }

        free(data1);
        free(data2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        unsigned accepted = 0;

        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
                void *rec = load(&kinds[i], (const char *) data, size);

                if (!rec)
                        continue;
                accepted++;
                check_fixed_point(&kinds[i], rec);
                unload(&kinds[i], rec);
        }
        FUZZ_CHECK(accepted <= 1);
        return 0;
}
