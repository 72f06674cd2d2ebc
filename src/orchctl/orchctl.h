/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* Exit codes scripts can rely on (documented in orchctl(1)). */
enum {
        ORCHCTL_EXIT_SUCCESS = 0,
        ORCHCTL_EXIT_FAILURE = 1,     /* the operation failed; the message says why */
        ORCHCTL_EXIT_USAGE = 2,       /* bad command line */
        ORCHCTL_EXIT_NO_SUCH = 4,     /* no such instance, alert or contact */
        ORCHCTL_EXIT_UNAVAILABLE = 69, /* orchd is not running or not reachable */
        ORCHCTL_EXIT_DENIED = 77,     /* authorization denied */
};

typedef struct OrchctlArgs {
        const char *host;          /* -H [user@]host, NULL for the local system bus */
        bool quiet;
        bool no_pager;
        bool no_legend;
} OrchctlArgs;

extern OrchctlArgs arg;

/* Connects to orchd's bus (local or remote) once; later calls return the same connection. */
int orchctl_bus(sd_bus **ret);

/* Maps a failed call to one clear line on stderr and to an exit code. */
int orchctl_bus_error(const sd_bus_error *error, int r, const char *what);
