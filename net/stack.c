#include "kern/kernel.h"
#include "kern/wait.h"
#include "xen/time.h"
#include "net/inet.h"
#include "net/stack.h"

#define UDP_PORTS 8
#define FRAME_MAX 1514

static struct arp_entry arp[ARP_CACHE_SIZE];
static struct waitq arp_wq = WAITQ_INIT(arp_wq);
static struct net_counters ctr;
static uint16_t ip_id;
/* The ICMP reply and UDP datagram buffers are shared by every thread that
 * sends (the drivers' receive threads, the shell): a send may wait for a
 * transmit slot, and the payload must not be rewritten meanwhile. */
static struct mutex send_lock = MUTEX_INIT(send_lock);

static int send_lock_take(void)
{
    return mutex_lock_within(&send_lock, NS_PER_SEC);
}

static struct {
    uint16_t port;
    udp_handler_t h;
    void *arg;
} udp[UDP_PORTS];

/* The ping in flight: one at a time. */
static struct {
    uint16_t id, seq;
    uint32_t dst;
    bool waiting, answered;
    struct waitq wq;
} ping = { .wq = WAITQ_INIT(ping.wq) };

/* A packet whose next hop is not resolved yet waits here (not long) for
 * the ARP reply instead of being dropped. */
#define ARP_HELD 4
#define ARP_HOLD_NS (NS_PER_SEC)
static struct {
    struct netif *nif;
    uint32_t hop;
    uint64_t expires;
    size_t len;
    uint8_t frame[FRAME_MAX];
} held[ARP_HELD];

static void release_held(uint32_t hop, const uint8_t *mac);

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct arp_entry *arp_find(uint32_t ip)
{
    uint64_t now = time_recent_ns(); /* a minute's expiry needs no fresh clock */
    for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
        if (arp[i].ip == ip && arp[i].expires > now)
            return &arp[i];
    return 0;
}

static void arp_learn(struct netif *nif, uint32_t ip, const uint8_t *mac)
{
    struct arp_entry *e = arp_find(ip), *oldest = &arp[0];
    for (unsigned i = 0; !e && i < ARP_CACHE_SIZE; i++) {
        if (arp[i].expires < oldest->expires)
            oldest = &arp[i];
    }
    if (!e)
        e = oldest;
    e->ip = ip;
    memcpy(e->mac, mac, 6);
    e->nif = nif;
    e->expires = time_now_ns() + ARP_TIMEOUT_NS;
    waitq_wake_all(&arp_wq);
    release_held(ip, mac);
}

void net_stack_forget(struct netif *nif)
{
    for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
        if (arp[i].nif == nif)
            arp[i] = (struct arp_entry){ 0 };
    for (unsigned i = 0; i < ARP_HELD; i++)
        if (held[i].nif == nif)
            held[i].len = 0;
}

void net_arp_for_each(void (*fn)(const struct arp_entry *e, void *arg), void *arg)
{
    uint64_t now = time_now_ns();
    for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
        if (arp[i].ip && arp[i].expires > now)
            fn(&arp[i], arg);
}

static void arp_request(struct netif *nif, uint32_t ip)
{
    static const uint8_t zero[6];
    uint8_t f[64];
    size_t n = arp_build(f, 1, nif->mac, nif->ip, zero, ip, bcast);
    ctr.arp_out++;
    netif_xmit(nif, f, n);
}

static void arp_input(struct netif *nif, const struct eth_view *e)
{
    struct arp_view a;
    if (arp_parse(e->payload, e->len, &a)) {
        ctr.bad_frames++;
        return;
    }
    ctr.arp_in++;
    if (!nif->ip || a.tpa != nif->ip) {
        if (arp_find(a.spa))
            arp_learn(nif, a.spa, a.sha); /* refresh what we know already */
        return;
    }
    arp_learn(nif, a.spa, a.sha);
    if (a.op == 1) {
        uint8_t f[64];
        size_t n = arp_build(f, 2, nif->mac, nif->ip, a.sha, a.spa, a.sha);
        ctr.arp_out++;
        netif_xmit(nif, f, n);
    }
}

static uint32_t next_hop(struct netif *nif, uint32_t dst)
{
    return (dst & nif->netmask) == (nif->ip & nif->netmask) ? dst : nif->gateway;
}

