/* PVH: Xen starts domu in the 32-bit PVH entry (arch/x86/boot.S) with an
 * hvm_start_info; everything Xen shares is mapped at guest-physical
 * frames of our choosing, events arrive on an IDT vector. */
#include "kern/kernel.h"
#include "kern/memmap.h"
#include "kern/mm.h"
#include "kern/panic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "xen/platform.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"
#include "xen/evtchn.h"
#include <xen/features.h>

#define XEN_DEBUG_PORT 0xe9

const struct platform_ops *platform = &platform_pvh;

/* Copies what Xen left in start_info (cmdline, memory map) into the image
 * before the page allocator may hand those pages out. */
static void pvh_start(uintptr_t paddr, struct memmap *map, char *cmdline, size_t size)
{
    const struct hvm_start_info *si = (const void *)paddr;
    if (!paddr || si->magic != XEN_HVM_START_MAGIC_VALUE)
        panic("start: no hvm_start_info at 0x%llx (magic 0x%x): not started as a PVH guest?",
              (unsigned long long)paddr, paddr ? si->magic : 0);
    if (si->cmdline_paddr) {
        const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
        if (strlcpy_k(cmdline, c, size) >= size)
            printk("start: command line longer than %zu bytes, cut", size - 1);
    }
    if (si->version < 1 || si->memmap_entries == 0)
        panic("start: hvm_start_info version %u has no memory map (Xen 4.11 or later needed)",
              si->version);
    unsigned bad = 0;
    int rc = memmap_from_pvh(map, (const void *)(uintptr_t)si->memmap_paddr,
                             si->memmap_entries, &bad);
    if (rc)
        panic("start: memory map entry %u of %u is invalid (%s)", bad, si->memmap_entries,
              errno_name(rc));
}

/* shared_info goes over a RAM page of ours (Xen frees that page), so the
 * domain's page count stays what the toolstack gave it. */
static int pvh_map_shared_info(void)
{
    void *si_page = pages_alloc(1);
    if (!si_page)
        panic("start: no page for shared_info");
    int rc = xen_map_shared_info((uint64_t)(uintptr_t)si_page >> PAGE_SHIFT);
    if (rc)
        printk("start: XENMEM_add_to_physmap(shared_info) failed: %s", errno_name(rc));
    return rc;
}

static int pvh_events_init(void (*fn)(void))
{
    if (!xen_feature(XENFEAT_hvm_callback_vector)) {
        printk("evtchn: Xen does not offer XENFEAT_hvm_callback_vector");
        return -ENODEV;
    }
    traps_set_handler(XEN_CALLBACK_VECTOR, fn);
    uint64_t via = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | XEN_CALLBACK_VECTOR;
    int rc = hvm_set_param(HVM_PARAM_CALLBACK_IRQ, via);
    if (rc)
        printk("evtchn: HVM_PARAM_CALLBACK_IRQ (vector 0x%x) failed: %d", XEN_CALLBACK_VECTOR,
               rc);
    return rc;
}

static void pvh_debug_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        outb(XEN_DEBUG_PORT, (uint8_t)s[i]);
}

const struct platform_ops platform_pvh = {
    .name = "PVH",
    .machine_frames = false,
    .hypercalls_init = xen_detect,
    .start = pvh_start,
    .traps_init = traps_init,
    .map_shared_info = pvh_map_shared_info,
    .events_init = pvh_events_init,
    .get_param = hvm_get_param,
    .debug_write = pvh_debug_write,
};
