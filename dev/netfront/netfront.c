/* netfront: network interfaces served by another domain's netback.
 * Up to NF_MAX_QUEUES queues (multi-queue when the back-end offers it),
 * each a transmit and a receive ring with its event channel(s); receive
 * by copy (netback copies into pages we keep posted). Every buffer keeps
 * its grant for the life of the connection: nothing is granted per
 * packet. With scatter-gather a frame handed down as fragments goes out
 * as one slot per fragment (each copied into its own transmit buffer),
 * and a frame the back-end spreads over several receive slots is
 * reassembled. The event handler only wakes the interface's thread,
 * which reads every queue's rings (every response copied once and
 * checked by netfront_rsp.c), copies each frame out of the buffers the
 * back-end can still write, hands the copy to the stack and posts the
 * buffers again. The ring ports are lateeoi (see eoi_ports). */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "kern/mm.h"
#include "kern/spinlock.h"
#include "kern/cmdline.h"
#include "lib/barrier.h"
#include "xen/evtchn.h"
#include "xen/ring_check.h"
#include "xen/xenbus_front_ring.h"
#include "xen/xenbus.h"
#include "xen/xenbus_bus.h"
#include "xen/xs_wire_codec.h"
#include "net/netif.h"
#include "net/inet.h"
#include "dev/netfront/netfront_rsp.h"
#include "dev/netfront/netfront.h"
#include "xen/xenbus_front_close.h"

#define NF_MAX_QUEUES 4       /* queues we use at most, whatever is offered */
#define RX_BUFS 64            /* buffers kept posted, per queue */
#define TX_BUFS 128           /* transmit slots in flight, per queue (a frame takes 1-2 usually) */
#define TX_SLOTS_MAX NETIF_FRAGS_MAX /* slots one frame may take */
#define HASH_PREFIX 80        /* frame bytes the flow hash may look at */
#define RESCUE_POLL_NS (50 * NS_PER_MS)
#define IDLE_AFTER_NS (2 * NS_PER_SEC)
#define FRAME_PAGES ((NETFRONT_RX_FRAME_MAX + PAGE_SIZE - 1) / PAGE_SIZE)
_Static_assert(FRAME_PAGES * PAGE_SIZE >= NETFRONT_RX_FRAME_MAX, "q->frame holds any frame");
/* Transmit completions are asked for only when this many are due: they
 * free nothing the stack waits for (frames are copied into our own
 * buffers), so an event per frame would only wake us and cost netback a
 * notification on the path of every reply. Senders reap them as they go;
 * one out of slots asks for the next completion at once. */
#define TX_LAZY (TX_BUFS / 2)
#define TURN_KEPT 128         /* event-to-transmit times kept for net stats */

enum nf_state { NF_INIT, NF_CONNECTED, NF_SUSPENDED, NF_CLOSED, NF_BROKEN };

struct netfront;

/* One queue: a ring pair, its ports, buffers and counters. */
struct nf_queue {
    struct netfront *nf;
    unsigned index;
    struct netif_tx_front_ring tx;
    struct netif_rx_front_ring rx;
    void *tx_ring_page, *rx_ring_page;
    grant_ref_t tx_ring_ref, rx_ring_ref;
    evtchn_port_t port;      /* transmit (and receive unless split) */
    evtchn_port_t rx_port;   /* receive, with split event channels */
    bool have_port, have_rx_port;
    void *rx_buf[RX_BUFS];
    grant_ref_t rx_ref[RX_BUFS];
    bool rx_posted[RX_BUFS];
    void *tx_buf[TX_BUFS];
    grant_ref_t tx_ref[TX_BUFS];
    /* Senders (any thread) and the interface's thread share the transmit
     * ring: tx_lock guards it, tx_pending, tx_free and tx_waiting. */
    struct spinlock tx_lock;
    bool tx_pending[TX_BUFS];
    unsigned tx_free;
    unsigned tx_waiting;     /* senders waiting for slots: completions raise events */
    struct netfront_rx_chain chain; /* the receive frame in progress */
    uint8_t *frame;          /* where a multi-slot frame is reassembled */
    uint64_t events;
    uint64_t tx_frames, tx_multi; /* frames sent; of them, in several slots */
    uint64_t rx_frames, rx_multi; /* frames received; of them, from several slots */
};

struct netfront {
    struct xenbus_device *xdev;
    struct netif nif;
    enum nf_state state;
    struct nf_queue *q[NF_MAX_QUEUES]; /* allocated when first used, kept */
    unsigned nq;             /* queues connected now */
    unsigned max_queues;     /* the back-end's multi-queue-max-queues (1 without) */
    bool split;              /* split event channels */
    bool sg;                 /* scatter-gather negotiated (feature-sg both ways) */
    bool sg_chain;           /* net-sg=chain: every fragment in its own slot */
    struct waitq wq;      /* the thread waits here for events */
    struct waitq tx_wq;   /* senders wait here for free slots; quiesce for them and the thread */
    /* The upcall, the thread and senders share the flags below. */
    struct spinlock lock;
    bool kicked, stop;
    bool in_poll;         /* the thread is in the rings */
    uint64_t kicks;       /* events on any queue: a sender waiting for slots looks again */
    uint64_t protocol_errors, csum_trusted;
    uint64_t polls;
    uint64_t rescued; /* polls that found work no event had announced */
    /* Our own share of a round trip: from an event's upcall to the first
     * transmit pushed while handling it (an echo's reply, say). */
    uint64_t event_ns;    /* upcall time of the event being handled, 0 if none */
    uint64_t turn_n;
    uint32_t turn_us[TURN_KEPT]; /* the last TURN_KEPT of them, for a median */
    bool thread_done;     /* the thread has left (remove may free us) */
};

