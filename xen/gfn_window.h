#ifndef XEN_GFN_WINDOW_H
#define XEN_GFN_WINDOW_H
/* A window of guest-physical frames that hold no RAM and never will: the
 * place where foreign grants are mapped. A grant mapped over RAM loses
 * that RAM, one mapped over another grant crashes the domain, so every
 * frame is handed out to one mapping at a time. Pure. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "kern/memmap.h"

struct gfn_window {
    uint64_t base;    /* first frame */
    uint32_t nframes; /* frames in the window */
    uint32_t nfree;
    uint64_t *used;   /* one bit per frame: handed out */
    uint64_t *head;   /* one bit per frame: first frame of an allocation */
};

/* Bytes of one of the two bitmaps for nframes frames. */
size_t gfn_window_bitmap_bytes(uint32_t nframes);
/* used and head: gfn_window_bitmap_bytes(nframes) each, any contents. */
void gfn_window_init(struct gfn_window *w, uint64_t base, uint32_t nframes, uint64_t *used,
                     uint64_t *head);
/* The first of count contiguous free frames (lowest first), or -ENOSPC
 * (-EINVAL for count 0). */
int64_t gfn_window_alloc(struct gfn_window *w, uint32_t count);
/* Frees exactly one earlier allocation: 0; -ERANGE for frames outside
 * the window (not ours), -EINVAL for frames not handed out (a double
 * free) or a count that is not the allocation's. */
int gfn_window_free(struct gfn_window *w, uint64_t gfn, uint32_t count);
bool gfn_window_contains(const struct gfn_window *w, uint64_t gfn);

/* Where to put a window of size bytes (a power of two): the highest
 * size-aligned range below limit that no memory-map region touches and
 * that lies above every RAM region below limit and above min_addr (the
 * end of what the allocator and the balloon cover). 0 or -ENOSPC. */
int gfn_window_place(const struct memmap *m, uint64_t size, uint64_t min_addr, uint64_t limit,
                     uint64_t *base);
#endif
