/* netfront: network interfaces served by another domain's netback.
 * One transmit and one receive ring, one event channel, receive by copy
 * (netback copies into pages we keep posted). Every buffer keeps its
 * grant for the life of the connection: nothing is granted per packet.
 * The event handler only wakes the interface's thread, which reads both
 * rings (every response copied once and checked), hands frames to the
 * stack and posts the buffers again. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "kern/mm.h"
#include "kern/cmdline.h"
#include "lib/barrier.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "xen/xenbus.h"
#include "xen/xenbus_bus.h"
#include "xen/xs_wire_codec.h"
#include "net/netif.h"
#include "net/inet.h"
#include "dev/netfront/netfront_rsp.h"
#include "dev/netfront/netfront.h"

#define RX_BUFS 64            /* buffers kept posted */
#define TX_BUFS 64            /* frames in flight */
#define CONNECT_TIMEOUT_NS (20 * NS_PER_SEC)
#define RESCUE_POLL_NS (50 * NS_PER_MS)
#define IDLE_AFTER_NS (2 * NS_PER_SEC)

enum nf_state { NF_INIT, NF_CONNECTED, NF_SUSPENDED, NF_CLOSED, NF_BROKEN };

struct netfront {
    struct xenbus_device *xdev;
    struct netif nif;
    enum nf_state state;
    struct netif_tx_front_ring tx;
    struct netif_rx_front_ring rx;
    void *tx_ring_page, *rx_ring_page;
    grant_ref_t tx_ring_ref, rx_ring_ref;
    evtchn_port_t port;      /* transmit (and receive unless split) */
    evtchn_port_t rx_port;   /* receive, with split event channels */
    bool have_port, split;
    void *rx_buf[RX_BUFS];
    grant_ref_t rx_ref[RX_BUFS];
    bool rx_posted[RX_BUFS];
    void *tx_buf[TX_BUFS];
    grant_ref_t tx_ref[TX_BUFS];
    bool tx_pending[TX_BUFS];
    unsigned tx_free;
    struct waitq wq;      /* the thread waits here for events */
    struct waitq tx_wq;   /* senders wait here for a free slot */
    bool kicked, stop;
    uint64_t events, protocol_errors;
    uint64_t polls, events_at_poll; /* for `net stats`: did a kick go unanswered? */
    uint64_t rescued; /* polls that found work no event had announced */
};

static unsigned nif_count;

static void on_event(evtchn_port_t port, void *arg)
{
    struct netfront *nf = arg;
    nf->events++;
    nf->kicked = true;
    waitq_wake_all(&nf->wq);
}

static void broken(struct netfront *nf, const char *why)
{
    printk("netfront: %s: the back-end broke the protocol (%s); taking the interface down",
           nf->nif.name, why);
    nf->protocol_errors++;
    nf->state = NF_BROKEN;
    nf->nif.up = false;
    if (nf->have_port) {
        evtchn_mask(nf->port);
        if (nf->split)
            evtchn_mask(nf->rx_port);
    }
    xenbus_dev_defer(nf->xdev);
}

static void rx_post(struct netfront *nf, unsigned id)
{
    struct netif_rx_request *req = RING_GET_REQUEST(&nf->rx, nf->rx.req_prod_pvt);
    req->id = (uint16_t)id;
    req->gref = nf->rx_ref[id];
    nf->rx_posted[id] = true;
    nf->rx.req_prod_pvt++;
}

static void rx_push(struct netfront *nf)
{
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
    if (notify)
        evtchn_send(nf->split ? nf->rx_port : nf->port);
}

/* Transmit completions: false if the back-end broke the protocol. */
static bool poll_tx(struct netfront *nf)
{
    const char *why = 0;
    for (;;) {
        RING_IDX prod = READ_ONCE(nf->tx.sring->rsp_prod);
        xen_rmb();
        if (prod - nf->tx.rsp_cons > TX_BUFS || prod - nf->tx.rsp_cons > nf->tx.req_prod_pvt - nf->tx.rsp_cons) {
            broken(nf, "transmit responses ran ahead of the requests");
            return false;
        }
        for (RING_IDX i = nf->tx.rsp_cons; i != prod; i++) {
            struct netif_tx_response r;
            memcpy(&r, RING_GET_RESPONSE(&nf->tx, i), sizeof(r));
            if (netfront_tx_check(&r, nf->tx_pending, TX_BUFS, &why)) {
                broken(nf, why);
                return false;
            }
            if (r.status != NETIF_RSP_OKAY)
                nf->nif.st.tx_errors++;
            nf->tx_pending[r.id] = false;
            nf->tx_free++;
        }
        nf->tx.rsp_cons = prod;
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, more);
        if (!more)
            break;
    }
    waitq_wake_all(&nf->tx_wq);
    return true;
}

