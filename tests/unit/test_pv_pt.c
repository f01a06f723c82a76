/* pv_pte, pv_pte_mfn, pv_p2m_get, pv_m2p_consistent, pv_l1_fill. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "arch/x86/pv/pv_pt.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static void test_index(void **state)
{
    UNUSED_STATE;
    uint64_t va = (3ULL << 39) | (5ULL << 30) | (7ULL << 21) | (9ULL << 12) | 0x123;
    assert_int_equal(pv_pt_index(va, 4), 3);
    assert_int_equal(pv_pt_index(va, 3), 5);
    assert_int_equal(pv_pt_index(va, 2), 7);
    assert_int_equal(pv_pt_index(va, 1), 9);
}

static void test_pte(void **state)
{
    UNUSED_STATE;
    assert_int_equal(pv_pte(0x1234, PV_PTE_DATA), 0x1234000ULL | 0x63);
    /* flags cannot smuggle address bits; NX survives */
    assert_int_equal(pv_pte(0x1, PV_PTE_P | 0xfff000ULL | PV_PTE_NX), 0x1001ULL | PV_PTE_NX);
    /* a frame beyond 52-bit addresses is not an entry at all */
    assert_int_equal(pv_pte(PV_MFN_MAX + 1, PV_PTE_DATA), 0);
    assert_int_equal(pv_pte(PV_MFN_MAX, PV_PTE_P) >> 12, PV_MFN_MAX);
    uint64_t mfn = 0;
    assert_true(pv_pte_mfn(pv_pte(0xabcde, PV_PTE_PTPAGE) | PV_PTE_NX, &mfn));
    assert_int_equal(mfn, 0xabcde);
    assert_false(pv_pte_mfn(0xabcde000ULL, &mfn)); /* not present */
    /* the read-only page-table mapping really is read-only */
    assert_int_equal(PV_PTE_PTPAGE & PV_PTE_RW, 0);
}

static void test_p2m(void **state)
{
    UNUSED_STATE;
    uint64_t p2m[4] = { 100, ~0ULL, PV_MFN_MAX + 1, 103 };
    uint64_t mfn = 7;
    assert_int_equal(pv_p2m_get(p2m, 4, 0, &mfn), 0);
    assert_int_equal(mfn, 100);
    assert_int_equal(pv_p2m_get(p2m, 4, 1, &mfn), -ENOENT);
    assert_int_equal(pv_p2m_get(p2m, 4, 2, &mfn), -ENOENT);
    assert_int_equal(pv_p2m_get(p2m, 4, 4, &mfn), -ERANGE);
    assert_int_equal(pv_p2m_get(p2m, 4, ~0ULL, &mfn), -ERANGE);
    assert_int_equal(mfn, 100);
    assert_true(pv_m2p_consistent(p2m, 4, 103, 3));
    assert_false(pv_m2p_consistent(p2m, 4, 103, 0)); /* m2p lied */
    assert_false(pv_m2p_consistent(p2m, 4, 103, 99)); /* beyond our pages */
    assert_false(pv_m2p_consistent(p2m, 4, ~0ULL, 1));
}

static void test_l1_fill(void **state)
{
    UNUSED_STATE;
    static uint64_t p2m[1100];
    for (unsigned i = 0; i < 1100; i++)
        p2m[i] = 0x5000 + i;
    p2m[513] = ~0ULL; /* a hole in the p2m stays a hole */
    static uint64_t l1[512];
    memset(l1, 0xff, sizeof(l1));
    /* pfn 0 never mapped: NULL must fault */
    assert_int_equal(pv_l1_fill(l1, p2m, 1100, 0), 511);
    assert_int_equal(l1[0], 0);
    assert_int_equal(l1[1], pv_pte(0x5001, PV_PTE_DATA));
    assert_int_equal(l1[511], pv_pte(0x5000 + 511, PV_PTE_DATA));
    assert_int_equal(pv_l1_fill(l1, p2m, 1100, 512), 511);
    assert_int_equal(l1[1], 0);
    /* the last, partial chunk: entries past the domain are 0 (no address
     * bits in a not-present entry: L1TF-safe) */
    assert_int_equal(pv_l1_fill(l1, p2m, 1100, 1024), 1100 - 1024);
    assert_int_equal(l1[1100 - 1024 - 1], pv_pte(0x5000 + 1099, PV_PTE_DATA));
    for (unsigned i = 1100 - 1024; i < 512; i++)
        assert_int_equal(l1[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_pte),
        cmocka_unit_test(test_p2m),
        cmocka_unit_test(test_l1_fill),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
