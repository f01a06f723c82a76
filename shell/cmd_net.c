/* Shell commands for the network: interfaces, the ARP cache, ping, UDP
 * echo, counters. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "shell/shell.h"
#include "net/netif.h"
#include "net/stack.h"
#include "net/tcp.h"
#include "net/inet.h"
#include "net/socket.h"
#include "net/tcp_fetch.h"
#include "xen/time.h"
#include "kern/sched.h"
#include "xen/xs_wire_codec.h"
#include "dev/netfront/netfront.h"

static void ip_str(uint32_t ip, char *buf, size_t cap)
{
    k_snprintf(buf, cap, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void print_if(struct netif *n, void *arg)
{
    char ip[16], mask[16];
    ip_str(n->ip, ip, sizeof(ip));
    ip_str(n->netmask, mask, sizeof(mask));
    shell_printf("%s: %s mtu %u ether %02x:%02x:%02x:%02x:%02x:%02x inet %s netmask %s\n",
                 n->name, n->up ? "UP" : "DOWN", n->mtu, n->mac[0], n->mac[1], n->mac[2],
                 n->mac[3], n->mac[4], n->mac[5], ip, mask);
    shell_printf("      rx %llu packets %llu bytes %llu dropped %llu errors; tx %llu packets "
                 "%llu bytes %llu dropped %llu errors\n",
                 (unsigned long long)n->st.rx_packets, (unsigned long long)n->st.rx_bytes,
                 (unsigned long long)n->st.rx_dropped, (unsigned long long)n->st.rx_errors,
                 (unsigned long long)n->st.tx_packets, (unsigned long long)n->st.tx_bytes,
                 (unsigned long long)n->st.tx_dropped, (unsigned long long)n->st.tx_errors);
    if (arg && n->ops->describe) {
        static char d[1536]; /* one line per queue */
        n->ops->describe(n, d, sizeof(d));
        /* A line at a time: shell_printf's buffer is smaller than d. */
        for (char *line = d, *nl; line; line = nl) {
            nl = strchr(line, '\n');
            if (nl)
                *nl++ = 0;
            shell_printf("      %s\n", line);
        }
    }
}

static void print_conn(const struct tcp_conn *c, void *arg)
{
    char l[16], r[16];
    ip_str(c->local, l, sizeof(l));
    ip_str(c->remote, r, sizeof(r));
    shell_printf("tcp %s:%u <- %s:%u %s, %u bytes unacknowledged\n", l, c->lport, r, c->rport,
                 tcp_state_name(c->state), c->snd_nxt - c->snd_una);
}

static int cmd_ifconfig(int argc, char **argv)
{
    if (argc == 3) { /* ifconfig IF A.B.C.D/N */
        struct netif *n = netif_get(argv[1]);
        if (!n) {
            shell_printf("ifconfig: no interface %s\n", argv[1]);
            return SHELL_ERR_REPORTED;
        }
        char buf[24];
        strlcpy_k(buf, argv[2], sizeof(buf));
        char *slash = strchr(buf, '/');
        uint64_t prefix = 24;
        uint32_t ip;
        int rc = 0;
        if (slash)
            *slash = 0;
        if ((slash && xs_parse_uint(slash + 1, 32, &prefix)) || inet_parse_addr(buf, &ip))
            rc = -EINVAL;
        else
            netif_set_addr(n, ip, (unsigned)prefix, n->gateway);
        netif_put(n);
        return rc;
    }
    netif_for_each(print_if, 0);
    return 0;
}

static void print_arp(const struct arp_entry *e, void *arg)
{
    char ip[16];
    ip_str(e->ip, ip, sizeof(ip));
    shell_printf("%-15s %02x:%02x:%02x:%02x:%02x:%02x %s, %llu s left\n", ip, e->mac[0],
                 e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->nif->name,
                 (unsigned long long)((e->expires - time_now_ns()) / NS_PER_SEC));
}

static int cmd_arp(int argc, char **argv)
{
    net_arp_for_each(print_arp, 0);
    return 0;
}

static int cmd_ping(int argc, char **argv)
{
    uint32_t dst;
    uint64_t count = 4, size = 56;
    if (argc < 2 || argc > 4 || inet_parse_addr(argv[1], &dst) ||
        (argc >= 3 && xs_parse_uint(argv[2], 100000, &count)) ||
        (argc == 4 && xs_parse_uint(argv[3], 1472, &size)))
        return -EINVAL;
    uint64_t got = 0, min = UINT64_MAX, max = 0, sum = 0;
    for (uint64_t i = 0; i < count; i++) {
        int64_t rtt = net_ping(dst, (uint16_t)(i + 1), (size_t)size, time_now_ns() + NS_PER_SEC);
        if (rtt < 0) {
            shell_printf("ping %s: seq %llu: %s\n", argv[1], (unsigned long long)(i + 1),
                         errno_name((int)rtt));
            continue;
        }
        got++;
        sum += (uint64_t)rtt;
        min = MIN(min, (uint64_t)rtt);
        max = MAX(max, (uint64_t)rtt);
    }
    shell_printf("ping %s: %llu sent, %llu received, rtt min/avg/max %llu/%llu/%llu us\n",
                 argv[1], (unsigned long long)count, (unsigned long long)got,
                 (unsigned long long)(got ? min / 1000 : 0),
                 (unsigned long long)(got ? sum / got / 1000 : 0),
                 (unsigned long long)(max / 1000));
    return got == count ? 0 : SHELL_ERR_REPORTED;
}

