/* pv_boot_info_parse and pv_boot_memmap: a builder's start_info as Xen
 * 4.17 lays it out, and each field it must refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "arch/x86/pv/pv_boot_info.h"
#include "kern/memmap.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state
#define PG 4096ULL
#define IMAGE_END 0x173000ULL /* a VA one past the image */

/* 64 MiB; after the image: p2m, start_info, xenstore, console, tables. */
static struct start_info good(void)
{
    struct start_info si;
    memset(&si, 0, sizeof(si));
    strcpy(si.magic, "xen-3.0-x86_64");
    si.nr_pages = 16384;
    si.shared_info = 0x7f5ff000;
    si.store_mfn = 0x12345;
    si.store_evtchn = 1;
    si.console.domU.mfn = 0x12346;
    si.console.domU.evtchn = 2;
    si.mfn_list = IMAGE_END;                  /* 128 KiB of p2m */
    si.pt_base = IMAGE_END + 0x23000;
    si.nr_pt_frames = 6;
    strcpy((char *)si.cmd_line, "loglevel=debug httpd=off");
    return si;
}

#define SI_VA (IMAGE_END + 0x20000)

static int parse(const struct start_info *si, struct pv_boot_info *bi, char *cmd, size_t n,
                 const char **why)
{
    return pv_boot_info_parse(si, SI_VA, IMAGE_END, bi, cmd, n, why);
}

static void test_good(void **state)
{
    UNUSED_STATE;
    struct start_info si = good();
    struct pv_boot_info bi;
    char cmd[64];
    const char *why = 0;
    assert_int_equal(parse(&si, &bi, cmd, sizeof(cmd), &why), 0);
    assert_int_equal(bi.nr_pages, 16384);
    assert_int_equal(bi.shared_info_maddr, 0x7f5ff000);
    assert_int_equal(bi.store_mfn, 0x12345);
    assert_int_equal(bi.store_evtchn, 1);
    assert_int_equal(bi.console_mfn, 0x12346);
    assert_int_equal(bi.console_evtchn, 2);
    assert_int_equal(bi.mfn_list, IMAGE_END);
    /* the page tables end last */
    assert_int_equal(bi.boot_end_pfn, (IMAGE_END + 0x23000) / PG + 6);
    assert_string_equal(cmd, "loglevel=debug httpd=off");
    assert_int_equal(bi.cmdline_cut, 0);
}

static void test_boot_end_covers_module(void **state)
{
    UNUSED_STATE;
    struct start_info si = good();
    si.mod_start = IMAGE_END + 0x100000;
    si.mod_len = 0x1801; /* ends inside a page: the whole page counts */
    struct pv_boot_info bi;
    char cmd[8];
    assert_int_equal(parse(&si, &bi, cmd, sizeof(cmd), 0), 0);
    assert_int_equal(bi.boot_end_pfn, (IMAGE_END + 0x100000) / PG + 2);
    /* a PFN-style module is not something domu knows how to place */
    si.flags |= SIF_MOD_START_PFN;
    assert_int_equal(parse(&si, &bi, cmd, sizeof(cmd), 0), -EINVAL);
}

static void test_cmdline_cut(void **state)
{
    UNUSED_STATE;
    struct start_info si = good();
    struct pv_boot_info bi;
    char cmd[8];
    assert_int_equal(parse(&si, &bi, cmd, sizeof(cmd), 0), 0);
    assert_string_equal(cmd, "logleve");
    assert_int_equal(bi.cmdline_cut, 1);
    /* no NUL in Xen's field: cut at the field, never read beyond it */
    memset(si.cmd_line, 'a', sizeof(si.cmd_line));
    char big[2048];
    assert_int_equal(parse(&si, &bi, big, sizeof(big), 0), 0);
    assert_int_equal(strlen(big), MAX_GUEST_CMDLINE);
    assert_int_equal(bi.cmdline_cut, 1);
}