static void poll_rings(struct netfront *nf)
{
    const char *why = 0;
    nf->polls++;
    nf->events_at_poll = nf->events;
    if (!poll_tx(nf))
        return;
    /* Received frames. */
    for (;;) {
        RING_IDX prod = READ_ONCE(nf->rx.sring->rsp_prod);
        xen_rmb();
        if (prod - nf->rx.rsp_cons > RX_BUFS || prod - nf->rx.rsp_cons > nf->rx.req_prod_pvt - nf->rx.rsp_cons) {
            broken(nf, "receive responses ran ahead of the buffers posted");
            return;
        }
        for (RING_IDX i = nf->rx.rsp_cons; i != prod; i++) {
            struct netif_rx_response r;
            memcpy(&r, RING_GET_RESPONSE(&nf->rx, i), sizeof(r));
            unsigned len;
            if (netfront_rx_check(&r, nf->rx_posted, RX_BUFS, &len, &why)) {
                broken(nf, why);
                return;
            }
            nf->rx_posted[r.id] = false;
            if (len)
                netif_rx(&nf->nif, (const uint8_t *)nf->rx_buf[r.id] + r.offset, len);
            else
                nf->nif.st.rx_dropped++;
            if (nf->state != NF_CONNECTED)
                return; /* the stack may have sent, and the link may be gone */
            rx_post(nf, r.id);
        }
        nf->rx.rsp_cons = prod;
        rx_push(nf);
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
        if (!more)
            break;
    }
}

static bool rings_have_work(struct netfront *nf)
{
    return nf->state == NF_CONNECTED &&
           (RING_HAS_UNCONSUMED_RESPONSES(&nf->tx) || RING_HAS_UNCONSUMED_RESPONSES(&nf->rx));
}

static void nf_thread(void *arg)
{
    struct netfront *nf = arg;
    uint64_t last_busy = 0;
    while (!nf->stop) {
        /* While traffic flows the rings are also looked at every
         * RESCUE_POLL_NS without an event: on the nested-emulation test
         * host an event to a halted vCPU is now and then not delivered
         * until something else wakes it, and a lost receive notification
         * stalls the ring (the back-end notifies once per batch). An idle
         * interface sleeps for a minute at a time. */
        uint64_t now = time_now_ns();
        bool busy = now - last_busy < IDLE_AFTER_NS;
        /* On a grid, so that successive waits share one deadline and the
         * timer is not reprogrammed per packet. */
        uint64_t deadline = busy ? (now / RESCUE_POLL_NS + 2) * RESCUE_POLL_NS
                                 : now + 60 * NS_PER_SEC;
        if (wait_event_until(&nf->wq, nf->kicked || nf->stop, deadline)) {
            if (!rings_have_work(nf))
                continue;
            nf->rescued++; /* work was waiting and no event came */
        }
        nf->kicked = false;
        last_busy = now; /* the time before the wait is close enough */
        if (nf->state == NF_CONNECTED)
            poll_rings(nf);
    }
}

static int xmit(struct netif *nif, const void *frame, size_t len)
{
    struct netfront *nf = nif->priv;
    if (nf->state != NF_CONNECTED)
        return -ENOTCONN;
    if (len > PAGE_SIZE || len < 14)
        return -EINVAL;
    if (!nf->tx_free) {
        poll_tx(nf); /* completions may be waiting (not the receive ring: no recursion) */
        if (wait_event_until(&nf->tx_wq, nf->tx_free > 0 || nf->state != NF_CONNECTED,
                             time_now_ns() + NS_PER_SEC / 10) || nf->state != NF_CONNECTED)
            return -EAGAIN;
    }
    unsigned id = 0;
    while (nf->tx_pending[id])
        id++;
    memcpy(nf->tx_buf[id], frame, len);
    struct netif_tx_request *req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
    req->gref = nf->tx_ref[id];
    req->offset = 0;
    req->flags = 0; /* checksums are complete: we compute them */
    req->id = (uint16_t)id;
    req->size = (uint16_t)len;
    nf->tx_pending[id] = true;
    nf->tx_free--;
    nf->tx.req_prod_pvt++;
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
    if (notify)
        evtchn_send(nf->port);
    return 0;
}

