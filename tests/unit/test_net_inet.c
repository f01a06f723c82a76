/* The IPv4 stack's wire formats and netfront's response checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "net/inet.h"
#include "dev/netfront/netfront_rsp.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static void test_checksum_rfc1071(void **state)
{
    UNUSED_STATE;
    /* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (before ~). */
    const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    assert_int_equal(inet_fold(inet_sum(d, 8, 0)), (uint16_t)~0xddf2);
    /* odd length: the last byte is the high half */
    const uint8_t o[] = { 0x01 };
    assert_int_equal(inet_fold(inet_sum(o, 1, 0)), (uint16_t)~0x0100);
}

static void test_ipv4_roundtrip_and_rejects(void **state)
{
    UNUSED_STATE;
    uint8_t p[64] = { 0 };
    ipv4_build(p, 0x0a000002, 0x0a000001, IP_PROTO_UDP, 7, 8);
    struct ipv4_view v;
    assert_int_equal(ipv4_parse(p, 28, &v), 0);
    assert_int_equal(v.src, 0x0a000002);
    assert_int_equal(v.dst, 0x0a000001);
    assert_int_equal(v.proto, IP_PROTO_UDP);
    assert_int_equal(v.len, 8);
    assert_int_equal(ipv4_parse(p, 27, &v), -EBADMSG); /* shorter than its total length */
    p[8] ^= 1; /* ttl changed: checksum wrong */
    assert_int_equal(ipv4_parse(p, 28, &v), -EBADMSG);
    p[8] ^= 1;
    p[6] = 0x20; /* more fragments */
    p[10] = p[11] = 0;
    put16(p + 10, inet_fold(inet_sum(p, 20, 0)));
    assert_int_equal(ipv4_parse(p, 28, &v), -EOPNOTSUPP);
    p[0] = 0x44; /* header length 16 */
    assert_int_equal(ipv4_parse(p, 28, &v), -EBADMSG);
    p[0] = 0x65; /* IPv6 version */
    assert_int_equal(ipv4_parse(p, 28, &v), -EBADMSG);
}

static void test_udp_and_icmp(void **state)
{
    UNUSED_STATE;
    uint8_t p[128];
    size_t n = udp_build(p + 20, 0x0a000002, 0x0a000001, 7777, 1234, "hello", 5);
    assert_int_equal(n, 13);
    ipv4_build(p, 0x0a000002, 0x0a000001, IP_PROTO_UDP, 1, n);
    struct ipv4_view ip;
    assert_int_equal(ipv4_parse(p, 20 + n, &ip), 0);
    struct udp_view u;
    assert_int_equal(udp_parse(&ip, &u), 0);
    assert_int_equal(u.sport, 7777);
    assert_int_equal(u.dport, 1234);
    assert_int_equal(u.len, 5);
    assert_memory_equal(u.data, "hello", 5);
    p[20 + 8] ^= 0x20; /* data changed: checksum wrong */
    assert_int_equal(udp_parse(&ip, &u), -EBADMSG);
    put16(p + 20 + 6, 0); /* no checksum: accepted */
    assert_int_equal(udp_parse(&ip, &u), 0);
    put16(p + 20 + 4, 200); /* length beyond the packet */
    assert_int_equal(udp_parse(&ip, &u), -EBADMSG);

    uint8_t e[64];
    n = icmp_build_echo(e, 8, 0xd0, 3, "abc", 3);
    struct icmp_view ic;
    assert_int_equal(icmp_parse(e, n, &ic), 0);
    assert_int_equal(ic.type, 8);
    assert_int_equal(ic.seq, 3);
    assert_int_equal(ic.len, 3);
    e[9] ^= 1;
    assert_int_equal(icmp_parse(e, n, &ic), -EBADMSG);
}

