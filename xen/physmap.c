#include "kern/kernel.h"
#include "xen/physmap.h"

/* Below the local APIC page, above every RAM byte under 4 GiB. */
#define HOLE_LIMIT 0xfee00000ULL

static uint64_t hole_next, hole_end; /* byte addresses */

int physmap_hole_init(const struct memmap *map)
{
    uint64_t base;
    int rc = memmap_find_hole(map, PHYSMAP_HOLE_SIZE, 1ULL << 20, HOLE_LIMIT, &base);
    if (rc) {
        printk("physmap: no free %llu MiB of guest-physical space below 0x%llx",
               (unsigned long long)(PHYSMAP_HOLE_SIZE >> 20), (unsigned long long)HOLE_LIMIT);
        return rc;
    }
    hole_next = base;
    hole_end = base + PHYSMAP_HOLE_SIZE;
    return 0;
}

uint64_t physmap_hole_alloc(unsigned npages)
{
    uint64_t bytes = (uint64_t)npages << 12;
    if (hole_end - hole_next < bytes)
        return 0;
    uint64_t gfn = hole_next >> 12;
    hole_next += bytes;
    return gfn;
}