static unsigned nif_count;
/* net timing on: the event-to-transmit figure, at two clock reads per
 * event (each a trap to Xen here), so off unless asked for. */
static bool timing;

void netfront_timing(bool on)
{
    timing = on;
}

static void on_event(evtchn_port_t port, void *arg)
{
    struct nf_queue *q = arg;
    struct netfront *nf = q->nf;
    uint64_t now = timing ? time_now_ns() : 0;
    unsigned long f = spin_lock_irqsave(&nf->lock);
    q->events++;
    if (timing && !nf->event_ns)
        nf->event_ns = now;
    nf->kicked = true;
    nf->kicks++;
    spin_unlock_irqrestore(&nf->lock, f);
    waitq_wake_all(&nf->wq);
    waitq_wake_all(&nf->tx_wq);
}

static void broken(struct netfront *nf, unsigned queue, const char *why)
{
    printk("netfront: %s: the back-end broke the protocol on queue %u (%s); taking the "
           "interface down", nf->nif.name, queue, why);
    nf->protocol_errors++;
    nf->state = NF_BROKEN;
    nf->nif.up = false;
    for (unsigned i = 0; i < nf->nq; i++) {
        struct nf_queue *q = nf->q[i];
        if (q->have_port)
            evtchn_mask(q->port);
        if (q->have_rx_port)
            evtchn_mask(q->rx_port);
    }
    waitq_wake_all(&nf->tx_wq);
    xenbus_dev_defer(nf->xdev);
}

static void rx_post(struct nf_queue *q, unsigned id)
{
    struct netif_rx_request *req = RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt);
    req->id = (uint16_t)id;
    req->gref = q->rx_ref[id];
    q->rx_posted[id] = true;
    q->rx.req_prod_pvt++;
}

static void rx_push(struct nf_queue *q)
{
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
    if (notify)
        evtchn_send(q->have_rx_port ? q->rx_port : q->port);
}

/* q->tx_lock held. Transmit completions: false if the back-end broke
 * the protocol. want_event: a sender is out of slots, so the next
 * completion is to raise an event; otherwise only the TX_LAZY-th from
 * here. */
static bool poll_tx(struct nf_queue *q, bool want_event)
{
    struct netfront *nf = q->nf;
    const char *why = 0;
    for (;;) {
        RING_IDX prod = READ_ONCE(q->tx.sring->rsp_prod);
        xen_rmb();
        if (ring_rsp_count(q->tx.rsp_cons, prod, q->tx.req_prod_pvt, TX_BUFS, &why) < 0) {
            broken(nf, q->index, why);
            return false;
        }
        for (RING_IDX i = q->tx.rsp_cons; i != prod; i++) {
            struct netif_tx_response r;
            memcpy(&r, RING_GET_RESPONSE(&q->tx, i), sizeof(r));
            if (netfront_tx_check(&r, q->tx_pending, TX_BUFS, &why)) {
                broken(nf, q->index, why);
                return false;
            }
            if (r.status != NETIF_RSP_OKAY)
                nf->nif.st.tx_errors++;
            q->tx_pending[r.id] = false;
            q->tx_free++;
        }
        q->tx.rsp_cons = prod;
        if (!want_event && !q->tx_waiting) {
            /* No final check needed: what comes meanwhile is reaped later. */
            q->tx.sring->rsp_event = prod + TX_LAZY;
            break;
        }
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more);
        if (!more)
            break;
    }
    waitq_wake_all(&nf->tx_wq);
    return true;
}

static void deliver(struct nf_queue *q, const uint8_t *frame, unsigned len)
{
    struct netfront *nf = q->nf;
    unsigned flags = 0;
    /* A blank checksum (a peer guest offloading it) or one the back-end
     * validated is not checked again: a blank one would fail. */
    if (q->chain.flags & NETFRONT_RX_FLAGS_CSUM) {
        flags |= NETIF_RX_L4_CSUM_OK;
        nf->csum_trusted++;
    }
    q->rx_frames++;
    if (q->chain.slots > 1)
        q->rx_multi++;
    netif_rx_flags(&nf->nif, frame, len, flags);
}

/* Received frames: false if the interface went down meanwhile. */
static bool poll_rx(struct nf_queue *q)
{
    struct netfront *nf = q->nf;
    const char *why = 0;
    for (;;) {
        RING_IDX prod = READ_ONCE(q->rx.sring->rsp_prod);
        xen_rmb();
        if (ring_rsp_count(q->rx.rsp_cons, prod, q->rx.req_prod_pvt, RX_BUFS, &why) < 0) {
            broken(nf, q->index, why);
            return false;
        }
        for (RING_IDX i = q->rx.rsp_cons; i != prod; i++) {
            struct netif_rx_response r;
            memcpy(&r, RING_GET_RESPONSE(&q->rx, i), sizeof(r));
            unsigned n;
            int rc = netfront_rx_step(&q->chain, &r, q->rx_posted, RX_BUFS, nf->sg, &n, &why);
            if (rc < 0) {
                broken(nf, q->index, why);
                return false;
            }
            q->rx_posted[r.id] = false;
            q->rx.rsp_cons = i + 1;
            /* Copied out of the page the back-end can still write before
             * anything parses it: the stack sees only our copy. The size
             * is checked (netfront_rx_step: inside the page, the chain no
             * longer than NETFRONT_RX_FRAME_MAX, which q->frame holds). */
            if (n)
                memcpy(q->frame + q->chain.len - n,
                       (const uint8_t *)q->rx_buf[r.id] + r.offset, n);
            if (rc == NETFRONT_RX_FRAME) {
                if (q->chain.dropped)
                    nf->nif.st.rx_dropped++;
                else
                    deliver(q, q->frame, q->chain.len);
            }
            if (rc == NETFRONT_RX_FRAME)
                q->chain = (struct netfront_rx_chain){ 0 };
            if (nf->state != NF_CONNECTED)
                return false; /* the stack may have sent, and the link may be gone */
            rx_post(q, r.id);
        }
        rx_push(q);
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, more);
        if (!more)
            break;
    }
    return true;
}

