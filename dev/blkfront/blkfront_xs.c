/* blkfront's XenBus side: the bus core's life-cycle steps (probe,
 * attach, connect, detach, close, closed, remove, suspend, resume), each
 * short, driven by the back-end's state. Runs in the XenBus thread (a
 * save's suspend and resume in the thread that saves, with the bus held);
 * the data path is in blkfront.c. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "kern/mm.h"
#include "xen/xenbus.h"
#include "xen/xs_wire_codec.h"
#include "kern/cmdline.h"
#include "dev/blkfront/blkfront.h"
#include "xen/xenbus_front_close.h"


const char *blkfront_state_name(enum blkfront_state s)
{
    static const char *const names[] = { "init", "connected", "suspended", "closing", "closed",
                                         "broken" };
    return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

/* Linux's names for Xen virtual disks: 202:<disk * 16 + partition> is
 * xvd<letter>; extended ids (bit 28) carry the disk number in bits 8-27. */
static void vdev_name(uint32_t id, char *out, size_t cap)
{
    uint32_t disk;
    if (id & (1u << 28))
        disk = (id >> 8) & 0xfffff;
    else if ((id >> 8) == 202)
        disk = (id & 0xff) >> 4;
    else {
        k_snprintf(out, cap, "vbd%u", id);
        return;
    }
    char letters[8];
    int n = 0;
    do {
        letters[n++] = (char)('a' + disk % 26);
        disk = disk / 26;
    } while (disk-- > 0 && n < 7);
    char name[16] = "xvd";
    for (int i = 0; i < n; i++)
        name[3 + i] = letters[n - 1 - i];
    name[3 + n] = 0;
    strlcpy_k(out, name, cap);
}

static uint64_t opt_uint(struct blkfront *bf, const char *node, uint64_t max, uint64_t dflt)
{
    uint64_t v;
    int rc = xenbus_dev_read_otherend_uint(bf->xdev, node, max, &v);
    return rc == 0 ? v : dflt; /* absent (or malformed, logged): not offered */
}

/* Writes one queue's ring references and event channel under prefix
 * ("" for a single queue, "queue-N/" for several). */
static int write_queue_info(struct blkfront *bf, xs_tx_t tx, const struct blkfront_queue *q,
                            const char *prefix)
{
    struct xenbus_device *x = bf->xdev;
    int rc = 0;
    if (bf->ring_order == 0) {
        rc = xenbus_dev_write_uint(x, tx, rc, prefix, "ring-ref", q->ring_ref[0]);
    } else {
        for (unsigned i = 0; i < (1u << bf->ring_order); i++) {
            char name[16];
            k_snprintf(name, sizeof(name), "ring-ref%u", i);
            rc = xenbus_dev_write_uint(x, tx, rc, prefix, name, q->ring_ref[i]);
        }
    }
    return xenbus_dev_write_uint(x, tx, rc, prefix, "event-channel", q->port);
}

static int write_ring_info(xs_tx_t tx, void *arg)
{
    struct blkfront *bf = arg;
    struct xenbus_device *x = bf->xdev;
    int rc = 0;
    if (bf->ring_order > 0)
        rc = xenbus_dev_printf(x, tx, "ring-page-order", "%u", bf->ring_order);
    if (bf->nqueues == 1) {
        if (!rc)
            rc = write_queue_info(bf, tx, bf->q[0], "");
    } else {
        if (!rc)
            rc = xenbus_dev_printf(x, tx, "multi-queue-num-queues", "%u", bf->nqueues);
        for (unsigned i = 0; !rc && i < bf->nqueues; i++) {
            char prefix[16];
            k_snprintf(prefix, sizeof(prefix), "queue-%u/", i);
            rc = write_queue_info(bf, tx, bf->q[i], prefix);
        }
    }
    if (!rc)
        rc = xenbus_dev_write(x, tx, "protocol", XEN_IO_PROTO_ABI_NATIVE);
    /* We take persistent grants unless told not to; they are used only
     * when the back-end offers them too (read once it is connected). */
    if (!rc)
        rc = xenbus_dev_write(x, tx, "feature-persistent",
                              cmdline_has(kernel_cmdline, "blk-persistent=off") ? "0" : "1");
    return rc;
}

