/* The bitmap page allocator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kern/page_alloc.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

struct fixture {
    struct page_alloc pa;
    uint64_t *bitmap;
};

static struct page_alloc *make(struct fixture *f, uint64_t base, uint64_t npages)
{
    size_t bytes = page_alloc_bitmap_bytes(npages);
    f->bitmap = malloc(bytes ? bytes : 1);
    assert_non_null(f->bitmap);
    memset(f->bitmap, 0, bytes);
    page_alloc_init(&f->pa, base, npages, f->bitmap);
    return &f->pa;
}

static void count_check(const struct page_alloc *pa)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < pa->npages; i++)
        n += !page_alloc_is_used(pa, pa->base_pfn + i);
    assert_int_equal(n, pa->nfree);
}

static void test_bitmap_bytes(void **state)
{
    UNUSED_STATE;
    assert_int_equal(page_alloc_bitmap_bytes(0), 0);
    assert_int_equal(page_alloc_bitmap_bytes(1), 8);
    assert_int_equal(page_alloc_bitmap_bytes(64), 8);
    assert_int_equal(page_alloc_bitmap_bytes(65), 16);
    assert_int_equal(page_alloc_bitmap_bytes(1 << 20), (1 << 20) / 8);
}

static void test_init_all_used(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 0x100, 100);
    assert_int_equal(pa->nfree, 0);
    for (uint64_t p = 0x100; p < 0x100 + 100; p++)
        assert_true(page_alloc_is_used(pa, p));
    /* outside the range counts as used */
    assert_true(page_alloc_is_used(pa, 0xff));
    assert_true(page_alloc_is_used(pa, 0x100 + 100));
    assert_int_equal(page_alloc_alloc(pa, 1, 1), -ENOMEM);
    free(f.bitmap);
}

static void test_add_free(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 0x100, 100);
    page_alloc_add_free(pa, 0x110, 10);
    assert_int_equal(pa->nfree, 10);
    assert_false(page_alloc_is_used(pa, 0x110));
    assert_false(page_alloc_is_used(pa, 0x119));
    assert_true(page_alloc_is_used(pa, 0x10f));
    assert_true(page_alloc_is_used(pa, 0x11a));
    /* again, overlapping: no double counting */
    page_alloc_add_free(pa, 0x115, 10);
    assert_int_equal(pa->nfree, 15);
    /* clipped at both ends of the range */
    page_alloc_add_free(pa, 0xf0, 0x12);
    assert_int_equal(pa->nfree, 17);
    page_alloc_add_free(pa, 0x160, 0x1000);
    assert_int_equal(pa->nfree, 17 + 4);
    page_alloc_add_free(pa, 0x1000, 10); /* entirely outside */
    page_alloc_add_free(pa, 0, 0x10);
    assert_int_equal(pa->nfree, 21);
    count_check(pa);
    free(f.bitmap);
}

static void test_reserve(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 1000, 256);
    page_alloc_add_free(pa, 1000, 256);
    assert_int_equal(pa->nfree, 256);
    assert_int_equal(page_alloc_reserve(pa, 1010, 20), 0);
    assert_int_equal(pa->nfree, 236);
    assert_true(page_alloc_is_used(pa, 1010));
    assert_true(page_alloc_is_used(pa, 1029));
    assert_false(page_alloc_is_used(pa, 1030));
    /* overlapping an in-use frame: -EBUSY and nothing changes */
    assert_int_equal(page_alloc_reserve(pa, 1000, 11), -EBUSY);
    assert_false(page_alloc_is_used(pa, 1000));
    assert_int_equal(pa->nfree, 236);
    /* out of range */
    assert_int_equal(page_alloc_reserve(pa, 999, 1), -EINVAL);
    assert_int_equal(page_alloc_reserve(pa, 1250, 7), -EINVAL);
    assert_int_equal(page_alloc_reserve(pa, 1000, 257), -EINVAL);
    assert_int_equal(page_alloc_reserve(pa, UINT64_MAX, 2), -EINVAL);
    assert_int_equal(pa->nfree, 236);
    /* reserved frames are never handed out */
    int64_t p;
    while ((p = page_alloc_alloc(pa, 1, 1)) >= 0)
        assert_true(p < 1010 || p >= 1030);
    assert_int_equal(p, -ENOMEM);
    assert_int_equal(pa->nfree, 0);
    /* reserved frames can be freed back */
    assert_int_equal(page_alloc_free(pa, 1010, 20), 0);
    assert_int_equal(pa->nfree, 20);
    count_check(pa);
    free(f.bitmap);
}