static void poll_rings(struct netfront *nf)
{
    nf->polls++;
    for (unsigned i = 0; i < nf->nq && nf->state == NF_CONNECTED; i++) {
        struct nf_queue *q = nf->q[i];
        unsigned long f = spin_lock_irqsave(&q->tx_lock);
        bool ok = poll_tx(q, false);
        spin_unlock_irqrestore(&q->tx_lock, f);
        if (ok)
            poll_rx(q);
    }
}

static evtchn_port_t rx_port_of(const struct nf_queue *q)
{
    return q->have_rx_port ? q->rx_port : q->port;
}

/* Received frames nobody announced (transmit completions wait anyway);
 * counted on the port that should have announced them. */
static bool rings_have_work(struct netfront *nf)
{
    bool found = false;
    for (unsigned i = 0; nf->state == NF_CONNECTED && i < nf->nq; i++)
        if (RING_HAS_UNCONSUMED_RESPONSES(&nf->q[i]->rx)) {
            evtchn_count_rescued(rx_port_of(nf->q[i]));
            found = true;
        }
    return found;
}

/* The ring ports are lateeoi: masked by the upcall from the event on, so
 * a back-end raising them in a loop gets one upcall per pass of this
 * thread. They are unmasked as a pass starts rather than after it: the
 * pass may block in the stack (on a lock a sender holds), and a sender
 * out of transmit slots needs the completion events meanwhile. Whatever
 * comes after the unmask is delivered (through Xen) and makes one more
 * pass. */
static void eoi_ports(struct netfront *nf)
{
    /* Whatever the state, but a broken back-end's ports stay masked. (A
     * suspend that is cancelled keeps the ports: one masked meanwhile
     * must not stay so.) */
    if (nf->state == NF_BROKEN)
        return;
    for (unsigned i = 0; i < nf->nq; i++) {
        struct nf_queue *q = nf->q[i];
        bool rx_work = q->rx.sring && RING_HAS_UNCONSUMED_RESPONSES(&q->rx);
        bool tx_work = q->tx.sring && RING_HAS_UNCONSUMED_RESPONSES(&q->tx);
        if (q->have_rx_port)
            evtchn_eoi(q->rx_port, rx_work);
        if (q->have_port)
            evtchn_eoi(q->port, q->have_rx_port ? tx_work : rx_work || tx_work);
    }
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
        /* The last clock reading, not a fresh one: reading the TSC traps
         * to Xen here (emulated TSC), once per event on the reply path.
         * While busy it is at most the grid's two steps old (the timer
         * that ends a wait reads the clock); idle, an older one only ends
         * the minute's wait early. */
        uint64_t now = time_recent_ns();
        bool busy = now - last_busy < IDLE_AFTER_NS;
        /* On a grid, so that successive waits share one deadline and the
         * timer is not reprogrammed per packet. */
        uint64_t deadline = busy ? (now / RESCUE_POLL_NS + 2) * RESCUE_POLL_NS
                                 : now + 60 * NS_PER_SEC;
        if (wait_event_until(&nf->wq, nf->kicked || nf->stop, deadline) && !nf->kicked) {
            if (!rings_have_work(nf))
                continue;
            nf->rescued++; /* work was waiting and no event came */
        }
        unsigned long f = spin_lock_irqsave(&nf->lock);
        nf->kicked = false;
        bool poll = nf->state == NF_CONNECTED;
        nf->in_poll = poll;
        spin_unlock_irqrestore(&nf->lock, f);
        last_busy = now; /* the time before the wait is close enough */
        eoi_ports(nf);
        if (poll) {
            poll_rings(nf);
            f = spin_lock_irqsave(&nf->lock);
            nf->in_poll = false;
            spin_unlock_irqrestore(&nf->lock, f);
            waitq_wake_all(&nf->tx_wq); /* quiesce may wait for that */
        }
        f = spin_lock_irqsave(&nf->lock);
        nf->event_ns = 0; /* handled: a later transmit is not its answer */
        spin_unlock_irqrestore(&nf->lock, f);
    }
}

/* The queue for a frame: by its flow's hash, so one flow stays in order. */
static struct nf_queue *pick_queue(struct netfront *nf, const struct netif_frag *frags, unsigned n)
{
    if (nf->nq == 1)
        return nf->q[0];
    uint8_t prefix[HASH_PREFIX];
    size_t have = 0;
    for (unsigned i = 0; i < n && have < sizeof(prefix); i++) {
        size_t take = frags[i].len < sizeof(prefix) - have ? frags[i].len : sizeof(prefix) - have;
        memcpy(prefix + have, frags[i].data, take);
        have += take;
    }
    return nf->q[inet_flow_hash(prefix, have) % nf->nq];
}

