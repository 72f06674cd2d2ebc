/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The notification rate limit (ratelimit.h) with its burst, interval and a sequence of event
 * times from the input (the clock may go back, which starts a new window): never more than
 * `burst` events allowed in one window, never more than 2·burst within any span of one interval,
 * a burst of 0 allows nothing and an interval of 0 everything, and ratelimit_next_usec() tells the
 * truth: the next event is allowed at the time it names and not a microsecond earlier. */
#include "fuzz.h"
#include "ratelimit.h"

#define N_STEPS 512

static const uint64_t interesting_usec[] = {
        0, 1, 2, 1000, 1000000, 60000000, UINT64_C(31536000000000), UINT64_C(1) << 63, UINT64_MAX - 1,
        UINT64_MAX,
};

static uint64_t pick_usec(FuzzReader *r) {
        return fuzz_u64_interesting(r, interesting_usec, sizeof interesting_usec / sizeof interesting_usec[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzReader r = fuzz_reader(data, size);
        RateLimit rl = {
                .interval_usec = pick_usec(&r),
                .burst = fuzz_bool(&r) ? fuzz_u8(&r) % 8 : fuzz_u32(&r),
        };
        uint64_t now = pick_usec(&r);
        uint64_t allowed[N_STEPS];
        size_t n_allowed = 0;   /* since the clock last went back */

        for (size_t step = 0; step < N_STEPS && !fuzz_done(&r); step++) {
                uint8_t how = fuzz_u8(&r);
                uint64_t delta = how & 0x80 ? pick_usec(&r) : how & 0x3f, next;
                RateLimit copy;
                bool ok;

                if ((how & 0xc0) == 0xc0 && delta > 0) {
                        now = now > delta ? now - delta : 0;    /* the clock went back */
                        n_allowed = 0;
                } else
                        now = now > UINT64_MAX - delta ? UINT64_MAX : now + delta;

                next = ratelimit_next_usec(&rl, now);
                FUZZ_CHECK_MSG(next >= now, "next event at %llu, before now (%llu; window %llu + %llu)",
                               (unsigned long long) next, (unsigned long long) now,
                               (unsigned long long) rl.window_start_usec, (unsigned long long) rl.interval_usec);
                if (rl.burst == 0) {
                        /* Nothing is ever allowed; ratelimit_next_usec() has no time to name. */
                        copy = rl;
                        FUZZ_CHECK(rl.interval_usec == 0 || !ratelimit_allow(&copy, now));
                } else if (next > now) {
                        /* Refused until NEXT, allowed at NEXT. */
                        copy = rl;
                        FUZZ_CHECK(!ratelimit_allow(&copy, next - 1));
                        if (rl.window_start_usec <= UINT64_MAX - rl.interval_usec) {
                                copy = rl;
                                FUZZ_CHECK_MSG(ratelimit_allow(&copy, next), "refused at %llu, the time next_usec named",
                                               (unsigned long long) next);
                        } else  /* a window that ends after the end of time */
                                FUZZ_CHECK(next == UINT64_MAX);
                }

                ok = ratelimit_allow(&rl, now);
                /* Allowed exactly when next_usec said now (but at the very end of time, which a
                 * window may outlast). */
                FUZZ_CHECK_MSG(rl.burst == 0 || ok == (next == now) || (!ok && next == UINT64_MAX),
                               "allowed %d, but the next event was due at %llu (now %llu)", ok,
                               (unsigned long long) next, (unsigned long long) now);
                if (rl.interval_usec == 0)
                        FUZZ_CHECK(ok);
                else if (rl.burst == 0)
                        FUZZ_CHECK(!ok);
                if (!ok)
                        continue;
                allowed[n_allowed++] = now;
                if (rl.interval_usec == 0)
                        continue;

                /* Within the window (events since the clock last went back: a new window each time). */
                {
                        size_t in_window = 0, in_span = 0;

                        FUZZ_CHECK(rl.window_start_usec <= now && now - rl.window_start_usec < rl.interval_usec);
                        for (size_t i = 0; i < n_allowed; i++) {
                                if (allowed[i] >= rl.window_start_usec)
                                        in_window++;
                                if (now - allowed[i] < rl.interval_usec)
                                        in_span++;
                        }
                        FUZZ_CHECK_MSG(in_window <= rl.burst, "%zu events allowed in one window, burst %u", in_window,
                                       rl.burst);
                        FUZZ_CHECK_MSG(in_span <= 2 * (size_t) rl.burst, "%zu events allowed within one interval, burst %u",
                                       in_span, rl.burst);
                }
        }
        return 0;
}