static void test_alloc_free_basic(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 0x5000, 512);
    page_alloc_add_free(pa, 0x5000, 512);

    int64_t a = page_alloc_alloc(pa, 1, 1);
    assert_int_equal(a, 0x5000);
    assert_true(page_alloc_is_used(pa, 0x5000));
    int64_t b = page_alloc_alloc(pa, 3, 1);
    assert_int_equal(b, 0x5001);
    assert_int_equal(pa->nfree, 508);
    for (int i = 0; i < 3; i++)
        assert_true(page_alloc_is_used(pa, (uint64_t)b + i));

    assert_int_equal(page_alloc_alloc(pa, 0, 1), -ENOMEM);
    assert_int_equal(page_alloc_alloc(pa, 1, 0), -ENOMEM);
    assert_int_equal(page_alloc_alloc(pa, 1, 3), -ENOMEM);  /* not a power of two */
    assert_int_equal(page_alloc_alloc(pa, 513, 1), -ENOMEM);

    assert_int_equal(page_alloc_free(pa, (uint64_t)b, 3), 0);
    assert_int_equal(pa->nfree, 511);
    assert_false(page_alloc_is_used(pa, (uint64_t)b));
    /* freed frames come back first */
    assert_int_equal(page_alloc_alloc(pa, 2, 1), b);
    count_check(pa);
    free(f.bitmap);
}

static void test_alignment(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    /* an odd base: alignment is of the frame number, not the index */
    struct page_alloc *pa = make(&f, 0x1003, 1000);
    page_alloc_add_free(pa, 0x1003, 1000);
    uint64_t aligns[] = { 1, 2, 4, 8, 16, 64, 128, 256 };
    for (unsigned i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        int64_t p = page_alloc_alloc(pa, 3, aligns[i]);
        assert_true(p >= 0);
        assert_int_equal((uint64_t)p % aligns[i], 0);
        assert_true((uint64_t)p >= 0x1003 && (uint64_t)p + 3 <= 0x1003 + 1000);
    }
    /* [0x1003, 0x13eb) holds one 512-aligned frame and no 1024-aligned one */
    assert_int_equal(page_alloc_alloc(pa, 1, 512), 0x1200);
    assert_int_equal(page_alloc_alloc(pa, 1, 512), -ENOMEM);
    assert_int_equal(page_alloc_alloc(pa, 1, 1024), -ENOMEM);
    assert_int_equal(page_alloc_alloc(pa, 1, 1ULL << 40), -ENOMEM);
    count_check(pa);
    free(f.bitmap);
}

static void test_free_errors(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 100, 128);
    page_alloc_add_free(pa, 100, 128);
    int64_t a = page_alloc_alloc(pa, 4, 1);
    assert_int_equal(a, 100);
    uint64_t nfree = pa->nfree;

    assert_int_equal(page_alloc_free(pa, 100, 4), 0);
    /* double free */
    assert_int_equal(page_alloc_free(pa, 100, 4), -EINVAL);
    assert_int_equal(page_alloc_free(pa, 101, 1), -EINVAL);
    assert_int_equal(pa->nfree, nfree + 4);

    /* a range that is only partly in use: nothing is freed */
    a = page_alloc_alloc(pa, 2, 1);
    assert_true(a >= 0);
    nfree = pa->nfree;
    assert_int_equal(page_alloc_free(pa, (uint64_t)a, 3), -EINVAL);
    assert_true(page_alloc_is_used(pa, (uint64_t)a));
    assert_true(page_alloc_is_used(pa, (uint64_t)a + 1));
    assert_int_equal(pa->nfree, nfree);

    /* out of range, zero count, wrap-around */
    assert_int_equal(page_alloc_free(pa, 99, 1), -EINVAL);
    assert_int_equal(page_alloc_free(pa, 228, 1), -EINVAL);
    assert_int_equal(page_alloc_free(pa, 220, 9), -EINVAL);
    assert_int_equal(page_alloc_free(pa, (uint64_t)a, 0), -EINVAL);
    assert_int_equal(page_alloc_free(pa, UINT64_MAX, 2), -EINVAL);
    assert_int_equal(page_alloc_free(pa, 100, UINT64_MAX), -EINVAL);
    assert_int_equal(pa->nfree, nfree);
    count_check(pa);
    free(f.bitmap);
}

