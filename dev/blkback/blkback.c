/* blkback: serves backend/vbd/<fe>/<id> (see blkback.h). The XenBus side
 * (probe, attach, connect, close, closed, remove) runs in the bus thread;
 * each connected device has a service thread that takes requests off the
 * ring, checks the private copy (blkback_req.c), moves the data with
 * GNTTABOP_copy (no foreign mapping but the ring's, nothing to unmap per
 * request) and answers. Its event port is lateeoi: masked from the event
 * until the thread has done the work. A front-end that breaks the
 * protocol takes down its own device only (Closing, the reason logged and
 * in <backend>/error); an out-of-range request or a write to a read-only
 * export gets BLKIF_RSP_ERROR. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "kern/clock.h"
#include "kern/mm.h"
#include "lib/barrier.h"
#include "xen/evtchn.h"
#include "xen/gnttab_map.h"
#include "xen/xenbus.h"
#include "xen/xenbus_bus.h"
#include "blk/blkdev.h"
#include "shell/shell.h"
#include "dev/blkback/blkback.h"
#include "dev/blkback/blkback_req.h"
#include <xen/io/protocols.h>

/* How long a stop waits for the service thread (a request to a domu
 * block device may be in flight, bounded by IO_NS). */
#define STOP_NS (5 * NS_PER_SEC)
#define IO_NS (30 * NS_PER_SEC)
/* The ring is looked at this often even with no event (an event is now
 * and then not delivered on the emulated test host). */
#define POLL_NS (200 * NS_PER_MS)

struct ramdisk {
    uint64_t npages;
    void **page;       /* NULL: never written (reads as zeros) */
    uint64_t resident; /* pages allocated */
};

struct blkback {
    struct xenbus_device *xdev;
    char name[32];               /* "vbd 5/51712" */
    struct blkback_target target;
    char params[64];
    bool readonly;
    struct blkback_limits lim;
    struct ramdisk ram;
    struct blkdev *bd;           /* BLKDEV target, held */
    void *bounce;                /* BLKDEV: one request's data */
    /* the ring */
    blkif_back_ring_t ring;
    void *ring_page;
    grant_handle_t ring_handle;
    bool ring_mapped;
    evtchn_port_t port;
    bool have_port;
    /* the service thread */
    struct thread *thread;
    struct waitq wq;             /* the thread waits for kicked or stop */
    struct waitq stop_wq;        /* the bus thread waits for thread_done */
    volatile bool kicked, stop, thread_done;
    volatile bool broken;        /* a protocol violation: serve nothing more */
    const char *broken_why;
    bool close_pending;
    bool connected;
    /* counters */
    uint64_t reads, writes, flushes, discards, errors, notsupp, sect_read, sect_written;
    uint64_t events, connects;
    struct list link;
};

static struct xenbus_driver driver;
static uint8_t zero_page[BLKBACK_PAGE] __attribute__((aligned(BLKBACK_PAGE)));
/* Every export (for the exclusive read-write check and the shell). */
static struct list exports = LIST_INIT(exports);
static struct spinlock exports_lock = SPINLOCK_INIT("blkback");

/* ---- the RAM disk ---------------------------------------------------- */

static int ram_open(struct ramdisk *rd, uint64_t bytes)
{
    rd->npages = bytes / BLKBACK_PAGE;
    size_t tbl = (size_t)((rd->npages * sizeof(void *) + BLKBACK_PAGE - 1) / BLKBACK_PAGE);
    rd->page = pages_alloc(tbl);
    if (!rd->page)
        return -ENOMEM;
    memset(rd->page, 0, tbl * BLKBACK_PAGE);
    rd->resident = 0;
    return 0;
}

static void ram_close(struct ramdisk *rd)
{
    if (!rd->page)
        return;
    for (uint64_t i = 0; i < rd->npages; i++)
        if (rd->page[i])
            pages_free(rd->page[i], 1);
    size_t tbl = (size_t)((rd->npages * sizeof(void *) + BLKBACK_PAGE - 1) / BLKBACK_PAGE);
    pages_free(rd->page, tbl);
    rd->page = 0;
    rd->resident = 0;
}

struct local_ctx {
    struct blkback *b;
    uint64_t base; /* the request's first byte on the disk */
};

static void *ram_read_at(void *arg, uint64_t off)
{
    struct local_ctx *c = arg;
    uint64_t byte = c->base + off;
    uint8_t *p = c->b->ram.page[byte / BLKBACK_PAGE];
    return (p ? p : zero_page) + byte % BLKBACK_PAGE;
}

