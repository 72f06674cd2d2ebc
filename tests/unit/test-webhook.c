/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The webhook client against a tiny HTTP server of this file, served on the same sd-event loop:
 * it reads each request until its body is complete, then answers by the test's script (a status
 * per request, 0 for never), at once or when the test releases it. Timeouts are short, so that
 * the file runs in about a second. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "webhook.h"

#define SCRIPT_MAX 8

typedef struct Server Server;
typedef struct Conn Conn;

struct Conn {
        Server *server;
        int fd;
        sd_event_source *io;
        char *buf;
        size_t len, cap;
        bool handled, held;
        int status;
        Conn *prev, *next;
};

struct Server {
        sd_event *event;
        int fd;
        uint16_t port;
        sd_event_source *listen;
        int script[SCRIPT_MAX];         /* status of request k; the last one repeats; 0: no answer */
        unsigned n_script;
        bool hold;                      /* answers wait for server_release() */
        unsigned n_requests, n_open, max_open;
        char method[16], path[256], content_type[128], user_agent[64];
        char *body;
        Conn *conns;
};

typedef struct Fixture {
        sd_event *event;
        Server server;
        WebhookClient *client;
} Fixture;

typedef struct Outcome {
        unsigned calls;
        int result;
        long status;
        unsigned attempts;
        uint64_t done_usec;
} Outcome;

static uint64_t now_usec(void) {
        struct timespec ts;

        assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

/* ---- The server ---- */

static void conn_free(Conn *c) {
        Server *s = c->server;

        if (c->prev)
                c->prev->next = c->next;
        else
                s->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        sd_event_source_disable_unref(c->io);
        close(c->fd);
        free(c->buf);
        free(c);
        s->n_open--;
}

static void conn_answer(Conn *c) {
        char reply[256];
        int n;

        n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 %d Scripted\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                     "Connection: close\r\n\r\nok\n", c->status);
        /* Small enough for the socket buffer of a fresh connection; the client may be gone. */
        if (send(c->fd, reply, (size_t) n, MSG_NOSIGNAL) != n)
                assert_true(errno == EPIPE || errno == ECONNRESET);
        conn_free(c);
}

static void copy_header(const char *head, const char *name, char *dst, size_t size) {
        const char *p = strcasestr(head, name);
        size_t n;

        dst[0] = '\0';
        if (!p)
                return;
        p += strlen(name);
        p += strspn(p, " ");
        n = strcspn(p, "\r\n");
        (void) snprintf(dst, size, "%.*s", (int) n, p);
}

/* Records the request when it is complete and answers by the script. */
static void conn_handle(Conn *c) {
        Server *s = c->server;
        char *end, length[32];
        size_t head_len, body_len;
        unsigned k;

        end = strstr(c->buf, "\r\n\r\n");
        if (!end)
                return;
        head_len = (size_t) (end - c->buf) + 4;
        copy_header(c->buf, "\r\nContent-Length:", length, sizeof length);
        body_len = (size_t) strtoul(length, NULL, 10);
        if (c->len < head_len + body_len)
                return;

        c->handled = true;
        (void) sscanf(c->buf, "%15s %255s", s->method, s->path);
        copy_header(c->buf, "\r\nContent-Type:", s->content_type, sizeof s->content_type);
        copy_header(c->buf, "\r\nUser-Agent:", s->user_agent, sizeof s->user_agent);
        free(s->body);
        s->body = strndup(c->buf + head_len, body_len);
        assert_non_null(s->body);

        k = s->n_requests++;
        c->status = s->script[MIN(k, s->n_script - 1)];
        if (c->status == 0)
                return;         /* Never answered: held until the client gives up. */
        if (s->hold)
                c->held = true;
        else
                conn_answer(c);
}

static int on_conn_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Conn *c = userdata;

        for (;;) {
                ssize_t n;

                if (c->cap - c->len < 4096) {
                        c->cap = c->cap * 2 + 8192;
                        c->buf = realloc(c->buf, c->cap);
                        assert_non_null(c->buf);
                }
                n = read(fd, c->buf + c->len, c->cap - c->len - 1);
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) {
                        /* The client is gone (done, or gave up on a request never answered). */
                        conn_free(c);
                        return 0;
                }
                c->len += (size_t) n;
                c->buf[c->len] = '\0';
        }
        if (!c->handled)
                conn_handle(c);
        return 0;
}

