/* The shared response-count check (xen/ring_check.h) of blkfront's and
 * netfront's rings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "xen/ring_check.h"

static void test_in_range(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(ring_rsp_count(10, 10, 12, 32, &why), 0);
    assert_int_equal(ring_rsp_count(10, 12, 12, 32, &why), 2);
    assert_null(why);
    /* a full ring answered at once */
    assert_int_equal(ring_rsp_count(100, 132, 132, 32, &why), 32);
    /* wrap-around of the free-running indices */
    assert_int_equal(ring_rsp_count(0xfffffffe, 1, 3, 32, &why), 3);
    assert_int_equal(ring_rsp_count(0xffffffff, 0xffffffff, 4, 32, &why), 0);
}

static void test_more_than_requested(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(ring_rsp_count(10, 13, 12, 32, &why), -EBADMSG);
    assert_string_equal(why, "more responses than requests outstanding");
    /* nothing outstanding, one answer */
    why = NULL;
    assert_int_equal(ring_rsp_count(7, 8, 7, 32, &why), -EBADMSG);
    assert_non_null(why);
    /* across the wrap */
    why = NULL;
    assert_int_equal(ring_rsp_count(0xfffffffe, 2, 1, 32, &why), -EBADMSG);
    assert_non_null(why);
}

static void test_more_than_a_ring(void **state)
{
    (void)state;
    const char *why = NULL;
    /* far ahead, even with as many requests claimed */
    assert_int_equal(ring_rsp_count(10, 50, 60, 32, &why), -EBADMSG);
    assert_string_equal(why, "response producer ran more than a ring ahead");
    /* behind our consumer: a huge unsigned distance */
    why = NULL;
    assert_int_equal(ring_rsp_count(10, 5, 12, 32, &why), -EBADMSG);
    assert_non_null(why);
    /* the limit is max, not the ring: netfront's 64 receive buffers */
    why = NULL;
    assert_int_equal(ring_rsp_count(0, 65, 256, 64, &why), -EBADMSG);
    assert_int_equal(ring_rsp_count(0, 64, 256, 64, &why), 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_range),
        cmocka_unit_test(test_more_than_requested),
        cmocka_unit_test(test_more_than_a_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
