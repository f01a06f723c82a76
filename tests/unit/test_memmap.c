/* memmap_from_pvh, memmap_ram_bytes/ram_end, memmap_find_hole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "kern/memmap.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state
#define RAM  XEN_HVM_MEMMAP_TYPE_RAM
#define RES  XEN_HVM_MEMMAP_TYPE_RESERVED
#define ACPI XEN_HVM_MEMMAP_TYPE_ACPI
#define NVS  XEN_HVM_MEMMAP_TYPE_NVS
#define E(a, s, t) { .addr = (a), .size = (s), .type = (t) }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void assert_region(const struct memmap *m, unsigned i, uint64_t start, uint64_t end,
                          uint32_t type)
{
    assert_true(i < m->n);
    assert_int_equal(m->r[i].start, start);
    assert_int_equal(m->r[i].end, end);
    assert_int_equal(m->r[i].type, type);
}

static void test_sort_and_merge(void **state)
{
    UNUSED_STATE;
    const struct hvm_memmap_table_entry e[] = {
        E(0x200000, 0x200000, RAM),     /* touches the 1M..2M RAM: merged */
        E(0xfee00000, 0x1000, RES),
        E(0, 0x9f000, RAM),
        E(0x100000, 0x100000, RAM),
        E(0xf0000, 0x10000, RES),       /* touches RAM at 1M, other type: kept */
        E(0xfc000000, 0x1000, RES),
        E(0xfc001000, 0x1000, RES),     /* touching reserved: merged */
        E(0xfc003000, 0x1000, RES),     /* gap: not merged */
        E(0x100000000, 0x40000000, RAM),
    };
    struct memmap m;
    unsigned bad = 777;
    memset(&m, 0xa5, sizeof(m));
    assert_int_equal(memmap_from_pvh(&m, e, N(e), &bad), 0);
    assert_int_equal(bad, 777); /* untouched on success */
    assert_int_equal(m.n, 7);
    assert_region(&m, 0, 0, 0x9f000, RAM);
    assert_region(&m, 1, 0xf0000, 0x100000, RES);
    assert_region(&m, 2, 0x100000, 0x400000, RAM);
    assert_region(&m, 3, 0xfc000000, 0xfc002000, RES);
    assert_region(&m, 4, 0xfc003000, 0xfc004000, RES);
    assert_region(&m, 5, 0xfee00000, 0xfee01000, RES);
    assert_region(&m, 6, 0x100000000, 0x140000000, RAM);
    for (unsigned i = 1; i < m.n; i++)
        assert_true(m.r[i - 1].end <= m.r[i].start);

    assert_int_equal(memmap_ram_bytes(&m), 0x9f000 + 0x300000 + 0x40000000ULL);
    assert_int_equal(memmap_ram_end(&m), 0x140000000ULL);
}

static void test_empty_and_single(void **state)
{
    UNUSED_STATE;
    struct memmap m;
    unsigned bad = 0;
    assert_int_equal(memmap_from_pvh(&m, NULL, 0, &bad), 0);
    assert_int_equal(m.n, 0);
    assert_int_equal(memmap_ram_bytes(&m), 0);
    assert_int_equal(memmap_ram_end(&m), 0);

    const struct hvm_memmap_table_entry one[] = { E(0x1000, 0x1000, RES) };
    assert_int_equal(memmap_from_pvh(&m, one, 1, &bad), 0);
    assert_int_equal(m.n, 1);
    assert_region(&m, 0, 0x1000, 0x2000, RES);
    assert_int_equal(memmap_ram_bytes(&m), 0);
    assert_int_equal(memmap_ram_end(&m), 0);
}

static void test_ram_end_ignores_other_types(void **state)
{
    UNUSED_STATE;
    const struct hvm_memmap_table_entry e[] = {
        E(0, 0x80000, RAM),
        E(0x80000, 0x10000, ACPI),
        E(0x90000, 0x1000, NVS),
        E(0x100000, 0x700000, RAM),
        E(0xfc000000, 0x4000000, RES),
    };
    struct memmap m;
    unsigned bad;
    assert_int_equal(memmap_from_pvh(&m, e, N(e), &bad), 0);
    assert_int_equal(m.n, 5);
    assert_int_equal(memmap_ram_bytes(&m), 0x780000);
    assert_int_equal(memmap_ram_end(&m), 0x800000);
}