static int on_accept(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Server *s = userdata;
        int cfd;

        while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                Conn *c = calloc(1, sizeof *c);

                assert_non_null(c);
                c->server = s;
                c->fd = cfd;
                assert_true(sd_event_add_io(s->event, &c->io, cfd, EPOLLIN, on_conn_io, c) >= 0);
                c->next = s->conns;
                if (s->conns)
                        s->conns->prev = c;
                s->conns = c;
                s->n_open++;
                s->max_open = MAX(s->max_open, s->n_open);
        }
        assert_true(errno == EAGAIN);
        return 0;
}

/* Answers the held requests, and the later ones at once. */
static void server_release(Server *s) {
        Conn *next;

        s->hold = false;
        for (Conn *c = s->conns; c; c = next) {
                next = c->next;
                if (c->held)
                        conn_answer(c);
        }
}

static void server_script(Server *s, unsigned n, const int *statuses) {
        assert_true(n >= 1 && n <= SCRIPT_MAX);
        memcpy(s->script, statuses, n * sizeof *statuses);
        s->n_script = n;
        s->n_requests = 0;
}

static int server_start(Server *s, sd_event *event) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof sa;

        *s = (Server) { .event = event, .fd = -EBADF };
        server_script(s, 1, (const int[]) { 200 });
        s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->fd < 0)
                return -errno;
        if (bind(s->fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(s->fd, SOMAXCONN) < 0 ||
            getsockname(s->fd, (struct sockaddr *) &sa, &len) < 0)
                return -errno;
        s->port = ntohs(sa.sin_port);
        return sd_event_add_io(event, &s->listen, s->fd, EPOLLIN, on_accept, s);
}

static void server_stop(Server *s) {
        while (s->conns)
                conn_free(s->conns);
        sd_event_source_disable_unref(s->listen);
        if (s->fd >= 0)
                close(s->fd);
        free(s->body);
}

static void server_url(const Server *s, const char *path, char *buf, size_t size) {
        (void) snprintf(buf, size, "http://127.0.0.1:%u%s", s->port, path);
}

/* A port where nothing listens: bound for a moment to learn it, then closed. */
static uint16_t dead_port(void) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof sa;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
        close(fd);
        return ntohs(sa.sin_port);
}

/* ---- Fixture and helpers ---- */

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);

        if (!f || sd_event_new(&f->event) < 0 || server_start(&f->server, f->event) < 0 ||
            webhook_client_new(f->event, &f->client) < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        webhook_client_free(f->client);
        server_stop(&f->server);
        sd_event_unref(f->event);
        free(f);
        return 0;
}

static void on_done(int result, long status, unsigned attempts, void *userdata) {
        Outcome *o = userdata;

        o->calls++;
        o->result = result;
        o->status = status;
        o->attempts = attempts;
        o->done_usec = now_usec();
}

/* Runs the loop until *COUNTER reaches TARGET; fails after MAX_USEC. */
static void run_until(sd_event *e, const unsigned *counter, unsigned target, uint64_t max_usec) {
        uint64_t deadline = now_usec() + max_usec;

        while (*counter < target) {
                assert_true(now_usec() < deadline);
                assert_true(sd_event_run(e, 10 * USEC_PER_MSEC) >= 0);
        }
}

static void run_for(sd_event *e, uint64_t usec) {
        uint64_t deadline = now_usec() + usec;

        while (now_usec() < deadline)
                assert_true(sd_event_run(e, 5 * USEC_PER_MSEC) >= 0);
}

static const WebhookPolicy fast = {
        .timeout_usec = 2 * USEC_PER_SEC,
        .connect_timeout_usec = 1 * USEC_PER_SEC,
        .attempts = 3,
        .retry_initial_usec = 10 * USEC_PER_MSEC,
        .retry_max_usec = 40 * USEC_PER_MSEC,
};

/* ---- Cases ---- */