static void test_exhaustion(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 0, 200);
    page_alloc_add_free(pa, 0, 200);
    bool seen[200] = { false };
    for (int i = 0; i < 200; i++) {
        int64_t p = page_alloc_alloc(pa, 1, 1);
        assert_true(p >= 0 && p < 200);
        assert_false(seen[p]);
        seen[p] = true;
        assert_int_equal(pa->nfree, 200 - i - 1);
    }
    assert_int_equal(page_alloc_alloc(pa, 1, 1), -ENOMEM);
    assert_int_equal(page_alloc_free(pa, 137, 1), 0);
    assert_int_equal(page_alloc_alloc(pa, 2, 1), -ENOMEM);
    assert_int_equal(page_alloc_alloc(pa, 1, 2), -ENOMEM); /* 137 is odd */
    assert_int_equal(page_alloc_alloc(pa, 1, 1), 137);
    assert_int_equal(page_alloc_alloc(pa, 1, 1), -ENOMEM);
    free(f.bitmap);
}

static void test_fragmented(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 0, 256);
    /* every other frame free: plenty free, nothing contiguous */
    for (uint64_t p = 0; p < 256; p += 2)
        page_alloc_add_free(pa, p, 1);
    assert_int_equal(pa->nfree, 128);
    assert_int_equal(page_alloc_alloc(pa, 2, 1), -ENOMEM);
    assert_int_equal(pa->nfree, 128);
    page_alloc_add_free(pa, 201, 1);
    assert_int_equal(page_alloc_alloc(pa, 3, 1), 200);
    free(f.bitmap);
}

static void test_hint_wraps(void **state)
{
    UNUSED_STATE;
    struct fixture f;
    struct page_alloc *pa = make(&f, 0, 130);
    page_alloc_add_free(pa, 0, 130);
    /* allocate up to near the end, so the hint sits there */
    assert_int_equal(page_alloc_alloc(pa, 64, 1), 0);
    assert_int_equal(page_alloc_alloc(pa, 64, 1), 64);
    /* free a run at the start behind the hint, then allocate more than
     * what is left after the hint */
    assert_int_equal(page_alloc_alloc(pa, 1, 1), 128);
    assert_int_equal(page_alloc_free(pa, 10, 5), 0);
    assert_int_equal(page_alloc_alloc(pa, 1, 1), 10);
    assert_int_equal(page_alloc_alloc(pa, 4, 1), 11);
    assert_int_equal(page_alloc_alloc(pa, 1, 1), 129);
    assert_int_equal(page_alloc_alloc(pa, 1, 1), -ENOMEM);
    /* a run that straddles the old hint */
    assert_int_equal(page_alloc_free(pa, 60, 10), 0);
    assert_int_equal(page_alloc_alloc(pa, 1, 1), 60);
    assert_int_equal(page_alloc_free(pa, 60, 1), 0);
    assert_int_equal(page_alloc_alloc(pa, 10, 1), 60);
    free(f.bitmap);

    /* RAM added below the hint is found after wrapping around */
    pa = make(&f, 0, 130);
    page_alloc_add_free(pa, 100, 30);
    assert_int_equal(page_alloc_alloc(pa, 20, 1), 100);
    page_alloc_add_free(pa, 0, 10);
    assert_int_equal(page_alloc_alloc(pa, 10, 1), 120);
    assert_int_equal(page_alloc_alloc(pa, 10, 1), 0);
    assert_int_equal(pa->nfree, 0);
    free(f.bitmap);

    /* a free run that starts before the hint and ends after it */
    pa = make(&f, 0, 20);
    page_alloc_add_free(pa, 5, 1);
    assert_int_equal(page_alloc_alloc(pa, 1, 1), 5);
    assert_int_equal(page_alloc_free(pa, 5, 1), 0); /* hint now 5 */
    page_alloc_add_free(pa, 3, 5);                  /* [3, 8) free */
    assert_int_equal(page_alloc_alloc(pa, 5, 1), 3);
    free(f.bitmap);
}

static void test_unaligned_npages(void **state)
{
    UNUSED_STATE;
    /* bits past npages in the last word must never be handed out */
    struct fixture f;
    struct page_alloc *pa = make(&f, 0, 70);
    page_alloc_add_free(pa, 0, 1000);
    assert_int_equal(pa->nfree, 70);
    assert_int_equal(page_alloc_alloc(pa, 70, 1), 0);
    assert_int_equal(page_alloc_alloc(pa, 1, 1), -ENOMEM);
    assert_int_equal(page_alloc_free(pa, 0, 70), 0);
    assert_int_equal(page_alloc_alloc(pa, 64, 64), 0);
    assert_int_equal(page_alloc_alloc(pa, 7, 1), -ENOMEM);
    assert_int_equal(page_alloc_alloc(pa, 6, 1), 64);
    free(f.bitmap);
}

