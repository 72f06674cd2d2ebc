/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* polkit's text agent for the mutating verbs: the idea of systemd's polkit_agent_open(), written
 * for orchctl. pkttyagent registers itself for its parent process (orchctl) and tells us through
 * --notify-fd when it has done so (it writes to or closes that descriptor); in a login session,
 * --fallback makes it step back for the session's own agent (a desktop's), if there is one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-login.h>

#include "macro.h"
#include "orchctl-polkit-agent.h"

/* How long the agent may take to end after SIGTERM before it is killed. */
#define AGENT_STOP_TIMEOUT_MSEC 2000
#define AGENT_STOP_POLL_MSEC 10

static pid_t agent_pid = 0;

static bool agent_wanted(bool ask_password, bool local) {
        _cleanup_close_ int fd = -EBADF;

        if (!ask_password || !local)
                return false;
        /* orchd authorizes root without asking polkit: nothing to ask. */
        if (geteuid() == 0)
                return false;
        /* Someone must be there to read the prompt and to type. */
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
                return false;
        /* The agent talks to the controlling terminal, which a terminal on stdin does not imply
         * (su -c calls setsid()); without one it would only complain. */
        fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return false;
        /* Without the agent, go on: polkit may still find another (a desktop's). */
        return access(POLKIT_AGENT_BINARY_PATH, X_OK) == 0;
}

/* polkit uses a --fallback agent only for a subject in a login session, where it would prefer the
 * session's own agent (a desktop's); for a process outside any session (under runuser or sudo -u,
 * in a container without logind) it ignores such an agent and answers "authentication required"
 * (polkit 122). There is no session agent to step back for there, so only then is the agent
 * registered without --fallback. */
static bool in_login_session(void) {
        _cleanup_free_ char *session = NULL;

        return sd_pid_get_session(0, &session) >= 0;
}

/* Marks every descriptor from FROM to TO (inclusive) close-on-exec. */
static void cloexec_range(unsigned from, unsigned to) {
        if (from > to)
                return;
        if (close_range(from, to, CLOSE_RANGE_CLOEXEC) >= 0)
                return;
        /* Kernels before 5.11. sd-bus opens its descriptors with O_CLOEXEC anyway. */
        for (unsigned fd = from; fd <= MIN(to, 1023u); fd++) {
                int flags = fcntl((int) fd, F_GETFD);

                if (flags >= 0)
                        (void) fcntl((int) fd, F_SETFD, flags | FD_CLOEXEC);
        }
}

/* In the child: becomes the agent, keeping stdin, stdout, stderr and NOTIFY_FD only. */
_noreturn_ static void agent_exec(int notify_fd, pid_t parent, bool fallback) {
        char notify_fd_str[12];
        char *agent_argv[] = {
                (char *) POLKIT_AGENT_BINARY_PATH, (char *) "--notify-fd", notify_fd_str,
                fallback ? (char *) "--fallback" : NULL, NULL,
        };
        sigset_t all;

        /* It ends with orchctl, whatever ends orchctl. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
                _exit(EXIT_FAILURE);

        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        (void) signal(SIGPIPE, SIG_DFL);

        if (fcntl(notify_fd, F_SETFD, 0) < 0)
                _exit(EXIT_FAILURE);
        if (notify_fd > 3)
                cloexec_range(3, (unsigned) notify_fd - 1);
        cloexec_range(MAX(3u, (unsigned) notify_fd + 1), ~0u);

        (void) snprintf(notify_fd_str, sizeof(notify_fd_str), "%d", notify_fd);
        execv(POLKIT_AGENT_BINARY_PATH, agent_argv);
        dprintf(STDERR_FILENO, "Failed to run %s: %s\n", POLKIT_AGENT_BINARY_PATH, strerror(errno));
        _exit(127);
}

/* Returns once the agent has written to FD or closed it (registered, or exited). */
static void wait_for_agent(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN };

        while (poll(&p, 1, -1) < 0)
                if (errno != EINTR)
                        return;
}

int polkit_agent_open_if_enabled(bool ask_password, bool local) {
        int pipe_fd[2], r;
        pid_t parent, pid;
        bool fallback;

        if (agent_pid > 0)
                return 1;
        if (!agent_wanted(ask_password, local))
                return 0;

        fallback = in_login_session();

        /* Both ends close-on-exec; the child clears the flag of its end only. */
        if (pipe2(pipe_fd, O_CLOEXEC) < 0) {
                r = -errno;
                fprintf(stderr, "Cannot start the polkit agent: %s. Going on without it.\n", strerror(-r));
                return r;
        }

        /* Whatever orchctl buffered must not be written twice. */
        (void) fflush(stdout);
        (void) fflush(stderr);

        parent = getpid();
        pid = fork();
        if (pid < 0) {
                r = -errno;
                (void) close(pipe_fd[0]);
                (void) close(pipe_fd[1]);
                fprintf(stderr, "Cannot start the polkit agent: %s. Going on without it.\n", strerror(-r));
                return r;
        }
        if (pid == 0)
                agent_exec(pipe_fd[1], parent, fallback);

        /* Only the agent may hold the writing end, or its closing would never be seen. */
        (void) close(pipe_fd[1]);
        agent_pid = pid;
        wait_for_agent(pipe_fd[0]);
        (void) close(pipe_fd[0]);

        /* An agent that could not register (no polkitd, no terminal) has exited: reap it. */
        if (waitpid(agent_pid, NULL, WNOHANG) == agent_pid) {
                agent_pid = 0;
                return 0;
        }
        return 1;
}

void polkit_agent_close(void) {
        const struct timespec pause = { 0, AGENT_STOP_POLL_MSEC * 1000 * 1000 };
        pid_t pid = agent_pid;

        if (pid <= 0)
                return;
        agent_pid = 0;

        /* SIGTERM lets pkttyagent restore the terminal if it was reading a password; SIGCONT in
         * case it was stopped (^Z). */
        (void) kill(pid, SIGTERM);
        (void) kill(pid, SIGCONT);
        for (unsigned waited = 0; waited < AGENT_STOP_TIMEOUT_MSEC; waited += AGENT_STOP_POLL_MSEC) {
                pid_t k = waitpid(pid, NULL, WNOHANG);

                if (k == pid || (k < 0 && errno != EINTR))
                        return;
                (void) nanosleep(&pause, NULL);
        }
        (void) kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
