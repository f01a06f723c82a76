/* blkfront: block devices from another domain's blkback, through one or
 * more blkif shared rings (multi-queue). The rings, the request ids
 * ("slots") and the queue of requests not yet on a ring are touched under
 * the device's lock (bf->lock); completion callbacks run after it is
 * dropped (blkfront_unlock). A ring's event only wakes the device's thread, which
 * reads the answers, copies read data out of the persistent pages with
 * interrupts on, completes requests and refills the rings. The ring
 * ports are lateeoi: masked from the event until the thread is done.
 *
 * With persistent grants (both ends say feature-persistent) the back-end
 * keeps every grant it is sent mapped until it disconnects, so no
 * caller's frame is ever granted: data goes through a per-queue pool of
 * pages granted once (copied in for writes, out for reads).
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
#include "xen/gnttab_park.h"
#include "xen/ring_check.h"
#include "xen/xenbus_front_ring.h"
#include "dev/blkfront/blkfront.h"

static void fail_all(struct blkfront *bf, int status);
static void on_event(evtchn_port_t port, void *arg);

/* While requests are in flight the rings are also looked at every
 * WATCH_NS: on the emulated test host an event is now and then not
 * delivered, and a ring then stalls with nobody to wake it (the back-end
 * notifies once per batch). */
#define WATCH_NS (100 * NS_PER_MS)

static void watchdog_arm(struct blkfront *bf)
{
    /* The last clock reading: a stale one only makes the first look early. */
    if (!bf->watchdog.armed)
        timer_arm(&bf->watchdog, time_recent_ns() + WATCH_NS);
}

/* bf->lock held. r is complete: its callback runs once the lock is
 * dropped (blkfront_unlock), since it may submit again (blk bench). */
static void complete_later(struct blkfront *bf, struct blk_request *r)
{
    list_add_tail(&bf->done, &r->link);
}

unsigned long blkfront_lock(struct blkfront *bf)
{
    return spin_lock_irqsave(&bf->lock);
}

void blkfront_unlock(struct blkfront *bf, unsigned long f)
{
    struct list done;
    list_init(&done);
    while (!list_empty(&bf->done)) {
        struct list *n = bf->done.next;
        list_del(n);
        list_add_tail(&done, n);
    }
    spin_unlock_irqrestore(&bf->lock, f);
    while (!list_empty(&done)) {
        struct blk_request *r = list_entry(done.next, struct blk_request, link);
        list_del(&r->link);
        blk_complete(&bf->bd, r, r->status);
    }
}

static void thread_wake_for(struct blkfront *bf, bool watch)
{
    unsigned long f = spin_lock_irqsave(&bf->lock);
    if (watch)
        bf->watch_due = true;
    spin_unlock_irqrestore(&bf->lock, f);
    waitq_wake_all(&bf->ev_wq);
}

/* Timer, interrupts off: the look itself is the thread's (watch_look). */
static void watchdog(struct timer *t)
{
    thread_wake_for(t->arg, true);
}

/* bf->lock held. A free request id, or -1. */
static int slot_get(struct blkfront_queue *q)
{
    unsigned size = q->bf->ring_size;
    for (unsigned i = 0; i < size; i++) {
        unsigned id = (q->slot_hint + i) % size;
        if (q->slot_ops[id] == BLKFRONT_SLOT_FREE) {
            q->slot_hint = id + 1;
            return (int)id;
        }
    }
    return -1;
}

unsigned blkfront_inflight(struct blkfront *bf)
{
    unsigned n = 0;
    for (unsigned i = 0; i < bf->nqueues; i++)
        if (bf->q[i])
            n += bf->q[i]->inflight;
    return n;
}

static void *frame_ptr(const struct blkfront_seg *s)
{
    return (void *)(uintptr_t)((s->gfn << PAGE_SHIFT) + (uint64_t)s->first * BLK_SECTOR);
}

static size_t seg_bytes(const struct blkfront_seg *s)
{
    return (size_t)(s->last - s->first + 1) * BLK_SECTOR;
}

/* bf->lock held. A pool page for one segment: a free one, else a new
 * page granted once (read-write: reads and writes both use it). */
static int pool_take(struct blkfront_queue *q)
{
    int idx = blkfront_pool_get(&q->pool);
    if (idx >= 0)
        return idx;
    idx = blkfront_pool_grow(&q->pool);
    if (idx < 0)
        return -1;
    if (!q->pool_page[idx] && !(q->pool_page[idx] = pages_alloc(1))) {
        blkfront_pool_shrink(&q->pool);
        return -1;
    }
    int64_t ref = gnttab_grant_access(q->bf->xdev->otherend_id,
                                      (uint64_t)(uintptr_t)q->pool_page[idx] >> PAGE_SHIFT, false);
    if (ref < 0) {
        blkfront_pool_shrink(&q->pool);
        return -1;
    }
    q->pool_gref[idx] = (grant_ref_t)ref;
    return idx;
}

