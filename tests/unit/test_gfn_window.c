/* The window of never-populated frames where foreign grants are mapped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "xen/gfn_window.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state
#define BASE 0xef000ULL

static uint64_t used[4], head[4];

static struct gfn_window make(uint32_t n)
{
    struct gfn_window w;
    memset(used, 0xa5, sizeof(used)); /* init must clear whatever was there */
    memset(head, 0x5a, sizeof(head));
    gfn_window_init(&w, BASE, n, used, head);
    return w;
}

static void test_single_frames(void **state)
{
    UNUSED_STATE;
    struct gfn_window w = make(100);
    assert_int_equal(gfn_window_bitmap_bytes(100), 16);
    assert_int_equal(w.nfree, 100);
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(gfn_window_alloc(&w, 1), BASE + i);
    assert_int_equal(w.nfree, 0);
    assert_int_equal(gfn_window_alloc(&w, 1), -ENOSPC);
    assert_int_equal(gfn_window_free(&w, BASE + 42, 1), 0);
    assert_int_equal(w.nfree, 1);
    assert_int_equal(gfn_window_alloc(&w, 1), BASE + 42); /* the hole is reused */
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(gfn_window_free(&w, BASE + i, 1), 0);
    assert_int_equal(w.nfree, 100);
}

static void test_contiguous(void **state)
{
    UNUSED_STATE;
    struct gfn_window w = make(130); /* crosses bitmap words */
    assert_int_equal(gfn_window_alloc(&w, 0), -EINVAL);
    int64_t a = gfn_window_alloc(&w, 60);
    int64_t b = gfn_window_alloc(&w, 10); /* frames 60..69: across word 0/1 */
    int64_t c = gfn_window_alloc(&w, 60);
    assert_int_equal(a, BASE);
    assert_int_equal(b, BASE + 60);
    assert_int_equal(c, BASE + 70);
    assert_int_equal(w.nfree, 0);
    /* Free the middle: a run of 11 does not fit in the 10-frame hole. */
    assert_int_equal(gfn_window_free(&w, (uint64_t)b, 10), 0);
    assert_int_equal(gfn_window_alloc(&w, 11), -ENOSPC);
    assert_int_equal(gfn_window_alloc(&w, 4), BASE + 60);
    assert_int_equal(gfn_window_alloc(&w, 6), BASE + 64);
    assert_int_equal(gfn_window_alloc(&w, 1), -ENOSPC);
    /* more than the window: no scan needed */
    assert_int_equal(gfn_window_alloc(&w, 131), -ENOSPC);
}

static void test_bad_frees(void **state)
{
    UNUSED_STATE;
    struct gfn_window w = make(64);
    int64_t a = gfn_window_alloc(&w, 8);
    int64_t b = gfn_window_alloc(&w, 8);
    assert_int_equal(a, BASE);
    /* foreign: not in the window at all */
    assert_int_equal(gfn_window_free(&w, BASE - 1, 1), -ERANGE);
    assert_int_equal(gfn_window_free(&w, BASE + 64, 1), -ERANGE);
    assert_int_equal(gfn_window_free(&w, 0, 1), -ERANGE);
    /* running off the end of the window */
    assert_int_equal(gfn_window_free(&w, BASE + 60, 8), -EINVAL);
    /* never handed out */
    assert_int_equal(gfn_window_free(&w, BASE + 30, 1), -EINVAL);
    /* the middle of an allocation, a part of it, or two allocations at once */
    assert_int_equal(gfn_window_free(&w, (uint64_t)a + 1, 7), -EINVAL);
    assert_int_equal(gfn_window_free(&w, (uint64_t)a, 4), -EINVAL);
    assert_int_equal(gfn_window_free(&w, (uint64_t)a, 16), -EINVAL);
    assert_int_equal(gfn_window_free(&w, (uint64_t)a, 0), -EINVAL);
    assert_int_equal(w.nfree, 48); /* nothing changed */
    assert_int_equal(gfn_window_free(&w, (uint64_t)a, 8), 0);
    /* double free */
    assert_int_equal(gfn_window_free(&w, (uint64_t)a, 8), -EINVAL);
    assert_int_equal(gfn_window_free(&w, (uint64_t)b, 8), 0);
    assert_int_equal(gfn_window_free(&w, (uint64_t)b, 8), -EINVAL);
    assert_int_equal(w.nfree, 64);
    assert_true(gfn_window_contains(&w, BASE + 63));
    assert_false(gfn_window_contains(&w, BASE + 64));
}

