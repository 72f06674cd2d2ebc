/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The restart policy, decided by orchd (units run with Restart=no): which ended runs are restarted,
 * after which delay (capped exponential backoff with jitter, reset by a stable run), and when the
 * restart budget (RestartAttempts failures within RestartWindowUSec) is spent. Pure: no I/O, the
 * caller passes the clock and the randomness. */

#include <stdbool.h>
#include <stdint.h>

#include "instance-state.h"

#define BACKOFF_INITIAL_USEC_DEFAULT (100U * 1000U)        /* 0.1 s */
#define BACKOFF_MAX_USEC_DEFAULT (30U * 1000U * 1000U)     /* 30 s */
#define BACKOFF_FACTOR_DEFAULT 2.0
#define BACKOFF_JITTER_DEFAULT 0.1                         /* ±10 % */
#define STABLE_USEC_DEFAULT (30U * 1000U * 1000U)          /* 30 s */

typedef struct BackoffPolicy {
        uint64_t initial_usec;
        uint64_t max_usec;
        double factor;
        double jitter;          /* 0..1: the delay is drawn from [d·(1−j), d·(1+j)], then capped */
} BackoffPolicy;

/* The delay before restart number CONSECUTIVE (1 for the first restart after a stable run);
 * RANDOM is uniform in [0, UINT32_MAX]. */
uint64_t backoff_delay_usec(const BackoffPolicy *p, unsigned consecutive, uint32_t random);

/* Whether a run that ended with RESULT_SUCCESS (systemd's Result "success") is restarted. */
bool restart_policy_wants_restart(RestartPolicy policy, bool result_success);

/* Counts one failure at NOW in the budget (window start and failures, kept by orchd) and returns
 * true when the budget is spent: ATTEMPTS failures within WINDOW_USEC. */
bool restart_budget_spend(uint64_t *window_start_usec, uint32_t *failures, uint64_t now_usec,
                          uint32_t attempts, uint64_t window_usec);
