/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The restart arithmetic of supervisor.h, with every parameter from the input: the backoff delay
 * is what its definition says (initial·factor^(n−1), capped, with the jitter), never more than
 * max_usec, does not shrink as failures go on, and costs no time that grows with them; the restart budget trips at exactly the
 * `attempts`-th failure within one window, also from a state loaded from disk and with a clock
 * that goes back. */
#include <limits.h>
#include <math.h>
#include <time.h>

#include "fuzz.h"
#include "supervisor.h"

static const uint64_t interesting_usec[] = {
        0, 1, 2, 1000, 100000, 1000000, 30000000, 60000000, UINT64_C(31536000000000),
        UINT64_C(1) << 53, (UINT64_C(1) << 53) + 1, UINT64_C(1) << 62, UINT64_C(1) << 63, UINT64_MAX - 1,
        UINT64_MAX,
};
static const double factors[] = { 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0, 1e10 };
static const double jitters[] = { 0.0, 0.1, 0.5, 1.0 };

static uint64_t pick_usec(FuzzReader *r) {
        return fuzz_u64_interesting(r, interesting_usec, sizeof interesting_usec / sizeof interesting_usec[0]);
}

static double pick_factor(FuzzReader *r) {
        uint8_t b = fuzz_u8(r);

        if (b < 0x80)
                return factors[b % (sizeof factors / sizeof factors[0])];
        return (double) fuzz_u32(r) / (double) (1U << 24);     /* 0 .. 256 */
}

static double pick_jitter(FuzzReader *r) {
        uint8_t b = fuzz_u8(r);

        if (b < 0x80)
                return jitters[b % (sizeof jitters / sizeof jitters[0])];
        return (double) fuzz_u32(r) / 4294967295.0;             /* 0 .. 1 */
}

