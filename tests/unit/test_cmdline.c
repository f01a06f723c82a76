/* cmdline_has / cmdline_get. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kern/cmdline.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static void test_has(void **state)
{
    UNUSED_STATE;
    const char *cl = "poweroff loglevel=debug  quiet\tfoo\nbar";
    assert_true(cmdline_has(cl, "poweroff"));   /* first */
    assert_true(cmdline_has(cl, "quiet"));      /* after two spaces */
    assert_true(cmdline_has(cl, "foo"));        /* tab before, newline after */
    assert_true(cmdline_has(cl, "bar"));        /* last */
    assert_false(cmdline_has(cl, "power"));     /* a prefix is not the word */
    assert_false(cmdline_has(cl, "poweroffx"));
    assert_false(cmdline_has(cl, "uiet"));      /* nor a suffix */
    assert_false(cmdline_has(cl, "loglevel"));  /* key=value is not a flag */
    assert_true(cmdline_has(cl, "loglevel=debug"));
    assert_false(cmdline_has(cl, "debug"));
    assert_false(cmdline_has(cl, "off loglevel"));
    assert_false(cmdline_has(cl, ""));
    assert_false(cmdline_has("", "poweroff"));
    assert_false(cmdline_has("   ", "poweroff"));
    assert_false(cmdline_has(NULL, "poweroff"));
    assert_true(cmdline_has("  x  ", "x"));
    assert_true(cmdline_has("x", "x"));
}

static void test_get(void **state)
{
    UNUSED_STATE;
    const char *cl = "quiet loglevel=debug console=hvc0 empty= a=b=c loglevel=info";
    char buf[32];

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(cmdline_get(cl, "loglevel", buf, sizeof(buf)), 5);
    assert_string_equal(buf, "debug"); /* the first one wins */
    assert_int_equal(cmdline_get(cl, "console", buf, sizeof(buf)), 4);
    assert_string_equal(buf, "hvc0");
    assert_int_equal(cmdline_get(cl, "empty", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
    assert_int_equal(cmdline_get(cl, "a", buf, sizeof(buf)), 3);
    assert_string_equal(buf, "b=c");
    assert_int_equal(cmdline_get(cl, "a=b", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "c");

    strcpy(buf, "untouched");
    assert_int_equal(cmdline_get(cl, "quiet", buf, sizeof(buf)), -ENOENT); /* a flag */
    assert_int_equal(cmdline_get(cl, "log", buf, sizeof(buf)), -ENOENT);   /* a prefix */
    assert_int_equal(cmdline_get(cl, "level", buf, sizeof(buf)), -ENOENT); /* a suffix */
    assert_int_equal(cmdline_get(cl, "hvc0", buf, sizeof(buf)), -ENOENT);
    assert_int_equal(cmdline_get(cl, "nope", buf, sizeof(buf)), -ENOENT);
    assert_int_equal(cmdline_get("", "nope", buf, sizeof(buf)), -ENOENT);
    assert_int_equal(cmdline_get(NULL, "nope", buf, sizeof(buf)), -ENOENT);
    assert_string_equal(buf, "untouched");

    /* separators */
    assert_int_equal(cmdline_get("x=1\ty=22\nz=333", "y", buf, sizeof(buf)), 2);
    assert_string_equal(buf, "22");
    assert_int_equal(cmdline_get("x=1\ty=22\nz=333", "z", buf, sizeof(buf)), 3);
    assert_string_equal(buf, "333");
}

static void test_get_sizes(void **state)
{
    UNUSED_STATE;
    const char *cl = "k=12345";
    char buf[8];

    /* exact fit: value plus terminator */
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(cmdline_get(cl, "k", buf, 6), 5);
    assert_string_equal(buf, "12345");
    assert_int_equal(buf[6], 'X');

    /* one short: -E2BIG and buf holds nothing */
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(cmdline_get(cl, "k", buf, 5), -E2BIG);
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[1], 'X');

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(cmdline_get(cl, "k", buf, 1), -E2BIG);
    assert_int_equal(buf[0], 0);

    /* cap 0: nothing written at all */
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(cmdline_get(cl, "k", buf, 0), -E2BIG);
    assert_int_equal(buf[0], 'X');

    /* an empty value fits in one byte */
    assert_int_equal(cmdline_get("k=", "k", buf, 1), 0);
    assert_int_equal(buf[0], 0);
    assert_int_equal(cmdline_get("k=", "k", buf, 0), -E2BIG);

    /* a too-long first match is the answer even if a later one fits */
    assert_int_equal(cmdline_get("k=123456789 k=1", "k", buf, sizeof(buf)), -E2BIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_has),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_get_sizes),
    };
    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