static unsigned tx_take_id(struct nf_queue *q)
{
    unsigned id = 0;
    while (q->tx_pending[id])
        id++;
    q->tx_pending[id] = true;
    q->tx_free--;
    return id;
}

static void tx_put(struct nf_queue *q, unsigned id, size_t size, uint16_t flags)
{
    struct netif_tx_request *req = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
    req->gref = q->tx_ref[id];
    req->offset = 0;
    req->flags = flags; /* never csum_blank: checksums are complete, we compute them */
    req->id = (uint16_t)id;
    req->size = (uint16_t)size;
    q->tx.req_prod_pvt++;
}

static int xmit_frags(struct netif *nif, const struct netif_frag *frags, unsigned n)
{
    struct netfront *nf = nif->priv;
    if (nf->state != NF_CONNECTED)
        return -ENOTCONN;
    size_t len[NETIF_FRAGS_MAX], total = 0;
    for (unsigned i = 0; i < n; i++)
        total += len[i] = frags[i].len;
    /* A frame that fits one buffer goes in one slot even with sg: every
     * fragment is copied into a transmit buffer anyway, and one slot
     * spares netback a grant map and unmap per frame (it copies only the
     * head of the first slot). Chains are for frames larger than a page,
     * or for every frame with net-sg=chain (how scenario 31 proves them
     * at MTU 1500). */
    bool chain = nf->sg && (nf->sg_chain || total > PAGE_SIZE);
    unsigned slots;
    if (netfront_tx_slots(len, n, chain, TX_SLOTS_MAX, &slots))
        return -EINVAL;
    struct nf_queue *q = pick_queue(nf, frags, n);
    unsigned long f = spin_lock_irqsave(&q->tx_lock);
    if (RING_HAS_UNCONSUMED_RESPONSES(&q->tx) && !poll_tx(q, false)) {
        spin_unlock_irqrestore(&q->tx_lock, f);
        return -ENOTCONN;
    }
    /* Out of slots: the sender reaps completions itself (the transmit
     * ring only, so no recursion into the stack) at every event, since
     * the interface's thread may be the one waiting for this sender (on
     * TCP's lock, say). */
    uint64_t deadline = 0;
    while (q->tx_free < slots) {
        if (!poll_tx(q, true) || nf->state != NF_CONNECTED) {
            spin_unlock_irqrestore(&q->tx_lock, f);
            return -ENOTCONN;
        }
        if (q->tx_free >= slots)
            break;
        q->tx_waiting++;
        spin_unlock_irqrestore(&q->tx_lock, f);
        if (!deadline)
            deadline = time_now_ns() + NS_PER_SEC / 10;
        uint64_t seen = nf->kicks;
        /* The reaping asked for the next completion's event; the port is
         * lateeoi, masked since its last upcall until the thread's next
         * pass, which may be waiting for this sender. Unmasked here, the
         * completion's event comes at once and wakes this sender. */
        evtchn_eoi(q->port, true);
        bool late = wait_event_until(&nf->tx_wq,
                                     nf->kicks != seen || q->tx_free >= slots ||
                                         nf->state != NF_CONNECTED,
                                     deadline);
        f = spin_lock_irqsave(&q->tx_lock);
        q->tx_waiting--;
        waitq_wake_all(&nf->tx_wq); /* quiesce may wait for that */
        if (late) {
            spin_unlock_irqrestore(&q->tx_lock, f);
            return -EAGAIN;
        }
    }
    if (slots == 1) {
        /* One slot: the fragments gathered into one buffer. */
        unsigned id = tx_take_id(q);
        size_t at = 0;
        for (unsigned i = 0; i < n; i++) {
            memcpy((uint8_t *)q->tx_buf[id] + at, frags[i].data, frags[i].len);
            at += frags[i].len;
        }
        tx_put(q, id, total, 0);
    } else {
        /* A chain: the first slot's size is the whole frame's, each
         * fragment in its own buffer (so none crosses a page), more_data
         * on all but the last. */
        unsigned left = slots;
        bool first = true;
        for (unsigned i = 0; i < n; i++) {
            if (!frags[i].len)
                continue;
            unsigned id = tx_take_id(q);
            memcpy(q->tx_buf[id], frags[i].data, frags[i].len);
            tx_put(q, id, first ? total : frags[i].len, --left ? NETTXF_more_data : 0);
            first = false;
        }
        q->tx_multi++;
    }
    q->tx_frames++;
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
    spin_unlock_irqrestore(&q->tx_lock, f);
    if (notify)
        evtchn_send(q->port);
    if (nf->event_ns) {
        uint64_t us = (time_now_ns() - nf->event_ns) / 1000;
        f = spin_lock_irqsave(&nf->lock);
        nf->event_ns = 0;
        nf->turn_us[nf->turn_n++ % TURN_KEPT] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
        spin_unlock_irqrestore(&nf->lock, f);
    }
    return 0;
}