static void test_zero_size(void **state)
{
    UNUSED_STATE;
    const struct hvm_memmap_table_entry e[] = {
        E(0, 0x1000, RAM), E(0x2000, 0x1000, RAM), E(0x5000, 0, RAM), E(0x9000, 0x1000, RAM),
    };
    struct memmap m;
    unsigned bad = 99;
    assert_int_equal(memmap_from_pvh(&m, e, N(e), &bad), -EINVAL);
    assert_int_equal(bad, 2);

    const struct hvm_memmap_table_entry z[] = { E(0, 0, RES) };
    assert_int_equal(memmap_from_pvh(&m, z, 1, &bad), -EINVAL);
    assert_int_equal(bad, 0);
}

static void test_wrap(void **state)
{
    UNUSED_STATE;
    struct memmap m;
    unsigned bad = 99;
    const struct hvm_memmap_table_entry e[] = {
        E(0, 0x1000, RAM), E(0xfffffffffffff000ULL, 0x2000, RES),
    };
    assert_int_equal(memmap_from_pvh(&m, e, N(e), &bad), -EINVAL);
    assert_int_equal(bad, 1);

    /* ending exactly at 2^64 cannot be represented: also a wrap */
    const struct hvm_memmap_table_entry top[] = { E(0xfffffffffffff000ULL, 0x1000, RES) };
    assert_int_equal(memmap_from_pvh(&m, top, 1, &bad), -EINVAL);
    assert_int_equal(bad, 0);

    const struct hvm_memmap_table_entry huge[] = {
        E(0x1000, 0x1000, RAM), E(0x3000, 0x1000, RAM), E(1, UINT64_MAX, RAM),
    };
    assert_int_equal(memmap_from_pvh(&m, huge, N(huge), &bad), -EINVAL);
    assert_int_equal(bad, 2);

    /* the largest representable region is fine */
    const struct hvm_memmap_table_entry max[] = { E(0, UINT64_MAX, RES) };
    assert_int_equal(memmap_from_pvh(&m, max, 1, &bad), 0);
    assert_region(&m, 0, 0, UINT64_MAX, RES);
}

static void test_too_many(void **state)
{
    UNUSED_STATE;
    struct hvm_memmap_table_entry e[MEMMAP_MAX + 3];
    memset(e, 0, sizeof(e));
    /* descending and non-touching, so nothing merges */
    for (unsigned i = 0; i < N(e); i++)
        e[i] = (struct hvm_memmap_table_entry)E((uint64_t)(N(e) - i) * 0x10000, 0x1000, RAM);
    struct memmap m;
    unsigned bad = 0;
    assert_int_equal(memmap_from_pvh(&m, e, MEMMAP_MAX, &bad), 0);
    assert_int_equal(m.n, MEMMAP_MAX);
    for (unsigned i = 1; i < m.n; i++)
        assert_true(m.r[i - 1].start < m.r[i].start);
    assert_int_equal(memmap_ram_bytes(&m), MEMMAP_MAX * 0x1000ULL);

    assert_int_equal(memmap_from_pvh(&m, e, MEMMAP_MAX + 1, &bad), -E2BIG);
    assert_int_equal(bad, MEMMAP_MAX);
    assert_int_equal(memmap_from_pvh(&m, e, N(e), &bad), -E2BIG);
    assert_int_equal(bad, MEMMAP_MAX);
}