static uint64_t cpu_usec(void) {
        struct timespec ts;

        FUZZ_CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static unsigned pick_consecutive(FuzzReader *r) {
        uint8_t b = fuzz_u8(r);

        if (b < 0xc0)
                return b % 80;
        if (b < 0xf0)
                return fuzz_u8(r) | ((unsigned) fuzz_u8(r) << 8);
        return fuzz_u32(r);
}

static void check_backoff(FuzzReader *r) {
        BackoffPolicy p = {
                .initial_usec = pick_usec(r),
                .max_usec = pick_usec(r),
                .factor = pick_factor(r),
                .jitter = pick_jitter(r),
        };
        unsigned consecutive = pick_consecutive(r);
        uint32_t random = fuzz_bool(r) ? (fuzz_bool(r) ? UINT32_MAX : 0) : fuzz_u32(r);
        uint64_t d, next, start;

        /* orchd computes it on its event loop at each restart: it must not take time that grows
         * with the failures (a second of CPU is a million times what the formula needs). */
        start = cpu_usec();
        d = backoff_delay_usec(&p, consecutive, random);
        FUZZ_CHECK_MSG(cpu_usec() - start < 1000000,
                       "backoff_delay_usec() took %.1f s of CPU (initial %llu, max %llu, factor %g, %u failures)",
                       (double) (cpu_usec() - start) / 1e6, (unsigned long long) p.initial_usec,
                       (unsigned long long) p.max_usec, p.factor, consecutive);
        FUZZ_CHECK_MSG(d <= p.max_usec, "delay %llu > max %llu (initial %llu, factor %g, jitter %g, n %u)",
                       (unsigned long long) d, (unsigned long long) p.max_usec,
                       (unsigned long long) p.initial_usec, p.factor, p.jitter, consecutive);

        /* The definition, computed apart, for runs short enough that rounding cannot add up; a
         * shrinking delay only with values a double holds exactly (the comparison with the cap is
         * made in doubles, where 2^64 − 200 is 2^64). */
        if (consecutive <= 200 &&
            (p.factor >= 1.0 || (p.initial_usec < (UINT64_C(1) << 53) && p.max_usec < (UINT64_C(1) << 53)))) {
                long double base = (long double) p.initial_usec, max = (long double) p.max_usec, expected;

                for (unsigned k = 1; k < consecutive && base < max; k++)
                        base *= p.factor;
                if (base > max)
                        base = max;
                expected = base * (1.0L + p.jitter * (2.0L * ((long double) random / 4294967295.0L) - 1.0L));
                if (expected > max)
                        expected = max;
                if (expected < 0)
                        expected = 0;
                /* The tolerance: rounding of the result, and of 1 + spread near 0 (relative to the
                 * delay before the jitter). */
                FUZZ_CHECK_MSG(fabsl((long double) d - expected) <= 1.0L + expected * 1e-9L + base * 1e-14L,
                               "delay %llu, expected %.3Lf (initial %llu, max %llu, factor %g, jitter %g, n %u, random %u)",
                               (unsigned long long) d, expected, (unsigned long long) p.initial_usec,
                               (unsigned long long) p.max_usec, p.factor, p.jitter, consecutive, random);
        }

        /* One more failure never shortens the delay (with the same draw), when the delay grows. */
        if (p.factor >= 1.0 && consecutive < UINT_MAX) {
                next = backoff_delay_usec(&p, consecutive + 1, random);
                FUZZ_CHECK_MSG(next >= d, "delay %llu after %u failures, %llu after one more",
                               (unsigned long long) d, consecutive, (unsigned long long) next);
        }
}

static void check_budget(FuzzReader *r) {
        uint32_t attempts = fuzz_bool(r) ? fuzz_u8(r) % 12 : fuzz_u32(r);
        uint64_t window = pick_usec(r);
        uint64_t now = pick_usec(r) | 1;        /* CLOCK_REALTIME is never 0 */
        /* The state as loaded from disk (0: no window open). */
        uint64_t window_start = fuzz_bool(r) ? 0 : pick_usec(r);
        uint32_t failures = window_start == 0 ? 0 : (fuzz_bool(r) ? fuzz_u8(r) : fuzz_u32(r));
        /* The model: when the current window opened, and the failures in it. */
        uint64_t model_start = window_start;
        uint64_t model_failures = failures;
        size_t steps = fuzz_u8(r) % 64;

        for (size_t i = 0; i < steps; i++) {
                uint8_t how = fuzz_u8(r);
                uint64_t delta = how & 0x80 ? pick_usec(r) : how & 0x3f;
                bool back = how & 0x40 && how & 0x80;
                bool spent, expected;

                if (back)
                        now = now > delta ? now - delta : 1;
                else
                        now = now > UINT64_MAX - delta ? UINT64_MAX : now + delta;

                /* A failure opens a new window if none is open, the clock went back, or the open
                 * one is over; within a window, failures add up, and the budget is spent at the
                 * attempts-th. */
                if (model_start == 0 || now < model_start || now - model_start > window) {
                        model_start = now;
                        model_failures = 0;
                }
                if (model_failures < UINT32_MAX)
                        model_failures++;
                expected = model_failures >= attempts;

                spent = restart_budget_spend(&window_start, &failures, now, attempts, window);
                FUZZ_CHECK_MSG(spent == expected, "failure %zu at %llu: spent %d, expected %d", i + 1,
                               (unsigned long long) now, spent, expected);
                FUZZ_CHECK(window_start == model_start && failures == model_failures);
        }
}

/* From a fresh state, failures all within one window: the first `attempts - 1` leave budget, every
 * one from the attempts-th on finds it spent. */
static void check_budget_exact(FuzzReader *r) {
        uint32_t attempts = 1 + fuzz_u8(r) % 40;
        uint64_t window = 1 + (fuzz_u32(r) % 1000000), start = 1 + (uint64_t) fuzz_u32(r), now = start;
        uint64_t window_start = 0;
        uint32_t failures = 0;

        for (uint32_t n = 1; n <= attempts + 3; n++) {
                uint64_t step = fuzz_u8(r) % 8;

                if (now + step - start <= window)
                        now += step;
                FUZZ_CHECK_MSG(restart_budget_spend(&window_start, &failures, now, attempts, window) == (n >= attempts),
                               "failure %u of a budget of %u", n, attempts);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzReader r = fuzz_reader(data, size);

        check_backoff(&r);
        check_budget(&r);
        check_budget_exact(&r);

        for (int policy = -1; policy <= _RESTART_POLICY_MAX; policy++)
                for (int success = 0; success <= 1; success++) {
                        bool want = restart_policy_wants_restart(policy, success);

                        FUZZ_CHECK(want == (policy == RESTART_ALWAYS || (policy == RESTART_ON_FAILURE && !success)));
                }
        return 0;
}