static void *ram_write_at(void *arg, uint64_t off)
{
    struct local_ctx *c = arg;
    struct ramdisk *rd = &c->b->ram;
    uint64_t byte = c->base + off, idx = byte / BLKBACK_PAGE;
    if (!rd->page[idx]) {
        void *p = pages_alloc(1);
        if (!p)
            return 0;
        memset(p, 0, BLKBACK_PAGE);
        rd->page[idx] = p;
        rd->resident++;
    }
    return (uint8_t *)rd->page[idx] + byte % BLKBACK_PAGE;
}

/* Whole pages go back to the allocator; the edges are zeroed. */
static void ram_discard(struct ramdisk *rd, uint64_t sector, uint64_t count)
{
    uint64_t byte = sector * BLKBACK_SECT, end = byte + count * BLKBACK_SECT;
    while (byte < end) {
        uint64_t idx = byte / BLKBACK_PAGE, in = byte % BLKBACK_PAGE;
        uint64_t len = MIN(end - byte, BLKBACK_PAGE - in);
        if (rd->page[idx]) {
            if (len == BLKBACK_PAGE) {
                pages_free(rd->page[idx], 1);
                rd->page[idx] = 0;
                rd->resident--;
            } else {
                memset((uint8_t *)rd->page[idx] + in, 0, len);
            }
        }
        byte += len;
    }
}

static void *bounce_at(void *arg, uint64_t off)
{
    struct local_ctx *c = arg;
    return (uint8_t *)c->b->bounce + off;
}

/* ---- serving requests ------------------------------------------------- */

/* The data of one checked read or write: 0 or -errno. */
static int do_rw(struct blkback *b, const struct blkback_req *r, bool write)
{
    struct gnttab_copy_seg segs[BLKBACK_MAX_COPIES];
    struct local_ctx c = { b, r->sector * BLKBACK_SECT };
    domid_t fe = b->xdev->otherend_id;
    int n, rc;
    if (b->target.kind == BB_TARGET_RAM) {
        n = blkback_copy_plan(r, fe, !write, write ? ram_write_at : ram_read_at, &c, segs);
        if (n < 0)
            return n;
        return gnttab_copy_batch(segs, (unsigned)n);
    }
    n = blkback_copy_plan(r, fe, !write, bounce_at, &c, segs);
    if (n < 0)
        return n;
    if (write && (rc = gnttab_copy_batch(segs, (unsigned)n)))
        return rc;
    rc = blk_rw_sync(b->bd, write ? BLK_WRITE : BLK_READ, r->sector, (uint32_t)r->nsect,
                     b->bounce, time_now_ns() + IO_NS);
    if (rc == -ETIMEDOUT) {
        /* The device still holds the buffer: never reuse it. */
        b->bounce = pages_alloc(BLKBACK_MAX_SEGS);
        if (!b->bounce)
            b->broken = true;
        return rc;
    }
    if (rc || write)
        return rc;
    return gnttab_copy_batch(segs, (unsigned)n);
}

static int do_flush(struct blkback *b)
{
    if (b->target.kind == BB_TARGET_RAM || !b->bd->can_flush)
        return 0; /* nothing cached on the way */
    return blk_rw_sync(b->bd, BLK_FLUSH, 0, 0, 0, time_now_ns() + IO_NS);
}

static void go_broken(struct blkback *b, const char *why)
{
    if (b->broken)
        return;
    b->broken = true;
    b->broken_why = why;
    b->close_pending = true;
    xenbus_dev_defer(b->xdev); /* the bus thread closes it (XenStore) */
}

/* One request from its private copy: the status to answer, or 1 for
 * none (the device goes down). */