/* An allocation that ends at the next one's head frees exactly. */
static void test_adjacent_allocations(void **state)
{
    UNUSED_STATE;
    struct gfn_window w = make(16);
    int64_t a = gfn_window_alloc(&w, 1), b = gfn_window_alloc(&w, 1);
    assert_int_equal(b, a + 1);
    assert_int_equal(gfn_window_free(&w, (uint64_t)a, 2), -EINVAL);
    assert_int_equal(gfn_window_free(&w, (uint64_t)a, 1), 0);
    assert_int_equal(gfn_window_free(&w, (uint64_t)b, 1), 0);
}

static struct memmap map_of(const struct mem_region *r, unsigned n)
{
    struct memmap m = { .n = n };
    memcpy(m.r, r, n * sizeof(*r));
    return m;
}

#define RAM XEN_HVM_MEMMAP_TYPE_RAM
#define RES XEN_HVM_MEMMAP_TYPE_RESERVED
#define WIN (16ULL << 20)
#define LIMIT 0xf0000000ULL

static void test_place_pvh_map(void **state)
{
    UNUSED_STATE;
    /* What libxl gives a 64 MiB PVH guest: RAM, the special pages and
     * the ACPI tables near 4 GiB. */
    const struct mem_region r[] = {
        { 0, 0x4000000, RAM },
        { 0xfc000000, 0xfc00b000, XEN_HVM_MEMMAP_TYPE_ACPI },
        { 0xfeff8000, 0xff000000, RES },
    };
    struct memmap m = map_of(r, 3);
    uint64_t base = 0;
    assert_int_equal(gfn_window_place(&m, WIN, 0x4000000, LIMIT, &base), 0);
    assert_int_equal(base, LIMIT - WIN);
    /* A reserved region right below the limit pushes the window down. */
    const struct mem_region r2[] = {
        { 0, 0x4000000, RAM },
        { 0xef800000, 0xef801000, RES },
    };
    m = map_of(r2, 2);
    assert_int_equal(gfn_window_place(&m, WIN, 0, LIMIT, &base), 0);
    assert_int_equal(base, 0xee000000);
    assert_true(base + WIN <= 0xef800000);
}

static void test_place_above_ram(void **state)
{
    UNUSED_STATE;
    uint64_t base = 1;
    /* RAM up to the limit: no room, even if there is a hole below it. */
    const struct mem_region r[] = {
        { 0, 0x1000000, RAM },
        { 0x2000000, LIMIT, RAM },
    };
    struct memmap m = map_of(r, 2);
    assert_int_equal(gfn_window_place(&m, WIN, 0, LIMIT, &base), -ENOSPC);
    assert_int_equal(base, 1);
    /* RAM above 4 GiB (beyond the limit) does not count. */
    const struct mem_region r2[] = {
        { 0, 0xe0000000, RAM },
        { 0x100000000ULL, 0x140000000ULL, RAM },
    };
    m = map_of(r2, 2);
    assert_int_equal(gfn_window_place(&m, WIN, 0, LIMIT, &base), 0);
    assert_int_equal(base, LIMIT - WIN);
    /* Nothing between RAM's end and the limit fits 16 MiB. */
    const struct mem_region r3[] = { { 0, LIMIT - WIN / 2, RAM } };
    m = map_of(r3, 1);
    assert_int_equal(gfn_window_place(&m, WIN, 0, LIMIT, &base), -ENOSPC);
    /* The allocator's end (min_addr) counts as well as the map's RAM. */
    const struct mem_region r4[] = { { 0, 0x4000000, RAM } };
    m = map_of(r4, 1);
    assert_int_equal(gfn_window_place(&m, WIN, LIMIT - WIN / 2, LIMIT, &base), -ENOSPC);
    assert_int_equal(gfn_window_place(&m, WIN, LIMIT - WIN, LIMIT, &base), 0);
    assert_int_equal(base, LIMIT - WIN);
    /* never below RAM, even when a hole there is higher than any above */
    const struct mem_region r5[] = { { 0x10000000, 0x20000000, RAM } };
    m = map_of(r5, 1);
    assert_int_equal(gfn_window_place(&m, WIN, 0, 0x20000000, &base), -ENOSPC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_frames),
        cmocka_unit_test(test_contiguous),
        cmocka_unit_test(test_bad_frees),
        cmocka_unit_test(test_adjacent_allocations),
        cmocka_unit_test(test_place_pvh_map),
        cmocka_unit_test(test_place_above_ram),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
