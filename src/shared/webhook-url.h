/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Webhook URLs, checked alike by orchd (orchd.conf, SetContact, the store, the webhook channel)
 * and orchctl (contact set --webhook=). Pure. */

#include <stdbool.h>

#define WEBHOOK_URL_MAX 2048U

/* Pure: an http:// or https:// URL (scheme case-insensitive) with a non-empty host (and a port
 * 1-65535 if one is given), printable ASCII only (no whitespace, no control characters), at most
 * WEBHOOK_URL_MAX bytes. */
bool webhook_url_is_valid(const char *url);

/* Pure: the part of a valid URL that may be logged, "scheme://host[:port]" with the scheme in
 * lower case: no user info, path, query or fragment. -EINVAL for an invalid URL. */
int webhook_url_origin(const char *url, char **ret);