/* A parked grant of a request's buffer has ended (gnttab_park retry):
 * the request may complete now, and a removed device may go. */
static void part_grant_ended(void *owner, void *what)
{
    struct blkfront *bf = owner;
    struct blk_request *r = what;
    unsigned long f = blkfront_lock(bf);
    bf->parked--;
    if (--r->parts == 0 && !list_linked(&r->link))
        complete_later(bf, r);
    bool let_go = bf->removed && bf->parked == 0;
    blkfront_unlock(bf, f);
    if (let_go)
        xenbus_dev_put(bf->xdev); /* probe's, kept for the parked grants */
}

/* bf->lock held. Ends what the part holds (the back-end answered, so it
 * no longer maps its own grants). A grant of the caller's buffer that
 * the back-end still maps is parked and holds the request (one more
 * piece outstanding, failed with -EIO): it completes only once the grant
 * has ended, so the buffer never goes back to its owner while the
 * back-end can write into it (XSA-396). */
static void part_release(struct blkfront_queue *q, struct blkfront_part *p)
{
    struct blkfront *bf = q->bf;
    if (bf->persistent) {
        for (unsigned i = 0; i < p->nseg; i++)
            if (blkfront_pool_put(&q->pool, p->gref[i]))
                printk("blkfront: %s: pool page %u given back twice", q->name, p->gref[i]);
    } else {
        unsigned held = 0;
        for (unsigned i = 0; i < p->nseg; i++)
            held += gnttab_end_or_park(p->gref[i], 0, part_grant_ended, bf, p->req);
        if (held) {
            bf->grants_leaked += held;
            bf->parked += held;
            p->req->parts += held;
            if (!p->req->status)
                p->req->status = -EIO;
            printk("blkfront: %s: %u grants still mapped by the back-end after its answer; "
                   "the request waits for them", q->name, held);
        }
        if (p->indirect) {
            unsigned id = (unsigned)(p - q->parts);
            if (gnttab_end_or_park_page(&p->ind_gref, &q->ind_pages[id]))
                bf->grants_leaked++;
        }
    }
    p->indirect = false;
    p->nseg = 0;
}

/* The device's thread, interrupts on: an answered read's data from the
 * pool pages into the caller's buffer (up to 512 KiB: not in the upcall).
 * The part is marked copying, so nothing frees or completes it meanwhile. */
static void part_copy_out(struct blkfront_queue *q, struct blkfront_part *p)
{
    struct blkfront *bf = q->bf;
    struct blkfront_seg *segs = bf->copy_segs;
    unsigned nseg;
    blkfront_segments((uintptr_t)p->req->buf + (uintptr_t)p->offset * BLK_SECTOR, p->count, segs,
                      bf->max_segs, &nseg);
    for (unsigned i = 0; i < nseg && i < p->nseg; i++)
        memcpy(frame_ptr(&segs[i]), (uint8_t *)q->pool_page[p->gref[i]] + segs[i].first * BLK_SECTOR,
               seg_bytes(&segs[i]));
    unsigned long f = blkfront_lock(bf);
    bf->copies += nseg;
    blkfront_unlock(bf, f);
}

/* bf->lock held. The indirect page of slot id and its grant: granted
 * once with persistent grants, per request otherwise. 0 or -ENOSPC. */
static int indirect_page(struct blkfront_queue *q, unsigned id, grant_ref_t *gref)
{
    if (!q->ind_pages[id] && !(q->ind_pages[id] = pages_alloc(1)))
        return -ENOSPC;
    if (q->bf->persistent && q->ind_pref[id]) {
        *gref = q->ind_pref[id];
        return 0;
    }
    /* blkback maps every persistent grant read-write, whatever it is for. */
    int64_t ind = gnttab_grant_access(q->bf->xdev->otherend_id,
                                      (uint64_t)(uintptr_t)q->ind_pages[id] >> PAGE_SHIFT,
                                      !q->bf->persistent);
    if (ind < 0)
        return -ENOSPC;
    *gref = (grant_ref_t)ind;
    if (q->bf->persistent)
        q->ind_pref[id] = *gref;
    return 0;
}

/* bf->lock held. Puts one part on the ring: 0, or -ENOSPC (no grant,
 * pool page or memory now). */
