#ifndef ARCH_X86_PV_BOOT_INFO_H
#define ARCH_X86_PV_BOOT_INFO_H
/* The PV domain builder's start_info, read once into private memory and
 * checked (pure: unit tested and fuzzed on the host). On a 64-bit PV
 * domu with VIRT_BASE 0 a bootstrap virtual address is its pseudo-
 * physical address: pfn = va >> 12. */
#include <stdint.h>
#include <stddef.h>
#include <xen/xen.h>

struct memmap;

/* domu's page allocator covers the low 4 GiB (kern/mm.c). */
#define PV_MAX_PAGES (1ULL << 20)

struct pv_boot_info {
    uint64_t nr_pages;          /* pages the domain holds (pfns 0..nr_pages-1) */
    uint64_t shared_info_maddr; /* machine address of shared_info */
    uint32_t flags;             /* SIF_* */
    uint64_t store_mfn;         /* XenStore ring, a machine frame */
    uint32_t store_evtchn;
    uint64_t console_mfn;       /* console ring, a machine frame */
    uint32_t console_evtchn;
    uint64_t pt_base;           /* VA of the builder's L4 */
    uint64_t nr_pt_frames;      /* its page-table frames, from pt_base on */
    uint64_t mfn_list;          /* VA of the p2m: nr_pages machine frames */
    uint64_t boot_end_pfn;      /* one past the last frame the builder used */
    int cmdline_cut;            /* the command line had no NUL in its field */
};

/* 0 or -EINVAL (*why says which field); image_end is the VA one past the
 * kernel image, si_va where start_info itself lies. cmdline gets the
 * command line, NUL-terminated and cut to size. */
int pv_boot_info_parse(const struct start_info *si, uint64_t si_va, uint64_t image_end,
                       struct pv_boot_info *out, char *cmdline, size_t size, const char **why);

/* The pseudo-physical map: RAM [0, nr_pages) but the frames the builder
 * and the early page tables used, [image_end, reserved_end_pfn). */
int pv_boot_memmap(const struct pv_boot_info *bi, uint64_t image_end, uint64_t reserved_end_pfn,
                   struct memmap *m);
#endif