static void expect_bad(struct start_info *si, const char *field)
{
    struct pv_boot_info bi;
    char cmd[8];
    const char *why = 0;
    assert_int_equal(parse(si, &bi, cmd, sizeof(cmd), &why), -EINVAL);
    assert_non_null(why);
    assert_non_null(strstr(why, field));
}

static void test_refused(void **state)
{
    UNUSED_STATE;
    struct start_info si = good();
    strcpy(si.magic, "xen-3.0-x86_32p");
    expect_bad(&si, "magic");
    si = good();
    memset(si.magic, 'x', sizeof(si.magic)); /* no NUL */
    memcpy(si.magic, "xen-3.0-x86_64", 14);
    expect_bad(&si, "magic");
    si = good();
    si.nr_pages = 0;
    expect_bad(&si, "nr_pages");
    si = good();
    si.shared_info = 0x7f5ff001;
    expect_bad(&si, "shared_info");
    si = good();
    si.shared_info = 0;
    expect_bad(&si, "shared_info");
    si = good();
    si.pt_base += 8;
    expect_bad(&si, "pt_base");
    si = good();
    si.pt_base = 0x1000; /* inside the image */
    expect_bad(&si, "pt_base");
    si = good();
    si.nr_pt_frames = 1;
    expect_bad(&si, "pt_base");
    si = good();
    si.nr_pt_frames = ~0UL / 2; /* multiplies past the end */
    expect_bad(&si, "pt_base");
    si = good();
    si.mfn_list = 16384 * PG - 8; /* runs off the domain's pages */
    expect_bad(&si, "mfn_list");
    si = good();
    si.mfn_list = ~0UL - 7;
    expect_bad(&si, "mfn_list");
}

static void test_huge_domain_capped(void **state)
{
    UNUSED_STATE;
    struct start_info si = good();
    si.nr_pages = 4 * PV_MAX_PAGES;
    struct pv_boot_info bi;
    char cmd[8];
    assert_int_equal(parse(&si, &bi, cmd, sizeof(cmd), 0), 0);
    assert_int_equal(bi.nr_pages, PV_MAX_PAGES);
}

static void test_memmap(void **state)
{
    UNUSED_STATE;
    struct start_info si = good();
    struct pv_boot_info bi;
    char cmd[8];
    assert_int_equal(parse(&si, &bi, cmd, sizeof(cmd), 0), 0);
    struct memmap m;
    uint64_t res_end = bi.boot_end_pfn + 32; /* 32 page tables added */
    assert_int_equal(pv_boot_memmap(&bi, IMAGE_END - 0x10, res_end, &m), 0);
    assert_int_equal(m.n, 3);
    assert_int_equal(m.r[0].start, 0);
    assert_int_equal(m.r[0].end, IMAGE_END);
    assert_int_equal(m.r[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
    assert_int_equal(m.r[1].start, IMAGE_END);
    assert_int_equal(m.r[1].end, res_end * PG);
    assert_int_equal(m.r[1].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
    assert_int_equal(m.r[2].start, res_end * PG);
    assert_int_equal(m.r[2].end, 16384 * PG);
    assert_int_equal(memmap_ram_bytes(&m), (16384 - (res_end - IMAGE_END / PG)) * PG);
    /* reserved past the domain's end, or before the image: refused */
    assert_int_equal(pv_boot_memmap(&bi, IMAGE_END, 16385, &m), -EINVAL);
    assert_int_equal(pv_boot_memmap(&bi, IMAGE_END, IMAGE_END / PG - 1, &m), -EINVAL);
    /* nothing reserved and nothing above: one RAM region */
    assert_int_equal(pv_boot_memmap(&bi, 16384 * PG, 16384, &m), 0);
    assert_int_equal(m.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_boot_end_covers_module),
        cmocka_unit_test(test_cmdline_cut),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_huge_domain_capped),
        cmocka_unit_test(test_memmap),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
