/* The XenBus halves' listings and paths: names from XenStore are hostile
 * (any bytes, any length), the back half's keys and paths are parsed
 * strictly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kern/errno.h"
#include "xen/xenbus_enum.h"

static void test_names_walk_and_find(void **state)
{
    (void)state;
    static const char list[] = "51712\0" "51728\0" "5";
    size_t len = sizeof(list) - 1; /* the last name without its NUL: still found */
    assert_true(xenbus_names_has(list, len, "51712"));
    assert_true(xenbus_names_has(list, len, "51728"));
    assert_true(xenbus_names_has(list, len, "5"));
    assert_false(xenbus_names_has(list, len, "517"));    /* a prefix is not a name */
    assert_false(xenbus_names_has(list, len, "517120")); /* nor a longer one */
    assert_false(xenbus_names_has(list, len, ""));
    assert_false(xenbus_names_has(NULL, 0, "5"));
    size_t off = 0;
    unsigned n = 0;
    for (; off < len; off = xenbus_names_next(list, len, off))
        n++;
    assert_int_equal(n, 3);
    assert_int_equal(off, len);
    /* An empty listing, and one of empty names. */
    assert_false(xenbus_names_has("", 0, "x"));
    assert_true(xenbus_names_has("\0\0", 2, ""));
}

static void test_ids(void **state)
{
    (void)state;
    assert_true(xenbus_id_valid("0"));
    assert_true(xenbus_id_valid("51712"));
    assert_true(xenbus_id_valid("vif-0_a"));
    assert_false(xenbus_id_valid(""));
    assert_false(xenbus_id_valid("a/b"));
    assert_false(xenbus_id_valid(".."));
    assert_false(xenbus_id_valid("a b"));
    assert_true(xenbus_id_valid("123456789012345"));   /* 15 */
    assert_false(xenbus_id_valid("1234567890123456")); /* 16: no room for the NUL */
}

static void test_keys(void **state)
{
    (void)state;
    assert_true(xenbus_key_valid("51712"));
    assert_true(xenbus_key_valid("5/51712"));
    assert_true(xenbus_key_valid("32751/123456789012345"));
    assert_false(xenbus_key_valid(""));
    assert_false(xenbus_key_valid("5/"));
    assert_false(xenbus_key_valid("/0"));
    assert_false(xenbus_key_valid("5/0/1"));
    assert_false(xenbus_key_valid("05/0"));
    assert_false(xenbus_key_valid("32752/0"));
    assert_false(xenbus_key_valid("123456789/0"));
}

static void test_domids(void **state)
{
    (void)state;
    uint16_t d = 7;
    assert_int_equal(xenbus_parse_domid("0", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(xenbus_parse_domid("32751", &d), 0); /* 0x7fef */
    assert_int_equal(d, 32751);
    assert_int_equal(xenbus_parse_domid("32752", &d), -EINVAL); /* DOMID_FIRST_RESERVED */
    assert_int_equal(xenbus_parse_domid("65535", &d), -EINVAL);
    assert_int_equal(xenbus_parse_domid("99999", &d), -EINVAL);
    assert_int_equal(xenbus_parse_domid("123456", &d), -EINVAL);
    assert_int_equal(xenbus_parse_domid("05", &d), -EINVAL);
    assert_int_equal(xenbus_parse_domid("", &d), -EINVAL);
    assert_int_equal(xenbus_parse_domid("-1", &d), -EINVAL);
    assert_int_equal(xenbus_parse_domid("5 ", &d), -EINVAL);
}

static void test_back_keys(void **state)
{
    (void)state;
    char key[XENBUS_KEY_MAX];
    assert_int_equal(xenbus_back_key("5", "51712", key, sizeof(key)), 0);
    assert_string_equal(key, "5/51712");
    assert_int_equal(xenbus_back_key("32751", "123456789012345", key, sizeof(key)), 0);
    assert_string_equal(key, "32751/123456789012345");
    assert_int_equal(xenbus_back_key("x", "0", key, sizeof(key)), -EINVAL);
    assert_int_equal(xenbus_back_key("5", "a/b", key, sizeof(key)), -EINVAL);
    assert_int_equal(xenbus_back_key("5", "0", key, 3), -EINVAL);
    assert_int_equal(xenbus_back_key("5", "0", key, 4), 0);
}

static void test_back_paths(void **state)
{
    (void)state;
    char type[XENBUS_ID_MAX], id[XENBUS_ID_MAX];
    uint16_t fe = 0;
    const char *rest = 0;
    unsigned depth = 9;
    assert_int_equal(xenbus_back_parse("backend/vbd/5/51712", type, sizeof(type), &fe, id,
                                       sizeof(id), &rest, &depth), 0);
    assert_string_equal(type, "vbd");
    assert_int_equal(fe, 5);
    assert_string_equal(id, "51712");
    assert_string_equal(rest, "");
    assert_int_equal(depth, 4);
    assert_int_equal(xenbus_back_parse("backend/vif/12/0/online", type, sizeof(type), &fe, id,
                                       sizeof(id), &rest, &depth), 0);
    assert_string_equal(type, "vif");
    assert_int_equal(fe, 12);
    assert_string_equal(id, "0");
    assert_string_equal(rest, "/online");
    /* Shorter paths: what is there, and how deep. */
    assert_int_equal(xenbus_back_parse("backend/vbd/5", type, sizeof(type), &fe, 0, 0, 0, &depth),
                     -ENOENT);
    assert_int_equal(depth, 3);
    assert_int_equal(fe, 5);
    assert_int_equal(xenbus_back_parse("backend/vbd/5/", 0, 0, 0, 0, 0, 0, &depth), -ENOENT);
    assert_int_equal(depth, 3);
    assert_int_equal(xenbus_back_parse("backend/vbd", 0, 0, 0, 0, 0, 0, &depth), -ENOENT);
    assert_int_equal(depth, 2);
    assert_int_equal(xenbus_back_parse("backend", 0, 0, 0, 0, 0, 0, &depth), -ENOENT);
    assert_int_equal(depth, 1);
    /* Malformed. */
    assert_int_equal(xenbus_back_parse("backends/vbd/5/0", 0, 0, 0, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(xenbus_back_parse("device/vbd/5/0", 0, 0, 0, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(xenbus_back_parse("backend//5/0", 0, 0, 0, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(xenbus_back_parse("backend/vbd/x/0", 0, 0, 0, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(xenbus_back_parse("backend/vbd/5/0..", 0, 0, 0, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(xenbus_back_parse("backend/vbd/70000/0", 0, 0, 0, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(xenbus_back_parse("backend/vbd/5/12345678901234567", 0, 0, 0, 0, 0, 0, 0),
                     -EINVAL);
    /* A type too long for the caller's buffer. */
    char small[3];
    assert_int_equal(xenbus_back_parse("backend/vbd/5/0", small, sizeof(small), 0, 0, 0, 0, 0),
                     -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_walk_and_find),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_domids),
        cmocka_unit_test(test_back_keys),
        cmocka_unit_test(test_back_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
