/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A command line made of verbs, as systemctl and machinectl have it: a table of verbs with
 * their argument counts, one of which may be the default when no verb is given. */

#include <stdbool.h>

#define VERB_ANY ((unsigned) -1)

typedef enum VerbFlags {
        VERB_DEFAULT = 1 << 0, /* run when no verb is given */
} VerbFlags;

typedef struct Verb {
        const char *name;
        unsigned min_args, max_args; /* counting the verb itself */
        VerbFlags flags;
        int (*dispatch)(int argc, char *argv[], void *userdata);
} Verb;

/* Finds the verb NAME, or the default verb when NAME is NULL; NULL if there is none. */
const Verb *verbs_find(const Verb verbs[], const char *name);

/* Checks the argument count of the verb found for argv[0] (or the default verb when argc is 0),
 * explains the problem on stderr and returns -EINVAL for an unknown verb or a wrong count;
 * otherwise returns what the verb's dispatch function returns. */
int dispatch_verb(int argc, char *argv[], const Verb verbs[], void *userdata);
