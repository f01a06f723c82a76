/* The grant reference free list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xen/gnttab_freelist.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static void test_init_ascending(void **state)
{
    UNUSED_STATE;
    grant_ref_t st[32];
    struct gnt_freelist fl;
    gnt_freelist_init(&fl, st, 32, 8);
    assert_int_equal(fl.nfree, 24);
    for (grant_ref_t r = 0; r < 8; r++)
        assert_int_equal(st[r], GNT_LIST_INUSE); /* reserved look used */
    for (uint32_t want = 8; want < 32; want++) {
        int64_t r = gnt_freelist_get(&fl);
        assert_int_equal(r, want);
        assert_int_equal(fl.nfree, 32 - want - 1);
    }
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
    assert_int_equal(fl.nfree, 0);
}

static void test_put_get(void **state)
{
    UNUSED_STATE;
    grant_ref_t st[16];
    struct gnt_freelist fl;
    gnt_freelist_init(&fl, st, 16, 8);
    int64_t a = gnt_freelist_get(&fl), b = gnt_freelist_get(&fl);
    assert_int_equal(a, 8);
    assert_int_equal(b, 9);
    assert_int_equal(gnt_freelist_put(&fl, (grant_ref_t)a), 0);
    assert_int_equal(fl.nfree, 7);
    /* the last one put comes back first */
    assert_int_equal(gnt_freelist_get(&fl), a);
    assert_int_equal(gnt_freelist_put(&fl, (grant_ref_t)b), 0);
    assert_int_equal(gnt_freelist_put(&fl, (grant_ref_t)a), 0);
    assert_int_equal(fl.nfree, 8);

    /* all refs handed out exactly once */
    bool seen[16] = { false };
    for (int i = 0; i < 8; i++) {
        int64_t r = gnt_freelist_get(&fl);
        assert_true(r >= 8 && r < 16);
        assert_false(seen[r]);
        seen[r] = true;
    }
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
}

static void test_put_errors(void **state)
{
    UNUSED_STATE;
    grant_ref_t st[16];
    struct gnt_freelist fl;
    gnt_freelist_init(&fl, st, 16, 8);
    int64_t a = gnt_freelist_get(&fl);
    assert_true(a >= 8);

    /* never handed out (still free) */
    assert_int_equal(gnt_freelist_put(&fl, 12), -EINVAL);
    /* double put */
    assert_int_equal(gnt_freelist_put(&fl, (grant_ref_t)a), 0);
    assert_int_equal(gnt_freelist_put(&fl, (grant_ref_t)a), -EINVAL);
    /* reserved */
    for (grant_ref_t r = 0; r < 8; r++)
        assert_int_equal(gnt_freelist_put(&fl, r), -EINVAL);
    /* out of range */
    assert_int_equal(gnt_freelist_put(&fl, 16), -EINVAL);
    assert_int_equal(gnt_freelist_put(&fl, GNT_LIST_INUSE), -EINVAL);
    assert_int_equal(gnt_freelist_put(&fl, GNT_LIST_END), -EINVAL);
    assert_int_equal(fl.nfree, 8);

    /* the list is intact: 8 distinct refs in range, then empty */
    bool seen[16] = { false };
    for (int i = 0; i < 8; i++) {
        int64_t r = gnt_freelist_get(&fl);
        assert_true(r >= 8 && r < 16);
        assert_false(seen[r]);
        seen[r] = true;
    }
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
}

