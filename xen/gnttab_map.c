#include "kern/kernel.h"
#include "kern/mm.h"
#include "kern/spinlock.h"
#include "xen/gnttab_map.h"
#include "xen/gnttab_check.h"
#include "xen/gfn_window.h"
#include "xen/hypercall.h"
#include "kern/printf.h"
#include "lib/barrier.h"

/* 16 MiB: a back-end's rings and in-flight pages with room to spare. */
#define WINDOW_FRAMES 4096u
/* Below the MMIO area near 4 GiB (ACPI tables, LAPIC, Xen's special
 * pages) and inside the 4 GiB that the boot page tables identity map. */
#define WINDOW_LIMIT 0xf0000000ULL
/* A status Xen never writes: the op was not reached. */
#define NOT_DONE 1

static struct spinlock lock = SPINLOCK_INIT("gnttab_map");
static uint64_t used_bits[WINDOW_FRAMES / 64], head_bits[WINDOW_FRAMES / 64];
static struct gfn_window window; /* nframes 0 until init */
static struct gnttab_map_stats stats;

int gnttab_map_init(const struct memmap *map)
{
    uint64_t base;
    int rc = gfn_window_place(map, (uint64_t)WINDOW_FRAMES * PAGE_SIZE,
                              mm_max_pfn() << PAGE_SHIFT, WINDOW_LIMIT, &base);
    if (rc) {
        printk("gnttab: no room above RAM for a %u-frame window: foreign grants cannot be mapped",
               WINDOW_FRAMES);
        return rc;
    }
    unsigned long f = spin_lock_irqsave(&lock);
    gfn_window_init(&window, base >> PAGE_SHIFT, WINDOW_FRAMES, used_bits, head_bits);
    spin_unlock_irqrestore(&lock, f);
    printk("gnttab: foreign grants map at %llx-%llx (%u frames, never populated)",
           (unsigned long long)base, (unsigned long long)(base + WINDOW_FRAMES * PAGE_SIZE - 1),
           WINDOW_FRAMES);
    return 0;
}

static int64_t window_get(void)
{
    unsigned long f = spin_lock_irqsave(&lock);
    int64_t gfn = window.nframes ? gfn_window_alloc(&window, 1) : -ENODEV;
    spin_unlock_irqrestore(&lock, f);
    return gfn;
}

static void window_put(uint64_t gfn)
{
    unsigned long f = spin_lock_irqsave(&lock);
    int rc = gfn_window_free(&window, gfn, 1);
    spin_unlock_irqrestore(&lock, f);
    if (rc)
        panic("gnttab: freeing window frame %llx that was not handed out (%s)",
              (unsigned long long)gfn, errno_name(rc));
}

/* The first failure of a batch (lowest op index) and how many failed. */
struct batch_fail {
    unsigned count, first; /* failed ops; index of the first */
    int err;
    int16_t status;        /* Xen's, or NOT_DONE */
};

static void fail_note(struct batch_fail *bf, unsigned i, int err, int16_t status)
{
    if (bf->count++ == 0 || i < bf->first) {
        bf->first = i;
        bf->err = err;
        bf->status = status;
    }
}

/* An op Xen did not reach failed with the hypercall's own error. */
static int op_errno(int16_t status, long rc)
{
    if (status == NOT_DONE)
        return rc < 0 ? (int)rc : -EIO;
    return gnttab_status_errno(status);
}

/* One line per batch, so a hostile peer's bad refs cannot flood the log. */
static void fail_log(const struct batch_fail *bf, const char *what, unsigned n, domid_t dom,
                     grant_ref_t ref)
{
    char more[48] = "";
    if (bf->count > 1)
        k_snprintf(more, sizeof(more), " (%u of %u ops of the batch failed)", bf->count, n);
    if (bf->status == NOT_DONE)
        printk("gnttab: %s of domain %u ref %u failed: %s%s", what, dom, ref, errno_name(bf->err),
               more);
    else
        printk("gnttab: %s of domain %u ref %u failed: %s (GNTST %d, %s)%s", what, dom, ref,
               gnttab_status_name(bf->status), bf->status, errno_name(bf->err), more);
}

