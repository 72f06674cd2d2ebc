/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bus-common.h"
#include "instance.h"
#include "log.h"
#include "manager.h"
#include "unit-driver.h"

int unit_object_path(const char *unit, char **ret) {
        return sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, ret);
}

int instance_new(Manager *m, InstanceRecord *record, Instance **ret) {
        _cleanup_(instance_freep) Instance *i = NULL;
        int r;

        i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;
        i->manager = m;
        instance_record_init(&i->record);
        i->state = INSTANCE_REGISTERED;

        i->unit = instance_unit_name(record->config.name);
        if (!i->unit)
                return -ENOMEM;
        r = unit_object_path(i->unit, &i->unit_path);
        if (r < 0)
                return r;
        r = sd_bus_path_encode(ORCHD_INSTANCE_PATH_PREFIX, record->config.name, &i->object_path);
        if (r < 0)
                return r;

        /* Take the record only once nothing can fail any more. */
        i->record = *record;
        instance_record_init(record);
        i->state = i->record.last_result ? INSTANCE_STOPPED : INSTANCE_REGISTERED;

        *ret = TAKE_PTR(i);
        return 0;
}

Instance *instance_free(Instance *i) {
        if (!i)
                return NULL;
        instance_record_done(&i->record);
        free(i->unit);
        free(i->unit_path);
        free(i->object_path);
        free(i);
        return NULL;
}

InstanceState instance_state_derive(const UnitStatus *s, bool want_running, bool ever_started) {
        const char *a = s->active_state;

        if (s->loaded) {
                if (streq(a, "active") || streq(a, "reloading"))
                        return INSTANCE_RUNNING;
                if (streq(a, "activating"))
                        return INSTANCE_STARTING;
                if (streq(a, "deactivating"))
                        return INSTANCE_STOPPING;
                if (streq(a, "failed"))
                        return INSTANCE_FAILED;
        }

        /* Inactive, or unloaded (a transient unit that ended cleanly is collected at once). */
        if (!ever_started)
                return INSTANCE_REGISTERED;
        if (!isempty(s->result) && !streq(s->result, "success"))
                return INSTANCE_FAILED;
        /* It ended cleanly: because we stopped it, or because the program was done. */
        return want_running ? INSTANCE_EXITED : INSTANCE_STOPPED;
}

void instance_mark_changed(Instance *i) {
        Manager *m = i->manager;

        if (i->changed || i->removed)
                return;
        i->changed = true;
        g_ptr_array_add(m->changed_instances, i);
        manager_schedule_changes(m);
}

int instance_save(Instance *i) {
        int r;

        r = store_save_instance(i->manager->store, &i->record);
        if (r < 0)
                return log_error_errno(r, "Failed to save instance %s: %m", i->record.config.name);
        return 0;
}

void instance_apply_unit_status(Instance *i) {
        UnitStatus *s = &i->status;
        InstanceRecord *rec = &i->record;
        bool ever_started = rec->last_result || !isempty(s->invocation_id) || s->exec_main_code != 0;
        bool dirty = false;
        InstanceState state;

        /* Once a run has ended, its result and exit code are what `status` shows. */
        if (s->exec_main_code != 0 && !isempty(s->result) &&
            (streq(s->active_state, "failed") || streq(s->active_state, "inactive") || !s->loaded)) {
                int32_t code = s->exec_main_code == CLD_EXITED ? s->exec_main_status : 128 + s->exec_main_status;

                if (!rec->last_result || !streq(rec->last_result, s->result) || rec->last_exit_code != code) {
                        char *copy = strdup(s->result);
                        if (copy) {
                                free(rec->last_result);
                                rec->last_result = copy;
                                rec->last_exit_code = code;
                                dirty = true;
                        }
                }
        }

        state = instance_state_derive(s, rec->want_running, ever_started);
        if (state != i->state) {
                log_debug("Instance %s: %s → %s (unit %s/%s).", rec->config.name,
                          instance_state_to_string(i->state), instance_state_to_string(state),
                          s->active_state, s->sub_state);
                i->state = state;
        }
        if (dirty)
                (void) instance_save(i);
        instance_mark_changed(i);
}
