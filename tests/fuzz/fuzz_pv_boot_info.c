/* libFuzzer: arbitrary start_info through pv_boot_info_parse and
 * pv_boot_memmap, the results checked for their invariants; the same
 * bytes as a p2m through pv_l1_fill. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "arch/x86/pv/pv_boot_info.h"
#include "arch/x86/pv/pv_pt.h"
#include "kern/memmap.h"
#include "kern/errno.h"

#include "tests/fuzz/fuzz_check.h"

#define PG 4096ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 16)
        return 0;
    uint64_t image_end, si_va;
    memcpy(&image_end, data, 8);
    memcpy(&si_va, data + 8, 8);
    image_end &= 0xffffffffULL;
    data += 16;
    size -= 16;
    struct start_info si;
    memset(&si, 0, sizeof(si));
    memcpy(&si, data, size < sizeof(si) ? size : sizeof(si));
    /* half the runs start from a plausible layout so the deep checks run */
    if (si.flags & 0x80000000u) {
        memcpy(si.magic, "xen-3.0-x86_64", 15);
        si.nr_pages %= 1u << 21;
        image_end = 0x173000;
        si.mfn_list = image_end + (si.mfn_list % 64) * 8;
        si.pt_base = (image_end + 0x200000 + (si.pt_base % 512) * PG);
        si.nr_pt_frames = 4 + si.nr_pt_frames % 8;
        si_va = image_end + 0x100000;
        si.shared_info |= 1ULL << 20;
        si.shared_info &= ~(PG - 1) & ((1ULL << 52) - 1);
        si.mod_len = 0;
        si.flags &= ~SIF_MOD_START_PFN;
    }
    struct pv_boot_info bi;
    char cmd[300];
    const char *why = 0;
    int r = pv_boot_info_parse(&si, si_va, image_end, &bi, cmd, sizeof(cmd), &why);
    if (r) {
        CHECK(r == -EINVAL && why);
        return 0;
    }
    CHECK(strlen(cmd) < sizeof(cmd));
    CHECK(bi.nr_pages >= 1 && bi.nr_pages <= PV_MAX_PAGES);
    CHECK(bi.shared_info_maddr && !(bi.shared_info_maddr & (PG - 1)));
    /* everything the builder placed lies after the image, inside the domain */
    CHECK(bi.pt_base >= image_end && bi.mfn_list >= image_end);
    CHECK(bi.boot_end_pfn <= bi.nr_pages);
    CHECK(bi.boot_end_pfn * PG >= bi.pt_base + bi.nr_pt_frames * PG);
    CHECK(bi.boot_end_pfn * PG >= bi.mfn_list + si.nr_pages * 8);
    struct memmap m;
    uint64_t res_end = bi.boot_end_pfn + (si.store_evtchn % 64);
    r = pv_boot_memmap(&bi, image_end, res_end, &m);
    if (r == 0) {
        CHECK(memmap_ram_end(&m) <= bi.nr_pages * PG);
        for (unsigned i = 0; i < m.n; i++)
            if (m.r[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
                CHECK(m.r[i].end <= ((image_end + PG - 1) & ~(PG - 1)) ||
                      m.r[i].start >= res_end * PG);
    } else {
        CHECK(r == -EINVAL);
    }
    /* the input as a p2m: every present entry is a data mapping of the
     * right frame, every other one is 0 */
    uint64_t p2m[600];
    size_t n = size / 8 < 600 ? size / 8 : 600;
    memcpy(p2m, data, n * 8);
    static uint64_t l1[PV_PT_ENTRIES];
    uint64_t first = (si.store_mfn % 2) * PV_PT_ENTRIES;
    unsigned present = pv_l1_fill(l1, p2m, n, first);
    unsigned seen = 0;
    for (unsigned i = 0; i < PV_PT_ENTRIES; i++) {
        uint64_t mfn;
        if (!l1[i])
            continue;
        seen++;
        CHECK(first + i != 0 && first + i < n);
        CHECK(pv_pte_mfn(l1[i], &mfn) && mfn == p2m[first + i]);
        CHECK((l1[i] & ~PV_PTE_ADDR) == PV_PTE_DATA);
    }
    CHECK(seen == present);
    return 0;
}
