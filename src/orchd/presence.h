/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which channels reach a contact first: a person at their desktop (an active graphical session,
 * per logind, and a registered desktop agent) is told there first, and over the exec and webhook
 * channels only if the desktop notification is not acknowledged within DesktopAckTimeoutSec;
 * anyone else is told over every channel they have at once. */

#include <stdbool.h>
#include <sys/types.h>

typedef enum ChannelMask {
        CHANNEL_MASK_AGENT = 1 << 0,
        CHANNEL_MASK_EXEC = 1 << 1,
        CHANNEL_MASK_WEBHOOK = 1 << 2,
} ChannelMask;

typedef struct ChannelPlan {
        unsigned now;           /* ChannelMask bits to notify at once */
        unsigned fallback;      /* ... and after DesktopAckTimeoutSec, if still not acknowledged */
} ChannelPlan;

/* Pure. */
ChannelPlan presence_plan(bool agent_registered, bool graphical_session, bool has_exec, bool has_webhook);

/* Whether UID has an active graphical (x11, wayland, mir) session, per logind. Reads logind's
 * state files in /run: no bus call, nothing that blocks. */
bool presence_user_at_desktop(uid_t uid);