static void test_arp(void **state)
{
    UNUSED_STATE;
    const uint8_t me[6] = { 0, 0x16, 0x3e, 0, 0, 0x21 }, bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t f[64];
    size_t n = arp_build(f, 1, me, 0x0a000015, bc, 0x0a000001, bc);
    assert_int_equal(n, 42);
    struct eth_view e;
    assert_int_equal(eth_parse(f, n, &e), 0);
    assert_int_equal(e.type, ETH_P_ARP);
    struct arp_view a;
    assert_int_equal(arp_parse(e.payload, e.len, &a), 0);
    assert_int_equal(a.op, 1);
    assert_int_equal(a.spa, 0x0a000015);
    assert_int_equal(a.tpa, 0x0a000001);
    assert_memory_equal(a.sha, me, 6);
    f[ETH_HLEN + 7] = 9; /* unknown op */
    assert_int_equal(arp_parse(e.payload, e.len, &a), -EBADMSG);
    assert_int_equal(arp_parse(e.payload, 27, &a), -EBADMSG);
    assert_int_equal(eth_parse(f, 13, &e), -EBADMSG);
}

static void test_addr(void **state)
{
    UNUSED_STATE;
    uint32_t a;
    assert_int_equal(inet_parse_addr("10.0.0.21", &a), 0);
    assert_int_equal(a, 0x0a000015);
    assert_int_equal(inet_parse_addr("255.255.255.255", &a), 0);
    assert_int_equal(inet_parse_addr("256.0.0.1", &a), -EINVAL);
    assert_int_equal(inet_parse_addr("10.0.0", &a), -EINVAL);
    assert_int_equal(inet_parse_addr("10.0.0.1.", &a), -EINVAL);
    assert_int_equal(inet_parse_addr("10.0.0.0001", &a), -EINVAL);
    assert_int_equal(inet_parse_addr("", &a), -EINVAL);
}

/* One slot, flags, ranges: the single-slot checks. */
static void test_netfront_rx_single(void **state)
{
    UNUSED_STATE;
    bool posted[4] = { true, false, true, true };
    unsigned n;
    const char *why;
    struct netfront_rx_chain c = { 0 };
    struct netif_rx_response r = { .id = 0, .offset = 0, .flags = 0, .status = 60 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 4, false, &n, &why), NETFRONT_RX_FRAME);
    assert_int_equal(n, 60);
    assert_int_equal(c.len, 60);
    assert_int_equal(c.slots, 1);
    c = (struct netfront_rx_chain){ 0 };
    r.status = NETIF_RSP_DROPPED;
    assert_int_equal(netfront_rx_step(&c, &r, posted, 4, false, &n, &why), NETFRONT_RX_FRAME);
    assert_true(c.dropped);
    assert_int_equal(n, 0);
    r.status = 60;
#define REJECT(sg)                                                                   \
    do {                                                                             \
        c = (struct netfront_rx_chain){ 0 };                                         \
        why = 0;                                                                     \
        assert_int_equal(netfront_rx_step(&c, &r, posted, 4, sg, &n, &why), -EBADMSG); \
        assert_non_null(why);                                                        \
    } while (0)
    r.id = 1; /* not posted */
    REJECT(true);
    r.id = 9;
    REJECT(true);
    r.id = 2;
    r.offset = 4090; /* beyond the page */
    REJECT(true);
    r.offset = 4096;
    r.status = 0;
    REJECT(true);
    r.offset = 0;
    r.status = 60;
    r.flags = NETRXF_more_data; /* a chain without scatter-gather */
    REJECT(false);
    r.flags = NETRXF_extra_info;
    REJECT(true);
    r.flags = NETRXF_gso_prefix;
    REJECT(true);
    r.flags = 0x80;
    REJECT(true);
    r.flags = 0;
    r.status = 5; /* shorter than an Ethernet header */
    REJECT(false);
    /* The checksum notes are accepted and kept, with or without sg. */
    c = (struct netfront_rx_chain){ 0 };
    r.status = 60;
    r.flags = NETRXF_csum_blank | NETRXF_data_validated;
    assert_int_equal(netfront_rx_step(&c, &r, posted, 4, false, &n, &why), NETFRONT_RX_FRAME);
    assert_int_equal(c.flags, NETRXF_csum_blank | NETRXF_data_validated);
}