static int part_post(struct blkfront_queue *q, unsigned id)
{
    struct blkfront *bf = q->bf;
    struct blkfront_part *p = &q->parts[id];
    struct blk_request *r = p->req;
    struct blkif_request *req = RING_GET_REQUEST(&q->ring, q->ring.req_prod_pvt);
    uint8_t op;
    if (r->op == BLK_FLUSH) {
        op = BLKIF_OP_FLUSH_DISKCACHE;
        req->operation = op;
        req->nr_segments = 0;
        req->handle = bf->vdev;
        req->id = id;
        req->sector_number = 0;
    } else if (r->op == BLK_DISCARD) {
        struct blkif_request_discard *d = (struct blkif_request_discard *)req;
        op = BLKIF_OP_DISCARD;
        d->operation = op;
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
            if (indirect_page(q, id, &p->ind_gref))
                return -ENOSPC;
            p->indirect = true;
            dst = q->ind_pages[id];
        }
        for (unsigned i = 0; i < nseg; i++) {
            grant_ref_t ref;
            if (bf->persistent) {
                int idx = pool_take(q);
                if (idx < 0) {
                    p->nseg = (uint16_t)i;
                    part_release(q, p);
                    return -ENOSPC;
                }
                p->gref[i] = (grant_ref_t)idx;
                ref = q->pool_gref[idx];
                uint8_t *page = q->pool_page[idx];
                if (r->op == BLK_WRITE) {
                    memcpy(page + segs[i].first * BLK_SECTOR, frame_ptr(&segs[i]),
                           seg_bytes(&segs[i]));
                    bf->copies++;
                }
            } else {
                /* The back-end reads what we write and writes what we read. */
                int64_t g = gnttab_grant_access(bf->xdev->otherend_id, segs[i].gfn,
                                                r->op == BLK_WRITE);
                if (g < 0) {
                    p->nseg = (uint16_t)i;
                    part_release(q, p);
                    return -ENOSPC;
                }
                ref = (grant_ref_t)g;
                p->gref[i] = ref;
            }
            dst[i].gref = ref;
            dst[i].first_sect = segs[i].first;
            dst[i].last_sect = segs[i].last;
        }
        p->nseg = (uint16_t)nseg;
        op = r->op == BLK_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ;
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
    q->slot_ops[id] = (blkfront_slot_t)(op + 1) | (p->indirect ? BLKFRONT_SLOT_INDIRECT : 0);
    q->ring.req_prod_pvt++;
    q->inflight++;
    q->requests++;
    return 0;
}

/* bf->lock held. Fills the rings from the queue: each piece goes to the
 * ring with the fewest requests in flight, the last one used on a tie. */
static void issue_locked(struct blkfront *bf)
{
    if (bf->state != BF_CONNECTED || bf->nqueues == 0)
        return;
    bool posted[BLKFRONT_MAX_QUEUES] = { false };
    unsigned inflight[BLKFRONT_MAX_QUEUES], room[BLKFRONT_MAX_QUEUES];
    while (!list_empty(&bf->queue)) {
        for (unsigned i = 0; i < bf->nqueues; i++) {
            struct blkfront_queue *q = bf->q[i];
            inflight[i] = q->inflight;
            room[i] = RING_FULL(&q->ring) || q->inflight >= bf->ring_size ? 0
                                                                          : bf->ring_size - q->inflight;
        }
        unsigned qi = blkfront_queue_pick(inflight, room, bf->nqueues, bf->next_queue);
        if (qi >= bf->nqueues)
            break;
        struct blkfront_queue *q = bf->q[qi];
        struct blk_request *r = list_entry(bf->queue.next, struct blk_request, link);
        int id = slot_get(q);
        if (id < 0)
            break;
        struct blkfront_part *p = &q->parts[id];
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
        if (part_post(q, (unsigned)id)) {
            p->req = 0;
            if (blkfront_inflight(bf) == 0) {
                /* Nothing on any ring will free a grant or a page: waiting
                 * would wait forever. */
                printk("blkfront: %s: no grant, pool page or memory for a %s of %u sectors "
                       "with nothing in flight; failing it",
                       bf->bd.name, blk_op_name(r->op), r->count);
                list_del(&r->link);
                if (!r->status)
                    r->status = -ENOMEM;
                if (r->parts == 0)
                    complete_later(bf, r);
                continue;
            }
            break; /* answers will free some */
        }
        r->parts++;
        r->issued += p->count;
        if (r->op == BLK_FLUSH || r->issued >= r->count)
            list_del(&r->link); /* all of it is on a ring */
        posted[qi] = true;
        bf->next_queue = qi;
    }
    for (unsigned i = 0; i < bf->nqueues; i++) {
        if (!posted[i])
            continue;
        int notify;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf->q[i]->ring, notify);
        if (notify)
            evtchn_send(bf->q[i]->port);
        watchdog_arm(bf);
    }
}