static int handle(struct blkback *b, const blkif_request_t *raw, struct blkback_req *r)
{
    const char *why;
    enum blkback_verdict v = blkback_req_parse(raw, &b->lim, r, &why);
    if (v == BB_FATAL) {
        printk("blkback: %s: request %llu: %s; the device goes down", b->name,
               (unsigned long long)r->id, why);
        go_broken(b, why);
        return 1;
    }
    if (v == BB_NOTSUPP) {
        b->notsupp++;
        return BLKIF_RSP_EOPNOTSUPP;
    }
    if (v == BB_ERROR) {
        if (b->errors++ < 8)
            printk("blkback: %s: request %llu (op %u, sector %llu, %llu sectors): %s", b->name,
                   (unsigned long long)r->id, r->op, (unsigned long long)r->sector,
                   (unsigned long long)r->nsect, why);
        return BLKIF_RSP_ERROR;
    }
    int rc = 0;
    switch (r->op) {
    case BLKIF_OP_READ:
        rc = do_rw(b, r, false);
        if (!rc) {
            b->reads++;
            b->sect_read += r->nsect;
        }
        break;
    case BLKIF_OP_WRITE:
    case BLKIF_OP_FLUSH_DISKCACHE:
        if (r->nseg) {
            rc = do_rw(b, r, true);
            if (!rc && r->op == BLKIF_OP_WRITE) {
                b->writes++;
                b->sect_written += r->nsect;
            } else if (!rc) {
                b->sect_written += r->nsect;
            }
        }
        if (!rc && r->op == BLKIF_OP_FLUSH_DISKCACHE) {
            rc = do_flush(b);
            b->flushes++;
        }
        break;
    case BLKIF_OP_DISCARD:
        if (b->target.kind == BB_TARGET_RAM)
            ram_discard(&b->ram, r->sector, r->nsect);
        else
            rc = blk_rw_sync(b->bd, BLK_DISCARD, r->sector, (uint32_t)r->nsect, 0,
                             time_now_ns() + IO_NS);
        b->discards++;
        break;
    }
    if (rc) {
        if (b->errors++ < 8)
            printk("blkback: %s: request %llu (op %u, sector %llu): %s", b->name,
                   (unsigned long long)r->id, r->op, (unsigned long long)r->sector,
                   errno_name(rc));
        return BLKIF_RSP_ERROR;
    }
    return BLKIF_RSP_OKAY;
}

/* Everything on the ring now: true if there was work. */
static bool serve(struct blkback *b)
{
    bool work = false;
    for (;;) {
        if (b->broken || b->stop)
            return work;
        RING_IDX rp = READ_ONCE(b->ring.sring->req_prod);
        xen_rmb(); /* the requests after the index */
        const char *why;
        if (blkback_ring_requests(rp, b->ring.req_cons, b->ring.rsp_prod_pvt,
                                  RING_SIZE(&b->ring), &why) < 0) {
            printk("blkback: %s: %s (prod %u, cons %u); the device goes down", b->name, why, rp,
                   b->ring.req_cons);
            go_broken(b, why);
            return work;
        }
        while (b->ring.req_cons != rp && !b->broken && !b->stop) {
            blkif_request_t raw;
            blkback_req_copy(&raw, RING_GET_REQUEST(&b->ring, b->ring.req_cons));
            b->ring.req_cons++;
            work = true;
            struct blkback_req r;
            int st = handle(b, &raw, &r);
            if (st == 1)
                return work;
            blkback_rsp_write(RING_GET_RESPONSE(&b->ring, b->ring.rsp_prod_pvt), r.id, r.op,
                              (int16_t)st);
            b->ring.rsp_prod_pvt++;
        }
        int notify;
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b->ring, notify);
        if (notify)
            evtchn_send(b->port);
        int more;
        RING_FINAL_CHECK_FOR_REQUESTS(&b->ring, more);
        if (!more)
            return work;
    }
}

static void on_event(evtchn_port_t port, void *arg)
{
    struct blkback *b = arg;
    (void)port;
    b->events++;
    b->kicked = true;
    waitq_wake_all(&b->wq);
}

static void service(void *arg)
{
    struct blkback *b = arg;
    while (!b->stop) {
        b->kicked = false;
        bool work = serve(b);
        evtchn_eoi(b->port, work);
        /* The next event, or a look at the ring anyway after POLL_NS. */
        wait_event_until(&b->wq, b->kicked || b->stop, time_now_ns() + POLL_NS);
    }
    b->thread_done = true;
    waitq_wake_all(&b->stop_wq);
    thread_exit();
}

/* Bus thread: the service thread stops, then the ring goes (unmapped,
 * its port closed). */
static void ring_down(struct blkback *b)
{
    if (b->thread) {
        b->stop = true;
        waitq_wake_all(&b->wq);
        if (wait_event_until(&b->stop_wq, b->thread_done, time_now_ns() + STOP_NS)) {
            /* It is inside a request to the device: keep the ring mapped
             * (it may still write a response), the device stays down. */
            printk("blkback: %s: the service thread did not stop within %llu s; its ring stays "
                   "mapped", b->name, (unsigned long long)(STOP_NS / NS_PER_SEC));
            return;
        }
        b->thread = 0;
    }
    if (b->have_port) {
        evtchn_close(b->port);
        b->have_port = false;
    }
    if (b->ring_mapped) {
        int rc = gnttab_unmap(b->ring_handle, b->ring_page);
        if (rc)
            printk("blkback: %s: unmapping the ring: %s", b->name, errno_name(rc));
        b->ring_mapped = false;
        b->ring_page = 0;
    }
    b->connected = false;
}

