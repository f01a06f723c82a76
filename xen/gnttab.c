#include "kern/kernel.h"
#include "xen/gnttab.h"
#include "xen/gnttab_freelist.h"
#include "xen/hypercall.h"
#include "kern/mm.h"
#include "arch/x86/cpu.h"
#include "lib/barrier.h"
#include "kern/spinlock.h"

#define ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))
#define INITIAL_FRAMES 4

/* Each table frame is mapped over a RAM page of ours: Xen frees the RAM
 * page, so the domain's page count does not grow (a save/restore must fit
 * the same allowance). */
static grant_entry_v1_t **table; /* max_frames pointers */
static uint32_t frames, max_frames;
static struct gnt_freelist fl;
/* The free list, and the table while it grows. */
static struct spinlock lock = SPINLOCK_INIT("gnttab");

static grant_entry_v1_t *entry(grant_ref_t ref)
{
    return &table[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static int map_frame(uint32_t idx)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_grant_table,
        .idx = idx,
        .gpfn = (uint64_t)(uintptr_t)table[idx] >> PAGE_SHIFT,
    };
    return (int)HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
}

/* Under the lock or single-threaded. Frame idx: a page, then the map. */
static int add_frame(uint32_t idx)
{
    table[idx] = pages_alloc(1);
    if (!table[idx])
        return -ENOMEM;
    int rc = map_frame(idx);
    if (rc) {
        pages_free(table[idx], 1);
        table[idx] = 0;
        printk("gnttab: mapping frame %u failed: %d", idx, rc);
    }
    return rc;
}

int gnttab_init(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    int rc = (int)HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);
    if (rc || q.status != GNTST_okay) {
        printk("gnttab: query_size failed: rc %d status %d", rc, q.status);
        return rc ? rc : -EIO;
    }
    max_frames = q.max_nr_frames;
    table = kzalloc(max_frames * sizeof(*table));
    if (!table)
        return -ENOMEM;
    uint32_t want = MIN((uint32_t)INITIAL_FRAMES, max_frames);
    for (uint32_t i = 0; i < want; i++) {
        rc = add_frame(i);
        if (rc)
            return rc;
    }
    frames = want;
    uint32_t nrefs = frames * ENTRIES_PER_FRAME;
    grant_ref_t *storage = kmalloc(nrefs * sizeof(grant_ref_t));
    if (!storage)
        return -ENOMEM;
    gnt_freelist_init(&fl, storage, nrefs, GNTTAB_NR_RESERVED_ENTRIES);
    return 0;
}

/* Under the lock. Maps one more frame and extends the free list. */
static int grow(void)
{
    if (frames >= max_frames)
        return -ENOSPC;
    uint32_t nrefs = (frames + 1) * ENTRIES_PER_FRAME;
    grant_ref_t *storage = kmalloc(nrefs * sizeof(grant_ref_t));
    if (!storage)
        return -ENOMEM;
    int rc = add_frame(frames);
    if (rc) {
        kfree(storage);
        return rc;
    }
    memcpy(storage, fl.next, fl.nrefs * sizeof(grant_ref_t));
    grant_ref_t *old = fl.next;
    gnt_freelist_grow(&fl, storage, nrefs);
    kfree(old);
    frames++;
    return 0;
}

int64_t gnttab_grant_access(domid_t domid, uint64_t gfn, bool readonly)
{
    unsigned long f = spin_lock_irqsave(&lock);
    int64_t ref = gnt_freelist_get(&fl);
    if (ref < 0 && grow() == 0)
        ref = gnt_freelist_get(&fl);
    spin_unlock_irqrestore(&lock, f);
    if (ref < 0) {
        printk("gnttab: no free grant reference (%u frames, max %u)", frames, max_frames);
        return ref;
    }
    grant_entry_v1_t *e = entry((grant_ref_t)ref);
    e->domid = domid;
    e->frame = (uint32_t)gfn;
    xen_wmb(); /* domid and frame before the entry becomes valid */
    WRITE_ONCE(e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)));
    return ref;
}

int gnttab_end_access(grant_ref_t ref)
{
    if (ref >= fl.nrefs || ref < GNTTAB_NR_RESERVED_ENTRIES)
        return -EINVAL;
    uint16_t *flags = &entry(ref)->flags;
    uint16_t old = READ_ONCE(*flags);
    do {
        if (old & (GTF_reading | GTF_writing))
            return -EBUSY;
    } while (!__atomic_compare_exchange_n(flags, &old, 0, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    unsigned long f = spin_lock_irqsave(&lock);
    int rc = gnt_freelist_put(&fl, ref);
    spin_unlock_irqrestore(&lock, f);
    if (rc)
        printk("gnttab: end_access of ref %u, which was not granted", ref);
    return rc;
}

int gnttab_resume(bool cancelled)
{
    if (cancelled || !table)
        return 0;
    for (uint32_t i = 0; i < frames; i++) {
        int rc = map_frame(i);
        if (rc) {
            printk("gnttab: re-mapping frame %u after restore failed: %d", i, rc);
            return rc;
        }
    }
    return 0;
}

void gnttab_get_stats(struct gnttab_stats *st)
{
    st->frames = frames;
    st->max_frames = max_frames;
    st->refs = fl.nrefs;
    st->free = fl.nfree;
    st->in_use = fl.nrefs - fl.nfree - GNTTAB_NR_RESERVED_ENTRIES;
}