void blkfront_issue(struct blkfront *bf)
{
    unsigned long f = blkfront_lock(bf);
    issue_locked(bf);
    blkfront_unlock(bf, f);
}

/* bf->lock held. A part is answered: complete its request when it was
 * the last. One whose data the thread is copying out finishes when the
 * copy is done (with the worse of the two statuses). */
static void part_done(struct blkfront_queue *q, unsigned id, int status)
{
    struct blkfront_part *p = &q->parts[id];
    if (p->copying) {
        if (status && !p->copy_status)
            p->copy_status = status;
        return;
    }
    struct blk_request *r = p->req;
    part_release(q, p);
    q->slot_ops[id] = BLKFRONT_SLOT_FREE;
    p->req = 0;
    q->inflight--;
    if (status && !r->status)
        r->status = status;
    if (--r->parts == 0 && !list_linked(&r->link))
        complete_later(q->bf, r);
}

/* bf->lock held. The back-end broke the protocol: nothing it says about
 * this device is believed any more; everything pending fails. */
static void broken(struct blkfront_queue *q, const char *why)
{
    struct blkfront *bf = q->bf;
    if (bf->state == BF_BROKEN)
        return;
    printk("blkfront: %s: the back-end broke the protocol (%s); taking the device down",
           q->name, why);
    bf->protocol_errors++;
    bf->state = BF_BROKEN;
    for (unsigned i = 0; i < bf->nqueues; i++)
        if (bf->q[i] && bf->q[i]->have_port)
            evtchn_mask(bf->q[i]->port);
    fail_all(bf, -EIO);
    blkfront_defer_close(bf);
}

/* Upcall: the port is masked (lateeoi) until the thread has drained the
 * ring. */
static void on_event(evtchn_port_t port, void *arg)
{
    struct blkfront_queue *q = arg;
    struct blkfront *bf = q->bf;
    unsigned long f = spin_lock_irqsave(&bf->lock);
    q->events++;
    q->ev_due = true;
    spin_unlock_irqrestore(&bf->lock, f);
    thread_wake_for(bf, false);
}

/* The device's thread. Reads the answers on q's ring (each copied once
 * into our memory and checked), completes them, and refills the rings;
 * a read's data is copied out with interrupts on, between two locked
 * passes. Returns true if there were answers. */
static bool drain(struct blkfront_queue *q)
{
    struct blkfront *bf = q->bf;
    bool found = false;
    uint16_t copy_ids[BLKFRONT_MAX_SLOTS];
    for (;;) {
        unsigned ncopy = 0;
        int more = 0;
        unsigned long f = blkfront_lock(bf);
        if (bf->state == BF_BROKEN || bf->state == BF_CLOSED || !q->ring.sring) {
            blkfront_unlock(bf, f);
            return found;
        }
        RING_IDX prod = READ_ONCE(q->ring.sring->rsp_prod);
        xen_rmb(); /* the index before the responses it covers */
        const char *why = 0;
        int n = ring_rsp_count(q->ring.rsp_cons, prod, q->ring.req_prod_pvt, bf->ring_size,
                                   &why);
        if (n < 0) {
            broken(q, why);
            blkfront_unlock(bf, f);
            return found;
        }
        for (RING_IDX i = q->ring.rsp_cons; i != prod; i++) {
            /* Read once into our memory: the back-end may change the ring. */
            struct blkif_response rsp;
            memcpy(&rsp, RING_GET_RESPONSE(&q->ring, i), sizeof(rsp));
            int status;
            if (blkfront_rsp_check(&rsp, q->slot_ops, bf->ring_size, &status, &why)) {
                /* Nothing it says is believed: the reads taken for copying
                 * fail with the rest. */
                for (unsigned c = 0; c < ncopy; c++)
                    q->parts[copy_ids[c]].copying = false;
                q->ring.rsp_cons = i;
                broken(q, why);
                blkfront_unlock(bf, f);
                return found;
            }
            found = true;
            struct blkfront_part *p = &q->parts[rsp.id];
            if (status == -EOPNOTSUPP)
                printk("blkfront: %s: back-end refused %s (EOPNOTSUPP)", q->name,
                       blk_op_name(p->req->op));
            if (status == 0 && bf->persistent && p->req->op == BLK_READ && p->nseg) {
                p->copying = true;
                p->copy_status = 0;
                copy_ids[ncopy++] = (uint16_t)rsp.id;
            } else {
                part_done(q, (unsigned)rsp.id, status);
            }
        }
        q->ring.rsp_cons = prod;
        if (!ncopy)
            RING_FINAL_CHECK_FOR_RESPONSES(&q->ring, more);
        else
            more = 1; /* look again after the copies */
        blkfront_unlock(bf, f);

        for (unsigned i = 0; i < ncopy; i++)
            part_copy_out(q, &q->parts[copy_ids[i]]);

        f = blkfront_lock(bf);
        for (unsigned i = 0; i < ncopy; i++) {
            struct blkfront_part *p = &q->parts[copy_ids[i]];
            p->copying = false;
            part_done(q, copy_ids[i], p->copy_status);
        }
        issue_locked(bf);
        blkfront_unlock(bf, f);
        waitq_wake_all(&bf->wq);
        if (!more)
            return found;
    }
}