static void describe(struct netif *nif, char *buf, size_t cap)
{
    struct netfront *nf = nif->priv;
    /* The kept event-to-transmit times, sorted (a copy: few, and rarely). */
    uint32_t turn[TURN_KEPT] = { 0 };
    unsigned kept = nf->turn_n < TURN_KEPT ? (unsigned)nf->turn_n : TURN_KEPT;
    for (unsigned i = 0; i < kept; i++) {
        uint32_t v = nf->turn_us[i];
        unsigned j = i;
        for (; j && turn[j - 1] > v; j--)
            turn[j] = turn[j - 1];
        turn[j] = v;
    }
    static const char *const states[] = { "init", "connected", "suspended", "closed", "broken" };
    size_t at = (size_t)k_snprintf(buf, cap,
             "netfront %s: %u queue%s (back-end offers %u), sg %s, %s event channels, "
             "checksums complete on transmit, %llu received with the checksum validated or blank; "
             "%llu protocol errors; %llu polls, %llu found without an event; ",
             states[nf->state], nf->nq, nf->nq == 1 ? "" : "s", nf->max_queues,
             nf->sg ? (nf->sg_chain ? "on (chains)" : "on") : "off", nf->split ? "split" : "shared",
             (unsigned long long)nf->csum_trusted, (unsigned long long)nf->protocol_errors,
             (unsigned long long)nf->polls, (unsigned long long)nf->rescued);
    if (kept && at < cap)
        at += (size_t)k_snprintf(buf + at, cap - at,
             "event to transmit: %llu times, median %u us, min %u us, max %u us (of the last %u)",
             (unsigned long long)nf->turn_n, turn[kept / 2], turn[0], turn[kept - 1], kept);
    else if (at < cap)
        at += (size_t)k_snprintf(buf + at, cap - at, "event to transmit: not measured (net timing on)");
    for (unsigned i = 0; i < nf->nq && at < cap; i++) {
        struct nf_queue *q = nf->q[i];
        at += (size_t)k_snprintf(buf + at, cap - at,
             "\nqueue %u: tx %llu frames (%llu multi-slot), rx %llu frames (%llu multi-slot), "
             "%llu events, port %u%s, tx req %u rsp %u/%u, rx req %u rsp %u/%u, %u tx slots free",
             i, (unsigned long long)q->tx_frames, (unsigned long long)q->tx_multi,
             (unsigned long long)q->rx_frames, (unsigned long long)q->rx_multi,
             (unsigned long long)q->events, q->port, q->have_rx_port ? " (+ receive port)" : "",
             q->tx.req_prod_pvt, q->tx.rsp_cons, q->tx.sring ? q->tx.sring->rsp_prod : 0,
             q->rx.req_prod_pvt, q->rx.rsp_cons, q->rx.sring ? q->rx.sring->rsp_prod : 0,
             q->tx_free);
    }
}

/* Senders and the shell hold the XenBus device, and with it nf: freed
 * only with its last reference (release). */
static void hold(struct netif *nif)
{
    struct netfront *nf = nif->priv;
    xenbus_dev_get(nf->xdev);
}

static void unhold(struct netif *nif)
{
    struct netfront *nf = nif->priv;
    xenbus_dev_put(nf->xdev); /* may free nf */
}

static const struct netif_ops ops = {
    .xmit_frags = xmit_frags, .describe = describe, .get = hold, .put = unhold,
};

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

/* The ports of every queue ever set up. After a restore they are gone
 * already, so only our books are tidied. */
static void release_ports(struct netfront *nf, bool xen_forgot)
{
    for (unsigned i = 0; i < NF_MAX_QUEUES; i++) {
        struct nf_queue *q = nf->q[i];
        if (!q)
            continue;
        xenbus_dev_ports_close(&q->port, &q->have_port, 1, xen_forgot);
        xenbus_dev_ports_close(&q->rx_port, &q->have_rx_port, 1, xen_forgot);
    }
}

/* The grants of every queue ever set up: how many the back-end still
 * had mapped (parked with their pages). */
static unsigned release_grants(struct netfront *nf)
{
    unsigned busy = 0;
    for (unsigned i = 0; i < NF_MAX_QUEUES; i++) {
        struct nf_queue *q = nf->q[i];
        if (!q)
            continue;
        busy += xenbus_front_ungrant(&q->tx_ring_ref, 1, &q->tx_ring_page);
        busy += xenbus_front_ungrant(&q->rx_ring_ref, 1, &q->rx_ring_page);
        for (unsigned b = 0; b < RX_BUFS; b++)
            busy += xenbus_front_ungrant(&q->rx_ref[b], 1, &q->rx_buf[b]);
        for (unsigned b = 0; b < TX_BUFS; b++)
            busy += xenbus_front_ungrant(&q->tx_ref[b], 1, &q->tx_buf[b]);
    }
    return busy;
}

/* Everything Xen and the back-end knew of us. */
static unsigned release(struct netfront *nf, bool xen_forgot)
{
    release_ports(nf, xen_forgot);
    nf->split = false;
    return release_grants(nf);
}

static void page_free(void *p, size_t n)
{
    if (p)
        pages_free(p, n);
}

/* One queue's pages (those not parked); bytes freed. */
static size_t queue_free(struct nf_queue *q)
{
    size_t pages = (q->tx_ring_page != 0) + (q->rx_ring_page != 0) + (q->frame ? FRAME_PAGES : 0);
    page_free(q->tx_ring_page, 1);
    page_free(q->rx_ring_page, 1);
    page_free(q->frame, FRAME_PAGES);
    for (unsigned b = 0; b < RX_BUFS; b++) {
        pages += q->rx_buf[b] != 0;
        page_free(q->rx_buf[b], 1);
    }
    for (unsigned b = 0; b < TX_BUFS; b++) {
        pages += q->tx_buf[b] != 0;
        page_free(q->tx_buf[b], 1);
    }
    kfree(q);
    return pages * PAGE_SIZE;
}

/* The queues' pages back to the allocator; only once nothing can touch
 * them: ports closed, every grant ended or parked, no sender waiting,
 * the thread out of the rings. Bytes freed. */
