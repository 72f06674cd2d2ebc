/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "log.h"

/* One polkit query: for one method call, which is dispatched again when it is answered. */
typedef struct AuthzQuery {
        Manager *manager;
        sd_bus_message *request;
        char *action;             /* the action polkit is being asked about, NULL when none */
        sd_bus_slot *slot;        /* the CheckAuthorization call */
        sd_bus_track *track;      /* the caller: gone before the answer means nothing is done */
        GHashTable *answers;      /* action → AUTHZ_* : one call may need several actions */
        bool caller_gone;
        char *error_message;
} AuthzQuery;

enum { AUTHZ_DENIED = 1, AUTHZ_ALLOWED, AUTHZ_CHALLENGE };

static AuthzQuery *authz_query_free(AuthzQuery *q) {
        if (!q)
                return NULL;
        sd_bus_slot_unref(q->slot);
        sd_bus_track_unref(q->track);
        sd_bus_message_unref(q->request);
        if (q->answers)
                g_hash_table_destroy(q->answers);
        free(q->action);
        free(q->error_message);
        free(q);
        return NULL;
}

int bus_message_sender_uid(sd_bus_message *msg, uid_t *ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        int r;

        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        return sd_bus_creds_get_euid(creds, ret);
}

static void query_done(AuthzQuery *q) {
        Manager *m = q->manager;
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        if (q->caller_gone) {
                log_debug("Caller of %s left before polkit answered; dropping the call.",
                          sd_bus_message_get_member(q->request));
                g_hash_table_remove(m->authz_queries, q->request);
                return;
        }
        /* Dispatch the call again: this time authz_check() finds the answer. */
        r = sd_bus_enqueue_for_read(m->bus, q->request);
        if (r < 0) {
                log_error_errno(r, "Failed to dispatch an authorized call again: %m");
                (void) sd_bus_reply_method_errorf(q->request, SD_BUS_ERROR_FAILED, "Internal error.");
                g_hash_table_remove(m->authz_queries, q->request);
        }
}

static int on_check_authorization(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        AuthzQuery *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized = false, challenge = false, r;

        (void) ret_error;
        if (e) {
                /* polkit unreachable or refusing: denied. */
                log_warning("polkit did not answer for %s: %s", q->action, e->message);
                free(q->error_message);
                if (asprintf(&q->error_message, "Authorization could not be checked (polkit: %s).",
                             e->message) < 0)
                        q->error_message = NULL;
        } else {
                r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
                if (r < 0) {
                        log_warning_errno(r, "Malformed reply from polkit: %m");
                        authorized = challenge = false;
                }
        }
        g_hash_table_insert(q->answers, TAKE_PTR(q->action),
                            GINT_TO_POINTER(authorized ? AUTHZ_ALLOWED : challenge ? AUTHZ_CHALLENGE : AUTHZ_DENIED));
        query_done(q);
        return 0;
}

static int on_caller_gone(sd_bus_track *track, void *userdata) {
        AuthzQuery *q = userdata;

        q->caller_gone = true;
        /* Returning 0 would have sd-bus call this again at once, for as long as the track stays
         * empty: a busy loop until polkit answers. Drop the track (sd-bus holds a reference while
         * calling us) and say we are done with it. */
        q->track = sd_bus_track_unref(q->track);
        return 1;
}

static int append_details(sd_bus_message *c, const char **details) {
        int r;

        r = sd_bus_message_open_container(c, 'a', "{ss}");
        if (r < 0)
                return r;
        for (const char **d = details; d && d[0] && d[1]; d += 2) {
                r = sd_bus_message_append(c, "{ss}", d[0], d[1]);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(c);
}

static int ask_polkit(Manager *m, AuthzQuery *q, const char **details) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *c = NULL;
        bool interactive = sd_bus_message_get_allow_interactive_authorization(q->request) > 0;
        int r;

        r = sd_bus_message_new_method_call(m->bus, &c, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        /* The subject is the caller's unique name: polkit looks up the process behind it itself,
         * which is race-free (unlike a PID). */
        r = sd_bus_message_append(c, "(sa{sv})s", "system-bus-name", 1, "name", "s",
                                  sd_bus_message_get_sender(q->request), q->action);
        if (r < 0)
                return r;
        r = append_details(c, details);
        if (r < 0)
                return r;
        r = sd_bus_message_append(c, "us", (uint32_t) (interactive ? 1 : 0), "");
        if (r < 0)
                return r;
        /* An interactive check may wait for a person typing a password. */
        return sd_bus_call_async(m->bus, &q->slot, c, on_check_authorization, q,
                                 interactive ? 120 * USEC_PER_SEC : 25 * USEC_PER_SEC);
}

int authz_check(Manager *m, sd_bus_message *msg, const char *action, const char **details,
                sd_bus_error *error) {
        AuthzQuery *q;
        uid_t uid;
        int r;

        r = bus_message_sender_uid(msg, &uid);
        if (r < 0)
                return r;
        if (uid == 0)
                return 1;

        q = g_hash_table_lookup(m->authz_queries, msg);
        if (q && q->action)
                return 0;       /* dispatched again while polkit is still being asked */
        if (q) {
                int answer = GPOINTER_TO_INT(g_hash_table_lookup(q->answers, action));
                if (answer == AUTHZ_ALLOWED)
                        return 1;
                if (answer == AUTHZ_CHALLENGE)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                                 "Authentication is required for %s; run orchctl on a terminal to enter a password.",
                                                 action);
                if (answer == AUTHZ_DENIED)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "%s",
                                                 q->error_message ?: "Not authorized by polkit for this action.");
        } else {
                q = calloc(1, sizeof(*q));
                if (!q)
                        return -ENOMEM;
                q->manager = m;
                q->request = sd_bus_message_ref(msg);
                q->answers = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
                r = sd_bus_track_new(m->bus, &q->track, on_caller_gone, q);
                if (r >= 0)
                        r = sd_bus_track_add_sender(q->track, msg);
                if (r < 0) {
                        authz_query_free(q);
                        return r;
                }
                g_hash_table_insert(m->authz_queries, q->request, q);
        }

        /* Not asked yet for this action. */
        q->action = strdup(action);
        r = q->action ? ask_polkit(m, q, details) : -ENOMEM;
        if (r < 0) {
                g_hash_table_remove(m->authz_queries, msg);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Authorization could not be checked: %s.", strerror(-r));
        }
        return 0;
}

void authz_release(Manager *m, sd_bus_message *msg) {
        if (m->authz_queries)
                g_hash_table_remove(m->authz_queries, msg);
}

static void authz_query_destroy(gpointer p) {
        authz_query_free(p);
}

GHashTable *authz_queries_new(void) {
        return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, authz_query_destroy);
}

void authz_flush(Manager *m) {
        if (m->authz_queries)
                g_hash_table_remove_all(m->authz_queries);
}

bool user_is_uid(const char *user, uid_t uid) {
        char buf[16], pwbuf[1024];
        struct passwd pw, *result = NULL;

        (void) snprintf(buf, sizeof buf, "%u", (unsigned) uid);
        if (streq(user, buf))
                return true;
        /* A local lookup (files, as nsswitch.conf says), small and bounded. */
        if (getpwnam_r(user, &pw, pwbuf, sizeof pwbuf, &result) != 0 || !result)
                return false;
        return result->pw_uid == uid;
}