/* The 100 ms look while requests are in flight: answers found are handled
 * as their event would have been (and counted: their event was late or
 * lost); a ring with requests out that did not move at all since the
 * last look gets its back-end notified again (harmless if only slow). */
static void watch_look(struct blkfront *bf)
{
    for (unsigned i = 0; i < bf->nqueues && bf->state == BF_CONNECTED; i++) {
        struct blkfront_queue *q = bf->q[i];
        unsigned long f = blkfront_lock(bf);
        /* An event announced it if one is due (it came after this
         * pass's drain): not a rescue, the next pass handles it. */
        bool waiting = q->inflight && RING_HAS_UNCONSUMED_RESPONSES(&q->ring) && !q->ev_due;
        bool stuck = !waiting && q->inflight && q->ring.rsp_cons == q->watch_cons;
        if (waiting)
            bf->rescued++;
        if (stuck)
            bf->kicked++;
        blkfront_unlock(bf, f);
        if (waiting) {
            evtchn_count_rescued(q->port);
            drain(q);
        } else if (stuck) {
            evtchn_send(q->port);
        }
        q->watch_cons = q->ring.rsp_cons;
    }
    unsigned long f = blkfront_lock(bf);
    if (bf->state == BF_CONNECTED && blkfront_inflight(bf))
        watchdog_arm(bf);
    blkfront_unlock(bf, f);
}

static bool thread_has_work(struct blkfront *bf)
{
    unsigned long f = blkfront_lock(bf);
    bool due = bf->watch_due || bf->thread_stop;
    for (unsigned i = 0; !due && i < bf->nqueues; i++)
        due = bf->q[i] && bf->q[i]->ev_due;
    blkfront_unlock(bf, f);
    return due;
}

static void bf_thread(void *arg)
{
    struct blkfront *bf = arg;
    for (;;) {
        /* Nothing is due without an event or the watchdog: a minute's wait. */
        wait_event_until(&bf->ev_wq, thread_has_work(bf), time_now_ns() + 60 * NS_PER_SEC);
        unsigned long f = blkfront_lock(bf);
        bool stop = bf->thread_stop, watch = bf->watch_due;
        bf->watch_due = false;
        blkfront_unlock(bf, f);
        if (stop)
            break;
        for (unsigned i = 0; i < bf->nqueues; i++) {
            struct blkfront_queue *q = bf->q[i];
            f = blkfront_lock(bf);
            bool due = q && q->ev_due;
            if (due)
                q->ev_due = false;
            blkfront_unlock(bf, f);
            if (!due)
                continue;
            bool found = drain(q);
            /* Done: the next event may come (a broken back-end's stay masked). */
            if (bf->state != BF_BROKEN && q->have_port)
                evtchn_eoi(q->port, found);
        }
        if (watch)
            watch_look(bf);
    }
    unsigned long f = blkfront_lock(bf);
    bf->thread_done = true;
    blkfront_unlock(bf, f);
    waitq_wake_all(&bf->ev_wq);
    thread_exit();
}

/* Rings are set up (first attach, a retry, a reconnect after a close):
 * the device's thread runs from here until the rings are torn down. */
static void thread_start(struct blkfront *bf)
{
    if (bf->thread)
        return;
    bf->thread_stop = false;
    bf->thread_done = false;
    bf->thread = thread_create(bf->bd.name, bf_thread, bf);
    if (!bf->thread)
        printk("blkfront: %s: no thread for the rings: the device will not answer", bf->bd.name);
}

/* Before bf goes: the thread leaves (it never waits on anything but its
 * own queue, so a second is plenty). */
