/* Queue-count negotiation for multi-queue front-ends: what the back-end
 * offers, capped by the driver and the command line, never 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kern/errno.h"
#include "xen/xenbus_queues.h"

static void test_not_offered_is_one(void **state)
{
    (void)state;
    assert_int_equal(xenbus_queues_negotiate(-ENOENT, 0, 4, 0), 1);
    assert_int_equal(xenbus_queues_negotiate(-EINVAL, 8, 4, 0), 1); /* malformed: not offered */
    assert_int_equal(xenbus_queues_negotiate(0, 0, 4, 0), 1);       /* "0": one */
}

static void test_capped(void **state)
{
    (void)state;
    assert_int_equal(xenbus_queues_negotiate(0, 2, 4, 0), 2);
    assert_int_equal(xenbus_queues_negotiate(0, 8, 4, 0), 4);
    assert_int_equal(xenbus_queues_negotiate(0, 65535, 4, 0), 4);
    assert_int_equal(xenbus_queues_negotiate(0, 8, 4, 2), 2);
    assert_int_equal(xenbus_queues_negotiate(0, 3, 4, 9), 3); /* a limit above both: no effect */
    assert_int_equal(xenbus_queues_negotiate(0, 1ULL << 40, 4, 1ULL << 40), 4);
    assert_int_equal(xenbus_queues_negotiate(0, 6, 0, 0), 6); /* no driver cap */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_offered_is_one),
        cmocka_unit_test(test_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
