/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>

#include "supervisor.h"

uint64_t backoff_delay_usec(const BackoffPolicy *p, unsigned consecutive, uint32_t random) {
        double d = (double) p->initial_usec, spread;

        /* Grow step by step and stop at the cap: no overflow however many failures. */
        for (unsigned k = 1; k < consecutive && d < (double) p->max_usec; k++)
                d *= p->factor;
        if (d > (double) p->max_usec)
                d = (double) p->max_usec;

        /* Jitter spreads restarts of many instances that failed together. */
        spread = p->jitter * (2.0 * ((double) random / 4294967295.0) - 1.0);
        d *= 1.0 + spread;
        if (d > (double) p->max_usec)
                d = (double) p->max_usec;
        if (d < 0)
                d = 0;
        return (uint64_t) llround(d);
}

bool restart_policy_wants_restart(RestartPolicy policy, bool result_success) {
        switch (policy) {
        case RESTART_ALWAYS:
                return true;
        case RESTART_ON_FAILURE:
                return !result_success;
        default:
                return false;
        }
}

bool restart_budget_spend(uint64_t *window_start_usec, uint32_t *failures, uint64_t now_usec,
                          uint32_t attempts, uint64_t window_usec) {
        /* A new window opens with the first failure after the last one closed. */
        if (*window_start_usec == 0 || now_usec < *window_start_usec ||
            now_usec - *window_start_usec > window_usec) {
                *window_start_usec = now_usec;
                *failures = 0;
        }
        if (*failures < UINT32_MAX)
                (*failures)++;
        return *failures >= attempts;
}
