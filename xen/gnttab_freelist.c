#include "xen/gnttab_freelist.h"
#include "kern/errno.h"

void gnt_freelist_init(struct gnt_freelist *fl, grant_ref_t *storage, uint32_t nrefs,
                       uint32_t first)
{
    fl->next = storage;
    fl->nrefs = nrefs;
    fl->head = GNT_LIST_END;
    fl->nfree = 0;
    fl->first = first;
    for (uint32_t r = 0; r < nrefs && r < first; r++)
        storage[r] = GNT_LIST_INUSE;
    /* chain in ascending order: first, first+1, ... */
    for (uint32_t r = nrefs; r-- > first;) {
        storage[r] = fl->head;
        fl->head = r;
        fl->nfree++;
    }
}

void gnt_freelist_grow(struct gnt_freelist *fl, grant_ref_t *storage, uint32_t nrefs)
{
    uint32_t old = fl->nrefs;
    fl->next = storage;
    fl->nrefs = nrefs;
    /* new refs below first are reserved too */
    for (uint32_t r = old; r < nrefs && r < fl->first; r++)
        storage[r] = GNT_LIST_INUSE;
    uint32_t lo = old > fl->first ? old : fl->first;
    for (uint32_t r = nrefs; r-- > lo;) {
        storage[r] = fl->head;
        fl->head = r;
        fl->nfree++;
    }
}

int64_t gnt_freelist_get(struct gnt_freelist *fl)
{
    if (fl->head == GNT_LIST_END)
        return -ENOSPC;
    grant_ref_t r = fl->head;
    fl->head = fl->next[r];
    fl->next[r] = GNT_LIST_INUSE;
    fl->nfree--;
    return r;
}

int gnt_freelist_put(struct gnt_freelist *fl, grant_ref_t ref)
{
    if (ref >= fl->nrefs || ref < fl->first || fl->next[ref] != GNT_LIST_INUSE)
        return -EINVAL;
    fl->next[ref] = fl->head;
    fl->head = ref;
    fl->nfree++;
    return 0;
}
