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
/* Frames whose unmap Xen refused (parked), and frames whose mapping died
 * with the domain we were before a restore (stale): their owners' unmap
 * only gives the frame back, Xen is not asked. Under lock. */
static uint64_t parked_bits[WINDOW_FRAMES / 64], stale_bits[WINDOW_FRAMES / 64];
static struct gfn_window window; /* nframes 0 until init */
static struct gnttab_map_stats stats;

static bool bit_test(const uint64_t *b, unsigned i)
{
    return (b[i / 64] >> (i % 64)) & 1;
}

static void bit_set(uint64_t *b, unsigned i, bool on)
{
    if (on)
        b[i / 64] |= 1ULL << (i % 64);
    else
        b[i / 64] &= ~(1ULL << (i % 64));
}

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

/* One hypercall's worth of ops built from a caller's n entries: op k
 * comes from entry idx[k]. Map, unmap and copy differ only in how an op
 * is built and what its outcome does. */
struct batch {
    char *ops;
    unsigned *idx;
    size_t opsize, status_at; /* an op's size, the offset of its int16_t status */
    unsigned m;               /* ops built */
    struct batch_fail fail;
};

/* Room for n ops in one block (ops, then the indexes): false if none. */
static bool batch_alloc(struct batch *b, unsigned n, size_t opsize, size_t status_at)
{
    size_t ops_bytes = (n * opsize + 7) & ~(size_t)7;
    *b = (struct batch){ .opsize = opsize, .status_at = status_at };
    b->ops = kmalloc(ops_bytes + n * sizeof(unsigned));
    b->idx = b->ops ? (unsigned *)(b->ops + ops_bytes) : 0;
    return b->ops != 0;
}

/* Where the next op is built; batch_add then counts it for entry i. */
static void *batch_slot(struct batch *b)
{
    return b->ops + b->m * b->opsize;
}

static void batch_add(struct batch *b, unsigned i)
{
    *(int16_t *)((char *)batch_slot(b) + b->status_at) = NOT_DONE;
    b->idx[b->m++] = i;
}

/* An entry that failed before reaching Xen. */
static void batch_skip(struct batch *b, unsigned i, int err)
{
    fail_note(&b->fail, i, err, NOT_DONE);
}

/* The hypercall over the ops built, then each op's outcome:
 * done(arg, entry, op, 0 or its errno); a failure is noted as the
 * batch's. Returns how many Xen did. */
static unsigned batch_run(struct batch *b, unsigned cmd,
                          void (*done)(void *arg, unsigned i, void *op, int err), void *arg)
{
    long rc = b->m ? HYPERVISOR_grant_table_op(cmd, b->ops, b->m) : 0;
    unsigned ok = 0;
    for (unsigned k = 0; k < b->m; k++) {
        char *op = b->ops + k * b->opsize;
        int16_t st = READ_ONCE(*(int16_t *)(op + b->status_at));
        int err = st == GNTST_okay ? 0 : op_errno(st, rc);
        if (err)
            fail_note(&b->fail, b->idx[k], err, st);
        else
            ok++;
        done(arg, b->idx[k], op, err);
    }
    return ok;
}

/* Logs the failures (one line, naming the first's grant) and frees the
 * batch: 0 or the first failure's error. */
static int batch_end(struct batch *b, const char *what, unsigned n, domid_t dom,
                     grant_ref_t ref)
{
    if (b->fail.count)
        fail_log(&b->fail, what, n, dom, ref);
    kfree(b->ops);
    return b->fail.count ? b->fail.err : 0;
}

static void map_done(void *arg, unsigned i, void *hop, int err)
{
    struct gnttab_map_op *op = (struct gnttab_map_op *)arg + i;
    struct gnttab_map_grant_ref *m = hop;
    op->err = err;
    if (!err) {
        op->handle = m->handle;
        op->addr = (void *)(uintptr_t)m->host_addr;
    } else {
        window_put(m->host_addr >> PAGE_SHIFT); /* not mapped: as empty as before */
    }
}

