/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ratelimit.h"

static bool window_over(const RateLimit *rl, uint64_t now_usec) {
        return rl->used == 0 || now_usec < rl->window_start_usec ||
               now_usec - rl->window_start_usec >= rl->interval_usec;
}

bool ratelimit_allow(RateLimit *rl, uint64_t now_usec) {
        if (rl->interval_usec == 0)
                return true;
        if (window_over(rl, now_usec)) {
                rl->window_start_usec = now_usec;
                rl->used = 0;
        }
        if (rl->used >= rl->burst)
                return false;
        rl->used++;
        return true;
}

uint64_t ratelimit_next_usec(const RateLimit *rl, uint64_t now_usec) {
        if (rl->interval_usec == 0 || window_over(rl, now_usec) || rl->used < rl->burst)
                return now_usec;
        /* Saturating: a window that ends after the end of time never ends. */
        return rl->window_start_usec > UINT64_MAX - rl->interval_usec ? UINT64_MAX :
               rl->window_start_usec + rl->interval_usec;
}
