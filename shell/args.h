#ifndef SHELL_ARGS_H
#define SHELL_ARGS_H
/* Splits a command line into words in place (spaces and tabs separate;
 * double quotes group). Pure. Returns the word count (at most max). */
int shell_split(char *line, char **argv, int max);
#endif