/* One block for a batch: n hypercall ops of opsize bytes, then the index
 * of the caller's entry for each. */
static void *batch_alloc(unsigned n, size_t opsize, unsigned **idx)
{
    size_t ops_bytes = (n * opsize + 7) & ~(size_t)7;
    char *p = kmalloc(ops_bytes + n * sizeof(unsigned));
    *idx = p ? (unsigned *)(p + ops_bytes) : 0;
    return p;
}

int gnttab_map_batch(struct gnttab_map_op *ops, unsigned n)
{
    if (n == 0)
        return 0;
    unsigned *idx;
    struct gnttab_map_grant_ref *mops = batch_alloc(n, sizeof(*mops), &idx);
    if (!mops) {
        for (unsigned i = 0; i < n; i++)
            ops[i].err = -ENOMEM, ops[i].addr = 0;
        return -ENOMEM;
    }
    struct batch_fail bf = { 0 };
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        ops[i].addr = 0;
        int64_t gfn = window_get();
        ops[i].err = gfn < 0 ? (int)gfn : 0;
        if (gfn < 0) {
            fail_note(&bf, i, (int)gfn, NOT_DONE);
            continue;
        }
        mops[m] = (struct gnttab_map_grant_ref){
            .host_addr = (uint64_t)gfn << PAGE_SHIFT,
            .flags = GNTMAP_host_map | (ops[i].readonly ? GNTMAP_readonly : 0),
            .ref = ops[i].ref,
            .dom = ops[i].dom,
            .status = NOT_DONE,
        };
        idx[m++] = i;
    }
    long rc = m ? HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, mops, m) : 0;
    unsigned mapped = 0;
    for (unsigned k = 0; k < m; k++) {
        struct gnttab_map_op *op = &ops[idx[k]];
        int16_t st = READ_ONCE(mops[k].status);
        if (st == GNTST_okay) {
            op->handle = mops[k].handle;
            op->addr = (void *)(uintptr_t)mops[k].host_addr;
            mapped++;
            continue;
        }
        /* Not mapped: the frame is as empty as before. */
        window_put(mops[k].host_addr >> PAGE_SHIFT);
        op->err = op_errno(st, rc);
        fail_note(&bf, idx[k], op->err, st);
    }
    unsigned long f = spin_lock_irqsave(&lock);
    stats.maps += mapped;
    stats.mapped += mapped;
    stats.map_failures += bf.count;
    spin_unlock_irqrestore(&lock, f);
    if (bf.count)
        fail_log(&bf, "map", n, ops[bf.first].dom, ops[bf.first].ref);
    kfree(mops);
    return bf.count ? bf.err : 0;
}

int gnttab_unmap_batch(struct gnttab_map_op *ops, unsigned n)
{
    if (n == 0)
        return 0;
    unsigned *idx;
    struct gnttab_unmap_grant_ref *uops = batch_alloc(n, sizeof(*uops), &idx);
    if (!uops)
        return -ENOMEM; /* nothing changed: the caller may try again */
    struct batch_fail bf = { 0 };
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t gpa = (uint64_t)(uintptr_t)ops[i].addr;
        if (!gpa)
            continue;
        unsigned long f = spin_lock_irqsave(&lock);
        bool ours = (gpa & (PAGE_SIZE - 1)) == 0 && gfn_window_contains(&window, gpa >> PAGE_SHIFT);
        spin_unlock_irqrestore(&lock, f);
        if (!ours) {
            ops[i].err = -EINVAL; /* not a mapping of ours: left alone */
            fail_note(&bf, i, -EINVAL, NOT_DONE);
            continue;
        }
        uops[m] = (struct gnttab_unmap_grant_ref){
            .host_addr = gpa, .dev_bus_addr = 0, .handle = ops[i].handle, .status = NOT_DONE
        };
        idx[m++] = i;
    }
    long rc = m ? HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, uops, m) : 0;
    unsigned done = 0, parked = 0;
    for (unsigned k = 0; k < m; k++) {
        struct gnttab_map_op *op = &ops[idx[k]];
        int16_t st = READ_ONCE(uops[k].status);
        op->addr = 0;
        if (st == GNTST_okay) {
            window_put(uops[k].host_addr >> PAGE_SHIFT);
            op->err = 0;
            done++;
            continue;
        }
        /* The frame may still hold the grant, and a mapping over it
         * would crash the domain: it never goes back to the window. */
        parked++;
        op->err = op_errno(st, rc);
        fail_note(&bf, idx[k], op->err, st);
    }
    unsigned long f = spin_lock_irqsave(&lock);
    stats.unmaps += done;
    stats.mapped -= MIN(stats.mapped, done);
    stats.parked += parked;
    stats.unmap_failures += bf.count;
    spin_unlock_irqrestore(&lock, f);
    if (bf.count)
        fail_log(&bf, "unmap", n, ops[bf.first].dom, ops[bf.first].ref);
    kfree(uops);
    return bf.count ? bf.err : 0;
}

