/* blkfront: block devices from another domain's blkback, through the
 * blkif shared ring. The ring, the request ids ("slots") and the queue of
 * requests not yet on the ring are touched with interrupts off: the event
 * handler completes requests and refills the ring itself.
 *
 * Negotiation (XenStore) lives in blkfront_xs.c; what comes back from the
 * back-end is checked by the pure code in blkfront_rsp.c before use. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "kern/mm.h"
#include "lib/barrier.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "dev/blkfront/blkfront.h"

static void fail_all(struct blkfront *bf, int status);

/* Interrupts off. A free request id, or -1. */
static int slot_get(struct blkfront *bf)
{
    for (unsigned i = 0; i < bf->ring_size; i++) {
        unsigned id = (bf->slot_hint + i) % bf->ring_size;
        if (bf->slot_ops[id] == BLKFRONT_SLOT_FREE) {
            bf->slot_hint = id + 1;
            return (int)id;
        }
    }
    return -1;
}

/* Interrupts off. Ends the part's grants (the back-end answered, so it no
 * longer maps them). */
static void part_release(struct blkfront *bf, struct blkfront_part *p)
{
    for (unsigned i = 0; i < p->nseg; i++) {
        int rc = gnttab_end_access(p->gref[i]);
        if (rc) {
            bf->grants_leaked++;
            printk("blkfront: %s: grant %u still mapped by the back-end after its answer; "
                   "leaving it", bf->bd.name, p->gref[i]);
        }
    }
    if (p->indirect && gnttab_end_access(p->ind_gref))
        bf->grants_leaked++;
    p->indirect = false;
    p->nseg = 0;
}

/* Interrupts off. Puts one part on the ring: 0, or -ENOSPC (no grant). */
static int part_post(struct blkfront *bf, unsigned id)
{
    struct blkfront_part *p = &bf->parts[id];
    struct blk_request *r = p->req;
    struct blkif_request *req = RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt);
    if (r->op == BLK_FLUSH) {
        req->operation = BLKIF_OP_FLUSH_DISKCACHE;
        req->nr_segments = 0;
        req->handle = bf->vdev;
        req->id = id;
        req->sector_number = 0;
    } else if (r->op == BLK_DISCARD) {
        struct blkif_request_discard *d = (struct blkif_request_discard *)req;
        d->operation = BLKIF_OP_DISCARD;
        d->flag = 0;
        d->handle = bf->vdev;
        d->id = id;
        d->sector_number = p->sector;
        d->nr_sectors = p->count;
    } else {
        struct blkfront_seg *segs = bf->segs;
        unsigned nseg;
        blkfront_segments((uintptr_t)r->buf + (uintptr_t)p->offset * BLK_SECTOR, p->count,
                          segs, bf->max_segs, &nseg);
        struct blkif_request_segment *dst = req->seg;
        if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
            /* Indirect: the segments go in a page the back-end maps. */
            if (!bf->ind_pages[id] && !(bf->ind_pages[id] = pages_alloc(1)))
                return -ENOSPC;
            int64_t ind = gnttab_grant_access(bf->xdev->otherend_id,
                                              (uint64_t)(uintptr_t)bf->ind_pages[id] >> PAGE_SHIFT,
                                              true);
            if (ind < 0)
                return -ENOSPC;
            p->indirect = true;
            p->ind_gref = (grant_ref_t)ind;
            dst = bf->ind_pages[id];
        }
        for (unsigned i = 0; i < nseg; i++) {
            /* The back-end reads what we write and writes what we read. */
            int64_t ref = gnttab_grant_access(bf->xdev->otherend_id, segs[i].gfn,
                                              r->op == BLK_WRITE);
            if (ref < 0) {
                p->nseg = (uint16_t)i;
                part_release(bf, p);
                return -ENOSPC;
            }
            p->gref[i] = (grant_ref_t)ref;
            dst[i].gref = (grant_ref_t)ref;
            dst[i].first_sect = segs[i].first;
            dst[i].last_sect = segs[i].last;
        }
        p->nseg = (uint16_t)nseg;
        uint8_t op = r->op == BLK_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ;
        if (p->indirect) {
            struct blkif_request_indirect *ri = (struct blkif_request_indirect *)req;
            ri->operation = BLKIF_OP_INDIRECT;
            ri->indirect_op = op;
            ri->nr_segments = (uint16_t)nseg;
            ri->id = id;
            ri->sector_number = p->sector;
            ri->handle = bf->vdev;
            ri->indirect_grefs[0] = p->ind_gref;
        } else {
            req->operation = op;
            req->nr_segments = (uint8_t)nseg;
            req->handle = bf->vdev;
            req->id = id;
            req->sector_number = p->sector;
        }
    }
    bf->slot_ops[id] = p->indirect ? (blkfront_slot_t)((BLKIF_OP_WRITE == ((struct blkif_request_indirect *)req)->indirect_op
                                                        ? BLKIF_OP_WRITE : BLKIF_OP_READ) + 1) |
                                         BLKFRONT_SLOT_INDIRECT
                                   : (blkfront_slot_t)(req->operation + 1);
    bf->ring.req_prod_pvt++;
    bf->inflight++;
    return 0;
}

