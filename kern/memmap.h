#ifndef KERN_MEMMAP_H
#define KERN_MEMMAP_H
/* The guest-physical memory map, normalised: sorted, checked for overlaps,
 * adjacent RAM merged. Pure: unit tested on the host. */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

#define MEMMAP_MAX 32

struct mem_region {
    uint64_t start; /* first byte */
    uint64_t end;   /* one past the last byte */
    uint32_t type;  /* XEN_HVM_MEMMAP_TYPE_* */
};

struct memmap {
    struct mem_region r[MEMMAP_MAX];
    unsigned n;
};

/* 0, or -EINVAL (overlap, zero size, wrap-around) / -E2BIG (too many
 * entries); *bad gets the index of the offending input entry. */
int memmap_from_pvh(struct memmap *m, const struct hvm_memmap_table_entry *e, unsigned n,
                    unsigned *bad);
uint64_t memmap_ram_bytes(const struct memmap *m);
/* One past the highest RAM byte. */
uint64_t memmap_ram_end(const struct memmap *m);
/* The highest size-aligned range [x, x+size) with above <= x and
 * x+size <= below that no region touches: guest-physical space where
 * Xen can map frames (shared_info, grant table). 0 or -ENOSPC. */
int memmap_find_hole(const struct memmap *m, uint64_t size, uint64_t above, uint64_t below,
                     uint64_t *out);
const char *memmap_type_name(uint32_t type);
#endif
