#include "shell/args.h"
#include <stdbool.h>
#include <stddef.h>

int shell_split(char *line, char **argv, int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (*p == '"') {
            argv[n++] = ++p;
            while (*p && *p != '"')
                p++;
        } else {
            argv[n++] = p;
            while (*p && *p != ' ' && *p != '\t')
                p++;
        }
        if (*p)
            *p++ = 0;
    }
    return n;
}

char *shell_cut_comment(char *line)
{
    bool quoted = false, word_start = true;
    for (char *p = line; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == '#' && word_start && !quoted) {
            *p++ = 0;
            char *tag = p;
            while (*p && *p != ' ' && *p != '\t')
                p++;
            *p = 0;
            return tag;
        }
        word_start = *p == ' ' || *p == '\t';
    }
    return NULL;
}