/* Reads what the connected back-end says about the disk. */
static int read_disk(struct blkfront *bf)
{
    struct xenbus_device *x = bf->xdev;
    uint64_t sectors, info = 0, ssize = 512, pssize;
    int rc = xenbus_dev_read_otherend_uint(x, "sectors", UINT64_MAX >> 10, &sectors);
    if (rc) {
        xenbus_dev_fatal(x, rc, "reading the back-end's 'sectors'");
        return rc;
    }
    xenbus_dev_read_otherend_uint(x, "info", 0xffffffff, &info);
    rc = xenbus_dev_read_otherend_uint(x, "sector-size", 1 << 16, &ssize);
    if (rc == 0 && (ssize < 512 || (ssize & (ssize - 1)))) {
        xenbus_dev_fatal(x, -EINVAL, "sector-size %llu is not a power of two >= 512",
                         (unsigned long long)ssize);
        return -EINVAL;
    }
    pssize = opt_uint(bf, "physical-sector-size", 1 << 20, ssize);
    struct blkdev *d = &bf->bd;
    if (d->registered && (d->sectors != sectors || d->sector_size != ssize))
        printk("blkfront: %s: the disk changed across the reconnection (%llu -> %llu "
               "sectors)", d->name, (unsigned long long)d->sectors,
               (unsigned long long)sectors);
    d->sectors = sectors;
    d->sector_size = (uint32_t)ssize;
    d->physical_sector_size = (uint32_t)pssize;
    d->readonly = info & VDISK_READONLY;
    d->removable = info & VDISK_REMOVABLE;
    d->cdrom = info & VDISK_CDROM;
    d->can_flush = opt_uint(bf, "feature-flush-cache", 1, 0);
    d->can_barrier = opt_uint(bf, "feature-barrier", 1, 0);
    d->can_discard = opt_uint(bf, "feature-discard", 1, 0);
    d->discard_granularity = (uint32_t)opt_uint(bf, "discard-granularity", 1u << 30, 0);
    d->discard_alignment = (uint32_t)opt_uint(bf, "discard-alignment", 1u << 30, 0);
    /* Indirect descriptors: one ring request carries up to 128 frames. */
    uint64_t indirect = opt_uint(bf, "feature-max-indirect-segments", 1u << 20, 0);
    if (cmdline_has(kernel_cmdline, "blk-indirect=off"))
        indirect = 0;
    bool persistent = opt_uint(bf, "feature-persistent", 1, 0) &&
                      !cmdline_has(kernel_cmdline, "blk-persistent=off");
    unsigned long f = blkfront_lock(bf);
    bf->max_segs = indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST
                       ? (unsigned)MIN(indirect, (uint64_t)BLKFRONT_MAX_INDIRECT_SEGS)
                       : BLKIF_MAX_SEGMENTS_PER_REQUEST;
    bf->persistent = persistent;
    blkfront_unlock(bf, f);
    d->max_sectors_per_piece = bf->max_segs * (PAGE_SIZE / BLK_SECTOR);
    k_snprintf(bf->features, sizeof(bf->features),
               "ring %u page%s, %u queue%s, %u segments per request%s%s%s%s%s",
               1u << bf->ring_order, bf->ring_order ? "s" : "", bf->nqueues,
               bf->nqueues > 1 ? "s" : "", bf->max_segs,
               bf->max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST ? " (indirect)" : "",
               bf->persistent ? ", persistent grants" : "", d->can_flush ? ", flush" : "",
               d->can_barrier ? ", barrier" : "", d->can_discard ? ", discard" : "");
    return 0;
}

/* The back-end offers: rings for each queue, written with their keys;
 * then Initialised. Runs when the back-end is in InitWait (or later). */
