/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-login.h>

#include "macro.h"
#include "presence.h"

ChannelPlan presence_plan(bool agent_registered, bool graphical_session, bool has_exec, bool has_webhook) {
        unsigned others = (has_exec ? CHANNEL_MASK_EXEC : 0) | (has_webhook ? CHANNEL_MASK_WEBHOOK : 0);

        if (agent_registered && graphical_session)
                return (ChannelPlan) { .now = CHANNEL_MASK_AGENT, .fallback = others };
        /* Not at the desktop: an agent may still run (a session not marked graphical), so it is
         * told too, but it does not stand in for the other channels. */
        return (ChannelPlan) { .now = others | (agent_registered ? CHANNEL_MASK_AGENT : 0) };
}

bool presence_user_at_desktop(uid_t uid) {
        char **sessions = NULL;
        bool found = false;
        int n;

        n = sd_uid_get_sessions(uid, /* require_active= */ 1, &sessions);
        for (int k = 0; k < n && !found; k++) {
                char *type = NULL;
                if (sd_session_get_type(sessions[k], &type) >= 0)
                        found = streq(type, "x11") || streq(type, "wayland") || streq(type, "mir");
                free(type);
        }
        strv_free(sessions);
        return found;
}
