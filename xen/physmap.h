#ifndef XEN_PHYSMAP_H
#define XEN_PHYSMAP_H
/* Guest-physical space with no RAM behind it, where Xen maps frames for
 * us (shared_info, grant table): using a hole costs no RAM page. */
#include <stdint.h>
#include "kern/memmap.h"

#define PHYSMAP_HOLE_SIZE (4ULL << 20)

int physmap_hole_init(const struct memmap *map);
/* npages consecutive frames in the hole: the first gfn, or 0 when full. */
uint64_t physmap_hole_alloc(unsigned npages);
#endif