static void describe(struct netif *nif, char *buf, size_t cap)
{
    struct netfront *nf = nif->priv;
    static const char *const states[] = { "init", "connected", "suspended", "closed", "broken" };
    k_snprintf(buf, cap,
             "netfront %s: port %u%s, %llu events, tx req %u rsp %u/%u, rx req %u rsp %u/%u "
             "(event %u), %u tx slots free, %llu protocol errors; %llu polls, events at last poll %llu, "
             "%llu found without an event",
             states[nf->state], nf->port, nf->split ? " (+ receive port)" : "",
             (unsigned long long)nf->events,
             nf->tx.req_prod_pvt, nf->tx.rsp_cons, nf->tx.sring ? nf->tx.sring->rsp_prod : 0,
             nf->rx.req_prod_pvt, nf->rx.rsp_cons, nf->rx.sring ? nf->rx.sring->rsp_prod : 0,
             nf->rx.sring ? nf->rx.sring->rsp_event : 0, nf->tx_free,
             (unsigned long long)nf->protocol_errors, (unsigned long long)nf->polls,
             (unsigned long long)nf->events_at_poll, (unsigned long long)nf->rescued);
}

static const struct netif_ops ops = { .xmit = xmit, .describe = describe };

static int grant_page(struct netfront *nf, void *p, bool readonly, grant_ref_t *ref)
{
    int64_t r = gnttab_grant_access(nf->xdev->otherend_id, (uint64_t)(uintptr_t)p >> PAGE_SHIFT,
                                    readonly);
    if (r < 0)
        return (int)r;
    *ref = (grant_ref_t)r;
    return 0;
}

/* Everything Xen and the back-end knew of us: grants and the port. After
 * a restore they are gone already, so only our books are tidied. */
static void release(struct netfront *nf, bool xen_forgot)
{
    if (nf->have_port) {
        evtchn_port_t ports[2] = { nf->port, nf->rx_port };
        for (unsigned i = 0; i < (nf->split ? 2u : 1u); i++) {
            if (xen_forgot)
                evtchn_unbind(ports[i]);
            else
                evtchn_close(ports[i]);
        }
        nf->have_port = false;
        nf->split = false;
    }
    grant_ref_t *refs[] = { &nf->tx_ring_ref, &nf->rx_ring_ref };
    for (unsigned i = 0; i < 2; i++)
        if (*refs[i]) {
            gnttab_end_access(*refs[i]);
            *refs[i] = 0;
        }
    for (unsigned i = 0; i < RX_BUFS; i++)
        if (nf->rx_ref[i]) {
            gnttab_end_access(nf->rx_ref[i]);
            nf->rx_ref[i] = 0;
        }
    for (unsigned i = 0; i < TX_BUFS; i++)
        if (nf->tx_ref[i]) {
            gnttab_end_access(nf->tx_ref[i]);
            nf->tx_ref[i] = 0;
        }
}

static int write_rings(xs_tx_t tx, void *arg)
{
    struct netfront *nf = arg;
    struct xenbus_device *x = nf->xdev;
    int rc = xenbus_dev_printf(x, tx, "tx-ring-ref", "%u", nf->tx_ring_ref);
    if (!rc)
        rc = xenbus_dev_printf(x, tx, "rx-ring-ref", "%u", nf->rx_ring_ref);
    if (!rc)
        rc = nf->split ? xenbus_dev_printf(x, tx, "event-channel-tx", "%u", nf->port)
                       : xenbus_dev_printf(x, tx, "event-channel", "%u", nf->port);
    if (!rc && nf->split)
        rc = xenbus_dev_printf(x, tx, "event-channel-rx", "%u", nf->rx_port);
    if (!rc)
        rc = xenbus_dev_write(x, tx, "request-rx-copy", "1");
    if (!rc)
        rc = xenbus_dev_write(x, tx, "feature-rx-notify", "1");
    /* We fill every checksum ourselves and want them filled in what we
     * receive: Dom0's stack then computes them before netback copies. */
    if (!rc)
        rc = xenbus_dev_write(x, tx, "feature-no-csum-offload", "1");
    return rc;
}

