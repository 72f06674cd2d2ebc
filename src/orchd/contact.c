/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alert-record.h"
#include "alert.h"
#include "authz.h"
#include "bus-common.h"
#include "bus-util.h"
#include "contact.h"
#include "instance.h"
#include "log.h"
#include "validate.h"
#include "webhook.h"

const Contact *manager_find_contact(Manager *m, const char *name) {
        ContactRecord *rc = g_hash_table_lookup(m->runtime_contacts, name);

        if (rc)
                return rc->removed ? NULL : &rc->contact;
        for (size_t k = 0; k < m->config.n_contacts; k++)
                if (streq(m->config.contacts[k].name, name))
                        return &m->config.contacts[k];
        return NULL;
}

static int compare_contacts(const void *x, const void *y) {
        const Contact *a = *(const Contact * const *) x, *b = *(const Contact * const *) y;
        return strcmp(a->name, b->name);
}

int manager_list_contacts(Manager *m, const Contact ***ret, size_t *ret_n) {
        size_t max = m->config.n_contacts + g_hash_table_size(m->runtime_contacts), n = 0;
        const Contact **l = calloc(max + 1, sizeof(Contact *));
        GHashTableIter it;
        gpointer value;

        if (!l)
                return -ENOMEM;
        g_hash_table_iter_init(&it, m->runtime_contacts);
        while (g_hash_table_iter_next(&it, NULL, &value))
                if (!((ContactRecord *) value)->removed)
                        l[n++] = &((ContactRecord *) value)->contact;
        for (size_t k = 0; k < m->config.n_contacts; k++)
                if (!g_hash_table_contains(m->runtime_contacts, m->config.contacts[k].name))
                        l[n++] = &m->config.contacts[k];
        qsort(l, n, sizeof(Contact *), compare_contacts);
        *ret = l;
        *ret_n = n;
        return 0;
}

static int strv_push(GPtrArray *a, const char *s) {
        for (guint k = 0; k < a->len; k++)
                if (streq(a->pdata[k], s))
                        return 0;
        char *copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        g_ptr_array_add(a, copy);
        return 0;
}

int alert_recipients(Manager *m, const Alert *a, unsigned level, char ***ret) {
        GPtrArray *names = g_ptr_array_new();
        Instance *i = manager_find_instance(m, a->record.instance_id);
        char **wanted = NULL;
        int r = 0;

        if (level == ALERT_LEVEL_OPERATORS) {
                wanted = i && i->record.config.operators ? i->record.config.operators : m->config.operators;
                STRV_FOREACH(name, wanted)
                        if (manager_find_contact(m, *name) && (r = strv_push(names, *name)) < 0)
                                break;
        }
        if (r >= 0 && (level == ALERT_LEVEL_SUPERIORS || strv_length(wanted) == 0)) {
                /* Level 2, or level 1 with nobody named: everyone of the level's role. */
                ContactRole role = level == ALERT_LEVEL_SUPERIORS ? CONTACT_SUPERIOR : CONTACT_OPERATOR;
                const Contact **all = NULL;
                size_t n = 0;

                r = manager_list_contacts(m, &all, &n);
                for (size_t k = 0; r >= 0 && k < n; k++)
                        if (all[k]->role == role)
                                r = strv_push(names, all[k]->name);
                free(all);
        }
        if (r < 0) {
                g_ptr_array_set_free_func(names, free);
                g_ptr_array_free(names, true);
                return r;
        }
        g_ptr_array_add(names, NULL);
        *ret = (char **) g_ptr_array_free(names, false);
        return 0;
}

bool alert_uid_is_responder(Manager *m, const Alert *a, uid_t uid) {
        for (unsigned level = ALERT_LEVEL_OPERATORS; level <= a->record.progress.level; level++) {
                _cleanup_strv_free_ char **names = NULL;

                if (alert_recipients(m, a, level, &names) < 0)
                        return false;
                STRV_FOREACH(name, names) {
                        const Contact *c = manager_find_contact(m, *name);
                        if (c && c->user && user_is_uid(c->user, uid))
                                return true;
                }
        }
        return false;
}