/* --- randomized against a shadow model ------------------------------- */
static uint64_t rng = 0x123456789abcdefULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct block {
    uint64_t pfn, count;
};

static void test_random_vs_shadow(void **state)
{
    UNUSED_STATE;
    enum { NP = 1000, BASE = 0x4321, MAXB = 400 };
    struct fixture f;
    struct page_alloc *pa = make(&f, BASE, NP);
    /* shadow: 0 = not RAM, 1 = free, 2 = allocated */
    uint8_t shadow[NP];
    memset(shadow, 0, sizeof(shadow));
    for (int i = 0; i < 40; i++) {
        uint64_t at = rnd() % NP, n = 1 + rnd() % 60;
        page_alloc_add_free(pa, BASE + at, n);
        for (uint64_t k = at; k < at + n && k < NP; k++)
            shadow[k] = 1;
    }
    struct block live[MAXB];
    unsigned nlive = 0;
    unsigned ok = 0, fails = 0;

    for (int iter = 0; iter < 20000; iter++) {
        if (nlive < MAXB && (nlive == 0 || rnd() % 100 < 55)) {
            uint64_t count = 1 + (rnd() % 4 == 0 ? rnd() % 40 : rnd() % 4);
            uint64_t align = 1ULL << (rnd() % 5);
            int64_t p = page_alloc_alloc(pa, count, align);
            if (p >= 0) {
                uint64_t idx = (uint64_t)p - BASE;
                assert_true((uint64_t)p >= BASE && idx + count <= NP);
                assert_int_equal((uint64_t)p % align, 0);
                for (uint64_t k = 0; k < count; k++) {
                    assert_int_equal(shadow[idx + k], 1); /* was free: no overlap */
                    shadow[idx + k] = 2;
                }
                live[nlive++] = (struct block){ (uint64_t)p, count };
                ok++;
            } else {
                assert_int_equal(p, -ENOMEM);
                /* really no aligned free run anywhere */
                for (uint64_t s = 0; s + count <= NP; s++) {
                    if ((BASE + s) % align)
                        continue;
                    uint64_t k = 0;
                    while (k < count && shadow[s + k] == 1)
                        k++;
                    assert_true(k < count);
                }
                fails++;
            }
        } else {
            unsigned i = (unsigned)(rnd() % nlive);
            struct block b = live[i];
            live[i] = live[--nlive];
            if (rnd() % 10 == 0) {
                /* a bad free first: one frame past the block, if it is free */
                uint64_t after = b.pfn + b.count - BASE;
                if (after < NP && shadow[after] == 1)
                    assert_int_equal(page_alloc_free(pa, b.pfn, b.count + 1), -EINVAL);
            }
            assert_int_equal(page_alloc_free(pa, b.pfn, b.count), 0);
            for (uint64_t k = 0; k < b.count; k++)
                shadow[b.pfn - BASE + k] = 1;
            /* and the double free */
            if (rnd() % 10 == 0)
                assert_int_equal(page_alloc_free(pa, b.pfn, b.count), -EINVAL);
        }
        if (iter % 256 == 0) {
            uint64_t nfree = 0;
            for (uint64_t k = 0; k < NP; k++) {
                nfree += shadow[k] == 1;
                assert_int_equal(page_alloc_is_used(pa, BASE + k), shadow[k] != 1);
            }
            assert_int_equal(pa->nfree, nfree);
        }
    }
    print_message("allocations %u, -ENOMEM %u\n", ok, fails);
    assert_true(ok > 1000 && fails > 100);
    while (nlive) {
        struct block b = live[--nlive];
        assert_int_equal(page_alloc_free(pa, b.pfn, b.count), 0);
    }
    uint64_t ram = 0;
    for (uint64_t k = 0; k < NP; k++)
        ram += shadow[k] != 0;
    assert_int_equal(pa->nfree, ram);
    count_check(pa);
    free(f.bitmap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bitmap_bytes),
        cmocka_unit_test(test_init_all_used),
        cmocka_unit_test(test_add_free),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_alloc_free_basic),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_free_errors),
        cmocka_unit_test(test_exhaustion),
        cmocka_unit_test(test_fragmented),
        cmocka_unit_test(test_hint_wraps),
        cmocka_unit_test(test_unaligned_npages),
        cmocka_unit_test(test_random_vs_shadow),
    };
    return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