static void thread_stop(struct blkfront *bf)
{
    if (!bf->thread)
        return;
    unsigned long f = blkfront_lock(bf);
    bf->thread_stop = true;
    blkfront_unlock(bf, f);
    waitq_wake_all(&bf->ev_wq);
    if (wait_event_until(&bf->ev_wq, bf->thread_done, time_now_ns() + NS_PER_SEC))
        printk("blkfront: %s: the device's thread did not stop within 1 s", bf->bd.name);
    bf->thread = 0;
}

static int submit(struct blkdev *d, struct blk_request *r)
{
    struct blkfront *bf = d->priv;
    unsigned long f = blkfront_lock(bf);
    if (bf->state == BF_CLOSING || bf->state == BF_CLOSED || bf->state == BF_BROKEN) {
        blkfront_unlock(bf, f);
        return -ENODEV;
    }
    list_add_tail(&bf->queue, &r->link);
    bf->submitted++;
    issue_locked(bf); /* queued until connected otherwise */
    blkfront_unlock(bf, f);
    return 0;
}

/* Per queue: requests posted and events; then what persistent grants
 * and the back-end cost. */
static void describe(struct blkdev *d, char *buf, size_t cap)
{
    struct blkfront *bf = d->priv;
    size_t n = 0;
    unsigned long f = blkfront_lock(bf);
    unsigned pool = 0;
    for (unsigned i = 0; i < bf->nqueues && n < cap; i++) {
        struct blkfront_queue *q = bf->q[i];
        pool += q->pool.cap;
        n += (size_t)k_snprintf(buf + n, cap - n,
                                "q%u %llu requests %llu events (%u in flight, req %u rsp %u/%u), ",
                                i, (unsigned long long)q->requests, (unsigned long long)q->events,
                                q->inflight, q->ring.req_prod_pvt, q->ring.rsp_cons,
                                q->ring.sring ? q->ring.sring->rsp_prod : 0);
    }
    if (n < cap)
        k_snprintf(buf + n, cap - n,
                   "pool pages %u, copies %llu, grants leaked %llu, answers found by the watchdog %llu, "
                   "back-end kicked again %llu, %s",
                   pool, (unsigned long long)bf->copies, (unsigned long long)bf->grants_leaked,
                   (unsigned long long)bf->rescued, (unsigned long long)bf->kicked,
                   blkfront_state_name(bf->state));
    blkfront_unlock(bf, f);
}

/* A user (the shell) holds the XenBus device, and with it bf: freed only
 * with its last reference (blkfront_free). */
static void hold(struct blkdev *d)
{
    struct blkfront *bf = d->priv;
    xenbus_dev_get(bf->xdev);
}

static void unhold(struct blkdev *d)
{
    struct blkfront *bf = d->priv;
    xenbus_dev_put(bf->xdev); /* may free bf */
}

static const struct blkdev_ops ops = {
    .submit = submit, .describe = describe, .get = hold, .put = unhold,
};

/* bf->lock held. Fails the queue; and what is on the rings once the
 * back-end let go of it, or when it broke the protocol with persistent
 * grants (no caller's buffer is granted then, and nothing it answers is
 * believed). Otherwise a request on a ring waits: its buffer may be
 * mapped by the back-end until it closes, and its answer may still come. */
static void fail_all(struct blkfront *bf, int status)
{
    while (!list_empty(&bf->queue)) {
        struct blk_request *r = list_entry(bf->queue.next, struct blk_request, link);
        list_del(&r->link);
        if (!r->status)
            r->status = status;
        if (r->parts == 0)
            complete_later(bf, r);
    }
    if (!bf->let_go && !(bf->persistent && bf->state == BF_BROKEN))
        return;
    for (unsigned i = 0; i < bf->nqueues; i++) {
        struct blkfront_queue *q = bf->q[i];
        for (unsigned id = 0; q && id < bf->ring_size; id++)
            if (q->slot_ops[id] != BLKFRONT_SLOT_FREE)
                part_done(q, id, status);
    }
}

void blkfront_fail_all(struct blkfront *bf, int status)
{
    unsigned long f = blkfront_lock(bf);
    fail_all(bf, status);
    blkfront_unlock(bf, f);
}

/* Frees a queue's pages; only when the back-end maps none of them.
 * Bytes freed. */
static size_t queue_free(struct blkfront_queue *q, unsigned ring_order)
{
    size_t pages = 0;
    if (q->ring_pages) {
        pages_free(q->ring_pages, 1u << ring_order);
        pages += 1u << ring_order;
    }
    for (unsigned i = 0; i < BLKFRONT_MAX_SLOTS; i++)
        if (q->ind_pages[i]) {
            pages_free(q->ind_pages[i], 1);
            pages++;
        }
    for (unsigned i = 0; i < BLKFRONT_POOL_MAX; i++)
        if (q->pool_page[i]) {
            pages_free(q->pool_page[i], 1);
            pages++;
        }
    kfree(q);
    return pages * PAGE_SIZE;
}

