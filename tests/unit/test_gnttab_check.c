/* Grant statuses as errnos, and the one-page-per-op check of grant copies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "xen/gnttab_check.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static void test_status(void **state)
{
    UNUSED_STATE;
    assert_int_equal(gnttab_status_errno(GNTST_okay), 0);
    assert_int_equal(gnttab_status_errno(GNTST_bad_gntref), -ENOENT);
    assert_int_equal(gnttab_status_errno(GNTST_bad_domain), -ENXIO);
    assert_int_equal(gnttab_status_errno(GNTST_permission_denied), -EPERM);
    assert_int_equal(gnttab_status_errno(GNTST_eagain), -EAGAIN);
    assert_int_equal(gnttab_status_errno(GNTST_no_space), -ENOSPC);
    assert_int_equal(gnttab_status_errno(GNTST_general_error), -EIO);
    assert_int_equal(gnttab_status_errno(-14), -EIO);
    assert_int_equal(gnttab_status_errno(3), -EIO);
    /* every status Xen defines is an error but okay */
    for (int16_t s = GNTST_general_error; s >= GNTST_no_space; s--)
        assert_true(gnttab_status_errno(s) < 0);
    assert_string_equal(gnttab_status_name(GNTST_okay), "okay");
    assert_string_equal(gnttab_status_name(GNTST_bad_gntref), "invalid grant reference");
    assert_string_equal(gnttab_status_name(GNTST_no_space), "out of space");
    assert_string_equal(gnttab_status_name(-14), "unknown status");
    assert_string_equal(gnttab_status_name(1), "unknown status");
    assert_string_equal(gnttab_status_name(INT16_MIN), "unknown status");
}

static void test_copy_check(void **state)
{
    UNUSED_STATE;
    assert_int_equal(gnttab_copy_check(0, 0, 4096), 0);
    assert_int_equal(gnttab_copy_check(4095, 0, 1), 0);
    assert_int_equal(gnttab_copy_check(0, 4095, 1), 0);
    assert_int_equal(gnttab_copy_check(2048, 1024, 2048), 0);
    assert_int_equal(gnttab_copy_check(0, 0, 0), -EINVAL);
    assert_int_equal(gnttab_copy_check(0, 0, 4097), -EINVAL);
    assert_int_equal(gnttab_copy_check(1, 0, 4096), -EINVAL);
    assert_int_equal(gnttab_copy_check(0, 1, 4096), -EINVAL);
    assert_int_equal(gnttab_copy_check(4096, 0, 1), -EINVAL);
    assert_int_equal(gnttab_copy_check(2049, 0, 2048), -EINVAL);
    /* no wrap-around of offset + len */
    assert_int_equal(gnttab_copy_check(UINT32_MAX, 0, 2), -EINVAL);
    assert_int_equal(gnttab_copy_check(0, UINT32_MAX - 10, 100), -EINVAL);
    assert_int_equal(gnttab_copy_check(0, 0, UINT32_MAX), -EINVAL);
}

static void test_copy_prepare(void **state)
{
    UNUSED_STATE;
    struct gnttab_copy op;
    memset(&op, 0xff, sizeof(op));
    assert_int_equal(gnttab_copy_prepare(&op, 0x1234, 16, 7, 99, 32, 100, false), 0);
    /* from the peer's grant into our frame */
    assert_int_equal(op.flags, GNTCOPY_source_gref);
    assert_int_equal(op.source.domid, 7);
    assert_int_equal(op.source.u.ref, 99);
    assert_int_equal(op.source.offset, 32);
    assert_int_equal(op.dest.domid, DOMID_SELF);
    assert_int_equal(op.dest.u.gmfn, 0x1234);
    assert_int_equal(op.dest.offset, 16);
    assert_int_equal(op.len, 100);
    assert_int_not_equal(op.status, GNTST_okay);

    memset(&op, 0xff, sizeof(op));
    assert_int_equal(gnttab_copy_prepare(&op, 0x1234, 0, 7, 99, 0, 4096, true), 0);
    assert_int_equal(op.flags, GNTCOPY_dest_gref);
    assert_int_equal(op.source.domid, DOMID_SELF);
    assert_int_equal(op.source.u.gmfn, 0x1234);
    assert_int_equal(op.dest.domid, 7);
    assert_int_equal(op.dest.u.ref, 99);
    assert_int_equal(op.len, 4096);

    /* crossing a page either side, or a reserved domain */
    assert_int_equal(gnttab_copy_prepare(&op, 1, 4000, 7, 99, 0, 200, true), -EINVAL);
    assert_int_equal(gnttab_copy_prepare(&op, 1, 0, 7, 99, 4000, 200, false), -EINVAL);
    assert_int_equal(gnttab_copy_prepare(&op, 1, 0, DOMID_SELF, 99, 0, 10, false), -EINVAL);
    assert_int_equal(gnttab_copy_prepare(&op, 1, 0, DOMID_FIRST_RESERVED, 9, 0, 1, true), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_copy_check),
        cmocka_unit_test(test_copy_prepare),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