static size_t queues_free(struct netfront *nf)
{
    size_t bytes = 0;
    nf->nq = 0;
    for (unsigned i = 0; i < NF_MAX_QUEUES; i++) {
        struct nf_queue *q = nf->q[i];
        if (!q)
            continue;
        nf->q[i] = 0;
        bytes += queue_free(q);
    }
    return bytes;
}

/* A queue's pages, allocated the first time it is used and kept while
 * the device lives (across restores); a page parked meanwhile is
 * replaced. On failure nothing stays allocated. */
static struct nf_queue *queue_get(struct netfront *nf, unsigned index)
{
    struct nf_queue *q = nf->q[index];
    if (!q && !(q = kzalloc(sizeof(*q))))
        return 0;
    q->nf = nf;
    q->index = index;
    spin_lock_init(&q->tx_lock, "netfront_tx");
    bool ok = (q->tx_ring_page || (q->tx_ring_page = pages_alloc(1))) &&
              (q->rx_ring_page || (q->rx_ring_page = pages_alloc(1))) &&
              (q->frame || (q->frame = pages_alloc(FRAME_PAGES)));
    for (unsigned i = 0; ok && i < RX_BUFS; i++)
        ok = q->rx_buf[i] || (q->rx_buf[i] = pages_alloc(1));
    for (unsigned i = 0; ok && i < TX_BUFS; i++)
        ok = q->tx_buf[i] || (q->tx_buf[i] = pages_alloc(1));
    if (!ok) {
        printk("netfront: %s: not enough memory for queue %u's rings and buffers",
               nf->nif.name, index);
        nf->q[index] = 0;
        queue_free(q);
        return 0;
    }
    nf->q[index] = q;
    return q;
}

/* Rings initialised and granted, buffers granted, port(s) allocated. */
static int queue_setup(struct netfront *nf, struct nf_queue *q)
{
    memset(q->tx_ring_page, 0, PAGE_SIZE);
    memset(q->rx_ring_page, 0, PAGE_SIZE);
    SHARED_RING_INIT((struct netif_tx_sring *)q->tx_ring_page);
    SHARED_RING_INIT((struct netif_rx_sring *)q->rx_ring_page);
    FRONT_RING_INIT(&q->tx, (struct netif_tx_sring *)q->tx_ring_page, PAGE_SIZE);
    FRONT_RING_INIT(&q->rx, (struct netif_rx_sring *)q->rx_ring_page, PAGE_SIZE);
    int rc = xenbus_front_grant(nf->xdev, q->tx_ring_page, 1, false, &q->tx_ring_ref);
    if (!rc)
        rc = xenbus_front_grant(nf->xdev, q->rx_ring_page, 1, false, &q->rx_ring_ref);
    for (unsigned i = 0; !rc && i < RX_BUFS; i++)
        rc = xenbus_front_grant(nf->xdev, q->rx_buf[i], 1, false, &q->rx_ref[i]);
    for (unsigned i = 0; !rc && i < TX_BUFS; i++)
        rc = xenbus_front_grant(nf->xdev, q->tx_buf[i], 1, true, &q->tx_ref[i]);
    if (!rc)
        rc = xenbus_front_port(nf->xdev, on_event, q, nf->nif.name, &q->port, &q->have_port);
    /* Split event channels: the back-end's transmit and receive work are
     * kicked separately. One handler serves both. */
    if (!rc && nf->split)
        rc = xenbus_front_port(nf->xdev, on_event, q, nf->nif.name, &q->rx_port,
                               &q->have_rx_port);
    if (rc)
        return rc;
    for (unsigned i = 0; i < TX_BUFS; i++)
        q->tx_pending[i] = false;
    q->tx_free = TX_BUFS;
    q->chain = (struct netfront_rx_chain){ 0 };
    for (unsigned i = 0; i < RX_BUFS; i++)
        rx_post(q, i);
    rx_push(q);
    return 0;
}

/* A queue's keys: flat with one queue (as a front-end without
 * multi-queue writes them), else under queue-N/. */
static int write_queue(xs_tx_t tx, struct netfront *nf, struct nf_queue *q)
{
    struct xenbus_device *x = nf->xdev;
    char dir[16] = "";
    if (nf->nq > 1)
        k_snprintf(dir, sizeof(dir), "queue-%u/", q->index);
    int rc = xenbus_dev_write_uint(x, tx, 0, dir, "tx-ring-ref", q->tx_ring_ref);
    rc = xenbus_dev_write_uint(x, tx, rc, dir, "rx-ring-ref", q->rx_ring_ref);
    rc = xenbus_dev_write_uint(x, tx, rc, dir, nf->split ? "event-channel-tx" : "event-channel",
                               q->port);
    if (nf->split)
        rc = xenbus_dev_write_uint(x, tx, rc, dir, "event-channel-rx", q->rx_port);
    return rc;
}

static int write_rings(xs_tx_t tx, void *arg)
{
    struct netfront *nf = arg;
    struct xenbus_device *x = nf->xdev;
    int rc = 0;
    if (nf->nq > 1)
        rc = xenbus_dev_printf(x, tx, "multi-queue-num-queues", "%u", nf->nq);
    for (unsigned i = 0; !rc && i < nf->nq; i++)
        rc = write_queue(tx, nf, nf->q[i]);
    if (!rc)
        rc = xenbus_dev_write(x, tx, "request-rx-copy", "1");
    if (!rc)
        rc = xenbus_dev_write(x, tx, "feature-rx-notify", "1");
    /* We reassemble receive chains when the back-end can send them. */
    if (!rc)
        rc = xenbus_dev_write(x, tx, "feature-sg", nf->sg ? "1" : "0");
    /* We fill every checksum ourselves and want them filled in what we
     * receive: Dom0's stack then computes them before netback copies
     * (a frame that still says csum_blank is accepted, not checked). */
    if (!rc)
        rc = xenbus_dev_write(x, tx, "feature-no-csum-offload", "1");
    return rc;
}

