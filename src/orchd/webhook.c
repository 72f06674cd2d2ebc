/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>

#include "log.h"
#include "webhook.h"

typedef enum TransferState {
        TRANSFER_IDLE,          /* between attempts, or not yet started */
        TRANSFER_QUEUED,        /* waiting for a free slot, in WebhookClient.queue */
        TRANSFER_RUNNING,       /* its easy handle is in the multi handle */
        TRANSFER_RETRY_WAIT,    /* its retry timer is armed */
} TransferState;

typedef struct Transfer Transfer;
struct Transfer {
        WebhookClient *client;
        TransferState state;
        /* Every transfer of the client, whatever its state: what webhook_client_free() cancels. */
        Transfer *all_prev, *all_next;
        /* The queue, for TRANSFER_QUEUED only. */
        Transfer *queue_prev, *queue_next;

        char *url;
        char *origin;           /* scheme://host[:port]: all of the URL that is ever logged */
        char *body;
        WebhookPolicy policy;
        WebhookDone cb;
        void *userdata;

        /* One easy handle for all attempts: curl keeps its options after it leaves the multi. */
        CURL *easy;
        struct curl_slist *headers;
        sd_event_source *retry_source;
        unsigned attempts;
        long http_status;
};

/* One socket curl asked us to watch. */
typedef struct SocketWatch SocketWatch;
struct SocketWatch {
        WebhookClient *client;
        sd_event_source *source;
        SocketWatch *prev, *next;
};

struct WebhookClient {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;         /* curl's own timeout, as asked by its timer callback */
        SocketWatch *watches;

        Transfer *all;
        Transfer *queue_head, *queue_tail;
        unsigned n_transfers;
        unsigned n_running;

        /* Callbacks run inside our event handlers; one of them may free the client, which then
         * only cancels the transfers and leaves the rest to the handler, once it is done. */
        unsigned n_dispatching;
        bool free_requested;
};

uint64_t webhook_retry_delay_usec(const WebhookPolicy *p, unsigned attempt) {
        uint64_t d = p->retry_initial_usec;

        for (unsigned k = 1; k < attempt && d > 0 && d < p->retry_max_usec; k++)
                d = d > UINT64_MAX / 2 ? UINT64_MAX : d * 2;
        return MIN(d, p->retry_max_usec);
}

/* ---- Outcome of one attempt ---- */

static bool http_status_is_retried(long status) {
        return status >= 500 || status == 408 || status == 429;
}

/* Maps a failed transfer (no HTTP status) to a negative errno, and says whether trying again may
 * help: failures of the network or of the server are retried, mistakes in what we asked are not. */
static int errno_from_curl(CURLcode code, long os_errno, bool *ret_retry) {
        *ret_retry = true;
        switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                /* connect()'s own error when curl kept it: refused, unreachable host or network. */
                if (os_errno == ECONNREFUSED || os_errno == EHOSTUNREACH || os_errno == ENETUNREACH ||
                    os_errno == ETIMEDOUT)
                        return (int) -os_errno;
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
                return -ECONNRESET;
        case CURLE_WEIRD_SERVER_REPLY:
                return -EBADMSG;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_CRL_BADFILE:
                /* The same certificate will be refused again. */
                *ret_retry = false;
                return -EKEYREJECTED;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
                *ret_retry = false;
                return -EINVAL;
        case CURLE_NOT_BUILT_IN:
                *ret_retry = false;
                return -EOPNOTSUPP;
        case CURLE_ABORTED_BY_CALLBACK:
                *ret_retry = false;
                return -ECANCELED;
        default:
                return -EIO;
        }
}

/* ---- Transfers ---- */

static size_t discard_response(char *ptr, size_t size, size_t nmemb, void *userdata) {
        /* Only the status matters; the body is read and dropped so the connection can be reused. */
        (void) ptr;
        (void) userdata;
        return size * nmemb;
}

static Transfer *transfer_free(Transfer *t) {
        if (!t)
                return NULL;
        if (t->easy)
                curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->headers);
        sd_event_source_disable_unref(t->retry_source);
        free(t->url);
        free(t->origin);
        free(t->body);
        free(t);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Transfer *, transfer_free);