static int cmd_udp_echo(int argc, char **argv)
{
    uint64_t port;
    if (argc != 2 || xs_parse_uint(argv[1], 65535, &port) || port == 0)
        return -EINVAL;
    int rc = net_udp_echo((uint16_t)port);
    if (rc == 0)
        shell_printf("udp-echo: answering on port %llu\n", (unsigned long long)port);
    return rc;
}

/* net bench: UDP datagrams to an echo service at a given rate, counting
 * what comes back. */
static struct {
    uint64_t received, bytes;
} bench_rx;

static void bench_handler(uint16_t port, uint32_t src, uint16_t sport, const uint8_t *data,
                          size_t len, void *arg)
{
    bench_rx.received++;
    bench_rx.bytes += len;
}

#define BENCH_PORT 40999

static int net_bench(char **argv)
{
    uint32_t dst;
    uint64_t port, size, rate, secs;
    if (inet_parse_addr(argv[2], &dst) || xs_parse_uint(argv[3], 65535, &port) || !port ||
        xs_parse_uint(argv[4], 1472, &size) || !size || xs_parse_uint(argv[5], 1000000, &rate) ||
        xs_parse_uint(argv[6], 600, &secs) || !secs)
        return -EINVAL;
    int rc = net_arp_resolve(dst, time_now_ns() + 2 * NS_PER_SEC);
    if (rc) {
        shell_printf("net bench: %s does not answer ARP: %s\n", argv[2], errno_name(rc));
        return SHELL_ERR_REPORTED;
    }
    if ((rc = net_udp_bind(BENCH_PORT, bench_handler, 0)))
        return rc;
    static uint8_t payload[1472];
    for (size_t i = 0; i < size; i++)
        payload[i] = (uint8_t)i;
    bench_rx.received = bench_rx.bytes = 0;
    uint64_t sent = 0, failed = 0, t0 = time_now_ns(), end = t0 + secs * NS_PER_SEC;
    uint64_t gap = rate ? NS_PER_SEC / rate : 0;
    for (uint64_t now = t0; now < end; now = time_now_ns()) {
        if (gap && now < t0 + sent * gap) {
            thread_sleep_ns(t0 + sent * gap - now);
            continue;
        }
        if (net_udp_send(dst, BENCH_PORT, (uint16_t)port, payload, (size_t)size) == 0)
            sent++;
        else
            failed++;
        if (!gap)
            thread_yield(); /* let the receive side run */
    }
    thread_sleep_ns(NS_PER_SEC / 2); /* the last answers */
    net_udp_unbind(BENCH_PORT);
    uint64_t ns = time_now_ns() - t0;
    shell_printf("net bench: %llu sent (%llu not sent), %llu echoed in %llu ms: %llu per s, "
                 "%llu KB/s each way\n",
                 (unsigned long long)sent, (unsigned long long)failed,
                 (unsigned long long)bench_rx.received, (unsigned long long)(ns / NS_PER_MS),
                 (unsigned long long)(bench_rx.received * NS_PER_SEC / ns),
                 (unsigned long long)(bench_rx.bytes * NS_PER_SEC / ns / 1000));
    return 0;
}