static void test_overlap(void **state)
{
    UNUSED_STATE;
    struct memmap m;
    unsigned bad = 99;

    /* in input order: the second one overlaps the first */
    const struct hvm_memmap_table_entry a[] = {
        E(0, 0x2000, RAM), E(0x1000, 0x2000, RAM),
    };
    assert_int_equal(memmap_from_pvh(&m, a, N(a), &bad), -EINVAL);
    assert_int_equal(bad, 1);

    /* overlap with a region of another type, among good entries */
    const struct hvm_memmap_table_entry b[] = {
        E(0x100000, 0x100000, RAM), E(0, 0x9f000, RAM), E(0xfc000000, 0x1000, RES),
        E(0x1ff000, 0x2000, RES), E(0x300000, 0x1000, RES),
    };
    bad = 99;
    assert_int_equal(memmap_from_pvh(&m, b, N(b), &bad), -EINVAL);
    assert_int_equal(bad, 3);

    /* identical duplicates */
    const struct hvm_memmap_table_entry c[] = {
        E(0x5000, 0x1000, RES), E(0x1000, 0x1000, RAM), E(0x5000, 0x1000, RES),
    };
    bad = 99;
    assert_int_equal(memmap_from_pvh(&m, c, N(c), &bad), -EINVAL);
    assert_int_equal(bad, 2);

    /* one region containing another with the same start */
    const struct hvm_memmap_table_entry d[] = {
        E(0x10000, 0x10000, RAM), E(0x10000, 0x1000, RES),
    };
    bad = 99;
    assert_int_equal(memmap_from_pvh(&m, d, N(d), &bad), -EINVAL);
    assert_int_equal(bad, 1);

    /* a big region swallowing one that is not its sorted neighbour */
    const struct hvm_memmap_table_entry f[] = {
        E(0, 0x100000, RAM), E(0x200000, 0x1000, RES), E(0x80000, 0x1000, RES),
    };
    bad = 99;
    assert_int_equal(memmap_from_pvh(&m, f, N(f), &bad), -EINVAL);
    assert_int_equal(bad, 2);

    /* reversed input: the index is one of the overlapping pair, and the
     * later one in the input */
    const struct hvm_memmap_table_entry r[] = {
        E(0x1000, 0x2000, RAM), E(0x9000, 0x1000, RES), E(0, 0x2000, RAM),
    };
    bad = 99;
    assert_int_equal(memmap_from_pvh(&m, r, N(r), &bad), -EINVAL);
    assert_int_equal(bad, 2);

    /* touching is not overlapping */
    const struct hvm_memmap_table_entry t[] = {
        E(0x2000, 0x1000, RES), E(0x1000, 0x1000, RAM), E(0x3000, 0x1000, RAM),
    };
    assert_int_equal(memmap_from_pvh(&m, t, N(t), &bad), 0);
    assert_int_equal(m.n, 3);
}

static void test_type_names(void **state)
{
    UNUSED_STATE;
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_RAM), "ram");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_RESERVED), "reserved");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_ACPI), "acpi");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_NVS), "nvs");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_UNUSABLE), "unusable");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_DISABLED), "disabled");
    assert_string_equal(memmap_type_name(XEN_HVM_MEMMAP_TYPE_PMEM), "pmem");
    assert_string_equal(memmap_type_name(0), "unknown");
    assert_string_equal(memmap_type_name(12345), "unknown");
}

static struct memmap map_of(const struct hvm_memmap_table_entry *e, unsigned n)
{
    struct memmap m;
    unsigned bad;
    assert_int_equal(memmap_from_pvh(&m, e, n, &bad), 0);
    return m;
}