static int attach(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    unsigned order = (unsigned)opt_uint(bf, "max-ring-page-order", 16, 0);
    if (order > BLKFRONT_MAX_RING_ORDER)
        order = BLKFRONT_MAX_RING_ORDER;
    /* One ring per queue the back-end offers, up to ours and blk-queues=N. */
    unsigned nq = xenbus_dev_queues(x, BLKFRONT_MAX_QUEUES, "blk-queues", 0);
    int rc = blkfront_rings_setup(bf, nq, order);
    if (rc) {
        printk("blkfront: %s: setting up %u rings: %s", bf->bd.name, nq, errno_name(rc));
        blkfront_rings_teardown(bf, true, false); /* the back-end saw none of it */
        return rc;
    }
    rc = xs_transaction_run(write_ring_info, bf, 8);
    if (!rc)
        rc = xenbus_dev_switch_state(x, XenbusStateInitialised);
    if (rc) {
        printk("blkfront: %s: writing the ring details: %s", bf->bd.name, errno_name(rc));
        blkfront_rings_teardown(bf, true, false);
        return rc;
    }
    return 0;
}

/* The back-end is Connected: the disk, then requests flow. */
static int connect(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    int rc = read_disk(bf);
    if (rc)
        return rc;
    if (!bf->bd.registered && (rc = blkdev_register(&bf->bd)))
        return rc;
    xenbus_dev_switch_state(x, XenbusStateConnected);
    unsigned long f = blkfront_lock(bf);
    bf->state = BF_CONNECTED;
    blkfront_unlock(bf, f);
    if (bf->restored)
        printk("blkfront: %s: reconnected after the restore, %u requests re-issued (%s)",
               bf->bd.name, bf->requeued, bf->features);
    else
        printk("blkfront: %s: connected to domain %u (%s)", bf->bd.name, x->otherend_id,
               bf->features);
    bf->restored = false;
    blkfront_issue(bf);
    return 0;
}

/* The back-end went back to InitWait: it let go of the old rings. What
 * was on them is issued again once the new ones are up. */
static void detach(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    unsigned long f = blkfront_lock(bf);
    if (bf->state == BF_CONNECTED)
        bf->state = BF_INIT;
    blkfront_unlock(bf, f);
    bf->requeued = blkfront_requeue_inflight(bf);
    blkfront_rings_teardown(bf, false, false);
    bf->reconnects++;
    bf->restored = true;
}

/* Probe only matches: device/vbd/<number> is ours. */
static int probe(struct xenbus_device *x)
{
    uint64_t id;
    if (xs_parse_uint(x->id, 0xffffffff, &id)) {
        printk("blkfront: %s: device id is not a number", x->nodename);
        return -EINVAL;
    }
    struct blkfront *bf = kzalloc(sizeof(*bf));
    if (!bf)
        return -ENOMEM;
    xenbus_dev_get(x);
    bf->xdev = x;
    x->priv = bf;
    bf->vdev = (uint16_t)id;
    vdev_name((uint32_t)id, bf->bd.name, sizeof(bf->bd.name));
    blkfront_init_dev(bf);
    return 0;
}

/* Closing (xl block-detach, a protocol violation, the node gone): new
 * requests fail and the queue with them; what is on the rings stays
 * until the back-end has let go (closed). */
static void close_dev(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    unsigned long f = blkfront_lock(bf);
    if (bf->state != BF_BROKEN)
        bf->state = BF_CLOSING;
    blkfront_unlock(bf, f);
    printk("blkfront: %s: closing (the back-end is %s)", bf->bd.name,
           xenbus_state_name(x->otherend_state));
    blkfront_fail_all(bf, -ENODEV); /* the queue; the rings keep their grants */
    blkdev_unregister(&bf->bd);
}

static bool close_quiesce(void *arg)
{
    blkfront_drain_answered(arg); /* the thread stopped, the answers left taken */
    return true;
}

static void close_ports(void *arg)
{
    blkfront_ports_close(arg, false);
}

/* Each request left on a ring ends its buffers' grants and fails; one
 * whose grant the back-end still maps waits for it (parked). */
static void close_complete(void *arg)
{
    struct blkfront *bf = arg;
    unsigned long f = blkfront_lock(bf);
    bf->let_go = true;
    blkfront_unlock(bf, f);
    blkfront_fail_all(bf, -ENODEV);
}