static int queue_setup(struct blkfront *bf, struct blkfront_queue *q, unsigned order)
{
    if (q->ring_pages && order != bf->ring_order) {
        pages_free(q->ring_pages, 1u << bf->ring_order);
        q->ring_pages = 0;
    }
    if (!q->ring_pages && !(q->ring_pages = pages_alloc(1u << order)))
        return -ENOMEM;
    struct blkif_sring *s = q->ring_pages;
    memset(s, 0, PAGE_SIZE << order);
    SHARED_RING_INIT(s);
    FRONT_RING_INIT(&q->ring, s, PAGE_SIZE << order);
    int rc = xenbus_front_grant(bf->xdev, q->ring_pages, 1u << order, false, q->ring_ref);
    if (!rc)
        rc = xenbus_front_port(bf->xdev, on_event, q, q->name, &q->port, &q->have_port);
    return rc;
}

int blkfront_rings_setup(struct blkfront *bf, unsigned nqueues, unsigned order)
{
    if (nqueues < 1 || nqueues > BLKFRONT_MAX_QUEUES)
        return -EINVAL;
    thread_start(bf);
    /* Queues a new back-end does not want any more (after a restore). */
    for (unsigned i = nqueues; i < BLKFRONT_MAX_QUEUES; i++)
        if (bf->q[i]) {
            queue_free(bf->q[i], bf->ring_order);
            bf->q[i] = 0;
        }
    for (unsigned i = 0; i < nqueues; i++) {
        if (!bf->q[i]) {
            struct blkfront_queue *q = kzalloc(sizeof(*q));
            if (!q)
                return -ENOMEM;
            q->bf = bf;
            q->index = i;
            if (nqueues == 1)
                strlcpy_k(q->name, bf->bd.name, sizeof(q->name));
            else
                k_snprintf(q->name, sizeof(q->name), "%s/q%u", bf->bd.name, i);
            blkfront_pool_init(&q->pool, BLKFRONT_POOL_MAX);
            bf->q[i] = q;
        }
    }
    unsigned long f = blkfront_lock(bf);
    bf->nqueues = nqueues;
    blkfront_unlock(bf, f);
    for (unsigned i = 0; i < nqueues; i++) {
        int rc = queue_setup(bf, bf->q[i], order);
        if (rc)
            return rc;
    }
    bf->ring_order = order;
    bf->ring_size = RING_SIZE(&bf->q[0]->ring);
    if (bf->ring_size > BLKFRONT_MAX_SLOTS)
        bf->ring_size = BLKFRONT_MAX_SLOTS;
    bf->next_queue = 0;
    return 0;
}

void blkfront_ports_close(struct blkfront *bf, bool xen_forgot)
{
    for (unsigned i = 0; i < BLKFRONT_MAX_QUEUES; i++)
        if (bf->q[i])
            xenbus_dev_ports_close(&bf->q[i]->port, &bf->q[i]->have_port, 1, xen_forgot);
}

/* Ends the ring, pool and indirect grants. After a restore Xen forgot
 * them: the calls then only tidy our own books. */
unsigned blkfront_rings_teardown(struct blkfront *bf, bool free_pages, bool xen_forgot)
{
    if (free_pages)
        thread_stop(bf);
    timer_cancel(&bf->watchdog);
    blkfront_ports_close(bf, xen_forgot);
    unsigned parked = 0;
    for (unsigned qi = 0; qi < BLKFRONT_MAX_QUEUES; qi++) {
        struct blkfront_queue *q = bf->q[qi];
        if (!q)
            continue;
        unsigned kept = 0;
        unsigned ring_held = xenbus_front_ungrant(q->ring_ref, 1u << bf->ring_order, 0);
        bool ring_kept = ring_held != 0;
        bf->grants_leaked += ring_held;
        /* One page each: a parked one goes with its grant (no longer ours). */
        for (unsigned i = 0; i < BLKFRONT_MAX_SLOTS; i++)
            kept += xenbus_front_ungrant(&q->ind_pref[i], 1, &q->ind_pages[i]);
        for (unsigned i = 0; i < q->pool.cap; i++)
            kept += xenbus_front_ungrant(&q->pool_gref[i], 1, &q->pool_page[i]);
        bf->grants_leaked += kept;
        if (ring_kept) {
            /* Several pages in one allocation: kept for good. */
            q->ring_pages = 0;
        }
        q->ring.sring = 0;
        if (kept || ring_kept)
            printk("blkfront: %s: the back-end still maps %u pages%s; they are parked, never "
                   "reused", q->name, kept, ring_kept ? " and the ring" : "");
        parked += kept + ring_held;
        /* Pool pages are granted again as they are needed. */
        blkfront_pool_init(&q->pool, BLKFRONT_POOL_MAX);
    }
    if (free_pages)
        blkfront_queues_free(bf);
    return parked;
}

