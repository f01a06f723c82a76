/* blkfront's persistent-grant pool and its choice of a ring among
 * several queues. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "dev/blkfront/blkfront_alloc.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static struct blkfront_pool pool;

static void test_pool_grows_then_reuses(void **state)
{
    UNUSED_STATE;
    blkfront_pool_init(&pool, 3);
    assert_int_equal(blkfront_pool_avail(&pool), 3);
    assert_int_equal(blkfront_pool_get(&pool), -1); /* nothing made yet */
    assert_int_equal(blkfront_pool_grow(&pool), 0);
    assert_int_equal(blkfront_pool_grow(&pool), 1);
    assert_int_equal(blkfront_pool_grow(&pool), 2);
    assert_int_equal(blkfront_pool_grow(&pool), -1); /* at max */
    assert_int_equal(blkfront_pool_avail(&pool), 0);
    assert_int_equal(blkfront_pool_put(&pool, 1), 0);
    assert_int_equal(blkfront_pool_avail(&pool), 1);
    /* A freed entry is handed out again, never a new one. */
    assert_int_equal(blkfront_pool_get(&pool), 1);
    assert_int_equal(blkfront_pool_get(&pool), -1);
    assert_int_equal(blkfront_pool_put(&pool, 0), 0);
    assert_int_equal(blkfront_pool_put(&pool, 2), 0);
    int a = blkfront_pool_get(&pool), b = blkfront_pool_get(&pool);
    assert_true((a == 0 && b == 2) || (a == 2 && b == 0));
}

static void test_pool_refuses_bad_puts(void **state)
{
    UNUSED_STATE;
    blkfront_pool_init(&pool, 4);
    assert_int_equal(blkfront_pool_put(&pool, 0), -EINVAL); /* never made */
    assert_int_equal(blkfront_pool_grow(&pool), 0);
    assert_int_equal(blkfront_pool_put(&pool, 0), 0);
    assert_int_equal(blkfront_pool_put(&pool, 0), -EINVAL); /* twice */
    assert_int_equal(blkfront_pool_put(&pool, 9999), -EINVAL);
    assert_int_equal(blkfront_pool_avail(&pool), 4);
}

static void test_pool_shrink_undoes_grow(void **state)
{
    UNUSED_STATE;
    blkfront_pool_init(&pool, 2);
    assert_int_equal(blkfront_pool_grow(&pool), 0);
    blkfront_pool_shrink(&pool); /* its page could not be had */
    assert_int_equal(blkfront_pool_avail(&pool), 2);
    assert_int_equal(blkfront_pool_put(&pool, 0), -EINVAL);
    assert_int_equal(blkfront_pool_grow(&pool), 0);
}

static void test_pool_max_capped(void **state)
{
    UNUSED_STATE;
    blkfront_pool_init(&pool, 100000);
    unsigned n = 0;
    while (blkfront_pool_grow(&pool) >= 0)
        n++;
    assert_int_equal(n, BLKFRONT_POOL_MAX);
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(blkfront_pool_put(&pool, i), 0);
    assert_int_equal(blkfront_pool_avail(&pool), BLKFRONT_POOL_MAX);
}

static void test_queue_pick(void **state)
{
    UNUSED_STATE;
    unsigned inflight[3] = { 2, 0, 1 }, room[3] = { 5, 5, 5 };
    assert_int_equal(blkfront_queue_pick(inflight, room, 3, 0), 1); /* fewest in flight */
    room[1] = 0;
    assert_int_equal(blkfront_queue_pick(inflight, room, 3, 0), 2); /* full rings skipped */
    room[0] = room[2] = 0;
    assert_int_equal(blkfront_queue_pick(inflight, room, 3, 0), 3); /* none */
    /* Ties go to start (the ring used last), then the ones after it. */
    unsigned eq[2] = { 1, 1 }, r2[2] = { 4, 4 };
    assert_int_equal(blkfront_queue_pick(eq, r2, 2, 0), 0);
    assert_int_equal(blkfront_queue_pick(eq, r2, 2, 1), 1);
    assert_int_equal(blkfront_queue_pick(eq, r2, 2, 7), 1); /* start wraps */
    unsigned one_in[1] = { 9 }, one_room[1] = { 1 };
    assert_int_equal(blkfront_queue_pick(one_in, one_room, 1, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_grows_then_reuses),
        cmocka_unit_test(test_pool_refuses_bad_puts),
        cmocka_unit_test(test_pool_shrink_undoes_grow),
        cmocka_unit_test(test_pool_max_capped),
        cmocka_unit_test(test_queue_pick),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
