/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small helpers in the style of systemd's macro.h: cleanup attributes so that every early
 * return frees what it owns, and TAKE_PTR() to hand ownership on. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Take the pointer out of a variable, leaving NULL behind, so its cleanup does nothing. */
#define TAKE_PTR(p)                          \
        ({                                   \
                __typeof__(p) _ptr_ = (p);   \
                (p) = NULL;                  \
                _ptr_;                       \
        })

#define TAKE_FD(fd)                          \
        ({                                   \
                int _fd_ = (fd);             \
                (fd) = -EBADF;               \
                _fd_;                        \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0)
                (void) close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Define a cleanup function for a type whose free function takes (and may accept) NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)  \
        static inline void func##p(type *p) {    \
                if (*p)                          \
                        func(*p);                \
        }

static inline void strv_freep(char ***p) {
        if (*p) {
                for (char **s = *p; *s; s++)
                        free(*s);
                free(*p);
        }
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)
#define isempty(s) (!(s) || (s)[0] == '\0')
#define strna(s) ((s) ?: "n/a")
#define strempty(s) ((s) ?: "")

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define NSEC_PER_USEC UINT64_C(1000)

/* CLOCK_REALTIME in µs: what orchd persists (timers that survive a restart of orchd or of the
 * machine are kept as wall-clock deadlines). */
static inline uint64_t now_realtime_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

#define STRV_FOREACH(s, l) for (char **s = (l); s && *s; s++)

#define assert_not_reached() __builtin_unreachable()

static inline char *mfree_str(char *p) {
        free(p);
        return NULL;
}

static inline size_t strv_length(char * const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

static inline void strv_free(char **l) {
        strv_freep(&l);
}