static int hold_for_arp(struct netif *nif, uint32_t hop, uint32_t dst, uint8_t proto,
                        const void *payload, size_t len)
{
    uint64_t now = time_now_ns();
    unsigned slot = ARP_HELD;
    for (unsigned i = 0; i < ARP_HELD && slot == ARP_HELD; i++)
        if (!held[i].len || held[i].expires <= now)
            slot = i;
    arp_request(nif, hop);
    if (slot == ARP_HELD) {
        ctr.arp_dropped++;
        return -EAGAIN;
    }
    uint8_t *f = held[slot].frame;
    memcpy(f + 6, nif->mac, 6);
    put16(f + 12, ETH_P_IP);
    memmove(f + ETH_HLEN + 20, payload, len);
    ipv4_build(f + ETH_HLEN, nif->ip, dst, proto, ip_id++, len);
    held[slot].nif = nif;
    held[slot].hop = hop;
    held[slot].expires = now + ARP_HOLD_NS;
    held[slot].len = ETH_HLEN + 20 + len;
    ctr.arp_held++;
    return 0;
}

/* hop's address is known now: what waited for it goes out. */
static void release_held(uint32_t hop, const uint8_t *mac)
{
    uint64_t now = time_now_ns();
    for (unsigned i = 0; i < ARP_HELD; i++) {
        if (!held[i].len || held[i].hop != hop)
            continue;
        size_t len = held[i].len;
        held[i].len = 0;
        if (held[i].expires <= now || !held[i].nif->registered) {
            ctr.arp_dropped++;
            continue;
        }
        memcpy(held[i].frame, mac, 6);
        netif_xmit(held[i].nif, held[i].frame, len);
    }
}

int net_ip_send(uint32_t dst, uint8_t proto, const void *payload, size_t len)
{
    struct netif *nif = netif_route(dst);
    if (!nif)
        return -ENXIO;
    if (len + 20 > nif->mtu || len + 20 + ETH_HLEN > FRAME_MAX)
        return -E2BIG;
    uint32_t hop = next_hop(nif, dst);
    struct arp_entry *e = arp_find(hop);
    if (!e)
        return hold_for_arp(nif, hop, dst, proto, payload, len);
    /* The headers go as their own fragment and the payload stays where
     * the caller built it: the driver gathers both (one copy, into its
     * transmit buffers). Callers keep their payload buffer theirs until
     * this returns (see send_lock). */
    uint8_t hdr[ETH_HLEN + 20];
    memcpy(hdr, e->mac, 6);
    memcpy(hdr + 6, nif->mac, 6);
    put16(hdr + 12, ETH_P_IP);
    ipv4_build(hdr + ETH_HLEN, nif->ip, dst, proto, ip_id++, len);
    struct netif_frag frags[2] = { { hdr, sizeof(hdr) }, { payload, len } };
    return netif_xmit_frags(nif, frags, len ? 2 : 1);
}

int net_arp_resolve(uint32_t dst, uint64_t deadline)
{
    struct netif *nif = netif_route(dst);
    if (!nif)
        return -ENXIO;
    uint32_t hop = next_hop(nif, dst);
    while (!arp_find(hop)) {
        arp_request(nif, hop);
        uint64_t step = time_now_ns() + NS_PER_SEC / 2;
        wait_event_until(&arp_wq, arp_find(hop) != 0, step < deadline ? step : deadline);
        if (time_now_ns() >= deadline && !arp_find(hop))
            return -ETIMEDOUT;
    }
    return 0;
}

static void icmp_input(struct netif *nif, const struct ipv4_view *ip)
{
    struct icmp_view ic;
    if (icmp_parse(ip->payload, ip->len, &ic)) {
        ctr.bad_frames++;
        return;
    }
    ctr.icmp_in++;
    if (ic.type == 8 && ic.code == 0) {
        static uint8_t reply[FRAME_MAX];
        if (ic.len + 8 > sizeof(reply))
            return;
        if (send_lock_take())
            return;
        size_t n = icmp_build_echo(reply, 0, ic.id, ic.seq, ic.data, ic.len);
        ctr.icmp_out++;
        net_ip_send(ip->src, IP_PROTO_ICMP, reply, n);
        mutex_unlock(&send_lock);
    } else if (ic.type == 0 && ping.waiting && ic.id == ping.id && ic.seq == ping.seq &&
               ip->src == ping.dst) {
        ping.answered = true;
        waitq_wake_all(&ping.wq);
    }
}