static long usec_to_msec_ceil(uint64_t usec) {
        /* Rounded up: 0 ms would mean no timeout at all to curl. */
        return (long) MIN((usec + USEC_PER_MSEC - 1) / USEC_PER_MSEC, (uint64_t) LONG_MAX);
}

static int transfer_setopts(Transfer *t) {
        struct curl_slist *l;
        CURLcode c = CURLE_OK;

        l = curl_slist_append(NULL, "Content-Type: application/json");
        if (!l)
                return -ENOMEM;
        t->headers = l;
        /* An empty "Expect:" drops curl's "Expect: 100-continue" on larger bodies, which costs a
         * second with every server that does not answer it. */
        l = curl_slist_append(t->headers, "Expect:");
        if (!l)
                return -ENOMEM;
        t->headers = l;

#define SETOPT(opt, value)                                              \
        do {                                                            \
                if (c == CURLE_OK)                                      \
                        c = curl_easy_setopt(t->easy, opt, value);      \
        } while (false)

        SETOPT(CURLOPT_PRIVATE, t);
        SETOPT(CURLOPT_URL, t->url);
        SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
        SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
        SETOPT(CURLOPT_NOSIGNAL, 1L);
        /* A transfer given up while its name is still being resolved would otherwise wait, in the
         * event loop, for getaddrinfo() to return; with this the resolver thread is left to finish
         * (and clean up) on its own. */
        SETOPT(CURLOPT_QUICK_EXIT, 1L);
        SETOPT(CURLOPT_USERAGENT, "orchd");
        SETOPT(CURLOPT_HTTPHEADER, t->headers);
        SETOPT(CURLOPT_POSTFIELDS, t->body);
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(t->body));
        SETOPT(CURLOPT_WRITEFUNCTION, discard_response);
        SETOPT(CURLOPT_TIMEOUT_MS, usec_to_msec_ceil(t->policy.timeout_usec));
        if (t->policy.connect_timeout_usec > 0)
                SETOPT(CURLOPT_CONNECTTIMEOUT_MS, usec_to_msec_ceil(t->policy.connect_timeout_usec));
#undef SETOPT

        if (c == CURLE_OUT_OF_MEMORY)
                return -ENOMEM;
        if (c != CURLE_OK)
                return log_error_errno(EIO, "Failed to set up a webhook transfer: %s", curl_easy_strerror(c));
        return 0;
}

static void queue_push(WebhookClient *w, Transfer *t, bool front) {
        t->state = TRANSFER_QUEUED;
        t->queue_prev = t->queue_next = NULL;
        if (!w->queue_head)
                w->queue_head = w->queue_tail = t;
        else if (front) {
                t->queue_next = w->queue_head;
                w->queue_head->queue_prev = t;
                w->queue_head = t;
        } else {
                t->queue_prev = w->queue_tail;
                w->queue_tail->queue_next = t;
                w->queue_tail = t;
        }
}

static void queue_remove(WebhookClient *w, Transfer *t) {
        if (t->queue_prev)
                t->queue_prev->queue_next = t->queue_next;
        else
                w->queue_head = t->queue_next;
        if (t->queue_next)
                t->queue_next->queue_prev = t->queue_prev;
        else
                w->queue_tail = t->queue_prev;
        t->queue_prev = t->queue_next = NULL;
        t->state = TRANSFER_IDLE;
}

/* Takes T out of the client, whatever its state, without freeing it. */
static void transfer_detach(Transfer *t) {
        WebhookClient *w = t->client;

        switch (t->state) {
        case TRANSFER_IDLE:
                break;
        case TRANSFER_QUEUED:
                queue_remove(w, t);
                break;
        case TRANSFER_RUNNING:
                (void) curl_multi_remove_handle(w->multi, t->easy);
                w->n_running--;
                break;
        case TRANSFER_RETRY_WAIT:
                t->retry_source = sd_event_source_disable_unref(t->retry_source);
                break;
        }
        t->state = TRANSFER_IDLE;

        if (t->all_prev)
                t->all_prev->all_next = t->all_next;
        else
                w->all = t->all_next;
        if (t->all_next)
                t->all_next->all_prev = t->all_prev;
        t->all_prev = t->all_next = NULL;
        w->n_transfers--;
}

/* Gives T its result: calls the callback, then frees T. The callback may free the client. */
static void transfer_finish(Transfer *t, int r) {
        transfer_detach(t);
        if (t->cb)
                t->cb(r, t->http_status, t->attempts, t->userdata);
        transfer_free(t);
}

