/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging in systemd's manner: one call where an error is handled, which returns the negative
 * errno so that `return log_error_errno(r, "Failed to ...: %m");` both logs and propagates.
 * Under systemd, messages go to the journal with their source location and priority. */

#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

void log_setup(const char *identifier);
void log_set_max_level(int level);
int log_get_max_level(void);
int log_level_from_string(const char *s);

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

#define log_full_errno(level, error, ...)                                                  \
        ({                                                                                 \
                int _level_ = (level), _e_ = (error);                                      \
                _level_ <= log_get_max_level()                                             \
                        ? log_internal(_level_, _e_, __FILE__, __LINE__, __func__, __VA_ARGS__) \
                        : -abs(_e_);                                                       \
        })

#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)

/* For allocation failures, which are handled alike everywhere. */
#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