static int connect(struct netfront *nf)
{
    struct xenbus_device *x = nf->xdev;
    uint64_t deadline = time_now_ns() + CONNECT_TIMEOUT_NS;
    enum xenbus_state st;
    int rc = xenbus_dev_wait_otherend(x, 1u << XenbusStateInitWait | 1u << XenbusStateConnected,
                                      deadline, &st);
    if (rc)
        return rc;
    uint64_t copy;
    if (xenbus_dev_read_otherend_uint(x, "feature-rx-copy", 1, &copy) || !copy) {
        xenbus_dev_fatal(x, -EOPNOTSUPP, "the back-end cannot copy received frames");
        return -EOPNOTSUPP;
    }
    memset(nf->tx_ring_page, 0, PAGE_SIZE);
    memset(nf->rx_ring_page, 0, PAGE_SIZE);
    SHARED_RING_INIT((struct netif_tx_sring *)nf->tx_ring_page);
    SHARED_RING_INIT((struct netif_rx_sring *)nf->rx_ring_page);
    FRONT_RING_INIT(&nf->tx, (struct netif_tx_sring *)nf->tx_ring_page, PAGE_SIZE);
    FRONT_RING_INIT(&nf->rx, (struct netif_rx_sring *)nf->rx_ring_page, PAGE_SIZE);
    rc = grant_page(nf, nf->tx_ring_page, false, &nf->tx_ring_ref);
    if (!rc)
        rc = grant_page(nf, nf->rx_ring_page, false, &nf->rx_ring_ref);
    for (unsigned i = 0; !rc && i < RX_BUFS; i++)
        rc = grant_page(nf, nf->rx_buf[i], false, &nf->rx_ref[i]);
    for (unsigned i = 0; !rc && i < TX_BUFS; i++)
        rc = grant_page(nf, nf->tx_buf[i], true, &nf->tx_ref[i]);
    if (!rc)
        rc = evtchn_alloc_unbound(x->otherend_id, on_event, nf, nf->nif.name, &nf->port);
    if (rc) {
        xenbus_dev_fatal(x, rc, "granting the rings and buffers");
        return rc;
    }
    nf->have_port = true;
    /* Split event channels when offered: the back-end's transmit and
     * receive work are kicked separately. One handler serves both. */
    uint64_t split;
    if (!xenbus_dev_read_otherend_uint(x, "feature-split-event-channels", 1, &split) && split &&
        !evtchn_alloc_unbound(x->otherend_id, on_event, nf, nf->nif.name, &nf->rx_port))
        nf->split = true;
    for (unsigned i = 0; i < TX_BUFS; i++)
        nf->tx_pending[i] = false;
    nf->tx_free = TX_BUFS;
    for (unsigned i = 0; i < RX_BUFS; i++)
        rx_post(nf, i);
    rx_push(nf);
    rc = xs_transaction_run(write_rings, nf, 8);
    if (rc) {
        xenbus_dev_fatal(x, rc, "writing the ring details");
        return rc;
    }
    xenbus_dev_switch_state(x, XenbusStateConnected);
    rc = xenbus_dev_wait_otherend(x, 1u << XenbusStateConnected, deadline, &st);
    if (rc)
        return rc;
    nf->state = NF_CONNECTED;
    nf->nif.up = true;
    nf->kicked = true;
    waitq_wake_all(&nf->wq);
    printk("netfront: %s: connected to domain %u (rx copy, %u receive buffers, %s event channels)",
           nf->nif.name, x->otherend_id, RX_BUFS, nf->split ? "split" : "one");
    return 0;
}

/* ip=A.B.C.D/N [gw=A.B.C.D] on the kernel command line (first interface),
 * else the address the toolstack keeps for the vif (vif = ['ip=...']). */
static void configure_address(struct netfront *nf)
{
    char buf[40];
    uint32_t ip = 0, gw = 0;
    unsigned prefix = 24;
    if (nif_count == 1 && cmdline_get(kernel_cmdline, "ip", buf, sizeof(buf)) > 0) {
        char *slash = strchr(buf, '/');
        if (slash) {
            *slash = 0;
            uint64_t p;
            if (xs_parse_uint(slash + 1, 32, &p) == 0)
                prefix = (unsigned)p;
        }
        if (inet_parse_addr(buf, &ip))
            printk("netfront: ip=%s on the command line is not an address", buf);
        if (cmdline_get(kernel_cmdline, "gw", buf, sizeof(buf)) > 0 && inet_parse_addr(buf, &gw))
            printk("netfront: gw=%s on the command line is not an address", buf);
    } else if (xenbus_dev_read_otherend(nf->xdev, "ip", buf, sizeof(buf)) > 0) {
        char *sp = strchr(buf, ' '); /* "a.b.c.d [more]": the first */
        if (sp)
            *sp = 0;
        if (inet_parse_addr(buf, &ip))
            printk("netfront: %s: the back-end's ip '%s' is not an address", nf->nif.name, buf);
    }
    if (ip)
        netif_set_addr(&nf->nif, ip, prefix, gw);
}