static int transfer_start(Transfer *t) {
        WebhookClient *w = t->client;
        CURLMcode mc;

        assert(t->state == TRANSFER_IDLE);
        mc = curl_multi_add_handle(w->multi, t->easy);
        if (mc != CURLM_OK)
                return mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EIO;
        t->state = TRANSFER_RUNNING;
        t->attempts++;
        t->http_status = 0;
        w->n_running++;
        return 0;
}

/* Starts queued transfers while slots are free. */
static void client_start_queued(WebhookClient *w) {
        while (!w->free_requested && w->queue_head && w->n_running < WEBHOOK_CONCURRENCY_MAX) {
                Transfer *t = w->queue_head;
                int r;

                queue_remove(w, t);
                r = transfer_start(t);
                if (r < 0) {
                        log_warning_errno(r, "Failed to start webhook to %s, giving up: %m", t->origin);
                        transfer_finish(t, r);
                }
        }
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);

/* After an attempt, T is out of the multi (TRANSFER_IDLE): delivered, retried later, or given up. */
static void transfer_attempt_done(Transfer *t, CURLcode code) {
        WebhookClient *w = t->client;
        long status = 0, os_errno = 0;
        bool retry;
        int r;

        (void) curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        t->http_status = status;

        if (status > 0) {
                /* A status line is the server's word, even if the ignored body broke off after it:
                 * retrying after a 2xx would deliver twice. */
                if (status >= 200 && status <= 299) {
                        log_debug("Webhook to %s delivered (HTTP %ld, attempt %u).", t->origin, status, t->attempts);
                        transfer_finish(t, 0);
                        return;
                }
                r = -EPROTO;
                retry = http_status_is_retried(status);
        } else {
                (void) curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
                r = errno_from_curl(code, os_errno, &retry);
        }

        if (retry && t->attempts < t->policy.attempts) {
                uint64_t delay = webhook_retry_delay_usec(&t->policy, t->attempts);
                curl_off_t retry_after = 0;
                int k;

                /* A server that says when to come back (429, 503) is listened to, within the cap. */
                if (status > 0 && curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
                    retry_after > 0)
                        delay = MAX(delay, MIN((uint64_t) retry_after * USEC_PER_SEC, t->policy.retry_max_usec));

                if (status > 0)
                        log_debug("Webhook to %s got HTTP status %ld (attempt %u/%u), retrying in %" PRIu64 " ms.",
                                  t->origin, status, t->attempts, t->policy.attempts, delay / USEC_PER_MSEC);
                else
                        log_debug_errno(r, "Webhook to %s failed (attempt %u/%u): %s (%m); retrying in %" PRIu64 " ms.",
                                        t->origin, t->attempts, t->policy.attempts, curl_easy_strerror(code),
                                        delay / USEC_PER_MSEC);

                k = sd_event_add_time_relative(w->event, &t->retry_source, CLOCK_MONOTONIC, delay,
                                               USEC_PER_MSEC, on_retry, t);
                if (k >= 0) {
                        (void) sd_event_source_set_description(t->retry_source, "webhook-retry");
                        t->state = TRANSFER_RETRY_WAIT;
                        return;
                }
                log_warning_errno(k, "Failed to arm the retry timer of webhook to %s, giving up: %m", t->origin);
                transfer_finish(t, r);
                return;
        }

        /* Once per webhook: the one line that says it was lost, and why. */
        if (status > 0)
                log_warning("Webhook to %s failed after %u attempt(s): HTTP status %ld.",
                            t->origin, t->attempts, status);
        else
                log_warning_errno(r, "Webhook to %s failed after %u attempt(s): %s (%m).",
                                  t->origin, t->attempts, curl_easy_strerror(code));
        transfer_finish(t, r);
}

/* ---- Driving curl from sd-event ---- */

static void client_free_now(WebhookClient *w);

static void dispatch_begin(WebhookClient *w) {
        w->n_dispatching++;
}

/* Frees the client if a callback asked for it while we were dispatching. */
static void dispatch_end(WebhookClient *w) {
        assert(w->n_dispatching > 0);
        if (--w->n_dispatching == 0 && w->free_requested)
                client_free_now(w);
}