/* ---- the XenBus side ------------------------------------------------ */

/* Read-write exports of a domu device are exclusive. */
static bool blkdev_taken(const struct blkback *self)
{
    bool taken = false;
    unsigned long f = spin_lock_irqsave(&exports_lock);
    struct list *pos;
    list_for_each(pos, &exports) {
        struct blkback *o = list_entry(pos, struct blkback, link);
        if (o != self && o->bd && strcmp(o->target.name, self->target.name) == 0 &&
            (!o->readonly || !self->readonly))
            taken = true;
    }
    spin_unlock_irqrestore(&exports_lock, f);
    return taken;
}

static int own_read(struct xenbus_device *x, const char *node, char *buf, size_t cap)
{
    char path[96];
    k_snprintf(path, sizeof(path), "%s/%s", x->nodename, node);
    return xs_read(XS_TX_NONE, path, buf, cap);
}

static int probe(struct xenbus_device *x)
{
    struct blkback *b = kzalloc(sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->xdev = x;
    k_snprintf(b->name, sizeof(b->name), "vbd %u/%s", x->otherend_id, x->id);
    waitq_init(&b->wq);
    waitq_init(&b->stop_wq);
    xenbus_dev_get(x);
    x->priv = b;
    unsigned long f = spin_lock_irqsave(&exports_lock);
    list_add_tail(&exports, &b->link);
    spin_unlock_irqrestore(&exports_lock, f);
    return 0;
}

/* The target and its features, before InitWait. A target that cannot be
 * served closes the device with the reason in error and hotplug-error. */
static int open_target(struct blkback *b)
{
    struct xenbus_device *x = b->xdev;
    char mode[8] = "w";
    int rc = own_read(x, "params", b->params, sizeof(b->params));
    if (rc < 0) {
        xenbus_dev_fatal(x, rc, "reading params (the target)");
        return rc;
    }
    if (own_read(x, "mode", mode, sizeof(mode)) >= 0)
        b->readonly = mode[0] != 'w';
    const char *why = 0;
    rc = blkback_target_parse(b->params, &b->target, &why);
    if (!rc && b->target.kind == BB_TARGET_RAM) {
        rc = ram_open(&b->ram, b->target.bytes);
        why = rc ? "no memory for the RAM disk's page table" : 0;
        b->lim.sectors = b->target.bytes / BLKBACK_SECT;
        b->lim.discard = true;
    } else if (!rc) {
        b->bd = blkdev_get(b->target.name);
        if (!b->bd) {
            rc = -ENOENT;
            why = "no such domu block device";
        } else if (b->bd->sector_size != BLKBACK_SECT) {
            rc = -EINVAL;
            why = "only 512-byte sector devices are served";
        } else if (b->bd->readonly && !b->readonly) {
            rc = -EROFS;
            why = "the device is read-only; export it with mode=r";
        } else if (blkdev_taken(b)) {
            rc = -EBUSY;
            why = "the device is already exported read-write";
        } else if (!(b->bounce = pages_alloc(BLKBACK_MAX_SEGS))) {
            rc = -ENOMEM;
            why = "no memory for the bounce buffer";
        }
        if (b->bd) {
            b->lim.sectors = b->bd->sectors;
            b->lim.discard = b->bd->can_discard;
        }
    }
    if (rc) {
        xenbus_dev_write(x, XS_TX_NONE, "hotplug-error", why);
        xenbus_dev_fatal(x, rc, "target '%s': %s", b->params, why);
        return rc;
    }
    b->lim.readonly = b->readonly;
    return 0;
}

static void close_target(struct blkback *b)
{
    ram_close(&b->ram);
    if (b->bd) {
        blkdev_put(b->bd);
        b->bd = 0;
    }
    if (b->bounce) {
        pages_free(b->bounce, BLKBACK_MAX_SEGS);
        b->bounce = 0;
    }
}

static int attach(struct xenbus_device *x)
{
    struct blkback *b = x->priv;
    if (!b->ram.page && !b->bd) {
        int rc = open_target(b);
        if (rc) {
            close_target(b);
            return rc;
        }
    }
    int rc = xenbus_dev_write(x, XS_TX_NONE, "feature-flush-cache", "1");
    if (!rc)
        rc = xenbus_dev_write(x, XS_TX_NONE, "feature-discard", b->lim.discard ? "1" : "0");
    if (!rc && b->lim.discard) {
        rc = xenbus_dev_printf(x, XS_TX_NONE, "discard-granularity", "%u", BLKBACK_PAGE);
        if (!rc)
            rc = xenbus_dev_write(x, XS_TX_NONE, "discard-alignment", "0");
        if (!rc)
            rc = xenbus_dev_write(x, XS_TX_NONE, "discard-secure", "0");
    }
    if (!rc)
        rc = xenbus_dev_write(x, XS_TX_NONE, "feature-persistent", "0");
    return rc;
}

/* The front-end is Initialised: its ring, its port, then the disk. */
static int connect(struct xenbus_device *x)
{
    struct blkback *b = x->priv;
    uint64_t ref, port, order = 0;
    char proto[32];
    if (b->connected)
        return 0;
    if (xenbus_dev_read_otherend_uint(x, "ring-page-order", 16, &order) == 0 && order) {
        xenbus_dev_fatal(x, -EINVAL, "ring-page-order %llu: only 1-page rings are served",
                         (unsigned long long)order);
        return -EINVAL;
    }
    int rc = xenbus_dev_read_otherend_uint(x, "ring-ref", UINT32_MAX, &ref);
    if (!rc)
        rc = xenbus_dev_read_otherend_uint(x, "event-channel", UINT32_MAX, &port);
    if (rc) {
        xenbus_dev_fatal(x, rc, "reading the front-end's ring-ref and event-channel");
        return rc;
    }
    rc = xenbus_dev_read_otherend(x, "protocol", proto, sizeof(proto));
    if (rc >= 0 && strcmp(proto, XEN_IO_PROTO_ABI_NATIVE) != 0) {
        xenbus_dev_fatal(x, -EOPNOTSUPP, "protocol '%s': only %s is served", proto,
                         XEN_IO_PROTO_ABI_NATIVE);
        return -EOPNOTSUPP;
    }
    rc = gnttab_map(x->otherend_id, (grant_ref_t)ref, false, &b->ring_handle, &b->ring_page);
    if (rc) {
        xenbus_dev_fatal(x, rc, "mapping the ring (ref %llu)", (unsigned long long)ref);
        return rc;
    }
    b->ring_mapped = true;
    BACK_RING_INIT(&b->ring, (blkif_sring_t *)b->ring_page, BLKBACK_PAGE);
    rc = evtchn_bind_interdomain(x->otherend_id, (evtchn_port_t)port, on_event, b, b->name,
                                 &b->port);
    if (rc) {
        xenbus_dev_fatal(x, rc, "binding event channel %llu", (unsigned long long)port);
        ring_down(b);
        return rc;
    }
    b->have_port = true;
    evtchn_set_lateeoi(b->port);
    b->stop = b->thread_done = b->kicked = false;
    b->broken = false;
    b->thread = thread_create("blkback", service, b);
    if (!b->thread) {
        ring_down(b);
        return -ENOMEM;
    }
    rc = xenbus_dev_printf(x, XS_TX_NONE, "sectors", "%llu", (unsigned long long)b->lim.sectors);
    if (!rc)
        rc = xenbus_dev_printf(x, XS_TX_NONE, "info", "%u", b->readonly ? VDISK_READONLY : 0);
    if (!rc)
        rc = xenbus_dev_printf(x, XS_TX_NONE, "sector-size", "%u", BLKBACK_SECT);
    if (!rc)
        rc = xenbus_dev_printf(x, XS_TX_NONE, "physical-sector-size", "%u", BLKBACK_SECT);
    if (!rc)
        rc = xenbus_dev_switch_state(x, XenbusStateConnected);
    if (rc) {
        ring_down(b);
        return rc;
    }
    b->connected = true;
    b->connects++;
    printk("blkback: %s: connected: %s%s, %llu sectors, ring ref %llu, port %llu", b->name,
           b->params, b->readonly ? " read-only" : "", (unsigned long long)b->lim.sectors,
           (unsigned long long)ref, (unsigned long long)port);
    return 0;
}

/* The front-end started again (Initialising): its old ring goes. */
static void detach(struct xenbus_device *x)
{
    ring_down(x->priv);
}

static void close_dev(struct xenbus_device *x)
{
    struct blkback *b = x->priv;
    b->stop = true; /* no new work; the ring stays until the front-end is Closed */
    waitq_wake_all(&b->wq);
}

/* The front-end is Closed (or did not close in time): unmap everything
 * before the core says Closed. */
static void closed(struct xenbus_device *x)
{
    struct blkback *b = x->priv;
    ring_down(b);
    printk("blkback: %s: closed (%llu reads, %llu writes, %llu errors)", b->name,
           (unsigned long long)b->reads, (unsigned long long)b->writes,
           (unsigned long long)b->errors);
}

static void deferred(struct xenbus_device *x)
{
    struct blkback *b = x->priv;
    if (b && b->close_pending) {
        b->close_pending = false;
        xenbus_dev_fatal(x, -EBADMSG, "the front-end broke the blkif protocol: %s",
                         b->broken_why ? b->broken_why : "?");
    }
}

static void remove(struct xenbus_device *x)
{
    struct blkback *b = x->priv;
    ring_down(b);
    if (b->thread)
        return; /* a stuck thread keeps the device (and its reference) */
    unsigned long f = spin_lock_irqsave(&exports_lock);
    list_del(&b->link);
    spin_unlock_irqrestore(&exports_lock, f);
    close_target(b);
    xenbus_dev_put(x); /* probe's; release frees b */
}

static void release(struct xenbus_device *x)
{
    kfree(x->priv);
    x->priv = 0;
}

/* A save of domu itself: Xen forgets the ring's mapping and the port on
 * restore; the front-end sees us go and comes back. */
static void resume(struct xenbus_device *x, bool cancelled)
{
    struct blkback *b = x->priv;
    if (cancelled || !b->connected)
        return;
    b->have_port = false;   /* gone with the old domain */
    b->ring_mapped = false;
    ring_down(b);
}

static struct xenbus_driver driver = {
    .type = "vbd",
    .probe = probe,
    .attach = attach,
    .connect = connect,
    .detach = detach,
    .close = close_dev,
    .closed = closed,
    .remove = remove,
    .resume = resume,
    .deferred = deferred,
    .release = release,
};

/* ---- the shell --------------------------------------------------------- */

static void show(struct xenbus_device *x, void *arg)
{
    unsigned *n = arg;
    if (x->drv != &driver || !x->priv)
        return;
    struct blkback *b = x->priv;
    (*n)++;
    shell_printf("vbd %u/%s: target %s mode %s, %llu sectors, state %s%s%s\n", x->otherend_id,
                 x->id, b->params[0] ? b->params : "?", b->readonly ? "r" : "w",
                 (unsigned long long)b->lim.sectors, xenbus_state_name(x->state),
                 b->broken ? ", down: " : "", b->broken ? (b->broken_why ? b->broken_why : "?") : "");
    shell_printf("  features: flush%s, ring 1 page, grant copy; ring %s, events %llu\n",
                 b->lim.discard ? " discard" : "", b->ring_mapped ? "mapped" : "not mapped",
                 (unsigned long long)b->events);
    shell_printf("  requests: %llu reads %llu writes %llu flushes %llu discards, "
                 "%llu errors %llu unsupported\n",
                 (unsigned long long)b->reads, (unsigned long long)b->writes,
                 (unsigned long long)b->flushes, (unsigned long long)b->discards,
                 (unsigned long long)b->errors, (unsigned long long)b->notsupp);
    shell_printf("  bytes: %llu read %llu written", (unsigned long long)b->sect_read * BLKBACK_SECT,
                 (unsigned long long)b->sect_written * BLKBACK_SECT);
    if (b->target.kind == BB_TARGET_RAM)
        shell_printf(", RAM %llu KiB resident", (unsigned long long)b->ram.resident * 4);
    shell_printf("\n");
}

static int cmd_blkback(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned n = 0;
    xenbus_for_each_device(show, &n);
    struct gnttab_map_stats gs;
    gnttab_map_get_stats(&gs);
    shell_printf("blkback: %u exports, foreign grants %u mapped now\n", n, gs.mapped);
    return 0;
}

static struct shell_cmd cmds[] = {
    { "blkback", "", "devices exported to other domains (driver domain)", cmd_blkback, { 0, 0 } },
};

int blkback_init(void)
{
    xenbus_back_driver_register(&driver);
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
    return 0;
}