static int cmd_net(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "bench") == 0)
        return net_bench(argv);
    if (argc == 3 && strcmp(argv[1], "timing") == 0 &&
        (strcmp(argv[2], "on") == 0 || strcmp(argv[2], "off") == 0)) {
        netfront_timing(argv[2][1] == 'n');
        shell_printf("net: event-to-transmit timing %s\n", argv[2]);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "stats") == 0) {
        struct net_counters c;
        net_get_counters(&c);
        shell_printf("net: arp in %llu out %llu (held %llu, dropped %llu), icmp in %llu out %llu, udp in %llu out %llu "
                     "(no port %llu), bad frames %llu, fragments dropped %llu, not for us %llu\n",
                     (unsigned long long)c.arp_in, (unsigned long long)c.arp_out,
                     (unsigned long long)c.arp_held, (unsigned long long)c.arp_dropped,
                     (unsigned long long)c.icmp_in, (unsigned long long)c.icmp_out,
                     (unsigned long long)c.udp_in, (unsigned long long)c.udp_out,
                     (unsigned long long)c.udp_no_port, (unsigned long long)c.bad_frames,
                     (unsigned long long)c.fragments_dropped, (unsigned long long)c.not_for_us);
        struct tcp_stats t;
        net_tcp_stats(&t);
        shell_printf("tcp: %llu accepted, %llu refused, segments in %llu out %llu (bad %llu), "
                     "%llu retransmitted, %llu out of order, resets in %llu out %llu, %llu timed "
                     "out\n",
                     (unsigned long long)t.accepted, (unsigned long long)t.refused,
                     (unsigned long long)t.segs_in, (unsigned long long)t.segs_out,
                     (unsigned long long)t.bad_segs, (unsigned long long)t.retransmits,
                     (unsigned long long)t.out_of_order, (unsigned long long)t.resets_received,
                     (unsigned long long)t.resets_sent, (unsigned long long)t.timeouts);
        shell_printf("tcp syn: %u half-open (at most %u, %u a peer), cookies sent %llu accepted "
                     "%llu bad %llu, half-open evicted %llu expired %llu\n",
                     net_tcp_half_open(), TCP_HALF_OPEN_MAX, TCP_HALF_OPEN_PER_PEER,
                     (unsigned long long)t.cookies_sent, (unsigned long long)t.cookies_accepted,
                     (unsigned long long)t.cookies_bad, (unsigned long long)t.half_open_evicted,
                     (unsigned long long)t.half_open_expired);
        netif_for_each(print_if, (void *)1);
        net_tcp_for_each(print_conn, 0);
        return 0;
    }
    return -EINVAL;
}

/* fetch http://A.B.C.D[:PORT]/PATH: an HTTP/1.0 GET over a socket; the
 * body is counted and summed (POSIX cksum), not kept. */
#define FETCH_CONNECT_NS (5 * NS_PER_SEC)
#define FETCH_IDLE_NS (10 * NS_PER_SEC)

static int cmd_fetch(int argc, char **argv)
{
    if (argc != 2)
        return -EINVAL;
    struct fetch_url u;
    if (fetch_parse_url(argv[1], &u)) {
        shell_printf("fetch: not a URL of the form http:/" "/A.B.C.D[:PORT]/PATH: %s\n", argv[1]);
        return -EINVAL;
    }
    static char req[512];
    size_t rn = fetch_build_request(&u, req, sizeof(req));
    if (!rn)
        return -E2BIG;
    uint64_t t0 = time_now_ns();
    struct sock *s;
    int rc = sock_connect(u.addr, u.port, t0 + FETCH_CONNECT_NS, &s);
    if (rc) {
        shell_printf("fetch: %s:%u: %s\n", u.host, u.port, sock_strerror(rc));
        return rc;
    }
    long n = sock_send(s, req, rn, time_now_ns() + FETCH_IDLE_NS);
    static struct fetch_resp r;
    static uint8_t buf[4096];
    fetch_resp_init(&r);
    rc = n < 0 ? (int)n : 0;
    while (!rc) {
        n = sock_recv(s, buf, sizeof(buf), time_now_ns() + FETCH_IDLE_NS);
        if (n <= 0) {
            rc = n < 0 ? (int)n : fetch_resp_end(&r);
            break;
        }
        rc = fetch_resp_feed(&r, buf, (size_t)n);
    }
    sock_close(s);
    uint64_t ms = (time_now_ns() - t0) / NS_PER_MS;
    if (rc) {
        shell_printf("fetch: %s: %s after %llu body bytes\n", argv[1], sock_strerror(rc),
                     (unsigned long long)r.body);
        return rc;
    }
    shell_printf("fetch: HTTP %d, %llu bytes, cksum %u, in %llu ms\n", r.status,
                 (unsigned long long)r.body, cksum_final(r.crc, r.body), (unsigned long long)ms);
    return r.status >= 200 && r.status < 300 ? 0 : -ENOENT;
}

static struct shell_cmd cmds[] = {
    { "ifconfig", "[IF A.B.C.D/N]", "network interfaces (or set an address)", cmd_ifconfig, { 0, 0 } },
    { "arp", "", "the ARP cache", cmd_arp, { 0, 0 } },
    { "ping", "A.B.C.D [COUNT [SIZE]]", "ICMP echo", cmd_ping, { 0, 0 } },
    { "udp-echo", "PORT", "answer UDP datagrams on PORT", cmd_udp_echo, { 0, 0 } },
    { "net", "stats | timing on|off | bench A.B.C.D PORT SIZE RATE SECONDS",
      "network counters; netfront's event-to-transmit time in them; UDP to an echo service "
      "at RATE per s (0: as fast as possible)",
      cmd_net, { 0, 0 } },
    /* "http:/" "/": tools/doccheck.sh takes a double slash for a comment */
    { "fetch", "http:/" "/A.B.C.D[:PORT]/PATH", "HTTP GET: the body's size and cksum", cmd_fetch,
      { 0, 0 } },
};

void shell_cmds_net_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