int gnttab_map_batch(struct gnttab_map_op *ops, unsigned n)
{
    if (n == 0)
        return 0;
    struct batch b;
    if (!batch_alloc(&b, n, sizeof(struct gnttab_map_grant_ref),
                     offsetof(struct gnttab_map_grant_ref, status))) {
        for (unsigned i = 0; i < n; i++)
            ops[i].err = -ENOMEM, ops[i].addr = 0;
        return -ENOMEM;
    }
    for (unsigned i = 0; i < n; i++) {
        ops[i].addr = 0;
        int64_t gfn = window_get();
        ops[i].err = gfn < 0 ? (int)gfn : 0;
        if (gfn < 0) {
            batch_skip(&b, i, (int)gfn);
            continue;
        }
        *(struct gnttab_map_grant_ref *)batch_slot(&b) = (struct gnttab_map_grant_ref){
            .host_addr = (uint64_t)gfn << PAGE_SHIFT,
            .flags = GNTMAP_host_map | (ops[i].readonly ? GNTMAP_readonly : 0),
            .ref = ops[i].ref,
            .dom = ops[i].dom,
        };
        batch_add(&b, i);
    }
    unsigned mapped = batch_run(&b, GNTTABOP_map_grant_ref, map_done, ops);
    unsigned long f = spin_lock_irqsave(&lock);
    stats.maps += mapped;
    stats.mapped += mapped;
    stats.map_failures += b.fail.count;
    spin_unlock_irqrestore(&lock, f);
    return batch_end(&b, "map", n, ops[b.fail.first].dom, ops[b.fail.first].ref);
}

static void unmap_done(void *arg, unsigned i, void *hop, int err)
{
    struct gnttab_map_op *op = (struct gnttab_map_op *)arg + i;
    struct gnttab_unmap_grant_ref *u = hop;
    op->addr = 0;
    op->err = err;
    /* A frame whose unmap failed may still hold the grant, and a mapping
     * over it would crash the domain: it never goes back to the window. */
    uint64_t gfn = u->host_addr >> PAGE_SHIFT;
    if (!err) {
        window_put(gfn);
    } else {
        unsigned long f = spin_lock_irqsave(&lock);
        bit_set(parked_bits, (unsigned)(gfn - window.base), true);
        spin_unlock_irqrestore(&lock, f);
    }
}

int gnttab_unmap_batch(struct gnttab_map_op *ops, unsigned n)
{
    if (n == 0)
        return 0;
    struct batch b;
    if (!batch_alloc(&b, n, sizeof(struct gnttab_unmap_grant_ref),
                     offsetof(struct gnttab_unmap_grant_ref, status)))
        return -ENOMEM; /* nothing changed: the caller may try again */
    unsigned forgotten = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t gpa = (uint64_t)(uintptr_t)ops[i].addr;
        if (!gpa)
            continue;
        unsigned long f = spin_lock_irqsave(&lock);
        uint64_t gfn = gpa >> PAGE_SHIFT;
        bool ours = (gpa & (PAGE_SIZE - 1)) == 0 && gfn_window_contains(&window, gfn);
        bool stale = ours && bit_test(stale_bits, (unsigned)(gfn - window.base));
        if (stale)
            bit_set(stale_bits, (unsigned)(gfn - window.base), false);
        spin_unlock_irqrestore(&lock, f);
        if (stale) {
            /* Mapped by the domain we were: Xen has no such mapping here,
             * and the old handle may name someone else's now. */
            window_put(gfn);
            ops[i].addr = 0;
            ops[i].err = 0;
            forgotten++;
            continue;
        }
        if (!ours) {
            ops[i].err = -EINVAL; /* not a mapping of ours: left alone */
            batch_skip(&b, i, -EINVAL);
            continue;
        }
        *(struct gnttab_unmap_grant_ref *)batch_slot(&b) = (struct gnttab_unmap_grant_ref){
            .host_addr = gpa, .dev_bus_addr = 0, .handle = ops[i].handle,
        };
        batch_add(&b, i);
    }
    unsigned skipped = b.fail.count;
    unsigned done = batch_run(&b, GNTTABOP_unmap_grant_ref, unmap_done, ops);
    unsigned long f = spin_lock_irqsave(&lock);
    stats.unmaps += done;
    stats.mapped -= MIN(stats.mapped, done);
    stats.stale -= MIN(stats.stale, forgotten);
    stats.parked += b.fail.count - skipped;
    stats.unmap_failures += b.fail.count;
    spin_unlock_irqrestore(&lock, f);
    return batch_end(&b, "unmap", n, ops[b.fail.first].dom, ops[b.fail.first].ref);
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