static void test_no_reserved(void **state)
{
    UNUSED_STATE;
    grant_ref_t st[4];
    struct gnt_freelist fl;
    gnt_freelist_init(&fl, st, 4, 0);
    assert_int_equal(fl.nfree, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(gnt_freelist_get(&fl), i);
    assert_int_equal(gnt_freelist_put(&fl, 0), 0);
    assert_int_equal(gnt_freelist_get(&fl), 0);

    /* everything reserved / nothing at all */
    gnt_freelist_init(&fl, st, 4, 4);
    assert_int_equal(fl.nfree, 0);
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
    gnt_freelist_init(&fl, st, 4, 10);
    assert_int_equal(fl.nfree, 0);
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
    assert_int_equal(gnt_freelist_put(&fl, 3), -EINVAL);
    gnt_freelist_init(&fl, st, 0, 0);
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
    assert_int_equal(gnt_freelist_put(&fl, 0), -EINVAL);
}

static void test_grow(void **state)
{
    UNUSED_STATE;
    grant_ref_t *st = malloc(16 * sizeof(*st));
    assert_non_null(st);
    struct gnt_freelist fl;
    gnt_freelist_init(&fl, st, 16, 8);
    /* take some, give one back, then grow */
    for (int i = 0; i < 5; i++)
        assert_int_equal(gnt_freelist_get(&fl), 8 + i);
    assert_int_equal(gnt_freelist_put(&fl, 10), 0);
    assert_int_equal(fl.nfree, 4);

    grant_ref_t *st2 = malloc(48 * sizeof(*st2));
    assert_non_null(st2);
    memcpy(st2, st, 16 * sizeof(*st));
    free(st);
    gnt_freelist_grow(&fl, st2, 48);
    assert_int_equal(fl.nrefs, 48);
    assert_int_equal(fl.nfree, 4 + 32);

    /* the new refs first, in ascending order, then the old free ones */
    for (uint32_t want = 16; want < 48; want++)
        assert_int_equal(gnt_freelist_get(&fl), want);
    bool seen[48] = { false };
    for (int i = 0; i < 4; i++) {
        int64_t r = gnt_freelist_get(&fl);
        assert_true(r == 10 || (r >= 13 && r < 16));
        assert_false(seen[r]);
        seen[r] = true;
    }
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
    /* refs from before the growth can still be put back */
    assert_int_equal(gnt_freelist_put(&fl, 9), 0);
    assert_int_equal(gnt_freelist_put(&fl, 47), 0);
    assert_int_equal(gnt_freelist_put(&fl, 47), -EINVAL);
    assert_int_equal(gnt_freelist_put(&fl, 48), -EINVAL);
    assert_int_equal(gnt_freelist_put(&fl, 3), -EINVAL);
    free(st2);
}

static void test_grow_over_reserved(void **state)
{
    UNUSED_STATE;
    /* a table still smaller than the reserved area grows past it: the
     * reserved refs must stay out of the list */
    grant_ref_t st[32];
    struct gnt_freelist fl;
    gnt_freelist_init(&fl, st, 4, 8);
    assert_int_equal(fl.nfree, 0);
    gnt_freelist_grow(&fl, st, 32);
    assert_int_equal(fl.nfree, 24);
    for (uint32_t want = 8; want < 32; want++)
        assert_int_equal(gnt_freelist_get(&fl), want);
    assert_int_equal(gnt_freelist_get(&fl), -ENOSPC);
    for (grant_ref_t r = 0; r < 8; r++)
        assert_int_equal(gnt_freelist_put(&fl, r), -EINVAL);
}

static uint64_t rng = 0x0ddba11cafebabeULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_random(void **state)
{
    UNUSED_STATE;
    enum { NR = 512, FIRST = 8 };
    grant_ref_t st[NR];
    struct gnt_freelist fl;
    gnt_freelist_init(&fl, st, NR, FIRST);
    bool used[NR] = { false };
    uint32_t nused = 0;
    for (int i = 0; i < 50000; i++) {
        if (rnd() % 2) {
            int64_t r = gnt_freelist_get(&fl);
            if (nused == NR - FIRST) {
                assert_int_equal(r, -ENOSPC);
                continue;
            }
            assert_true(r >= FIRST && r < NR);
            assert_false(used[r]);
            used[r] = true;
            nused++;
        } else {
            grant_ref_t r = (grant_ref_t)(rnd() % (NR + 4));
            int want = r >= FIRST && r < NR && used[r] ? 0 : -EINVAL;
            assert_int_equal(gnt_freelist_put(&fl, r), want);
            if (want == 0) {
                used[r] = false;
                nused--;
            }
        }
        assert_int_equal(fl.nfree, NR - FIRST - nused);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_ascending),
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_put_errors),
        cmocka_unit_test(test_no_reserved),
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_grow_over_reserved),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests_name("gnttab_freelist", tests, NULL, NULL);
}
