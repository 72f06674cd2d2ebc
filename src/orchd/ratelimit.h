/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A fixed-window rate limit (systemd's RateLimit): at most BURST events per INTERVAL. Pure: the
 * caller passes the clock. Notifications use one per recipient and channel; what the limit holds
 * back is sent grouped when the window ends (notifier.c). */

#include <stdbool.h>
#include <stdint.h>

typedef struct RateLimit {
        uint64_t interval_usec;
        unsigned burst;
        uint64_t window_start_usec;
        unsigned used;
} RateLimit;

/* Counts an event at NOW; true if it is within the limit. A BURST of 0 allows nothing, an
 * INTERVAL of 0 everything. A clock that went back starts a new window. */
bool ratelimit_allow(RateLimit *rl, uint64_t now_usec);

/* When the current window ends (the next event is allowed then), or NOW if one is allowed now. */
uint64_t ratelimit_next_usec(const RateLimit *rl, uint64_t now_usec);