/* Multi-slot chains: reassembled lengths, and the bounds. */
static void test_netfront_rx_chain(void **state)
{
    UNUSED_STATE;
    bool posted[32];
    for (unsigned i = 0; i < 32; i++)
        posted[i] = true;
    unsigned n;
    const char *why;
    struct netfront_rx_chain c = { 0 };
    struct netif_rx_response r = { .id = 0, .offset = 0, .flags = NETRXF_more_data | NETRXF_csum_blank,
                                   .status = 4096 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    assert_int_equal(n, 4096);
    r = (struct netif_rx_response){ .id = 1, .offset = 100, .flags = NETRXF_more_data, .status = 0 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    assert_int_equal(n, 0);
    r = (struct netif_rx_response){ .id = 2, .offset = 0, .flags = 0, .status = 904 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_FRAME);
    assert_int_equal(n, 904);
    assert_int_equal(c.len, 5000);
    assert_int_equal(c.slots, 3);
    assert_int_equal(c.flags, NETRXF_more_data | NETRXF_csum_blank); /* the first slot's */
    assert_false(c.dropped);

    /* A slot dropped mid-chain drops the frame; the chain still ends. */
    c = (struct netfront_rx_chain){ 0 };
    r = (struct netif_rx_response){ .id = 0, .flags = NETRXF_more_data, .status = 1000 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    r.status = NETIF_RSP_ERROR;
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    assert_true(c.dropped);
    r.flags = 0;
    r.status = 10;
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_FRAME);
    assert_int_equal(n, 0); /* nothing more to copy for a dropped frame */
    assert_true(c.dropped);

    /* More slots than the bound: a violation, never a longer chain. */
    c = (struct netfront_rx_chain){ 0 };
    r = (struct netif_rx_response){ .id = 3, .flags = NETRXF_more_data, .status = 1 };
    for (unsigned i = 0; i < NETFRONT_RX_SLOTS_MAX; i++)
        assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    r.flags = 0;
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), -EBADMSG);

    /* More bytes than any frame we accept. */
    c = (struct netfront_rx_chain){ 0 };
    r = (struct netif_rx_response){ .id = 3, .flags = NETRXF_more_data, .status = 4096 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), -EBADMSG);

    /* A chain whose total is shorter than an Ethernet header. */
    c = (struct netfront_rx_chain){ 0 };
    r = (struct netif_rx_response){ .id = 3, .flags = NETRXF_more_data, .status = 6 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    r.flags = 0;
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), -EBADMSG);
    /* A later slot of a chain that is not posted. */
    c = (struct netfront_rx_chain){ 0 };
    r = (struct netif_rx_response){ .id = 3, .flags = NETRXF_more_data, .status = 600 };
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), NETFRONT_RX_MORE);
    posted[4] = false;
    r.id = 4;
    assert_int_equal(netfront_rx_step(&c, &r, posted, 32, true, &n, &why), -EBADMSG);
}

static void test_netfront_tx_slots(void **state)
{
    UNUSED_STATE;
    unsigned slots;
    size_t two[2] = { 34, 1000 };
    assert_int_equal(netfront_tx_slots(two, 2, true, 8, &slots), 0);
    assert_int_equal(slots, 2);
    assert_int_equal(netfront_tx_slots(two, 2, false, 8, &slots), 0);
    assert_int_equal(slots, 1); /* gathered into one buffer */
    size_t empty[3] = { 42, 0, 0 }; /* empty fragments take no slot */
    assert_int_equal(netfront_tx_slots(empty, 3, true, 8, &slots), 0);
    assert_int_equal(slots, 1);
    size_t shortf[2] = { 6, 7 };
    assert_int_equal(netfront_tx_slots(shortf, 2, true, 8, &slots), -EINVAL);
    size_t big[2] = { 4097, 10 }; /* a fragment would cross its buffer's page */
    assert_int_equal(netfront_tx_slots(big, 2, true, 8, &slots), -EINVAL);
    size_t over[2] = { 4000, 200 }; /* one page without sg */
    assert_int_equal(netfront_tx_slots(over, 2, false, 8, &slots), -EINVAL);
    assert_int_equal(netfront_tx_slots(over, 2, true, 8, &slots), 0);
    size_t many[3] = { 20, 20, 20 };
    assert_int_equal(netfront_tx_slots(many, 3, true, 2, &slots), -EINVAL);
}

