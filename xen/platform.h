#ifndef XEN_PLATFORM_H
#define XEN_PLATFORM_H
/* How domu runs on Xen: PVH (an HVM container, Xen's frames are
 * guest-physical) or 64-bit PV (ring 3 kernel, Xen's frames are machine
 * frames, page tables through hypercalls). One ELF carries both entries
 * and the entry that ran picks the platform: the PVH entry leaves the
 * default, the PV entry sets `platform` before anything else runs, so
 * the rest of the kernel asks these few questions instead of #ifdefs. */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct memmap;

struct platform_ops {
    const char *name; /* "PVH" or "PV", in the banner and `info` */
    /* Frames handed to Xen (grants, balloon) are machine frames here:
     * those features are not done on this platform yet. */
    bool machine_frames;
    /* The hypercall page filled (PVH asks Xen through an MSR); 0 or -errno. */
    int (*hypercalls_init)(void);
    /* From the entry's argument: the command line and the memory map. */
    void (*start)(uintptr_t arg, struct memmap *map, char *cmdline, size_t cmdline_size);
    void (*traps_init)(void);
    /* After mm_init: shared_info mapped, vCPU 0's vcpu_info known. */
    int (*map_shared_info)(void);
    /* Event delivery: fn runs for every upcall (events masked). */
    int (*events_init)(void (*fn)(void));
    /* HVM_PARAM_{STORE,CONSOLE}_{PFN,EVTCHN}: pfn or port; 0 or -errno. */
    int (*get_param)(uint32_t index, uint64_t *value);
    /* Bytes for the early console when Xen's console_io refuses them. */
    void (*debug_write)(const char *s, size_t len);
};

extern const struct platform_ops *platform;
extern const struct platform_ops platform_pvh, platform_pv;

static inline bool platform_is_pv(void)
{
    return platform == &platform_pv;
}
#endif