/* Finishes the attempts curl has completed, then fills the freed slots. */
static void client_process_done(WebhookClient *w) {
        CURLMsg *msg;
        int left;

        while (!w->free_requested && (msg = curl_multi_info_read(w->multi, &left))) {
                char *p = NULL;
                Transfer *t;
                CURLcode code;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                /* MSG is gone after curl_multi_remove_handle(): copy what is needed first. */
                code = msg->data.result;
                if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p) != CURLE_OK || !p)
                        continue;
                t = (Transfer *) p;

                (void) curl_multi_remove_handle(w->multi, t->easy);
                w->n_running--;
                t->state = TRANSFER_IDLE;
                /* The slot goes to the next in line before a callback can post more. */
                client_start_queued(w);
                if (w->free_requested)
                        break;
                transfer_attempt_done(t, code);
        }
        client_start_queued(w);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Transfer *t = userdata;
        WebhookClient *w = t->client;

        t->retry_source = sd_event_source_disable_unref(t->retry_source);
        dispatch_begin(w);
        /* Ahead of those posted after it, if all slots are taken: it was posted before them. */
        queue_push(w, t, true);
        client_start_queued(w);
        dispatch_end(w);
        return 0;
}

static void socket_watch_free(SocketWatch *sw) {
        WebhookClient *w = sw->client;

        if (sw->prev)
                sw->prev->next = sw->next;
        else
                w->watches = sw->next;
        if (sw->next)
                sw->next->prev = sw->prev;
        sd_event_source_disable_unref(sw->source);
        free(sw);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SocketWatch *sw = userdata;
        WebhookClient *w = sw->client;
        int action = 0, running;

        if (revents & EPOLLIN)
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;

        /* SW may be freed inside curl (CURL_POLL_REMOVE): only W is used after this. */
        dispatch_begin(w);
        (void) curl_multi_socket_action(w->multi, fd, action, &running);
        client_process_done(w);
        dispatch_end(w);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        WebhookClient *w = userdata;
        int running;

        dispatch_begin(w);
        (void) curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        client_process_done(w);
        dispatch_end(w);
        return 0;
}

/* CURLMOPT_SOCKETFUNCTION: curl says which events it waits for on a socket of its own. */
static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
        WebhookClient *w = userp;
        SocketWatch *sw = socketp;
        uint32_t events = 0;
        int r;

        if (what == CURL_POLL_REMOVE) {
                /* Before curl closes it: the fd number may come back for another socket. */
                if (sw)
                        socket_watch_free(sw);
                return 0;
        }

        if (what & CURL_POLL_IN)
                events |= EPOLLIN;
        if (what & CURL_POLL_OUT)
                events |= EPOLLOUT;

        if (!sw) {
                sw = calloc(1, sizeof *sw);
                if (!sw)
                        return -1;
                sw->client = w;
                r = sd_event_add_io(w->event, &sw->source, s, events, on_io, sw);
                if (r < 0) {
                        log_warning_errno(r, "Failed to watch a webhook socket: %m");
                        free(sw);
                        return -1;
                }
                (void) sd_event_source_set_description(sw->source, "webhook-socket");
                sw->next = w->watches;
                if (w->watches)
                        w->watches->prev = sw;
                w->watches = sw;
                (void) curl_multi_assign(w->multi, s, sw);
        } else {
                r = sd_event_source_set_io_events(sw->source, events);
                if (r < 0)
                        return -1;
        }

        /* CURL_POLL_NONE: not now, and an epoll that waits for nothing still wakes on HUP. */
        r = sd_event_source_set_enabled(sw->source, events != 0 ? SD_EVENT_ON : SD_EVENT_OFF);
        return r < 0 ? -1 : 0;
}

/* CURLMOPT_TIMERFUNCTION: curl wants curl_multi_socket_action(CURL_SOCKET_TIMEOUT) in
 * TIMEOUT_MS (0: as soon as possible; it must not be called from here), or never (-1). */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
        WebhookClient *w = userp;
        uint64_t now;
        int r;

        if (timeout_ms < 0)
                return sd_event_source_set_enabled(w->timer, SD_EVENT_OFF) < 0 ? -1 : 0;

        r = sd_event_now(w->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return -1;
        r = sd_event_source_set_time(w->timer, now + (uint64_t) timeout_ms * USEC_PER_MSEC);
        if (r < 0)
                return -1;
        return sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT) < 0 ? -1 : 0;
}

