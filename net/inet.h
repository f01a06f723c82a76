#ifndef NET_INET_H
#define NET_INET_H
/* Ethernet, ARP, IPv4, ICMP and UDP wire formats: parsing that trusts
 * nothing, and building. Pure (no globals), for the host tests and the
 * fuzzer. Addresses are kept in network byte order (as on the wire). */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define ETH_HLEN 14
#define ETH_ALEN 6
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP 17
#define IP_PROTO_TCP 6

static inline uint16_t net16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline uint32_t net32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* The Internet checksum (RFC 1071) of data, continuing from sum. */
uint32_t inet_sum(const void *data, size_t len, uint32_t sum);
uint16_t inet_fold(uint32_t sum);
/* The sum of the IPv4 pseudo header (addresses in host order). */
uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len);

struct eth_view {
    const uint8_t *dst, *src;
    uint16_t type;
    const uint8_t *payload;
    size_t len;
};
int eth_parse(const uint8_t *f, size_t len, struct eth_view *v);

struct arp_view {
    uint16_t op;              /* 1 request, 2 reply */
    const uint8_t *sha, *tha; /* sender / target hardware address */
    uint32_t spa, tpa;        /* host order */
};
int arp_parse(const uint8_t *p, size_t len, struct arp_view *v);
/* A whole Ethernet frame (42 bytes) into f. */
size_t arp_build(uint8_t *f, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
                 uint32_t tpa, const uint8_t *eth_dst);

struct ipv4_view {
    uint32_t src, dst;        /* host order */
    uint8_t proto, ttl;
    const uint8_t *payload;
    size_t len;               /* payload bytes */
    /* Set by the receiver, not the parser: the driver was told the UDP/TCP
     * checksum was validated or left blank on purpose (a peer guest with
     * checksum offload), so udp_parse/tcp_parse do not check it. */
    bool l4_csum_ok;
};
/* -EBADMSG for a malformed header or checksum, -EOPNOTSUPP for a
 * fragment or options we drop. */
int ipv4_parse(const uint8_t *p, size_t len, struct ipv4_view *v);
/* An IPv4 header (20 bytes) at p for a payload of plen bytes. */
void ipv4_build(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, size_t plen);

struct icmp_view {
    uint8_t type, code;
    uint16_t id, seq;
    const uint8_t *data;
    size_t len;
};
int icmp_parse(const uint8_t *p, size_t len, struct icmp_view *v);
/* An echo request (8) or reply (0) with data, at p: its length. */
size_t icmp_build_echo(uint8_t *p, uint8_t type, uint16_t id, uint16_t seq, const void *data,
                       size_t len);

struct udp_view {
    uint16_t sport, dport;
    const uint8_t *data;
    size_t len;
};
/* Checks the length and (when not zero) the checksum with the pseudo
 * header of the IPv4 view it came in. */
int udp_parse(const struct ipv4_view *ip, struct udp_view *v);
size_t udp_build(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, size_t len);

/* "10.0.0.2" -> host order address; -EINVAL if not a dotted quad. */
int inet_parse_addr(const char *s, uint32_t *out);
/* A flow's hash for spreading frames over transmit queues: of the IPv4
 * addresses and protocol, and the ports for TCP and UDP (not in a
 * fragment), so one flow always maps to the same queue. 0 for anything
 * else (ARP). Reads only the first len bytes of the frame. */
uint32_t inet_flow_hash(const uint8_t *frame, size_t len);
#endif