/* A sender waits for slots, or the thread is in the rings. */
static bool rings_busy(struct netfront *nf)
{
    unsigned long f = spin_lock_irqsave(&nf->lock);
    bool busy = nf->in_poll;
    spin_unlock_irqrestore(&nf->lock, f);
    for (unsigned i = 0; !busy && i < NF_MAX_QUEUES; i++) {
        struct nf_queue *q = nf->q[i];
        if (!q)
            continue;
        f = spin_lock_irqsave(&q->tx_lock);
        busy = q->tx_waiting != 0;
        spin_unlock_irqrestore(&q->tx_lock, f);
    }
    return busy;
}

/* Waits (briefly) until no sender waits for slots and the thread is out
 * of the rings: true if so. The state has left NF_CONNECTED, so waiting
 * senders give up at once; both wake tx_wq as they leave. */
static bool quiesce(struct netfront *nf, uint64_t deadline)
{
    waitq_wake_all(&nf->tx_wq);
    if (!wait_event_until(&nf->tx_wq, !rings_busy(nf), deadline))
        return true;
    printk("netfront: %s: %s still in the rings at the deadline", nf->nif.name,
           nf->in_poll ? "the interface's thread" : "a sender");
    return false;
}

static bool close_quiesce(void *arg)
{
    return quiesce(arg, time_now_ns() + NS_PER_SEC);
}

static void close_ports(void *arg)
{
    struct netfront *nf = arg;
    release_ports(nf, false);
    nf->split = false;
}

static unsigned close_grants(void *arg)
{
    return release_grants(arg);
}

static size_t close_pages(void *arg)
{
    return queues_free(arg);
}

/* Frames in flight are lost, as on a wire: nothing to complete. */
static const struct xenbus_front_closer closer = {
    .quiesce = close_quiesce, .ports = close_ports, .grants = close_grants, .pages = close_pages,
};

/* Everything the back-end saw goes, in the grant rule's order (the
 * front-ends' shared close): ports, grants (parked if still mapped), and
 * the pages once nobody is in the rings. */
static void undo(struct netfront *nf, const char *why)
{
    char name[24];
    k_snprintf(name, sizeof(name), "netfront: %s", nf->nif.name);
    struct xenbus_front_closed c = xenbus_front_close(name, why, &closer, nf);
    if (!c.quiet) {
        for (unsigned i = 0; i < NF_MAX_QUEUES; i++)
            nf->q[i] = 0; /* forgotten, never reused */
        nf->nq = 0;
    }
}

/* The back-end is in InitWait: rings, buffers and ports for every queue,
 * their keys, then Connected (netif has no Initialised step). */
static int attach(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    uint64_t v;
    if (xenbus_dev_read_otherend_uint(x, "feature-rx-copy", 1, &v) || !v) {
        xenbus_dev_fatal(x, -EOPNOTSUPP, "the back-end cannot copy received frames");
        return -EOPNOTSUPP;
    }
    char buf[8];
    bool sg_opt = cmdline_get(kernel_cmdline, "net-sg", buf, sizeof(buf)) > 0;
    bool sg_off = sg_opt && strcmp(buf, "off") == 0;
    nf->sg_chain = sg_opt && strcmp(buf, "chain") == 0;
    nf->sg = !sg_off && !xenbus_dev_read_otherend_uint(x, "feature-sg", 1, &v) && v;
    nf->split = !xenbus_dev_read_otherend_uint(x, "feature-split-event-channels", 1, &v) && v;
    unsigned want = xenbus_dev_queues(x, NF_MAX_QUEUES, "net-queues", &nf->max_queues);
    int rc = 0;
    nf->nq = 0;
    for (unsigned i = 0; i < want; i++) {
        struct nf_queue *q = queue_get(nf, i);
        if (!q) {
            rc = -ENOMEM;
            break;
        }
        nf->nq = i + 1; /* release() and describe() see what is set up */
        if ((rc = queue_setup(nf, q)))
            break;
    }
    if (!rc && (rc = xs_transaction_run(write_rings, nf, 8)))
        printk("netfront: %s: writing the ring details: %s", nf->nif.name, errno_name(rc));
    if (!rc)
        rc = xenbus_dev_switch_state(x, XenbusStateConnected);
    if (rc) {
        printk("netfront: %s: setting up %u queues: %s", nf->nif.name, want, errno_name(rc));
        undo(nf, "attach failed"); /* the back-end saw none of it */
        return rc;
    }
    return 0;
}

/* The back-end is Connected too: frames flow. */
static int connect(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    nf->state = NF_CONNECTED;
    nf->nif.up = true;
    nf->kicked = true;
    waitq_wake_all(&nf->wq);
    printk("netfront: %s: connected to domain %u (rx copy, %u queue%s of %u offered, sg %s, "
           "%s event channels, %u receive buffers per queue)",
           nf->nif.name, x->otherend_id, nf->nq, nf->nq == 1 ? "" : "s", nf->max_queues,
           nf->sg ? (nf->sg_chain ? "on (chains)" : "on") : "off", nf->split ? "split" : "one", RX_BUFS);
    if (!nf->nif.registered) {
        nif_count++;
        netif_register(&nf->nif);
        configure_address(nf);
    } else if (nf->nif.ip) {
        /* Tell the switch where we are now (a gratuitous ARP). */
        uint8_t f[64];
        static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        size_t n = arp_build(f, 1, nf->nif.mac, nf->nif.ip, bcast, nf->nif.ip, bcast);
        netif_xmit(&nf->nif, f, n);
    }
    return 0;
}