/* ---- The client ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init_once(void) {
        /* Once per process, never undone: curl_global_cleanup() would pull the rug from under
         * any other user of libcurl in the process. */
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int webhook_client_new(sd_event *event, WebhookClient **ret) {
        _cleanup_(webhook_client_freep) WebhookClient *w = NULL;
        CURLMcode mc = CURLM_OK;
        int r;

        if (!event || !ret)
                return -EINVAL;

        (void) pthread_once(&curl_once, curl_init_once);
        if (curl_init_result != CURLE_OK)
                return log_error_errno(EIO, "Failed to initialize libcurl: %s", curl_easy_strerror(curl_init_result));

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->event = sd_event_ref(event);

        w->multi = curl_multi_init();
        if (!w->multi)
                return -ENOMEM;
        if (mc == CURLM_OK)
                mc = curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
        if (mc == CURLM_OK)
                mc = curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
        if (mc == CURLM_OK)
                mc = curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
        if (mc == CURLM_OK)
                mc = curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
        if (mc != CURLM_OK)
                return log_error_errno(EIO, "Failed to set up libcurl's multi handle: %s", curl_multi_strerror(mc));

        /* One time source for curl's timeouts, armed by on_curl_timer(). 1 ms accuracy, not
         * sd-event's default 250 ms: the per-attempt timeouts are often shorter than that. */
        r = sd_event_add_time(event, &w->timer, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_timer, w);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(w->timer, "webhook-curl-timer");

        *ret = TAKE_PTR(w);
        return 0;
}

static void client_cancel_all(WebhookClient *w) {
        while (w->all) {
                Transfer *t = w->all;

                transfer_detach(t);
                transfer_free(t);
        }
}

static void client_free_now(WebhookClient *w) {
        client_cancel_all(w);
        /* Closes the cached connections, which may remove their sockets through on_curl_socket(). */
        if (w->multi)
                (void) curl_multi_cleanup(w->multi);
        while (w->watches)
                socket_watch_free(w->watches);
        sd_event_source_disable_unref(w->timer);
        sd_event_unref(w->event);
        free(w);
}

WebhookClient *webhook_client_free(WebhookClient *w) {
        if (!w)
                return NULL;
        /* From a callback: cancel now, and let the handler that called it free the rest. */
        if (w->n_dispatching > 0) {
                client_cancel_all(w);
                w->free_requested = true;
                return NULL;
        }
        client_free_now(w);
        return NULL;
}

int webhook_post(WebhookClient *w, const char *url, const char *body, const WebhookPolicy *policy,
                 WebhookDone cb, void *userdata) {
        _cleanup_(transfer_freep) Transfer *t = NULL;
        WebhookPolicy p = policy ? *policy : WEBHOOK_POLICY_DEFAULT;
        int r;

        if (!w || !body || !webhook_url_is_valid(url))
                return -EINVAL;
        if (p.attempts < 1 || p.timeout_usec == 0)
                return -EINVAL;
        /* Posted from a callback after webhook_client_free(): it would never run. */
        if (w->free_requested)
                return -ECANCELED;

        t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->client = w;
        t->state = TRANSFER_IDLE;
        t->policy = p;
        t->cb = cb;
        t->userdata = userdata;
        t->url = strdup(url);
        t->body = strdup(body);
        if (!t->url || !t->body)
                return -ENOMEM;
        r = webhook_url_origin(url, &t->origin);
        if (r < 0)
                return r;
        t->easy = curl_easy_init();
        if (!t->easy)
                return -ENOMEM;
        r = transfer_setopts(t);
        if (r < 0)
                return r;

        /* Straight into the multi only if no one waits before it. */
        if (!w->queue_head && w->n_running < WEBHOOK_CONCURRENCY_MAX) {
                r = transfer_start(t);
                if (r < 0)
                        return r;
        } else
                queue_push(w, t, false);

        t->all_next = w->all;
        if (w->all)
                w->all->all_prev = t;
        w->all = t;
        w->n_transfers++;
        TAKE_PTR(t);
        return 0;
}

unsigned webhook_client_pending(const WebhookClient *w) {
        return w ? w->n_transfers : 0;
}