static void test_hole_simple(void **state)
{
    UNUSED_STATE;
    struct memmap empty = { .n = 0 };
    uint64_t x = 0;
    assert_int_equal(memmap_find_hole(&empty, 0x1000, 0, 0x100000, &x), 0);
    assert_int_equal(x, 0xff000);
    /* below not aligned: the slot is aligned down */
    assert_int_equal(memmap_find_hole(&empty, 0x1000, 0, 0x100800, &x), 0);
    assert_int_equal(x, 0xff000);
    /* size-aligned, not only page-aligned */
    assert_int_equal(memmap_find_hole(&empty, 0x10000, 0, 0x12345678, &x), 0);
    assert_int_equal(x, 0x12330000);
    /* the whole window */
    assert_int_equal(memmap_find_hole(&empty, 0x1000, 0, 0x1000, &x), 0);
    assert_int_equal(x, 0);

    /* bad arguments */
    assert_int_equal(memmap_find_hole(&empty, 0, 0, 0x100000, &x), -EINVAL);
    assert_int_equal(memmap_find_hole(&empty, 0x3000, 0, 0x100000, &x), -EINVAL);
    assert_int_equal(memmap_find_hole(&empty, 0x2000, 0, 0x1000, &x), -EINVAL);

    /* window too small for an aligned slot */
    x = 42;
    assert_int_equal(memmap_find_hole(&empty, 0x1000, 0x1800, 0x2800, &x), -ENOSPC);
    assert_int_equal(x, 42);
    assert_int_equal(memmap_find_hole(&empty, 0x1000, 0x100000, 0x100000, &x), -ENOSPC);
}

static void test_hole_blocked_by_several(void **state)
{
    UNUSED_STATE;
    /* 64K slots below 4G; the top four are each blocked by something */
    const struct hvm_memmap_table_entry e[] = {
        E(0, 0x80000000, RAM),
        E(0xffff0000, 0x10000, RES),       /* slot 0xffff0000 */
        E(0xfffe8000, 0x1000, RES),        /* slot 0xfffe0000, in its middle */
        E(0xfffdffff, 0x2, ACPI),          /* last byte of slot 0xfffd0000 */
        E(0xfffc0000, 0x1, NVS),           /* first byte of slot 0xfffc0000 */
    };
    struct memmap m = map_of(e, N(e));
    uint64_t x = 0;
    assert_int_equal(memmap_find_hole(&m, 0x10000, 0x80000000, 0x100000000ULL, &x), 0);
    assert_int_equal(x, 0xfffb0000);

    /* one region straddling two slots, plus a region ending exactly at the
     * slot and one starting exactly after it (touching is fine) */
    const struct hvm_memmap_table_entry f[] = {
        E(0xfffefff0, 0x20, RES),          /* straddles 0xfffe0000/0xffff0000 */
        E(0xfffdf000, 0x1000, RES),        /* ends at 0xfffe0000: blocks 0xfffd0000 */
        E(0xfffc0000, 0x1000, RES),
        E(0xfffa0000, 0x10000, RAM),       /* ends exactly where 0xfffb0000 starts */
    };
    m = map_of(f, N(f));
    assert_int_equal(memmap_find_hole(&m, 0x10000, 0, 0x100000000ULL, &x), 0);
    assert_int_equal(x, 0xfffb0000);
}

static void test_hole_nospc(void **state)
{
    UNUSED_STATE;
    uint64_t x = 7;
    /* everything above 'above' is taken by several regions */
    const struct hvm_memmap_table_entry e[] = {
        E(0x0, 0x100000, RAM), E(0x100000, 0x1000, RES), E(0x101000, 0xff000, ACPI),
        E(0x200000, 0x200000, RAM),
    };
    struct memmap m = map_of(e, N(e));
    assert_int_equal(memmap_find_hole(&m, 0x1000, 0x100000, 0x400000, &x), -ENOSPC);
    assert_int_equal(x, 7);
    /* down to address 0 */
    assert_int_equal(memmap_find_hole(&m, 0x1000, 0, 0x400000, &x), -ENOSPC);
    /* only a hole that is too low */
    assert_int_equal(memmap_find_hole(&m, 0x1000, 0x1000, 0x500000, &x), 0);
    assert_int_equal(x, 0x4ff000);
    assert_int_equal(memmap_find_hole(&m, 0x1000, 0x400001, 0x500000, &x), 0);
    assert_int_equal(x, 0x4ff000);
    assert_int_equal(memmap_find_hole(&m, 0x100000, 0x400001, 0x500000, &x), -ENOSPC);
    /* a free slot exists only below 'above' */
    const struct hvm_memmap_table_entry g[] = { E(0x10000, 0xf0000, RES) };
    m = map_of(g, N(g));
    assert_int_equal(memmap_find_hole(&m, 0x10000, 0, 0x100000, &x), 0);
    assert_int_equal(x, 0);
    assert_int_equal(memmap_find_hole(&m, 0x10000, 0x1, 0x100000, &x), -ENOSPC);
    /* region at the top of the address space */
    const struct hvm_memmap_table_entry h[] = { E(0, UINT64_MAX, RES) };
    m = map_of(h, N(h));
    assert_int_equal(memmap_find_hole(&m, 0x1000, 0, UINT64_MAX, &x), -ENOSPC);
}