static void test_delivered(void **state) {
        Fixture *f = *state;
        const char *body = "{\"event\":\"instance-failed\",\"instance\":\"robot-1\",\"n\":1}";
        Outcome o = {};
        char url[128];

        server_url(&f->server, "/hook/t0ken?x=1", url, sizeof url);
        assert_int_equal(webhook_post(f->client, url, body, &fast, on_done, &o), 0);
        assert_int_equal(webhook_client_pending(f->client), 1);
        run_until(f->event, &o.calls, 1, 3 * USEC_PER_SEC);

        assert_int_equal(o.calls, 1);
        assert_int_equal(o.result, 0);
        assert_int_equal(o.status, 200);
        assert_int_equal(o.attempts, 1);
        assert_int_equal(webhook_client_pending(f->client), 0);
        assert_int_equal(f->server.n_requests, 1);
        assert_string_equal(f->server.method, "POST");
        assert_string_equal(f->server.path, "/hook/t0ken?x=1");
        assert_string_equal(f->server.content_type, "application/json");
        assert_string_equal(f->server.user_agent, "orchd");
        assert_string_equal(f->server.body, body);
}

static void test_retry_then_delivered(void **state) {
        Fixture *f = *state;
        Outcome o = {};
        char url[128];

        server_script(&f->server, 2, (const int[]) { 500, 200 });
        server_url(&f->server, "/h", url, sizeof url);
        assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done, &o), 0);
        run_until(f->event, &o.calls, 1, 3 * USEC_PER_SEC);

        assert_int_equal(o.result, 0);
        assert_int_equal(o.status, 200);
        assert_int_equal(o.attempts, 2);
        assert_int_equal(f->server.n_requests, 2);
}

static void test_retried_statuses_exhausted(void **state) {
        Fixture *f = *state;
        Outcome o = {};
        char url[128];

        /* 408, 429 and 5xx are worth another try; the last attempt's status is reported. */
        server_script(&f->server, 3, (const int[]) { 408, 429, 503 });
        server_url(&f->server, "/h", url, sizeof url);
        assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done, &o), 0);
        run_until(f->event, &o.calls, 1, 3 * USEC_PER_SEC);

        assert_int_equal(o.result, -EPROTO);
        assert_int_equal(o.status, 503);
        assert_int_equal(o.attempts, 3);
        assert_int_equal(f->server.n_requests, 3);
}

static void test_not_retried(void **state) {
        static const int statuses[] = { 404, 400, 301, 302 };
        Fixture *f = *state;
        char url[128];

        /* Other 4xx, and redirects (never followed), fail at once. */
        server_url(&f->server, "/h", url, sizeof url);
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++) {
                Outcome o = {};

                server_script(&f->server, 1, &statuses[i]);
                assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done, &o), 0);
                run_until(f->event, &o.calls, 1, 3 * USEC_PER_SEC);
                assert_int_equal(o.result, -EPROTO);
                assert_int_equal(o.status, statuses[i]);
                assert_int_equal(o.attempts, 1);
                assert_int_equal(f->server.n_requests, 1);
        }
}

static void test_connection_refused(void **state) {
        Fixture *f = *state;
        Outcome o = {};
        char url[128];

        (void) snprintf(url, sizeof url, "http://127.0.0.1:%u/h", dead_port());
        assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done, &o), 0);
        run_until(f->event, &o.calls, 1, 3 * USEC_PER_SEC);

        assert_int_equal(o.result, -ECONNREFUSED);
        assert_int_equal(o.status, 0);
        assert_int_equal(o.attempts, fast.attempts);
}

static void test_timeout(void **state) {
        const WebhookPolicy p = {
                .timeout_usec = 200 * USEC_PER_MSEC,
                .connect_timeout_usec = 200 * USEC_PER_MSEC,
                .attempts = 2,
                .retry_initial_usec = 50 * USEC_PER_MSEC,
                .retry_max_usec = 50 * USEC_PER_MSEC,
        };
        Fixture *f = *state;
        Outcome o = {};
        uint64_t start, elapsed;
        char url[128];

        server_script(&f->server, 1, (const int[]) { 0 });
        server_url(&f->server, "/h", url, sizeof url);
        start = now_usec();
        assert_int_equal(webhook_post(f->client, url, "{}", &p, on_done, &o), 0);
        run_until(f->event, &o.calls, 1, 3 * USEC_PER_SEC);
        elapsed = o.done_usec - start;

        assert_int_equal(o.result, -ETIMEDOUT);
        assert_int_equal(o.status, 0);
        assert_int_equal(o.attempts, 2);
        assert_int_equal(f->server.n_requests, 2);
        /* Two attempts of 200 ms and a 50 ms pause; the loop never blocked in between. */
        print_message("# timeout: 2 attempts in %" PRIu64 " ms\n", elapsed / USEC_PER_MSEC);
        assert_true(elapsed >= 440 * USEC_PER_MSEC);
        assert_true(elapsed < 1500 * USEC_PER_MSEC);
}