static void copy_done(void *arg, unsigned i, void *hop, int err)
{
    (void)hop;
    ((struct gnttab_copy_seg *)arg)[i].err = err;
}

int gnttab_copy_batch(struct gnttab_copy_seg *segs, unsigned n)
{
    if (n == 0)
        return 0;
    struct batch b;
    if (!batch_alloc(&b, n, sizeof(struct gnttab_copy), offsetof(struct gnttab_copy, status))) {
        for (unsigned i = 0; i < n; i++)
            segs[i].err = -ENOMEM;
        return -ENOMEM;
    }
    for (unsigned i = 0; i < n; i++) {
        struct gnttab_copy_seg *s = &segs[i];
        uint64_t a = (uint64_t)(uintptr_t)s->local;
        s->err = gnttab_copy_prepare(batch_slot(&b), a >> PAGE_SHIFT,
                                     (uint32_t)(a & (PAGE_SIZE - 1)), s->dom, s->ref, s->offset,
                                     s->len, s->to_foreign);
        if (s->err)
            batch_skip(&b, i, s->err);
        else
            batch_add(&b, i);
    }
    batch_run(&b, GNTTABOP_copy, copy_done, segs);
    uint64_t bytes = 0, ok = 0;
    for (unsigned i = 0; i < n; i++)
        if (!segs[i].err) {
            ok++;
            bytes += segs[i].len;
        }
    unsigned long f = spin_lock_irqsave(&lock);
    stats.copies += ok;
    stats.copy_bytes += bytes;
    stats.copy_failures += b.fail.count;
    spin_unlock_irqrestore(&lock, f);
    return batch_end(&b, "copy", n, segs[b.fail.first].dom, segs[b.fail.first].ref);
}

/* After a restore (or a migration) we are a new domain: no grant of
 * another domain is mapped in it, whatever the window's books say. A
 * parked frame is free again; a frame an owner still holds is marked
 * stale, kept from reuse until its owner unmaps it (which then asks Xen
 * nothing: the old handle means nothing here, or someone else's
 * mapping). Owners (back-ends) learn of the restore through their own
 * resume, which runs after this, and unmap what they held. */
void gnttab_map_resume(bool cancelled)
{
    if (cancelled)
        return;
    unsigned freed = 0, stale = 0;
    unsigned long f = spin_lock_irqsave(&lock);
    for (unsigned i = 0; i < window.nframes; i++) {
        if (bit_test(parked_bits, i)) {
            bit_set(parked_bits, i, false);
            gfn_window_free(&window, window.base + i, 1);
            freed++;
        } else if (bit_test(used_bits, i) && !bit_test(stale_bits, i)) {
            bit_set(stale_bits, i, true);
            stale++;
        }
    }
    stats.parked = 0;
    stats.stale += stale;
    stats.mapped -= MIN(stats.mapped, stale + freed); /* parked ones counted as mapped */
    stats.forgotten += stale;
    spin_unlock_irqrestore(&lock, f);
    if (freed || stale)
        printk("gnttab: restored: %u parked frames free again, %u mappings of the old domain "
               "forgotten (kept from reuse until their owners unmap them)", freed, stale);
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