static int probe(struct xenbus_device *x)
{
    struct netfront *nf = kzalloc(sizeof(*nf));
    if (!nf)
        return -ENOMEM;
    nf->xdev = x;
    x->priv = nf;
    waitq_init(&nf->wq);
    waitq_init(&nf->tx_wq);
    char mac[24];
    char path[64];
    k_snprintf(path, sizeof(path), "%s/mac", x->nodename);
    int rc = xs_read(XS_TX_NONE, path, mac, sizeof(mac));
    if (rc < 0 || netfront_parse_mac(mac, nf->nif.mac)) {
        printk("netfront: %s: no usable mac ('%s')", x->nodename, rc < 0 ? "" : mac);
        kfree(nf);
        x->priv = 0;
        return -EINVAL;
    }
    k_snprintf(nf->nif.name, sizeof(nf->nif.name), "eth%s", x->id);
    nf->nif.mtu = 1500;
    nf->nif.ops = &ops;
    nf->nif.priv = nf;
    nf->tx_ring_page = pages_alloc(1);
    nf->rx_ring_page = pages_alloc(1);
    bool ok = nf->tx_ring_page && nf->rx_ring_page;
    for (unsigned i = 0; ok && i < RX_BUFS; i++)
        ok = (nf->rx_buf[i] = pages_alloc(1)) != 0;
    for (unsigned i = 0; ok && i < TX_BUFS; i++)
        ok = (nf->tx_buf[i] = pages_alloc(1)) != 0;
    if (!ok || !thread_create(nf->nif.name, nf_thread, nf)) {
        printk("netfront: %s: not enough memory for the rings and buffers", x->nodename);
        return -ENOMEM; /* the pages stay: the device is unusable anyway */
    }
    rc = connect(nf);
    if (rc) {
        release(nf, false);
        nf->stop = true;
        waitq_wake_all(&nf->wq);
        return rc;
    }
    nif_count++;
    netif_register(&nf->nif);
    configure_address(nf);
    return 0;
}

static void close_dev(struct netfront *nf, const char *why)
{
    if (nf->state == NF_CLOSED)
        return;
    printk("netfront: %s: closing (%s)", nf->nif.name, why);
    nf->state = NF_CLOSED;
    nf->nif.up = false;
    waitq_wake_all(&nf->tx_wq);
    netif_unregister(&nf->nif);
    release(nf, false);
    xenbus_dev_switch_state(nf->xdev, XenbusStateClosing);
    xenbus_dev_switch_state(nf->xdev, XenbusStateClosed);
}

static void otherend_changed(struct xenbus_device *x, enum xenbus_state st)
{
    struct netfront *nf = x->priv;
    if (nf && (st == XenbusStateClosing || st == XenbusStateClosed))
        close_dev(nf, "the back-end is closing");
}

static void deferred(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    if (nf && nf->state == NF_BROKEN) {
        xenbus_dev_fatal(x, -EBADMSG, "the back-end broke the netif protocol");
        close_dev(nf, "protocol violation");
    }
}

static void remove(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    if (!nf)
        return;
    close_dev(nf, "device removed");
    nf->stop = true;
    waitq_wake_all(&nf->wq);
    x->priv = 0; /* the thread and the buffers stay: the thread may still run */
}

static int suspend(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    if (nf && nf->state == NF_CONNECTED) {
        nf->state = NF_SUSPENDED;
        nf->nif.up = false;
    }
    return 0;
}

static void resume(struct xenbus_device *x, bool cancelled)
{
    struct netfront *nf = x->priv;
    if (!nf || nf->state != NF_SUSPENDED)
        return;
    if (cancelled) {
        nf->state = NF_CONNECTED;
        nf->nif.up = true;
        return;
    }
    /* A new domain: rings, grants and the port are gone; frames in flight
     * are lost like on a wire. Same MAC, same address: the stack goes on. */
    release(nf, true);
    int rc = connect(nf);
    if (rc) {
        printk("netfront: %s: reconnecting after the restore failed: %s", nf->nif.name,
               errno_name(rc));
        close_dev(nf, "no back-end after the restore");
        return;
    }
    /* Tell the switch where we are now (a gratuitous ARP). */
    if (nf->nif.ip) {
        uint8_t f[64];
        static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        size_t n = arp_build(f, 1, nf->nif.mac, nf->nif.ip, bcast, nf->nif.ip, bcast);
        netif_xmit(&nf->nif, f, n);
    }
}

static struct xenbus_driver driver = {
    .type = "vif",
    .probe = probe,
    .otherend_changed = otherend_changed,
    .remove = remove,
    .suspend = suspend,
    .resume = resume,
    .deferred = deferred,
};

int netfront_init(void)
{
    xenbus_driver_register(&driver);
    return 0;
}