static void test_concurrency_cap(void **state) {
        Fixture *f = *state;
        Outcome o[40] = {};
        unsigned calls = 0;
        char url[128];

        /* Answers held until every transfer allowed to run is running: no 33rd comes. */
        f->server.hold = true;
        server_url(&f->server, "/h", url, sizeof url);
        for (size_t i = 0; i < ELEMENTSOF(o); i++)
                assert_int_equal(webhook_post(f->client, url, "{\"n\":1}", &fast, on_done, &o[i]), 0);
        assert_int_equal(webhook_client_pending(f->client), 40);
        run_until(f->event, &f->server.n_requests, WEBHOOK_CONCURRENCY_MAX, 3 * USEC_PER_SEC);
        run_for(f->event, 50 * USEC_PER_MSEC);
        assert_int_equal(f->server.n_requests, WEBHOOK_CONCURRENCY_MAX);
        assert_int_equal(f->server.n_open, WEBHOOK_CONCURRENCY_MAX);
        assert_int_equal(webhook_client_pending(f->client), 40);
        server_release(&f->server);

        while (calls < ELEMENTSOF(o)) {
                run_until(f->event, &o[calls].calls, 1, 3 * USEC_PER_SEC);
                calls++;
        }
        for (size_t i = 0; i < ELEMENTSOF(o); i++) {
                assert_int_equal(o[i].calls, 1);
                assert_int_equal(o[i].result, 0);
                assert_int_equal(o[i].attempts, 1);
        }
        assert_int_equal(f->server.n_requests, 40);
        assert_int_equal(f->server.max_open, WEBHOOK_CONCURRENCY_MAX);
        assert_int_equal(webhook_client_pending(f->client), 0);
}

static void test_free_in_flight(void **state) {
        const WebhookPolicy slow_retry = {
                .timeout_usec = 5 * USEC_PER_SEC,
                .attempts = 3,
                .retry_initial_usec = 10 * USEC_PER_SEC,
                .retry_max_usec = 10 * USEC_PER_SEC,
        };
        Fixture *f = *state;
        Outcome o = {};
        char url[128], dead[128];

        /* One waiting to retry, 32 in flight (never answered), 8 queued. */
        server_script(&f->server, 1, (const int[]) { 0 });
        server_url(&f->server, "/h", url, sizeof url);
        (void) snprintf(dead, sizeof dead, "http://127.0.0.1:%u/h", dead_port());
        assert_int_equal(webhook_post(f->client, dead, "{}", &slow_retry, on_done, &o), 0);
        for (unsigned i = 0; i < 40; i++)
                assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done, &o), 0);
        /* All 32 slots reach the server only once the refused one has left its slot. */
        run_until(f->event, &f->server.n_requests, WEBHOOK_CONCURRENCY_MAX, 3 * USEC_PER_SEC);
        assert_int_equal(webhook_client_pending(f->client), 41);

        f->client = webhook_client_free(f->client);
        assert_null(f->client);
        assert_int_equal(o.calls, 0);

        /* Nothing fires later, and every connection was closed. */
        run_for(f->event, 100 * USEC_PER_MSEC);
        assert_int_equal(o.calls, 0);
        assert_int_equal(f->server.n_open, 0);
        assert_int_equal(f->server.n_requests, WEBHOOK_CONCURRENCY_MAX);
}

typedef struct FreeFromCallback {
        WebhookClient **client;
        unsigned calls;
} FreeFromCallback;

static void on_done_free(int result, long status, unsigned attempts, void *userdata) {
        FreeFromCallback *x = userdata;

        x->calls++;
        *x->client = webhook_client_free(*x->client);
}

static void test_free_from_callback(void **state) {
        Fixture *f = *state;
        FreeFromCallback x = { .client = &f->client };
        char url[128], dead[128];

        /* Several transfers finishing together, one waiting to retry: the first callback frees the
         * client, and no other callback follows. */
        server_url(&f->server, "/h", url, sizeof url);
        (void) snprintf(dead, sizeof dead, "http://127.0.0.1:%u/h", dead_port());
        assert_int_equal(webhook_post(f->client, dead, "{}", &(WebhookPolicy) {
                                .timeout_usec = USEC_PER_SEC, .attempts = 2,
                                .retry_initial_usec = 10 * USEC_PER_SEC, .retry_max_usec = 10 * USEC_PER_SEC,
                        }, on_done_free, &x), 0);
        for (unsigned i = 0; i < 5; i++)
                assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done_free, &x), 0);
        run_until(f->event, &x.calls, 1, 3 * USEC_PER_SEC);
        assert_null(f->client);
        run_for(f->event, 100 * USEC_PER_MSEC);
        assert_int_equal(x.calls, 1);
}

