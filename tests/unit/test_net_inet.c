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

static void test_netfront_checks(void **state)
{
    UNUSED_STATE;
    bool posted[4] = { true, false, true, true };
    unsigned len;
    const char *why;
    struct netif_rx_response r = { .id = 0, .offset = 0, .flags = 0, .status = 60 };
    assert_int_equal(netfront_rx_check(&r, posted, 4, &len, &why), 0);
    assert_int_equal(len, 60);
    r.status = NETIF_RSP_DROPPED;
    assert_int_equal(netfront_rx_check(&r, posted, 4, &len, &why), 0);
    assert_int_equal(len, 0);
    r.status = 60;
    r.id = 1; /* not posted */
    assert_int_equal(netfront_rx_check(&r, posted, 4, &len, &why), -EBADMSG);
    r.id = 9;
    assert_int_equal(netfront_rx_check(&r, posted, 4, &len, &why), -EBADMSG);
    r.id = 2;
    r.offset = 4090; /* beyond the page */
    assert_int_equal(netfront_rx_check(&r, posted, 4, &len, &why), -EBADMSG);
    r.offset = 0;
    r.flags = NETRXF_more_data;
    assert_int_equal(netfront_rx_check(&r, posted, 4, &len, &why), -EBADMSG);
    r.flags = 0;
    r.status = 5; /* shorter than an Ethernet header */
    assert_int_equal(netfront_rx_check(&r, posted, 4, &len, &why), -EBADMSG);

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
        cmocka_unit_test(test_netfront_checks),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