/* Random maps in a small address space against a brute-force search. */
static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_hole_random(void **state)
{
    UNUSED_STATE;
    unsigned found = 0, nospc = 0, merged = 0;
    for (int iter = 0; iter < 3000; iter++) {
        struct hvm_memmap_table_entry e[MEMMAP_MAX];
        unsigned n = 0;
        uint64_t at = rnd() % 0x4000;
        while (n < MEMMAP_MAX && at < 0x400000) {
            uint64_t sz = 1 + rnd() % (rnd() % 2 ? 0x800 : 0x40000);
            e[n] = (struct hvm_memmap_table_entry)E(at, sz, (uint32_t)(1 + rnd() % 3));
            n++;
            at += sz + (rnd() % 3 == 0 ? 0 : rnd() % 0x80000);
        }
        /* shuffle */
        for (unsigned i = n; i > 1; i--) {
            unsigned j = (unsigned)(rnd() % i);
            struct hvm_memmap_table_entry t = e[i - 1];
            e[i - 1] = e[j];
            e[j] = t;
        }
        struct memmap m;
        unsigned bad;
        assert_int_equal(memmap_from_pvh(&m, e, n, &bad), 0);
        merged += m.n < n;
        uint64_t ram = 0;
        for (unsigned i = 0; i < n; i++)
            if (e[i].type == RAM)
                ram += e[i].size;
        assert_int_equal(memmap_ram_bytes(&m), ram);
        for (unsigned i = 1; i < m.n; i++) {
            assert_true(m.r[i - 1].end <= m.r[i].start);
            assert_false(m.r[i - 1].end == m.r[i].start && m.r[i - 1].type == m.r[i].type);
        }

        uint64_t size = 0x1000ULL << (rnd() % 6);
        uint64_t below = rnd() % 0x500000;
        uint64_t above = rnd() % 2 ? 0 : rnd() % 0x400000;
        uint64_t x = 0;
        int r = memmap_find_hole(&m, size, above, below, &x);
        if (below < size) {
            assert_int_equal(r, -EINVAL);
            continue;
        }
        int64_t want = -1;
        for (int64_t s = (int64_t)((below - size) & ~(size - 1)); s >= (int64_t)above;
             s -= (int64_t)size) {
            bool clash = false;
            for (unsigned i = 0; i < n; i++)
                if (e[i].addr < (uint64_t)s + size && e[i].addr + e[i].size > (uint64_t)s)
                    clash = true;
            if (!clash) {
                want = s;
                break;
            }
        }
        if (want < 0) {
            assert_int_equal(r, -ENOSPC);
            nospc++;
        } else {
            assert_int_equal(r, 0);
            assert_int_equal(x, (uint64_t)want);
            found += x + size < ((below - size) & ~(size - 1)) + size; /* not the top slot */
        }
    }
    /* the generator must exercise every path */
    print_message("holes below the top slot %u, -ENOSPC %u, merged maps %u\n", found, nospc,
                  merged);
    assert_true(found > 100 && nospc > 100 && merged > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_and_merge),
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_ram_end_ignores_other_types),
        cmocka_unit_test(test_zero_size),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_hole_simple),
        cmocka_unit_test(test_hole_blocked_by_several),
        cmocka_unit_test(test_hole_nospc),
        cmocka_unit_test(test_hole_random),
    };
    return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