/* The flow hash: pure, the same for one flow, ports matter, ARP is 0. */
static void test_flow_hash(void **state)
{
    UNUSED_STATE;
    uint8_t f[ETH_HLEN + 20 + 8];
    memset(f, 0, sizeof(f));
    put16(f + 12, ETH_P_IP);
    ipv4_build(f + ETH_HLEN, 0x0a000001, 0x0a000015, IP_PROTO_UDP, 1, 8);
    put16(f + ETH_HLEN + 20, 40000);
    put16(f + ETH_HLEN + 22, 7777);
    uint32_t h1 = inet_flow_hash(f, sizeof(f));
    assert_int_not_equal(h1, 0);
    ipv4_build(f + ETH_HLEN, 0x0a000001, 0x0a000015, IP_PROTO_UDP, 999, 8); /* another packet */
    assert_int_equal(inet_flow_hash(f, sizeof(f)), h1);
    /* Many source ports spread over 2 and 4 queues. */
    unsigned seen2 = 0, seen4 = 0;
    for (unsigned p = 0; p < 64; p++) {
        put16(f + ETH_HLEN + 20, (uint16_t)(40000 + p));
        uint32_t h = inet_flow_hash(f, sizeof(f));
        seen2 |= 1u << (h % 2);
        seen4 |= 1u << (h % 4);
    }
    assert_int_equal(seen2, 3);
    assert_int_equal(seen4, 15);
    /* A fragment hashes without ports (they are not in every piece). */
    put16(f + ETH_HLEN + 6, 0x2000);
    uint32_t frag = inet_flow_hash(f, sizeof(f));
    put16(f + ETH_HLEN + 20, 1);
    assert_int_equal(inet_flow_hash(f, sizeof(f)), frag);
    /* Too short for ports: still a hash of the addresses. */
    assert_int_not_equal(inet_flow_hash(f, ETH_HLEN + 20), 0);
    put16(f + 12, ETH_P_ARP);
    assert_int_equal(inet_flow_hash(f, sizeof(f)), 0);
    assert_int_equal(inet_flow_hash(f, 10), 0);
}

/* A checksum the driver vouches for (blank from an offloading peer) is
 * not checked; otherwise a bad one is refused. */
static void test_l4_csum_ok(void **state)
{
    UNUSED_STATE;
    uint8_t p[20 + 8 + 4];
    ipv4_build(p, 0x0a000001, 0x0a000015, IP_PROTO_UDP, 1, 12);
    udp_build(p + 20, 0x0a000001, 0x0a000015, 1, 2, "abcd", 4);
    put16(p + 20 + 6, 0x1234); /* a partial (pseudo-header only) sum */
    struct ipv4_view ip;
    struct udp_view u;
    assert_int_equal(ipv4_parse(p, sizeof(p), &ip), 0);
    assert_false(ip.l4_csum_ok);
    assert_int_equal(udp_parse(&ip, &u), -EBADMSG);
    ip.l4_csum_ok = true;
    assert_int_equal(udp_parse(&ip, &u), 0);
    assert_int_equal(u.len, 4);
}

static void test_netfront_tx_and_mac(void **state)
{
    UNUSED_STATE;
    const char *why;
    bool pending[2] = { true, false };
    struct netif_tx_response t = { .id = 0, .status = NETIF_RSP_OKAY };
    assert_int_equal(netfront_tx_check(&t, pending, 2, &why), 0);
    t.status = 5;
    assert_int_equal(netfront_tx_check(&t, pending, 2, &why), -EBADMSG);
    t.status = 0;
    t.id = 1;
    assert_int_equal(netfront_tx_check(&t, pending, 2, &why), -EBADMSG);

    uint8_t mac[6];
    assert_int_equal(netfront_parse_mac("00:16:3e:0A:bc:ff", mac), 0);
    assert_int_equal(mac[3], 0x0a);
    assert_int_equal(mac[5], 0xff);
    assert_int_equal(netfront_parse_mac("00:16:3e:0a:bc", mac), -EINVAL);
    assert_int_equal(netfront_parse_mac("00:16:3e:0a:bc:ff:", mac), -EINVAL);
    assert_int_equal(netfront_parse_mac("00-16-3e-0a-bc-ff", mac), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_rfc1071),
        cmocka_unit_test(test_ipv4_roundtrip_and_rejects),
        cmocka_unit_test(test_udp_and_icmp),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_addr),
        cmocka_unit_test(test_netfront_rx_single),
        cmocka_unit_test(test_netfront_rx_chain),
        cmocka_unit_test(test_netfront_tx_slots),
        cmocka_unit_test(test_flow_hash),
        cmocka_unit_test(test_l4_csum_ok),
        cmocka_unit_test(test_netfront_tx_and_mac),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
