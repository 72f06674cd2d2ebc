/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "webhook-url.h"

/* Splits a URL as webhook_url_is_valid() wants it: the scheme's length and the host[:port] part
 * of the authority (after any user info). */
static bool url_split(const char *url, size_t *ret_scheme_len, const char **ret_hostport,
                      size_t *ret_hostport_len) {
        const char *p, *end, *host, *port;
        size_t scheme_len, n;

        if (!url)
                return false;
        n = strnlen(url, WEBHOOK_URL_MAX + 1);
        if (n > WEBHOOK_URL_MAX)
                return false;
        /* Printable ASCII only: no spaces, control characters or bytes of UTF-8 sequences. */
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) url[i] <= 0x20 || (unsigned char) url[i] >= 0x7f)
                        return false;

        if (strncasecmp(url, "http://", 7) == 0)
                scheme_len = 4;
        else if (strncasecmp(url, "https://", 8) == 0)
                scheme_len = 5;
        else
                return false;

        p = url + scheme_len + 3;
        end = p + strcspn(p, "/?#");
        host = memrchr(p, '@', end - p);
        host = host ? host + 1 : p;
        if (host == end)
                return false;

        if (*host == '[') {
                /* An IPv6 literal. */
                const char *close = memchr(host, ']', end - host);
                if (!close || close == host + 1)
                        return false;
                for (const char *c = host + 1; c < close; c++)
                        if (!isxdigit((unsigned char) *c) && *c != ':' && *c != '.')
                                return false;
                port = close + 1;
                if (port != end && *port != ':')
                        return false;
        } else {
                port = memchr(host, ':', end - host);
                if (!port)
                        port = end;
                if (port == host)
                        return false;
                for (const char *c = host; c < port; c++)
                        if (!isalnum((unsigned char) *c) && !strchr("-._~%", *c))
                                return false;
        }

        if (port != end) {
                unsigned long v = 0;
                size_t digits = end - (port + 1);

                if (digits < 1 || digits > 5)
                        return false;
                for (const char *c = port + 1; c < end; c++) {
                        if (!isdigit((unsigned char) *c))
                                return false;
                        v = v * 10 + (unsigned long) (*c - '0');
                }
                if (v < 1 || v > 65535)
                        return false;
        }

        if (ret_scheme_len)
                *ret_scheme_len = scheme_len;
        if (ret_hostport)
                *ret_hostport = host;
        if (ret_hostport_len)
                *ret_hostport_len = end - host;
        return true;
}

bool webhook_url_is_valid(const char *url) {
        return url_split(url, NULL, NULL, NULL);
}

int webhook_url_origin(const char *url, char **ret) {
        const char *hostport;
        size_t scheme_len, hostport_len;
        char *s;

        if (!ret || !url_split(url, &scheme_len, &hostport, &hostport_len))
                return -EINVAL;
        s = malloc(scheme_len + 3 + hostport_len + 1);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < scheme_len; i++)
                s[i] = (char) tolower((unsigned char) url[i]);
        memcpy(s + scheme_len, "://", 3);
        memcpy(s + scheme_len + 3, hostport, hostport_len);
        s[scheme_len + 3 + hostport_len] = '\0';
        *ret = s;
        return 0;
}
