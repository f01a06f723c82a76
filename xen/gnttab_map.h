#ifndef XEN_GNTTAB_MAP_H
#define XEN_GNTTAB_MAP_H
/* The back-end half of grant tables: map other domains' grants into our
 * guest-physical space, and copy to and from their granted pages. A
 * mapping lands in a frame of the window (xen/gfn_window.h), which the
 * boot page tables already map, so its address is its pointer. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include "kern/memmap.h"

/* Places the window above all RAM of map; 0 or -ENOSPC. */
int gnttab_map_init(const struct memmap *map);

struct gnttab_map_op {
    domid_t dom;           /* in: the granting domain */
    grant_ref_t ref;       /* in: its grant reference */
    bool readonly;         /* in: map read-only */
    grant_handle_t handle; /* out: for the unmap */
    void *addr;            /* out: the page, or NULL */
    int err;               /* out: 0 or -errno (GNTST_* turned into errno) */
};

/* Maps every op, all in one hypercall. 0 if all were mapped, else the
 * first op's error; each op says its own. A failure is logged once here
 * (the first of a batch, with a count of the others). */
int gnttab_map_batch(struct gnttab_map_op *ops, unsigned n);
/* Unmaps the ops that are mapped (addr set), one hypercall; addr is
 * cleared. A frame whose unmap Xen refused may still hold the mapping:
 * it is parked, never handed out again (until a restore: a new domain
 * holds no mapping). A mapping made before a restore is only forgotten
 * (0, Xen not asked): it died with the old domain. 0 or the first error. */
int gnttab_unmap_batch(struct gnttab_map_op *ops, unsigned n);
int gnttab_map(domid_t dom, grant_ref_t ref, bool readonly, grant_handle_t *handle,
               void **addr);
int gnttab_unmap(grant_handle_t handle, void *addr);

/* After a save, before any driver's resume (domain_suspend calls it):
 * cancelled changes nothing; otherwise nothing of another domain is
 * mapped in the new domain: parked frames are free again, the frames
 * still held are stale (their owners' unmap only gives them back). */
void gnttab_map_resume(bool cancelled);

struct gnttab_copy_seg {
    void *local;         /* in: our bytes, len of them inside one page */
    domid_t dom;         /* in: the granting domain */
    grant_ref_t ref;     /* in */
    uint16_t offset;     /* in: where in the granted page */
    uint16_t len;        /* in: offset + len <= 4096, one page per op */
    bool to_foreign;     /* in: copy ours into theirs */
    int err;             /* out */
};
/* GNTTABOP_copy for every segment, one hypercall; segments that cross a
 * page fail with -EINVAL without reaching Xen. 0 or the first error. */
int gnttab_copy_batch(struct gnttab_copy_seg *segs, unsigned n);

struct gnttab_map_stats {
    uint64_t window_base;   /* first frame of the window */
    uint32_t window_frames, window_free;
    uint32_t mapped;        /* mappings now */
    uint32_t parked;        /* frames whose unmap failed */
    uint32_t stale;         /* mappings of the domain we were before a restore, not yet unmapped */
    uint64_t forgotten;     /* mappings that a restore made stale */
    uint64_t maps, unmaps, map_failures, unmap_failures;
    uint64_t copies, copy_bytes, copy_failures;
};
void gnttab_map_get_stats(struct gnttab_map_stats *st);
#endif