static void udp_input(const struct ipv4_view *ip)
{
    struct udp_view u;
    if (udp_parse(ip, &u)) {
        ctr.bad_frames++;
        return;
    }
    ctr.udp_in++;
    for (unsigned i = 0; i < UDP_PORTS; i++)
        if (udp[i].h && udp[i].port == u.dport) {
            udp[i].h(u.dport, ip->src, u.sport, u.data, u.len, udp[i].arg);
            return;
        }
    ctr.udp_no_port++;
}

void net_stack_input(struct netif *nif, const uint8_t *frame, size_t len, unsigned flags)
{
    struct eth_view e;
    if (eth_parse(frame, len, &e)) {
        ctr.bad_frames++;
        return;
    }
    if (e.type == ETH_P_ARP) {
        arp_input(nif, &e);
        return;
    }
    if (e.type != ETH_P_IP)
        return;
    struct ipv4_view ip;
    int rc = ipv4_parse(e.payload, e.len, &ip);
    if (rc == -EOPNOTSUPP) {
        ctr.fragments_dropped++;
        return;
    }
    if (rc) {
        ctr.bad_frames++;
        return;
    }
    ip.l4_csum_ok = (flags & NETIF_RX_L4_CSUM_OK) != 0;
    if (!nif->ip || (ip.dst != nif->ip && ip.dst != 0xffffffff)) {
        ctr.not_for_us++;
        return;
    }
    if (ip.proto == IP_PROTO_ICMP)
        icmp_input(nif, &ip);
    else if (ip.proto == IP_PROTO_UDP)
        udp_input(&ip);
    else if (ip.proto == IP_PROTO_TCP)
        net_tcp_input(&ip);
}

int64_t net_ping(uint32_t dst, uint16_t seq, size_t size, uint64_t deadline)
{
    static uint8_t req[FRAME_MAX];
    if (size + 8 + 20 > 1500)
        return -E2BIG;
    int rc = net_arp_resolve(dst, deadline);
    if (rc)
        return rc;
    for (size_t i = 0; i < size; i++)
        req[8 + i] = (uint8_t)i;
    ping.id = 0xd0;
    ping.seq = seq;
    ping.dst = dst;
    ping.answered = false;
    ping.waiting = true;
    size_t n = icmp_build_echo(req, 8, ping.id, seq, req + 8, size);
    uint64_t t0 = time_now_ns();
    ctr.icmp_out++;
    rc = net_ip_send(dst, IP_PROTO_ICMP, req, n);
    if (rc == 0)
        rc = wait_event_until(&ping.wq, ping.answered, deadline);
    ping.waiting = false;
    return rc ? rc : (int64_t)(time_now_ns() - t0);
}

int net_udp_bind(uint16_t port, udp_handler_t h, void *arg)
{
    for (unsigned i = 0; i < UDP_PORTS; i++)
        if (udp[i].h && udp[i].port == port)
            return -EBUSY;
    for (unsigned i = 0; i < UDP_PORTS; i++)
        if (!udp[i].h) {
            udp[i].port = port;
            udp[i].h = h;
            udp[i].arg = arg;
            return 0;
        }
    return -ENOSPC;
}

void net_udp_unbind(uint16_t port)
{
    for (unsigned i = 0; i < UDP_PORTS; i++)
        if (udp[i].h && udp[i].port == port)
            udp[i].h = 0;
}

int net_udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    static uint8_t dgram[FRAME_MAX];
    struct netif *nif = netif_route(dst);
    if (!nif)
        return -ENXIO;
    if (len + 8 > sizeof(dgram))
        return -E2BIG;
    int rc = send_lock_take();
    if (rc)
        return rc;
    size_t n = udp_build(dgram, nif->ip, dst, sport, dport, data, len);
    ctr.udp_out++;
    rc = net_ip_send(dst, IP_PROTO_UDP, dgram, n);
    mutex_unlock(&send_lock);
    return rc;
}

static void echo_handler(uint16_t port, uint32_t src, uint16_t sport, const uint8_t *data,
                         size_t len, void *arg)
{
    /* data stays put in the driver's receive buffer until we return. */
    net_udp_send(src, port, sport, data, len);
}

int net_udp_echo(uint16_t port)
{
    return net_udp_bind(port, echo_handler, 0);
}

void net_get_counters(struct net_counters *c)
{
    *c = ctr;
}
