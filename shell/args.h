#ifndef SHELL_ARGS_H
#define SHELL_ARGS_H
/* Splits a command line into words in place (spaces and tabs separate;
 * double quotes group). Pure. Returns the word count (at most max). */
int shell_split(char *line, char **argv, int max);
/* A word that starts with '#' (outside quotes) begins a comment: the line
 * ends there. Returns the comment's first word without the '#' (the tag a
 * script puts on a line to find the end marker of exactly that line), ""
 * for a bare '#', NULL when the line has no comment. Pure. */
char *shell_cut_comment(char *line);
#endif