typedef struct Chain {
        WebhookClient *client;
        const char *url;
        unsigned calls;
} Chain;

static void on_done_chain(int result, long status, unsigned attempts, void *userdata) {
        Chain *c = userdata;

        assert_int_equal(result, 0);
        if (++c->calls < 3)
                assert_int_equal(webhook_post(c->client, c->url, "{}", &fast, on_done_chain, c), 0);
}

static void test_post_from_callback(void **state) {
        Fixture *f = *state;
        char url[128];
        Chain c = { .client = f->client, .url = url };

        server_url(&f->server, "/h", url, sizeof url);
        assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done_chain, &c), 0);
        run_until(f->event, &c.calls, 3, 3 * USEC_PER_SEC);
        assert_int_equal(f->server.n_requests, 3);
        assert_int_equal(webhook_client_pending(f->client), 0);
}

static void test_logs_hide_path(void **state) {
        Fixture *f = *state;
        Outcome o = {};
        char url[128], log[8192] = {}, lines[sizeof log], *save = NULL;
        int saved, tmp, level = log_get_max_level();
        FILE *capture;
        ssize_t n;

        /* A retry (debug) and the final failure (warning), with a token in the path and user
         * info: only scheme://host:port may show. */
        server_script(&f->server, 2, (const int[]) { 500, 404 });
        (void) snprintf(url, sizeof url, "http://user:pa55@127.0.0.1:%u/hook/t0ken", f->server.port);
        capture = tmpfile();
        assert_non_null(capture);
        tmp = fileno(capture);
        fflush(stderr);
        saved = dup(STDERR_FILENO);
        assert_true(dup2(tmp, STDERR_FILENO) >= 0);
        log_set_max_level(LOG_DEBUG);

        assert_int_equal(webhook_post(f->client, url, "{}", &fast, on_done, &o), 0);
        run_until(f->event, &o.calls, 1, 3 * USEC_PER_SEC);

        log_set_max_level(level);
        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        n = pread(tmp, log, sizeof log - 1, 0);
        fclose(capture);
        assert_true(n > 0);
        memcpy(lines, log, sizeof log);
        for (char *line = strtok_r(lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                print_message("# log: %s\n", line);

        assert_int_equal(o.result, -EPROTO);
        assert_int_equal(o.attempts, 2);
        assert_non_null(strstr(log, "http://127.0.0.1:"));
        assert_non_null(strstr(log, "HTTP status 404"));
        assert_null(strstr(log, "t0ken"));
        assert_null(strstr(log, "pa55"));
        assert_null(strstr(log, "/hook"));
}

static void test_post_invalid(void **state) {
        Fixture *f = *state;
        WebhookPolicy p = fast;

        assert_int_equal(webhook_post(f->client, "ftp://x/y", "{}", NULL, NULL, NULL), -EINVAL);
        assert_int_equal(webhook_post(f->client, NULL, "{}", NULL, NULL, NULL), -EINVAL);
        assert_int_equal(webhook_post(f->client, "http://x/", NULL, NULL, NULL, NULL), -EINVAL);
        p.attempts = 0;
        assert_int_equal(webhook_post(f->client, "http://x/", "{}", &p, NULL, NULL), -EINVAL);
        p = fast;
        p.timeout_usec = 0;
        assert_int_equal(webhook_post(f->client, "http://x/", "{}", &p, NULL, NULL), -EINVAL);
        assert_int_equal(webhook_client_pending(f->client), 0);
}

static void test_url_is_valid(void **state) {
        static const char *const good[] = {
                "http://x",
                "http://example.com/hook",
                "https://example.com/hook?token=abc&x=1#frag",
                "HTTPS://Example.COM:8443/a/b",
                "HtTp://127.0.0.1:1/",
                "http://[::1]:8080/h",
                "http://[fe80::1]",
                "https://user:secret@hooks.example.com/x",
                "http://x:65535",
                "http://a-b.c_d~e/%41",
        };
        static const char *const bad[] = {
                "",
                "ftp://x",
                "file:///etc/passwd",
                "gopher://x/",
                "http://",
                "https://",
                "http:///path",
                "http://?q",
                "http://#f",
                "http://user@/x",
                "http:// x",
                "http://x/ y",
                " http://x",
                "http://x/\ty",
                "http://x/\n",
                "http://x/\r",
                "http://x/\x7f",
                "http://x/\x01",
                "http://x/\xc3\xa9",
                "http:/x",
                "httpx://x",
                "x://http://x",
                "http://:80/",
                "http://x:/",
                "http://x:0/",
                "http://x:65536/",
                "http://x:123456/",
                "http://x:8a/",
                "http://[::1/",
                "http://[]/",
                "http://[::1]x/",
                "http://[zz::1]/",
                "http://x$y/",
        };
        char long_url[3001];

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                if (!webhook_url_is_valid(good[i]))
                        fail_msg("refused: %s", good[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (webhook_url_is_valid(bad[i]))
                        fail_msg("accepted: %s", bad[i]);
        }
        assert_false(webhook_url_is_valid(NULL));

        /* Length: 2048 bytes pass, 2049 and 3000 do not. */
        memset(long_url, 'a', sizeof long_url - 1);
        memcpy(long_url, "http://x/", 9);
        long_url[3000] = '\0';
        assert_false(webhook_url_is_valid(long_url));
        long_url[WEBHOOK_URL_MAX + 1] = '\0';
        assert_false(webhook_url_is_valid(long_url));
        long_url[WEBHOOK_URL_MAX] = '\0';
        assert_true(webhook_url_is_valid(long_url));
}

static void test_url_origin(void **state) {
        static const struct {
                const char *url, *origin;
        } table[] = {
                { "http://x", "http://x" },
                { "HTTPS://Example.COM:8443/a/b?t=1", "https://Example.COM:8443" },
                { "https://user:secret@hooks.example.com/t0ken", "https://hooks.example.com" },
                { "http://a@b@c:1?q#f", "http://c:1" },
                { "http://[::1]:8080/h", "http://[::1]:8080" },
        };
        char *s = NULL;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                assert_int_equal(webhook_url_origin(table[i].url, &s), 0);
                assert_string_equal(s, table[i].origin);
                s = mfree_str(s);
        }
        assert_int_equal(webhook_url_origin("ftp://x", &s), -EINVAL);
        assert_null(s);
}

static void test_retry_delay(void **state) {
        WebhookPolicy p = WEBHOOK_POLICY_DEFAULT;

        (void) state;
        assert_int_equal(webhook_retry_delay_usec(&p, 1), 1 * USEC_PER_SEC);
        assert_int_equal(webhook_retry_delay_usec(&p, 2), 2 * USEC_PER_SEC);
        assert_int_equal(webhook_retry_delay_usec(&p, 3), 4 * USEC_PER_SEC);
        assert_int_equal(webhook_retry_delay_usec(&p, 5), 16 * USEC_PER_SEC);
        assert_int_equal(webhook_retry_delay_usec(&p, 6), 30 * USEC_PER_SEC);
        assert_int_equal(webhook_retry_delay_usec(&p, UINT32_MAX), 30 * USEC_PER_SEC);
        p.retry_max_usec = UINT64_MAX;
        assert_int_equal(webhook_retry_delay_usec(&p, 200), UINT64_MAX);
        p.retry_initial_usec = 0;
        assert_int_equal(webhook_retry_delay_usec(&p, UINT32_MAX), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_delivered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_retry_then_delivered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_retried_statuses_exhausted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_retried, setup, teardown),
                cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrency_cap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_in_flight, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_from_callback, setup, teardown),
                cmocka_unit_test_setup_teardown(test_post_from_callback, setup, teardown),
                cmocka_unit_test_setup_teardown(test_logs_hide_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_post_invalid, setup, teardown),
                cmocka_unit_test(test_url_is_valid),
                cmocka_unit_test(test_url_origin),
                cmocka_unit_test(test_retry_delay),
        };

        /* A proxy from the environment would take the requests away from the test's server. */
        (void) unsetenv("http_proxy");
        (void) unsetenv("https_proxy");
        (void) unsetenv("HTTPS_PROXY");
        (void) unsetenv("all_proxy");
        (void) unsetenv("ALL_PROXY");
        return cmocka_run_group_tests_name("webhook", tests, NULL, NULL);
}
