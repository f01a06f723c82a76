#include "arch/x86/pv/pv_boot_info.h"
#include "kern/memmap.h"
#include "kern/errno.h"
#include "lib/string.h"

#define PAGE 4096ULL
#define PV_MAGIC "xen-3.0-x86_64"

static size_t strnlen_k(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* [va, va+len) lies inside the domain's pages, after the image. */
static int bootstrap_range_ok(uint64_t va, uint64_t len, uint64_t image_end, uint64_t nr_pages)
{
    uint64_t limit = nr_pages * PAGE;
    return va >= image_end && va <= limit && len <= limit - va;
}

int pv_boot_info_parse(const struct start_info *si, uint64_t si_va, uint64_t image_end,
                       struct pv_boot_info *out, char *cmdline, size_t size, const char **why)
{
    const char *w = 0;
    memset(out, 0, sizeof(*out));
    if (size)
        cmdline[0] = 0;
    if (memcmp(si->magic, PV_MAGIC, sizeof(PV_MAGIC) - 1) != 0 ||
        strnlen_k(si->magic, sizeof(si->magic)) == sizeof(si->magic)) {
        w = "magic (not a 64-bit PV start_info)";
        goto bad;
    }
    out->nr_pages = si->nr_pages;
    if (out->nr_pages == 0 || out->nr_pages > (1ULL << 40)) {
        w = "nr_pages";
        goto bad;
    }
    if (out->nr_pages > PV_MAX_PAGES)
        out->nr_pages = PV_MAX_PAGES; /* the rest stays unmapped, unused */
    out->shared_info_maddr = si->shared_info;
    if (out->shared_info_maddr == 0 || (out->shared_info_maddr & (PAGE - 1)) ||
        (out->shared_info_maddr >> 52)) {
        w = "shared_info";
        goto bad;
    }
    out->flags = si->flags;
    out->store_mfn = si->store_mfn;
    out->store_evtchn = si->store_evtchn;
    out->console_mfn = si->console.domU.mfn;
    out->console_evtchn = si->console.domU.evtchn;
    out->pt_base = si->pt_base;
    out->nr_pt_frames = si->nr_pt_frames;
    out->mfn_list = si->mfn_list;
    if ((out->pt_base & (PAGE - 1)) || out->nr_pt_frames < 4 ||
        out->nr_pt_frames > out->nr_pages ||
        !bootstrap_range_ok(out->pt_base, out->nr_pt_frames * PAGE, image_end, out->nr_pages)) {
        w = "pt_base/nr_pt_frames";
        goto bad;
    }
    if ((out->mfn_list & 7) ||
        !bootstrap_range_ok(out->mfn_list, si->nr_pages * 8, image_end, out->nr_pages)) {
        w = "mfn_list";
        goto bad;
    }
    if (!bootstrap_range_ok(si_va, sizeof(*si), image_end, out->nr_pages)) {
        w = "start_info's own address";
        goto bad;
    }
    uint64_t end = max_u64(out->pt_base + out->nr_pt_frames * PAGE,
                           out->mfn_list + si->nr_pages * 8);
    end = max_u64(end, si_va + sizeof(*si));
    if (si->mod_len) {
        /* an initrd: domu does not use one, but its frames are taken */
        if ((si->flags & SIF_MOD_START_PFN) ||
            !bootstrap_range_ok(si->mod_start, si->mod_len, image_end, out->nr_pages)) {
            w = "mod_start/mod_len";
            goto bad;
        }
        end = max_u64(end, si->mod_start + si->mod_len);
    }
    out->boot_end_pfn = (end + PAGE - 1) / PAGE;
    const char *c = (const char *)si->cmd_line;
    size_t n = strnlen_k(c, sizeof(si->cmd_line));
    out->cmdline_cut = n == sizeof(si->cmd_line);
    if (size) {
        if (n >= size) {
            n = size - 1;
            out->cmdline_cut = 1;
        }
        memcpy(cmdline, c, n);
        cmdline[n] = 0;
    }
    return 0;
bad:
    if (why)
        *why = w;
    return -EINVAL;
}

int pv_boot_memmap(const struct pv_boot_info *bi, uint64_t image_end, uint64_t reserved_end_pfn,
                   struct memmap *m)
{
    uint64_t img = (image_end + PAGE - 1) & ~(PAGE - 1);
    uint64_t res_end = reserved_end_pfn * PAGE, ram_end = bi->nr_pages * PAGE;
    if (img > res_end || res_end > ram_end)
        return -EINVAL;
    struct hvm_memmap_table_entry e[3];
    unsigned n = 0;
    e[n++] = (struct hvm_memmap_table_entry){ .addr = 0, .size = img,
                                              .type = XEN_HVM_MEMMAP_TYPE_RAM };
    if (res_end > img)
        e[n++] = (struct hvm_memmap_table_entry){ .addr = img, .size = res_end - img,
                                                  .type = XEN_HVM_MEMMAP_TYPE_RESERVED };
    if (ram_end > res_end)
        e[n++] = (struct hvm_memmap_table_entry){ .addr = res_end, .size = ram_end - res_end,
                                                  .type = XEN_HVM_MEMMAP_TYPE_RAM };
    unsigned bad;
    return memmap_from_pvh(m, e, n, &bad);
}
