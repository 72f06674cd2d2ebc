/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* polkit's text agent, which asks for a password on the terminal when polkit wants one. */
#ifndef POLKIT_AGENT_BINARY_PATH
#define POLKIT_AGENT_BINARY_PATH "/usr/bin/pkttyagent"
#endif

/* Starts polkit's text agent for this process, as systemctl does, and returns once it has
 * registered with polkit (or has given up), so that a call made next may ask for a password on
 * the terminal. Does nothing (returns 0) unless ASK_PASSWORD, LOCAL (not -H), stdin and stdout
 * are terminals, there is a controlling terminal, orchctl does not run as root (orchd authorizes
 * root without polkit) and the agent is installed. Returns 1 when an agent runs (also when it
 * already ran), 0 when none was started, a negative errno when starting it failed (said on
 * stderr; the caller just goes on). */
int polkit_agent_open_if_enabled(bool ask_password, bool local);

/* Ends the agent, if one runs, and reaps it. Safe to call at any time, also repeatedly. */
void polkit_agent_close(void);
