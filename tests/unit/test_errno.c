/* errno_name, and that the kernel's errno numbers are the host's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "kern/errno.h"
#include <xen/errno.h> /* the XEN_E* enum */

#define UNUSED_STATE (void)state

/* Xen's own table, expanded here independently of kern/errno.c. */
struct xen_errno_entry {
    int value;
    const char *name;
};
static const struct xen_errno_entry xen_table[] = {
#define XEN_ERRNO(name, value) { value, #name },
#include <xen/errno.h>
};
#define NXEN (sizeof(xen_table) / sizeof(xen_table[0]))

static void test_common_names(void **state)
{
    UNUSED_STATE;
    assert_string_equal(errno_name(EPERM), "EPERM");
    assert_string_equal(errno_name(ENOENT), "ENOENT");
    assert_string_equal(errno_name(EIO), "EIO");
    assert_string_equal(errno_name(E2BIG), "E2BIG");
    assert_string_equal(errno_name(ENOMEM), "ENOMEM");
    assert_string_equal(errno_name(EINVAL), "EINVAL");
    assert_string_equal(errno_name(ENOSPC), "ENOSPC");
    assert_string_equal(errno_name(EBADMSG), "EBADMSG");
    assert_string_equal(errno_name(ETIMEDOUT), "ETIMEDOUT");
    assert_string_equal(errno_name(ECONNREFUSED), "ECONNREFUSED");
    /* functions return -E...: the sign does not matter */
    assert_string_equal(errno_name(-EINVAL), "EINVAL");
    assert_string_equal(errno_name(-ENOENT), "ENOENT");
    /* aliases: the first name of the value */
    assert_string_equal(errno_name(EWOULDBLOCK), "EAGAIN");
    assert_string_equal(errno_name(EDEADLOCK), "EDEADLK");
}

static void test_unknown(void **state)
{
    UNUSED_STATE;
    assert_string_equal(errno_name(0), "E?");
    assert_string_equal(errno_name(9999), "E?");
    assert_string_equal(errno_name(-9999), "E?");
    assert_string_equal(errno_name(15), "E?"); /* ENOTBLK: not in Xen's list */
    assert_string_equal(errno_name(INT_MIN + 1), "E?");
}

static void test_whole_xen_table(void **state)
{
    UNUSED_STATE;
    assert_true(NXEN > 40);
    for (unsigned i = 0; i < NXEN; i++) {
        const char *want = xen_table[i].name;
        /* an alias maps to the first entry with its value */
        for (unsigned j = 0; j < i; j++)
            if (xen_table[j].value == xen_table[i].value) {
                want = xen_table[j].name;
                break;
            }
        assert_string_equal(errno_name(xen_table[i].value), want);
        assert_string_equal(errno_name(-xen_table[i].value), want);
    }
}

/* kern/errno.h uses the host's numbers on the host and Xen's in the kernel:
 * they must be the same, or xs_wire.h's table would disagree. */
static void test_host_matches_xen(void **state)
{
    UNUSED_STATE;
#define SAME(e) assert_int_equal(e, XEN_##e)
    SAME(EPERM); SAME(ENOENT); SAME(EIO); SAME(E2BIG); SAME(ENOEXEC); SAME(EAGAIN);
    SAME(ENOMEM); SAME(EACCES); SAME(EFAULT); SAME(EBUSY); SAME(EEXIST); SAME(ENODEV);
    SAME(EISDIR); SAME(EINVAL); SAME(ENOSPC); SAME(EROFS); SAME(ERANGE); SAME(ENOSYS);
    SAME(ENOTEMPTY); SAME(ENODATA); SAME(ETIME); SAME(EBADMSG); SAME(EOVERFLOW);
    SAME(EOPNOTSUPP); SAME(ENXIO); SAME(EISCONN); SAME(ENOTCONN); SAME(ETIMEDOUT);
#undef SAME
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_names),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_whole_xen_table),
        cmocka_unit_test(test_host_matches_xen),
    };
    return cmocka_run_group_tests_name("errno", tests, NULL, NULL);
}