size_t blkfront_queues_free(struct blkfront *bf)
{
    thread_stop(bf);
    size_t bytes = 0;
    for (unsigned qi = 0; qi < BLKFRONT_MAX_QUEUES; qi++) {
        if (!bf->q[qi])
            continue;
        bytes += queue_free(bf->q[qi], bf->ring_order);
        bf->q[qi] = 0;
    }
    unsigned long f = blkfront_lock(bf);
    bf->nqueues = 0;
    blkfront_unlock(bf, f);
    return bytes;
}

/* After a restore (or a back-end restart) the old rings, and the grants
 * of what was on them, are gone: each request with a piece in flight
 * goes back to the front of the queue and is issued again whole (reads
 * and writes of the same data are idempotent, and the new back-end may
 * cut pieces differently). One held by a parked grant fails instead,
 * once that grant ends. */
unsigned blkfront_requeue_inflight(struct blkfront *bf)
{
    unsigned n = 0;
    unsigned long f = blkfront_lock(bf);
    for (unsigned qi = 0; qi < bf->nqueues; qi++) {
        struct blkfront_queue *q = bf->q[qi];
        for (unsigned id = 0; q && id < bf->ring_size; id++) {
            struct blkfront_part *p = &q->parts[id];
            if (q->slot_ops[id] == BLKFRONT_SLOT_FREE)
                continue;
            struct blk_request *r = p->req;
            /* Grants are empty entries now: back to the free list. */
            part_release(q, p);
            p->req = 0;
            q->slot_ops[id] = BLKFRONT_SLOT_FREE;
            q->inflight--;
            r->parts--;
            if (!list_linked(&r->link) && r->parts == 0) {
                list_add_tail(bf->queue.next, &r->link); /* at the front */
                r->issued = 0;
                n++;
            }
        }
    }
    /* Queued ones start again from their first sector; held ones leave. */
    struct list *pos, *tmp;
    list_for_each_safe(pos, tmp, &bf->queue) {
        struct blk_request *r = list_entry(pos, struct blk_request, link);
        if (r->parts == 0) {
            r->issued = 0;
        } else {
            list_del(&r->link);
            if (!r->status)
                r->status = -EIO;
        }
    }
    blkfront_unlock(bf, f);
    return n;
}

void blkfront_drain_answered(struct blkfront *bf)
{
    thread_stop(bf); /* one drainer: the copy-out scratch is the device's */
    for (unsigned i = 0; i < bf->nqueues; i++) {
        struct blkfront_queue *q = bf->q[i];
        if (q && q->have_port && q->ring.sring)
            drain(q);
    }
}

void blkfront_release(struct blkfront *bf)
{
    unsigned long f = blkfront_lock(bf);
    bf->removed = true;
    bool let_go = bf->parked == 0;
    blkfront_unlock(bf, f);
    if (let_go)
        xenbus_dev_put(bf->xdev);
    else
        printk("blkfront: %s: kept until the back-end lets go of %u grants", bf->bd.name,
               bf->parked);
}

void blkfront_free(struct blkfront *bf)
{
    timer_cancel(&bf->watchdog);
    for (unsigned i = 0; i < BLKFRONT_MAX_QUEUES; i++)
        if (bf->q[i])
            queue_free(bf->q[i], bf->ring_order);
    kfree(bf);
}

int blkfront_wait_idle(struct blkfront *bf, uint64_t deadline)
{
    int rc = wait_event_until(&bf->wq, blkfront_inflight(bf) == 0, deadline);
    if (rc)
        printk("blkfront: %s: %u requests still with the back-end at the deadline",
               bf->bd.name, blkfront_inflight(bf));
    return rc;
}

void blkfront_init_dev(struct blkfront *bf)
{
    list_init(&bf->queue);
    list_init(&bf->done);
    waitq_init(&bf->wq);
    waitq_init(&bf->ev_wq);
    spin_lock_init(&bf->lock, "blkfront");
    timer_init(&bf->watchdog, watchdog, bf);
    bf->bd.ops = &ops;
    bf->bd.priv = bf;
    bf->bd.features = bf->features;
}
