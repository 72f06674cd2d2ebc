/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The webhook notification channel: an HTTP POST of a JSON body, through libcurl's multi interface
 * driven by the sd-event loop, so that a slow or dead endpoint never blocks the daemon. Each
 * attempt has its own timeouts; failed attempts that may succeed later (5xx, 408, 429, connection
 * errors, timeouts) are tried again after a doubling delay. Redirects are not followed, and only
 * http:// and https:// are spoken. URLs are logged as scheme://host[:port] only: the path or the
 * user info may carry a secret token. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "webhook-url.h"

/* Transfers run at once per client; later ones wait, in the order they were posted. */
#define WEBHOOK_CONCURRENCY_MAX 32U

typedef struct WebhookClient WebhookClient;

typedef struct WebhookPolicy {
        uint64_t timeout_usec;          /* per attempt, the whole transfer; > 0; default 5 s */
        uint64_t connect_timeout_usec;  /* per attempt; 0: bounded by timeout_usec only; default 2 s */
        unsigned attempts;              /* tries in all, >= 1; default 4 */
        uint64_t retry_initial_usec;    /* delay before the second try, doubling after; default 1 s */
        uint64_t retry_max_usec;        /* cap of the delay; default 30 s */
} WebhookPolicy;

#define WEBHOOK_POLICY_DEFAULT                                  \
        (WebhookPolicy) {                                       \
                .timeout_usec = 5 * USEC_PER_SEC,               \
                .connect_timeout_usec = 2 * USEC_PER_SEC,       \
                .attempts = 4,                                  \
                .retry_initial_usec = 1 * USEC_PER_SEC,         \
                .retry_max_usec = 30 * USEC_PER_SEC,            \
        }

/* Called once per webhook_post(), from the event loop, when the POST is delivered or given up.
 * RESULT: 0 delivered (a 2xx status), or a negative errno:
 *   -ETIMEDOUT      the last attempt timed out (connecting or waiting for the answer)
 *   -ECONNREFUSED   nothing listens (or another connect() error: -EHOSTUNREACH, -ENETUNREACH)
 *   -EHOSTUNREACH   the host name did not resolve
 *   -ECONNRESET     the connection broke before a complete answer
 *   -EPROTO         an HTTP status other than 2xx: a 3xx or 4xx at once, a 5xx, 408 or 429 after
 *                   the last attempt
 *   -EKEYREJECTED   the TLS peer failed verification (not retried)
 *   -EIO, -ENOMEM   anything else
 * HTTP_STATUS: the status of the last attempt, 0 if it got none. ATTEMPTS: tries made.
 * The client may be freed from within the callback. */
typedef void (*WebhookDone)(int result, long http_status, unsigned attempts, void *userdata);

/* Creates a client on EVENT (referenced); initializes libcurl on first use. */
int webhook_client_new(sd_event *event, WebhookClient **ret);

/* Cancels every transfer, queued, in flight or waiting to retry; their callbacks are NOT called. */
WebhookClient *webhook_client_free(WebhookClient *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(WebhookClient *, webhook_client_free);

/* Queues a POST of BODY (Content-Type: application/json) to URL; URL and BODY are copied. POLICY
 * NULL means WEBHOOK_POLICY_DEFAULT. Returns 0 when queued (CB, which may be NULL, is then called
 * exactly once, later, never from within this call), -EINVAL for a URL that
 * webhook_url_is_valid() refuses or a bad policy, -ENOMEM. At most WEBHOOK_CONCURRENCY_MAX
 * transfers run at once; the rest wait in order. */
int webhook_post(WebhookClient *w, const char *url, const char *body, const WebhookPolicy *policy,
                 WebhookDone cb, void *userdata);

/* Transfers not finished: queued + in flight + waiting to retry. */
unsigned webhook_client_pending(const WebhookClient *w);



/* Pure: the delay before try number ATTEMPT + 1, after ATTEMPT (>= 1) failed tries:
 * retry_initial_usec doubled ATTEMPT - 1 times, capped at retry_max_usec. */
uint64_t webhook_retry_delay_usec(const WebhookPolicy *p, unsigned attempt);
