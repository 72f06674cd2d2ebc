/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>

#include "macro.h"
#include "supervisor.h"

uint64_t backoff_delay_usec(const BackoffPolicy *p, unsigned consecutive, uint32_t random) {
        double d = (double) p->initial_usec, spread;

        /* initial·factor^(n−1) in one step, capped: constant time however many failures (a
         * loop of one multiplication per failure never ends early when the delay is 0). */
        if (consecutive > 1 && d > 0 && d < (double) p->max_usec)
                d *= pow(p->factor, (double) (consecutive - 1));
        if (d > (double) p->max_usec)
                d = (double) p->max_usec;

        /* Jitter spreads restarts of many instances that failed together. */
        spread = p->jitter * (2.0 * ((double) random / 4294967295.0) - 1.0);
        d *= 1.0 + spread;
        /* (double) max_usec may be above max_usec (above 2^53), and llround() stops at 2^63:
         * compare and convert in integers. */
        if (!(d > 0))
                return 0;
        if (d >= 18446744073709551616.0)
                return p->max_usec;
        return MIN((uint64_t) (d + 0.5), p->max_usec);
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
