/* The shell's line editor and argument splitter. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "shell/line_edit.h"
#include "shell/args.h"

/* Feeds a string; returns how many lines completed, last one in *line. */
static int feed(struct line_edit *le, const char *s, struct le_echo *echo, char *line)
{
    int lines = 0;
    echo->len = 0;
    for (; *s; s++) {
        if (le_feed(le, *s, echo)) {
            lines++;
            strcpy(line, le->buf);
        }
    }
    return lines;
}

static void test_plain_line(void **state)
{
    (void)state;
    struct line_edit le;
    struct le_echo e;
    char line[LE_LINE_MAX];
    le_init(&le);
    assert_int_equal(feed(&le, "info\r", &e, line), 1);
    assert_string_equal(line, "info");
    assert_int_equal(e.len, 6); /* "info" echoed, then CR LF */
    assert_memory_equal(e.buf, "info\r\n", 6);
    /* LF ends a line too, and the next line starts empty */
    assert_int_equal(feed(&le, "mem\n", &e, line), 1);
    assert_string_equal(line, "mem");
}

static void test_backspace_and_kill(void **state)
{
    (void)state;
    struct line_edit le;
    struct le_echo e;
    char line[LE_LINE_MAX];
    le_init(&le);
    assert_int_equal(feed(&le, "infx\x7f" "o\r", &e, line), 1);
    assert_string_equal(line, "info");
    assert_non_null(memmem(e.buf, e.len, "\b \b", 3));
    /* backspace on an empty line echoes nothing */
    feed(&le, "\x7f\b", &e, line);
    assert_int_equal(e.len, 0);
    /* Ctrl-U erases what was typed */
    assert_int_equal(feed(&le, "garbage\x15xs\r", &e, line), 1);
    assert_string_equal(line, "xs");
    /* Ctrl-C drops the line: it completes empty */
    assert_int_equal(feed(&le, "half\x03", &e, line), 1);
    assert_string_equal(line, "");
}

static void test_control_chars_ignored_and_limit(void **state)
{
    (void)state;
    struct line_edit le;
    struct le_echo e;
    char line[LE_LINE_MAX];
    le_init(&le);
    assert_int_equal(feed(&le, "a\x01\x02" "b\r", &e, line), 1);
    assert_string_equal(line, "ab");
    char big[LE_LINE_MAX + 50];
    memset(big, 'x', sizeof(big) - 2);
    big[sizeof(big) - 2] = '\r';
    big[sizeof(big) - 1] = 0;
    assert_int_equal(feed(&le, big, &e, line), 1);
    assert_int_equal(strlen(line), LE_LINE_MAX - 1);
}

static void test_history(void **state)
{
    (void)state;
    struct line_edit le;
    struct le_echo e;
    char line[LE_LINE_MAX];
    le_init(&le);
    feed(&le, "first\r", &e, line);
    feed(&le, "second\r", &e, line);
    feed(&le, "\r", &e, line); /* empty lines are not remembered */
    /* history: first second; up recalls the newest */
    assert_int_equal(feed(&le, "\x1b[A\r", &e, line), 1);
    assert_string_equal(line, "second");
    /* history: first second second; up past the oldest stays there */
    assert_int_equal(feed(&le, "\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\r", &e, line), 1);
    assert_string_equal(line, "first");
    /* down past the newest gives an empty line, which can be edited */
    assert_int_equal(feed(&le, "\x1b[A\x1b[Bnew\r", &e, line), 1);
    assert_string_equal(line, "new");
    /* an unknown escape sequence is swallowed */
    assert_int_equal(feed(&le, "\x1b[Cok\r", &e, line), 1);
    assert_string_equal(line, "ok");
}

static void test_history_wraps(void **state)
{
    (void)state;
    struct line_edit le;
    struct le_echo e;
    char line[LE_LINE_MAX];
    le_init(&le);
    char cmd[16];
    for (int i = 0; i < LE_HISTORY + 5; i++) {
        snprintf(cmd, sizeof(cmd), "c%d\r", i);
        feed(&le, cmd, &e, line);
    }
    /* only the last LE_HISTORY are reachable: the oldest is c5 */
    char ups[8 * (LE_HISTORY + 3) + 2] = "";
    for (int i = 0; i < LE_HISTORY + 3; i++)
        strcat(ups, "\x1b[A");
    strcat(ups, "\r");
    assert_int_equal(feed(&le, ups, &e, line), 1);
    assert_string_equal(line, "c5");
}

static void test_split(void **state)
{
    (void)state;
    char s1[] = "  xs  write data/x \"hello world\"  ";
    char *argv[8];
    assert_int_equal(shell_split(s1, argv, 8), 4);
    assert_string_equal(argv[0], "xs");
    assert_string_equal(argv[1], "write");
    assert_string_equal(argv[2], "data/x");
    assert_string_equal(argv[3], "hello world");
    char s2[] = "";
    assert_int_equal(shell_split(s2, argv, 8), 0);
    char s3[] = "a b c d e";
    assert_int_equal(shell_split(s3, argv, 3), 3);
    assert_string_equal(argv[2], "c");
    char s4[] = "\"unterminated quote";
    assert_int_equal(shell_split(s4, argv, 8), 1);
    assert_string_equal(argv[0], "unterminated quote");
}

static void test_cut_comment(void **state)
{
    (void)state;
    char s1[] = "blk list #r17 more";
    char *tag = shell_cut_comment(s1);
    assert_non_null(tag);
    assert_string_equal(tag, "r17");
    assert_string_equal(s1, "blk list ");
    char s2[] = "xs write data/x a#b";
    assert_null(shell_cut_comment(s2));
    assert_string_equal(s2, "xs write data/x a#b");
    char s3[] = "xs write data/x \"a #b\"";
    assert_null(shell_cut_comment(s3));
    char s4[] = "#";
    tag = shell_cut_comment(s4);
    assert_non_null(tag);
    assert_string_equal(tag, "");
    assert_string_equal(s4, "");
    char s5[] = "info\t#t";
    assert_string_equal(shell_cut_comment(s5), "t");
    assert_string_equal(s5, "info\t");
    char s6[] = "";
    assert_null(shell_cut_comment(s6));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_line),
        cmocka_unit_test(test_backspace_and_kill),
        cmocka_unit_test(test_control_chars_ignored_and_limit),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_history_wraps),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_cut_comment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
