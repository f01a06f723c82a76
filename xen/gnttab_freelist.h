#ifndef XEN_GNTTAB_FREELIST_H
#define XEN_GNTTAB_FREELIST_H
/* The free list of grant references. next[ref] chains free refs; a ref in
 * use is marked so that a double release is caught. Pure. */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#define GNT_LIST_END   0xffffffffu
#define GNT_LIST_INUSE 0xfffffffeu

struct gnt_freelist {
    grant_ref_t *next; /* nrefs entries */
    uint32_t nrefs;    /* refs covered (0..nrefs-1) */
    grant_ref_t head;  /* first free ref or GNT_LIST_END */
    uint32_t nfree;
    uint32_t first;    /* refs below are reserved */
};

/* Refs below first are reserved (the toolstack's console and XenStore
 * grants live there) and never handed out. */
void gnt_freelist_init(struct gnt_freelist *fl, grant_ref_t *storage, uint32_t nrefs,
                       uint32_t first);
/* Adds refs [old nrefs, nrefs) after the table grew; storage must hold
 * nrefs entries and start with the old contents. */
void gnt_freelist_grow(struct gnt_freelist *fl, grant_ref_t *storage, uint32_t nrefs);
/* A free ref, or -ENOSPC. */
int64_t gnt_freelist_get(struct gnt_freelist *fl);
/* 0, or -EINVAL for a ref out of range or already free. */
int gnt_freelist_put(struct gnt_freelist *fl, grant_ref_t ref);
#endif
