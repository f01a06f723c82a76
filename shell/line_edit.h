#ifndef SHELL_LINE_EDIT_H
#define SHELL_LINE_EDIT_H
/* Line editing for the console shell: printable characters, backspace,
 * Ctrl-U (kill line), Ctrl-C (drop line), and history with the up/down
 * arrows (ESC [ A / ESC [ B). Pure: bytes in, echo bytes and lines out. */
#include <stddef.h>
#include <stdbool.h>

#define LE_LINE_MAX 256
#define LE_HISTORY 16

struct line_edit {
    char buf[LE_LINE_MAX];
    size_t len;
    char hist[LE_HISTORY][LE_LINE_MAX];
    unsigned hist_count; /* lines ever added */
    unsigned hist_back;  /* 0 = editing a new line, k = k-th most recent */
    int esc;             /* 0 none, 1 saw ESC, 2 saw ESC [ */
};

struct le_echo {
    char buf[LE_LINE_MAX * 2 + 16];
    size_t len;
};

void le_init(struct line_edit *le);
/* Feeds one byte. Appends what should be echoed to *echo. Returns true
 * when a line is complete: it is then in le->buf (NUL-terminated) and in
 * the history if not empty; the next call starts a new line. */
bool le_feed(struct line_edit *le, char c, struct le_echo *echo);
#endif