/* Interrupts off. Fills the ring from the re-issue list and the queue. */
static void issue_locked(struct blkfront *bf)
{
    if (bf->state != BF_CONNECTED)
        return;
    bool posted = false;
    while (!list_empty(&bf->queue) && !RING_FULL(&bf->ring)) {
        struct blk_request *r = list_entry(bf->queue.next, struct blk_request, link);
        int id = slot_get(bf);
        if (id < 0)
            break;
        struct blkfront_part *p = &bf->parts[id];
        *p = (struct blkfront_part){ .req = r };
        if (r->op == BLK_READ || r->op == BLK_WRITE) {
            /* As many sectors as max_segs frames hold from here. */
            unsigned nseg;
            uint32_t fits = blkfront_segments((uintptr_t)r->buf + (uintptr_t)r->issued * BLK_SECTOR,
                                              r->count - r->issued, 0, bf->max_segs, &nseg);
            p->sector = r->sector + r->issued;
            p->offset = r->issued;
            p->count = fits;
        } else {
            p->sector = r->sector;
            p->count = r->count;
        }
        if (part_post(bf, (unsigned)id)) {
            bf->parts[id].req = 0;
            break; /* out of grants: answers will free some */
        }
        r->parts++;
        r->issued += p->count;
        if (r->op == BLK_FLUSH || r->issued >= r->count)
            list_del(&r->link); /* all of it is on the ring */
        posted = true;
    }
    if (posted) {
        int notify;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf->ring, notify);
        if (notify)
            evtchn_send(bf->port);
    }
}

void blkfront_issue(struct blkfront *bf)
{
    unsigned long f = irq_save();
    issue_locked(bf);
    irq_restore(f);
}

/* Interrupts off. A part is answered: complete its request when it was
 * the last. */
static void part_done(struct blkfront *bf, unsigned id, int status)
{
    struct blkfront_part *p = &bf->parts[id];
    struct blk_request *r = p->req;
    part_release(bf, p);
    bf->slot_ops[id] = BLKFRONT_SLOT_FREE;
    p->req = 0;
    bf->inflight--;
    if (status && !r->status)
        r->status = status;
    if (--r->parts == 0 && !list_linked(&r->link))
        blk_complete(&bf->bd, r, r->status);
}

/* Interrupts off. The back-end broke the protocol: nothing it says about
 * this device is believed any more; everything pending fails. */
static void broken(struct blkfront *bf, const char *why)
{
    if (bf->state == BF_BROKEN)
        return;
    printk("blkfront: %s: the back-end broke the protocol (%s); taking the device down",
           bf->bd.name, why);
    bf->protocol_errors++;
    bf->state = BF_BROKEN;
    evtchn_mask(bf->port);
    fail_all(bf, -EIO);
    blkfront_defer_close(bf);
}

static void on_event(evtchn_port_t port, void *arg)
{
    struct blkfront *bf = arg;
    if (bf->state == BF_BROKEN || !bf->ring.sring)
        return;
    bf->events++;
    for (;;) {
        RING_IDX prod = READ_ONCE(bf->ring.sring->rsp_prod);
        xen_rmb(); /* the index before the responses it covers */
        const char *why = 0;
        int n = blkfront_rsp_count(bf->ring.rsp_cons, prod, bf->ring.req_prod_pvt, bf->ring_size,
                                   &why);
        if (n < 0) {
            broken(bf, why);
            return;
        }
        for (RING_IDX i = bf->ring.rsp_cons; i != prod; i++) {
            /* Read once into our memory: the back-end may change the ring. */
            struct blkif_response rsp;
            memcpy(&rsp, RING_GET_RESPONSE(&bf->ring, i), sizeof(rsp));
            int status;
            if (blkfront_rsp_check(&rsp, bf->slot_ops, bf->ring_size, &status, &why)) {
                broken(bf, why);
                return;
            }
            if (status == -EOPNOTSUPP)
                printk("blkfront: %s: back-end refused %s (EOPNOTSUPP)", bf->bd.name,
                       blk_op_name(bf->parts[rsp.id].req->op));
            part_done(bf, (unsigned)rsp.id, status);
        }
        bf->ring.rsp_cons = prod;
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&bf->ring, more);
        if (!more)
            break;
    }
    issue_locked(bf);
    waitq_wake_all(&bf->wq);
}

static int submit(struct blkdev *d, struct blk_request *r)
{
    struct blkfront *bf = d->priv;
    unsigned long f = irq_save();
    if (bf->state == BF_CLOSING || bf->state == BF_CLOSED || bf->state == BF_BROKEN) {
        irq_restore(f);
        return -ENODEV;
    }
    list_add_tail(&bf->queue, &r->link);
    bf->submitted++;
    issue_locked(bf); /* queued until connected otherwise */
    irq_restore(f);
    return 0;
}

static const struct blkdev_ops ops = { .submit = submit };

