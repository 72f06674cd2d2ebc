/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a fuzz target on files, without libFuzzer: every file given, and every regular file of every
 * directory given (in name order), each in a child process of its own, so that a crash is one
 * "not ok" line and the other files still run. Speaks TAP: "ok N - FILE" per input. This is how
 * the ordinary (gcc, ASan+UBSan) build replays each target's corpus and crash files as a meson
 * test (suite 'fuzz').
 *
 * Usage: fuzz-TARGET-replay FILE|DIRECTORY... */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

typedef struct Inputs {
        char **paths;
        size_t n;
} Inputs;

static void inputs_add(Inputs *in, char *path) {
        char **bigger = realloc(in->paths, (in->n + 1) * sizeof(char *));

        if (!bigger || !path) {
                fprintf(stderr, "replay: out of memory\n");
                exit(EXIT_FAILURE);
        }
        in->paths = bigger;
        in->paths[in->n++] = path;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

static int collect(Inputs *in, const char *arg) {
        struct stat st;
        struct dirent *de;
        size_t first = in->n;
        DIR *d;

        if (stat(arg, &st) < 0) {
                fprintf(stderr, "replay: %s: %s\n", arg, strerror(errno));
                return -errno;
        }
        if (!S_ISDIR(st.st_mode)) {
                inputs_add(in, strdup(arg));
                return 0;
        }

        d = opendir(arg);
        if (!d) {
                fprintf(stderr, "replay: %s: %s\n", arg, strerror(errno));
                return -errno;
        }
        while ((de = readdir(d))) {
                char *path;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&path, "%s/%s", arg, de->d_name) < 0)
                        path = NULL;
                if (path && (stat(path, &st) < 0 || !S_ISREG(st.st_mode))) {
                        free(path);
                        continue;
                }
                inputs_add(in, path);
        }
        closedir(d);
        qsort(in->paths + first, in->n - first, sizeof(char *), compare_names);
        return 0;
}

static int read_file(const char *path, uint8_t **ret, size_t *ret_size) {
        size_t size = 0, allocated = 0;
        uint8_t *buf = NULL, *exact;
        FILE *f;

        f = fopen(path, "re");
        if (!f)
                return -errno;
        for (;;) {
                size_t k;

                if (size == allocated) {
                        uint8_t *bigger;

                        allocated = allocated ? allocated * 2 : 4096;
                        bigger = realloc(buf, allocated);
                        if (!bigger) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = bigger;
                }
                k = fread(buf + size, 1, allocated - size, f);
                size += k;
                if (k == 0)
                        break;
        }
        if (ferror(f)) {
                free(buf);
                fclose(f);
                return -EIO;
        }
        fclose(f);

        /* Exactly SIZE bytes, so that ASan sees a read past the end of the input. */
        exact = malloc(size > 0 ? size : 1);
        if (!exact) {
                free(buf);
                return -ENOMEM;
        }
        if (size > 0)
                memcpy(exact, buf, size);
        free(buf);
        *ret = exact;
        *ret_size = size;
        return 0;
}

/* Runs the target on PATH in a child; returns a description of the failure, or NULL. */
static const char *run_one(const char *path, char *why, size_t why_size) {
        int status;
        pid_t pid;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
                snprintf(why, why_size, "fork: %s", strerror(errno));
                return why;
        }
        if (pid == 0) {
                uint8_t *data;
                size_t size;
                int r;

                r = read_file(path, &data, &size);
                if (r < 0) {
                        fprintf(stderr, "replay: %s: %s\n", path, strerror(-r));
                        _exit(2);
                }
                (void) LLVMFuzzerTestOneInput(data, size);
                free(data);
                exit(EXIT_SUCCESS);     /* not _exit(): LeakSanitizer checks at exit */
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        snprintf(why, why_size, "waitpid: %s", strerror(errno));
                        return why;
                }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return NULL;
        if (WIFSIGNALED(status))
                snprintf(why, why_size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
                snprintf(why, why_size, "exit status %d", WEXITSTATUS(status));
        return why;
}

/* "TARGET/FILE": the file name and its directory, enough to find it under fuzz/corpus/. */
static const char *display_name(const char *path) {
        const char *slash = strrchr(path, '/');

        if (!slash)
                return path;
        for (const char *p = slash - 1; p >= path; p--)
                if (*p == '/')
                        return p + 1;
        return path;
}

int main(int argc, char *argv[]) {
        Inputs in = {};
        unsigned failed = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: %s FILE|DIRECTORY...\n", argv[0]);
                return EXIT_FAILURE;
        }
        for (int i = 1; i < argc; i++)
                if (collect(&in, argv[i]) < 0)
                        return EXIT_FAILURE;

        printf("1..%zu\n", in.n);
        for (size_t k = 0; k < in.n; k++) {
                char why[256];
                const char *problem = run_one(in.paths[k], why, sizeof why);

                if (problem) {
                        printf("not ok %zu - %s # %s\n", k + 1, display_name(in.paths[k]), problem);
                        failed++;
                } else
                        printf("ok %zu - %s\n", k + 1, display_name(in.paths[k]));
                free(in.paths[k]);
        }
        free(in.paths);
        return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