/* The back-end went back to InitWait: it let go of the old rings. */
static void detach(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    nf->state = NF_INIT;
    nf->nif.up = false;
    undo(nf, "reconnecting");
}

/* Runs the interface's thread, then lets go of the device (a reference
 * probe took for it): nf may go with it. */
static void thread_main(void *arg)
{
    struct netfront *nf = arg;
    struct xenbus_device *x = nf->xdev;
    nf_thread(nf);
    nf->thread_done = true;
    waitq_wake_all(&nf->tx_wq);
    xenbus_dev_put(x);
}

/* Probe only matches: device/vif/<id> with a usable mac is ours. */
static int probe(struct xenbus_device *x)
{
    char mac[24];
    char path[80];
    uint8_t addr[6];
    k_snprintf(path, sizeof(path), "%s/mac", x->nodename);
    int rc = xs_read(XS_TX_NONE, path, mac, sizeof(mac));
    if (rc < 0 || netfront_parse_mac(mac, addr)) {
        printk("netfront: %s: no usable mac ('%s')", x->nodename, rc < 0 ? "" : mac);
        return -EINVAL;
    }
    struct netfront *nf = kzalloc(sizeof(*nf));
    if (!nf)
        return -ENOMEM;
    nf->xdev = x;
    waitq_init(&nf->wq);
    waitq_init(&nf->tx_wq);
    spin_lock_init(&nf->lock, "netfront");
    memcpy(nf->nif.mac, addr, sizeof(addr));
    k_snprintf(nf->nif.name, sizeof(nf->nif.name), "eth%s", x->id);
    nf->nif.mtu = 1500;
    nf->nif.ops = &ops;
    nf->nif.priv = nf;
    xenbus_dev_get(x); /* probe's, given up by remove */
    xenbus_dev_get(x); /* the thread's */
    x->priv = nf;
    if (!thread_create(nf->nif.name, thread_main, nf)) {
        x->priv = 0;
        xenbus_dev_put(x);
        xenbus_dev_put(x);
        kfree(nf);
        return -ENOMEM;
    }
    return 0;
}

/* Closing: senders fail, the stack forgets the interface; the rings stay
 * until the back-end has let go (closed). */
static void close_dev(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    printk("netfront: %s: closing (the back-end is %s)", nf->nif.name,
           xenbus_state_name(x->otherend_state));
    nf->state = NF_CLOSED;
    nf->nif.up = false;
    waitq_wake_all(&nf->tx_wq);
    netif_unregister(&nf->nif);
}

static void closed(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    nf->state = NF_CLOSED;
    undo(nf, "closed");
}

static void deferred(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    if (nf && nf->state == NF_BROKEN)
        xenbus_dev_fatal(x, -EBADMSG, "the back-end broke the netif protocol");
}

/* The node is gone (closed before): the thread is told to leave, and
 * the state goes with the last reference (release): the thread's, a
 * sender's or the shell's. Nothing here waits for them. */
static void remove(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    if (nf->state != NF_CLOSED) { /* gone without a close (after a restore, say) */
        nf->state = NF_CLOSED;
        nf->nif.up = false;
        netif_unregister(&nf->nif);
        undo(nf, "closed");
    }
    unsigned long f = spin_lock_irqsave(&nf->lock);
    nf->stop = true;
    spin_unlock_irqrestore(&nf->lock, f);
    waitq_wake_all(&nf->wq);
    xenbus_dev_put(x); /* probe's */
}

/* The last reference: the thread has left, nobody sends through us. */
static void dev_release(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    x->priv = 0;
    kfree(nf);
}

/* Before a save: nothing goes out, and the thread leaves the rings
 * (frames it hands up point into them). */
static int suspend(struct xenbus_device *x)
{
    struct netfront *nf = x->priv;
    if (nf->state != NF_CONNECTED)
        return 0;
    nf->state = NF_SUSPENDED;
    nf->nif.up = false;
    if (!quiesce(nf, time_now_ns() + NS_PER_SEC))
        printk("netfront: %s: still in the rings at the save", nf->nif.name);
    return 0;
}

static void resume(struct xenbus_device *x, bool cancelled)
{
    struct netfront *nf = x->priv;
    if (nf->state != NF_SUSPENDED)
        return;
    if (cancelled) {
        nf->state = NF_CONNECTED;
        nf->nif.up = true;
        return;
    }
    /* A new domain: rings, grants and the port are gone; frames in flight
     * are lost like on a wire. Same MAC, same address: the stack goes on
     * once the core has attached us again. */
    nf->state = NF_INIT;
    release(nf, true);
}

static struct xenbus_driver driver = {
    .type = "vif",
    .probe = probe,
    .attach = attach,
    .connect = connect,
    .detach = detach,
    .close = close_dev,
    .closed = closed,
    .remove = remove,
    .suspend = suspend,
    .resume = resume,
    .deferred = deferred,
    .release = dev_release,
};

int netfront_init(void)
{
    xenbus_driver_register(&driver);
    return 0;
}