/* Interrupts off. Fails the queue and what is on the ring. */
static void fail_all(struct blkfront *bf, int status)
{
    while (!list_empty(&bf->queue)) {
        struct blk_request *r = list_entry(bf->queue.next, struct blk_request, link);
        list_del(&r->link);
        if (!r->status)
            r->status = status;
        if (r->parts == 0)
            blk_complete(&bf->bd, r, r->status);
    }
    for (unsigned id = 0; id < bf->ring_size; id++) {
        if (bf->slot_ops[id] == BLKFRONT_SLOT_FREE)
            continue;
        part_done(bf, id, status);
    }
}

void blkfront_fail_all(struct blkfront *bf, int status)
{
    unsigned long f = irq_save();
    fail_all(bf, status);
    irq_restore(f);
}

int blkfront_ring_setup(struct blkfront *bf, unsigned order)
{
    if (!bf->ring_pages) {
        bf->ring_pages = pages_alloc(1u << order);
        if (!bf->ring_pages)
            return -ENOMEM;
        bf->ring_order = order;
    }
    struct blkif_sring *s = bf->ring_pages;
    memset(s, 0, PAGE_SIZE << bf->ring_order);
    SHARED_RING_INIT(s);
    FRONT_RING_INIT(&bf->ring, s, PAGE_SIZE << bf->ring_order);
    bf->ring_size = RING_SIZE(&bf->ring);
    if (bf->ring_size > BLKFRONT_MAX_SLOTS)
        bf->ring_size = BLKFRONT_MAX_SLOTS;
    for (unsigned i = 0; i < (1u << bf->ring_order); i++) {
        int64_t ref = gnttab_grant_access(bf->xdev->otherend_id,
                                          ((uint64_t)(uintptr_t)bf->ring_pages >> PAGE_SHIFT) + i,
                                          false);
        if (ref < 0)
            return (int)ref;
        bf->ring_ref[i] = (grant_ref_t)ref;
    }
    int rc = evtchn_alloc_unbound(bf->xdev->otherend_id, on_event, bf, bf->bd.name, &bf->port);
    if (rc)
        return rc;
    bf->have_port = true;
    return 0;
}

/* Drops the ring's grants and event channel. After a restore Xen forgot
 * them: the calls then only tidy our own books. */
void blkfront_ring_teardown(struct blkfront *bf, bool free_pages, bool xen_forgot)
{
    if (bf->have_port) {
        if (xen_forgot)
            evtchn_unbind(bf->port); /* the port died with the old domain */
        else
            evtchn_close(bf->port);
        bf->have_port = false;
    }
    for (unsigned i = 0; i < (1u << bf->ring_order); i++) {
        if (bf->ring_ref[i] && gnttab_end_access(bf->ring_ref[i]))
            bf->grants_leaked++; /* still mapped by a back-end that never let go */
        bf->ring_ref[i] = 0;
    }
    if (free_pages && bf->ring_pages) {
        if (bf->grants_leaked == 0) {
            pages_free(bf->ring_pages, 1u << bf->ring_order);
            for (unsigned i = 0; i < BLKFRONT_MAX_SLOTS; i++)
                if (bf->ind_pages[i]) {
                    pages_free(bf->ind_pages[i], 1);
                    bf->ind_pages[i] = 0;
                }
        }
        bf->ring_pages = 0;
        bf->ring.sring = 0;
    }
}

/* After a restore the old ring, and the grants of what was on it, are
 * gone: each request with a piece in flight goes back to the front of the
 * queue and is issued again whole (reads and writes of the same data are
 * idempotent, and the new back-end may cut pieces differently). */
unsigned blkfront_requeue_inflight(struct blkfront *bf)
{
    unsigned n = 0;
    unsigned long f = irq_save();
    for (unsigned id = 0; id < bf->ring_size; id++) {
        struct blkfront_part *p = &bf->parts[id];
        if (bf->slot_ops[id] == BLKFRONT_SLOT_FREE)
            continue;
        for (unsigned i = 0; i < p->nseg; i++)
            gnttab_end_access(p->gref[i]); /* an empty entry now: back to the free list */
        if (p->indirect)
            gnttab_end_access(p->ind_gref);
        p->nseg = 0;
        p->indirect = false;
        struct blk_request *r = p->req;
        if (!list_linked(&r->link)) {
            list_add_tail(bf->queue.next, &r->link); /* at the front */
            n++;
        }
        r->issued = 0;
        r->parts = 0;
        p->req = 0;
        bf->slot_ops[id] = BLKFRONT_SLOT_FREE;
        bf->inflight--;
    }
    irq_restore(f);
    return n;
}

int blkfront_wait_idle(struct blkfront *bf, uint64_t deadline)
{
    int rc = wait_event_until(&bf->wq, bf->inflight == 0, deadline);
    if (rc)
        printk("blkfront: %s: %u requests still with the back-end at the deadline",
               bf->bd.name, bf->inflight);
    return rc;
}

void blkfront_init_dev(struct blkfront *bf)
{
    list_init(&bf->queue);
    waitq_init(&bf->wq);
    bf->bd.ops = &ops;
    bf->bd.priv = bf;
    bf->bd.features = bf->features;
}