int gnttab_map(domid_t dom, grant_ref_t ref, bool readonly, grant_handle_t *handle, void **addr)
{
    struct gnttab_map_op op = { .dom = dom, .ref = ref, .readonly = readonly };
    int rc = gnttab_map_batch(&op, 1);
    *handle = op.handle;
    *addr = op.addr;
    return rc;
}

int gnttab_unmap(grant_handle_t handle, void *addr)
{
    struct gnttab_map_op op = { .handle = handle, .addr = addr };
    return gnttab_unmap_batch(&op, 1);
}

int gnttab_copy_batch(struct gnttab_copy_seg *segs, unsigned n)
{
    if (n == 0)
        return 0;
    unsigned *idx;
    struct gnttab_copy *cops = batch_alloc(n, sizeof(*cops), &idx);
    if (!cops) {
        for (unsigned i = 0; i < n; i++)
            segs[i].err = -ENOMEM;
        return -ENOMEM;
    }
    struct batch_fail bf = { 0 };
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        struct gnttab_copy_seg *s = &segs[i];
        uint64_t a = (uint64_t)(uintptr_t)s->local;
        s->err = gnttab_copy_prepare(&cops[m], a >> PAGE_SHIFT, (uint32_t)(a & (PAGE_SIZE - 1)),
                                     s->dom, s->ref, s->offset, s->len, s->to_foreign);
        if (s->err) {
            fail_note(&bf, i, s->err, NOT_DONE);
            continue;
        }
        cops[m].status = NOT_DONE;
        idx[m++] = i;
    }
    long rc = m ? HYPERVISOR_grant_table_op(GNTTABOP_copy, cops, m) : 0;
    uint64_t bytes = 0, ok = 0;
    for (unsigned k = 0; k < m; k++) {
        struct gnttab_copy_seg *s = &segs[idx[k]];
        int16_t st = READ_ONCE(cops[k].status);
        if (st == GNTST_okay) {
            ok++;
            bytes += s->len;
            continue;
        }
        s->err = op_errno(st, rc);
        fail_note(&bf, idx[k], s->err, st);
    }
    unsigned long f = spin_lock_irqsave(&lock);
    stats.copies += ok;
    stats.copy_bytes += bytes;
    stats.copy_failures += bf.count;
    spin_unlock_irqrestore(&lock, f);
    if (bf.count)
        fail_log(&bf, "copy", n, segs[bf.first].dom, segs[bf.first].ref);
    kfree(cops);
    return bf.count ? bf.err : 0;
}

void gnttab_map_get_stats(struct gnttab_map_stats *st)
{
    unsigned long f = spin_lock_irqsave(&lock);
    *st = stats;
    st->window_base = window.base;
    st->window_frames = window.nframes;
    st->window_free = window.nfree;
    spin_unlock_irqrestore(&lock, f);
}