static void contact_record_free(gpointer p) {
        if (!p)
                return;
        contact_record_done(p);
        free(p);
}

static void contact_record_freep(ContactRecord **p) {
        contact_record_free(*p);
}

GHashTable *contact_table_new(void) {
        return g_hash_table_new_full(g_str_hash, g_str_equal, NULL, contact_record_free);
}

int contacts_load(Manager *m) {
        ContactRecord *records = NULL;
        size_t n = 0;
        int r;

        r = store_load_contacts(m->store, &records, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to load contacts: %m");
        for (size_t k = 0; k < n; k++) {
                ContactRecord *rc = malloc(sizeof(ContactRecord));
                if (!rc) {
                        contact_records_free(records, n);
                        return log_oom();
                }
                *rc = records[k];
                records[k] = (ContactRecord) {};
                g_hash_table_replace(m->runtime_contacts, rc->contact.name, rc);
        }
        contact_records_free(records, n);
        return 0;
}

/* SetContact's options, checked as orchd.conf's keys are. */
typedef struct ContactOptions {
        Contact *contact;
        const char *bad;       /* the problem, for the error */
} ContactOptions;

static int set_or_clear(char **p, const char *v) {
        char *copy = NULL;

        if (!isempty(v) && !(copy = strdup(v)))
                return -ENOMEM;
        free(*p);
        *p = copy;
        return 0;
}

static int read_contact_option(sd_bus_message *msg, const char *name, void *userdata) {
        ContactOptions *o = userdata;
        Contact *c = o->contact;
        const char *v;
        int r;

        if (!streq(name, "Role") && !streq(name, "User") && !streq(name, "Exec") && !streq(name, "Webhook")) {
                o->bad = "unknown option (known: Role, User, Exec, Webhook)";
                return -EINVAL;
        }
        r = sd_bus_message_read(msg, "v", "s", &v);
        if (r < 0) {
                o->bad = "must be a string (type s)";
                return -EINVAL;
        }
        for (const char *p = v; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f) {
                        o->bad = "values must be one line without control characters";
                        return -EINVAL;
                }
        if (streq(name, "Role")) {
                ContactRole role = contact_role_from_string(v);
                if (role < 0) {
                        o->bad = "Role must be 'operator' or 'superior'";
                        return -EINVAL;
                }
                c->role = role;
                return 1;
        }
        if (streq(name, "User")) {
                if (!isempty(v) && !unix_user_name_is_valid(v)) {
                        o->bad = "User must be a user name or a numeric uid";
                        return -EINVAL;
                }
                r = set_or_clear(&c->user, v);
        } else if (streq(name, "Exec")) {
                if (!isempty(v) && (v[0] != '/' || !utf8_is_valid(v) || strlen(v) > 4096)) {
                        o->bad = "Exec must be a command line starting with an absolute path";
                        return -EINVAL;
                }
                r = set_or_clear(&c->exec, v);
        } else {
                if (!isempty(v) && !webhook_url_is_valid(v)) {
                        o->bad = "Webhook must be an http:// or https:// URL";
                        return -EINVAL;
                }
                r = set_or_clear(&c->webhook, v);
        }
        return r < 0 ? r : 1;
}

static int contact_copy(const Contact *from, Contact *to) {
        *to = (Contact) {
                .name = strdup(from->name),
                .role = from->role,
                .user = from->user ? strdup(from->user) : NULL,
                .exec = from->exec ? strdup(from->exec) : NULL,
                .webhook = from->webhook ? strdup(from->webhook) : NULL,
        };
        if (!to->name || (from->user && !to->user) || (from->exec && !to->exec) ||
            (from->webhook && !to->webhook))
                return -ENOMEM;
        return 0;
}

static int authorize_configure(Manager *m, sd_bus_message *msg, const char *verb, const char *name,
                               sd_bus_error *error) {
        const char *details[] = { "contact", name, "verb", verb, NULL };
        return authz_check(m, msg, ORCHD_ACTION_CONFIGURE, details, error);
}

int method_set_contact(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(contact_record_freep) ContactRecord *rc = NULL;
        ContactOptions o = {};
        const Contact *existing;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        if (!instance_name_is_valid(name))
                return sd_bus_error_setf(error, ORCHD_ERROR_INVALID_NAME,
                                         "Contact names are 1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit.");
        r = authorize_configure(m, msg, "set", name, error);
        if (r == 0)
                return 1;
        authz_release(m, msg);
        if (r < 0)
                return r;

        rc = calloc(1, sizeof(ContactRecord));
        if (!rc)
                return -ENOMEM;
        existing = manager_find_contact(m, name);
        if (existing)
                r = contact_copy(existing, &rc->contact);
        else
                r = (rc->contact = (Contact) { .name = strdup(name), .role = CONTACT_OPERATOR }).name ? 0 : -ENOMEM;
        if (r < 0)
                return r;

        o.contact = &rc->contact;
        r = bus_message_for_each_property(msg, read_contact_option, &o);
        if (r < 0) {
                if (o.bad)
                        return sd_bus_error_setf(error, ORCHD_ERROR_INVALID_ARGUMENT, "Contact %s: %s.", name, o.bad);
                return r;
        }

        r = store_save_contact(m->store, rc);
        if (r < 0) {
                log_error_errno(r, "Failed to save contact %s: %m", name);
                return sd_bus_error_set_errnof(error, r, "Failed to save contact %s: %m", name);
        }
        log_info("Contact %s set (role %s).", name, contact_role_to_string(rc->contact.role));
        g_hash_table_replace(m->runtime_contacts, rc->contact.name, rc);
        TAKE_PTR(rc);
        return sd_bus_reply_method_return(msg, NULL);
}

int method_remove_contact(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(contact_record_freep) ContactRecord *rc = NULL;
        const char *name;
        bool configured = false;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        if (!manager_find_contact(m, name))
                return sd_bus_error_setf(error, ORCHD_ERROR_NO_SUCH_CONTACT,
                                         "No contact '%.64s'; see 'orchctl contacts'.", name);
        r = authorize_configure(m, msg, "remove", name, error);
        if (r == 0)
                return 1;
        authz_release(m, msg);
        if (r < 0)
                return r;

        for (size_t k = 0; k < m->config.n_contacts; k++)
                configured = configured || streq(m->config.contacts[k].name, name);
        if (configured) {
                /* A tombstone hides the configured contact, also after a restart. */
                rc = calloc(1, sizeof(ContactRecord));
                if (!rc || !(rc->contact.name = strdup(name)))
                        return -ENOMEM;
                rc->removed = true;
                r = store_save_contact(m->store, rc);
        } else
                r = store_remove_contact(m->store, name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to remove contact %s: %m", name);
        log_info("Contact %s removed.", name);
        if (rc) {
                g_hash_table_replace(m->runtime_contacts, rc->contact.name, rc);
                TAKE_PTR(rc);
        } else
                g_hash_table_remove(m->runtime_contacts, name);
        return sd_bus_reply_method_return(msg, NULL);
}

int method_list_contacts(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        _cleanup_free_ const Contact **all = NULL;
        size_t n = 0;
        int r;

        r = manager_list_contacts(m, &all, &n);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sssas)");
        for (size_t k = 0; r >= 0 && k < n; k++) {
                const Contact *c = all[k];
                const char *channels[5];
                size_t nc = 0;

                channels[nc++] = "journal";
                if (c->exec)
                        channels[nc++] = "exec";
                if (c->webhook)
                        channels[nc++] = "webhook";
                if (c->user)
                        channels[nc++] = "agent";
                channels[nc] = NULL;
                r = sd_bus_message_open_container(reply, 'r', "sssas");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "sss", c->name, contact_role_to_string(c->role),
                                                  strempty(c->user));
                if (r >= 0)
                        r = sd_bus_message_append_strv(reply, (char **) channels);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}