static unsigned close_grants(void *arg)
{
    return blkfront_rings_teardown(arg, false, false);
}

static size_t close_pages(void *arg)
{
    return blkfront_queues_free(arg);
}

static const struct xenbus_front_closer closer = {
    .quiesce = close_quiesce, .ports = close_ports, .complete = close_complete,
    .grants = close_grants, .pages = close_pages,
};

/* The front-ends' shared close, after the back-end's Closed (or the
 * deadline); then the device is closed. */
static void end_rings(struct blkfront *bf, const char *why)
{
    char name[32];
    k_snprintf(name, sizeof(name), "blkfront: %s", bf->bd.name);
    xenbus_front_close(name, why, &closer, bf);
    unsigned long f = blkfront_lock(bf);
    bf->state = BF_CLOSED;
    bf->let_go = false;
    unsigned held = bf->parked;
    blkfront_unlock(bf, f);
    if (held)
        printk("blkfront: %s: %u requests held by grants the back-end still maps", bf->bd.name,
               held);
}

/* The back-end is Closed (or the deadline passed): answers it left on
 * the rings complete, then every grant ends (one still mapped parks its
 * page, and a request whose buffer it is does not complete until it
 * ends), what is left fails, and the pages go. */
static void closed(struct xenbus_device *x)
{
    end_rings(x->priv, "closed");
}

static void deferred(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    if (bf && bf->close_pending) {
        bf->close_pending = false;
        xenbus_dev_fatal(x, -EBADMSG, "the back-end broke the blkif protocol");
    }
}

/* The node is gone (closed before): the state goes with the last
 * reference (release), once no parked grant holds one of its requests
 * and no user (the shell) holds the device. */
static void remove(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    if (bf->state != BF_CLOSED) {
        /* Gone without a close (after a restore, say): nothing left to
         * wait for on the rings. */
        unsigned long f = blkfront_lock(bf);
        bf->state = BF_CLOSED;
        blkfront_unlock(bf, f);
        blkdev_unregister(&bf->bd);
        end_rings(bf, "gone");
    }
    blkfront_release(bf);
}

/* Nobody holds the device any more (the shell, parked grants). */
static void release(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    x->priv = 0;
    blkfront_free(bf);
}

static int suspend(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    unsigned long f = blkfront_lock(bf);
    bool was = bf->state == BF_CONNECTED || bf->state == BF_INIT;
    if (was)
        bf->state = BF_SUSPENDED;
    blkfront_unlock(bf, f);
    /* Fewer requests to re-issue if the rings drain; not needed. */
    if (was)
        blkfront_wait_idle(bf, time_now_ns() + NS_PER_SEC);
    return 0;
}

static void resume(struct xenbus_device *x, bool cancelled)
{
    struct blkfront *bf = x->priv;
    if (bf->state != BF_SUSPENDED)
        return;
    unsigned long f = blkfront_lock(bf);
    bf->state = cancelled ? BF_CONNECTED : BF_INIT;
    blkfront_unlock(bf, f);
    if (cancelled) {
        blkfront_issue(bf);
        return;
    }
    /* A new domain: the old rings, their grants and event channels are
     * gone; the core attaches again and waits until we are connected. */
    bf->requeued = blkfront_requeue_inflight(bf);
    blkfront_rings_teardown(bf, false, true);
    bf->reconnects++;
    bf->restored = true;
}

static void shutdown(struct xenbus_device *x)
{
    struct blkfront *bf = x->priv;
    if (bf && bf->state == BF_CONNECTED)
        blkfront_wait_idle(bf, time_now_ns() + NS_PER_SEC); /* writes reach the disk */
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
    .suspend = suspend,
    .resume = resume,
    .shutdown = shutdown,
    .deferred = deferred,
    .release = release,
};

/* A protocol violation is found in the event handler, which cannot use
 * XenStore: the bus thread closes the device when it next looks. */
void blkfront_defer_close(struct blkfront *bf)
{
    bf->close_pending = true;
    xenbus_dev_defer(bf->xdev);
}

int blkfront_init(void)
{
    xenbus_driver_register(&driver);
    return 0;
}
