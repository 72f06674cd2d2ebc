/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Webhook URLs (webhook-url.h), the input as one string: a URL webhook_url_is_valid() accepts is
 * printable ASCII of at most WEBHOOK_URL_MAX bytes starting with http:// or https://, and its
 * origin (what orchd logs instead of the URL, which may hold a token) is itself a valid URL of the
 * form scheme://host[:port] with the scheme in lower case, nothing after the authority, no user
 * info, taken from the URL's own authority, and is its own origin. An invalid URL has no origin
 * and the output is untouched. */
#include <strings.h>

#include "fuzz.h"
#include "macro.h"
#include "webhook-url.h"

static void check_origin_form(const char *url, const char *origin) {
        const char *authority, *url_rest, *host;
        size_t scheme_len;

        FUZZ_CHECK_MSG(strncmp(origin, "http://", 7) == 0 || strncmp(origin, "https://", 8) == 0,
                       "origin %s", origin);
        scheme_len = origin[4] == 's' ? 5 : 4;
        FUZZ_CHECK(strncasecmp(url, origin, scheme_len) == 0);
        authority = origin + scheme_len + 3;
        FUZZ_CHECK_MSG(authority[0] && !strpbrk(authority, "/?#@"), "origin %s of %s", origin, url);
        FUZZ_CHECK(strlen(origin) <= strlen(url));

        /* The URL's authority ends with exactly the origin's host[:port]. */
        url_rest = url + scheme_len + 3;
        host = url_rest + strcspn(url_rest, "/?#");     /* the end of the URL's authority */
        FUZZ_CHECK((size_t) (host - url_rest) >= strlen(authority));
        host -= strlen(authority);
        FUZZ_CHECK_MSG(strncmp(host, authority, strlen(authority)) == 0, "origin %s of %s", origin, url);
        FUZZ_CHECK(host == url_rest || host[-1] == '@');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *url = fuzz_cstring(data, size);
        char untouched_value[] = "untouched", *origin = untouched_value, *again = NULL;
        bool valid = webhook_url_is_valid(url);
        int r;

        r = webhook_url_origin(url, &origin);
        if (!valid) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(origin == untouched_value);
                free(url);
                return 0;
        }
        FUZZ_CHECK_MSG(r == 0, "valid, but no origin: %d", r);

        FUZZ_CHECK(strlen(url) <= WEBHOOK_URL_MAX);
        for (const char *p = url; *p; p++)
                FUZZ_CHECK((unsigned char) *p > 0x20 && (unsigned char) *p < 0x7f);
        FUZZ_CHECK(strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);

        check_origin_form(url, origin);
        FUZZ_CHECK_MSG(webhook_url_is_valid(origin), "the origin %s of %s is not valid", origin, url);
        FUZZ_CHECK(webhook_url_origin(origin, &again) == 0);
        FUZZ_CHECK_MSG(streq(again, origin), "origin of %s is %s", origin, again);

        /* Cut after its authority, the URL has the same origin. */
        {
                const char *rest = url + (origin[4] == 's' ? 8 : 7);
                char *cut = strndup(url, (size_t) (rest - url) + strcspn(rest, "/?#")), *cut_origin = NULL;

                FUZZ_CHECK(cut);
                FUZZ_CHECK(webhook_url_is_valid(cut));
                FUZZ_CHECK(webhook_url_origin(cut, &cut_origin) == 0 && streq(cut_origin, origin));
                free(cut_origin);
                free(cut);
        }

        FUZZ_CHECK(webhook_url_origin(url, NULL) == -EINVAL);
        free(again);
        free(origin);
        free(url);
        return 0;
}
