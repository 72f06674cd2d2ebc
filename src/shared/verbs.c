/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "verbs.h"

const Verb *verbs_find(const Verb verbs[], const char *name) {
        for (const Verb *v = verbs; v->dispatch; v++) {
                if (!name && (v->flags & VERB_DEFAULT))
                        return v;
                if (name && streq(name, v->name))
                        return v;
        }
        return NULL;
}

int dispatch_verb(int argc, char *argv[], const Verb verbs[], void *userdata) {
        const char *name = argc > 0 ? argv[0] : NULL;
        const Verb *v;
        unsigned n;

        v = verbs_find(verbs, name);
        if (!v) {
                if (name)
                        fprintf(stderr, "Unknown command '%s'. See --help for the list.\n", name);
                else
                        fprintf(stderr, "A command is required. See --help for the list.\n");
                return -EINVAL;
        }

        /* The default verb runs as if its name had been given. */
        static char *default_argv[2];
        if (argc == 0) {
                default_argv[0] = (char *) v->name;
                default_argv[1] = NULL;
                argv = default_argv;
                argc = 1;
        }

        n = (unsigned) argc;
        if (v->min_args != VERB_ANY && n < v->min_args) {
                unsigned want = v->min_args - 1;
                fprintf(stderr, "'%s' needs %s%u argument%s. See --help.\n", v->name,
                        v->min_args == v->max_args ? "" : "at least ", want, want == 1 ? "" : "s");
                return -EINVAL;
        }
        if (v->max_args != VERB_ANY && n > v->max_args) {
                fprintf(stderr, "Too many arguments for '%s'. See --help.\n", v->name);
                return -EINVAL;
        }

        return v->dispatch(argc, argv, userdata);
}
