#include "net/inet.h"
#include "kern/errno.h"
#include "lib/string.h"

uint32_t inet_sum(const void *data, size_t len, uint32_t sum)
{
    const uint8_t *p = data;
    for (; len > 1; p += 2, len -= 2)
        sum += (uint32_t)(p[0] << 8 | p[1]);
    if (len)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

uint16_t inet_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int eth_parse(const uint8_t *f, size_t len, struct eth_view *v)
{
    if (len < ETH_HLEN)
        return -EBADMSG;
    v->dst = f;
    v->src = f + 6;
    v->type = net16(f + 12);
    v->payload = f + ETH_HLEN;
    v->len = len - ETH_HLEN;
    return 0;
}

int arp_parse(const uint8_t *p, size_t len, struct arp_view *v)
{
    if (len < 28 || net16(p) != 1 || net16(p + 2) != ETH_P_IP || p[4] != 6 || p[5] != 4)
        return -EBADMSG;
    v->op = net16(p + 6);
    if (v->op != 1 && v->op != 2)
        return -EBADMSG;
    v->sha = p + 8;
    v->spa = net32(p + 14);
    v->tha = p + 18;
    v->tpa = net32(p + 24);
    return 0;
}

size_t arp_build(uint8_t *f, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
                 uint32_t tpa, const uint8_t *eth_dst)
{
    memcpy(f, eth_dst, 6);
    memcpy(f + 6, sha, 6);
    put16(f + 12, ETH_P_ARP);
    uint8_t *p = f + ETH_HLEN;
    put16(p, 1);
    put16(p + 2, ETH_P_IP);
    p[4] = 6;
    p[5] = 4;
    put16(p + 6, op);
    memcpy(p + 8, sha, 6);
    put32(p + 14, spa);
    memcpy(p + 18, tha, 6);
    put32(p + 24, tpa);
    return ETH_HLEN + 28;
}

int ipv4_parse(const uint8_t *p, size_t len, struct ipv4_view *v)
{
    if (len < 20 || (p[0] >> 4) != 4)
        return -EBADMSG;
    size_t ihl = (size_t)(p[0] & 15) * 4;
    size_t total = net16(p + 2);
    if (ihl < 20 || total < ihl || total > len)
        return -EBADMSG;
    if (inet_fold(inet_sum(p, ihl, 0)) != 0)
        return -EBADMSG;
    uint16_t frag = net16(p + 6);
    if ((frag & 0x2000) || (frag & 0x1fff))
        return -EOPNOTSUPP; /* a fragment: dropped, not reassembled */
    v->ttl = p[8];
    v->proto = p[9];
    v->src = net32(p + 12);
    v->dst = net32(p + 16);
    v->payload = p + ihl;
    v->len = total - ihl;
    v->l4_csum_ok = false;
    return 0;
}

void ipv4_build(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, size_t plen)
{
    p[0] = 0x45;
    p[1] = 0;
    put16(p + 2, (uint16_t)(20 + plen));
    put16(p + 4, id);
    put16(p + 6, 0x4000); /* don't fragment */
    p[8] = 64;
    p[9] = proto;
    put16(p + 10, 0);
    put32(p + 12, src);
    put32(p + 16, dst);
    put16(p + 10, inet_fold(inet_sum(p, 20, 0)));
}

int icmp_parse(const uint8_t *p, size_t len, struct icmp_view *v)
{
    if (len < 8 || inet_fold(inet_sum(p, len, 0)) != 0)
        return -EBADMSG;
    v->type = p[0];
    v->code = p[1];
    v->id = net16(p + 4);
    v->seq = net16(p + 6);
    v->data = p + 8;
    v->len = len - 8;
    return 0;
}

size_t icmp_build_echo(uint8_t *p, uint8_t type, uint16_t id, uint16_t seq, const void *data,
                       size_t len)
{
    p[0] = type;
    p[1] = 0;
    put16(p + 2, 0);
    put16(p + 4, id);
    put16(p + 6, seq);
    memmove(p + 8, data, len);
    put16(p + 2, inet_fold(inet_sum(p, 8 + len, 0)));
    return 8 + len;
}

uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    uint8_t ph[12];
    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, (uint16_t)len);
    return inet_sum(ph, 12, 0);
}

int udp_parse(const struct ipv4_view *ip, struct udp_view *v)
{
    const uint8_t *p = ip->payload;
    if (ip->len < 8)
        return -EBADMSG;
    size_t ulen = net16(p + 4);
    if (ulen < 8 || ulen > ip->len)
        return -EBADMSG;
    if (net16(p + 6) != 0 && !ip->l4_csum_ok &&
        inet_fold(inet_sum(p, ulen, inet_pseudo_sum(ip->src, ip->dst, IP_PROTO_UDP, ulen))) != 0)
        return -EBADMSG;
    v->sport = net16(p);
    v->dport = net16(p + 2);
    v->data = p + 8;
    v->len = ulen - 8;
    return 0;
}

size_t udp_build(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, size_t len)
{
    put16(p, sport);
    put16(p + 2, dport);
    put16(p + 4, (uint16_t)(8 + len));
    put16(p + 6, 0);
    memmove(p + 8, data, len);
    uint16_t c = inet_fold(inet_sum(p, 8 + len, inet_pseudo_sum(src, dst, IP_PROTO_UDP, 8 + len)));
    put16(p + 6, c ? c : 0xffff);
    return 8 + len;
}

int inet_parse_addr(const char *s, uint32_t *out)
{
    uint32_t a = 0;
    for (int part = 0; part < 4; part++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        uint32_t v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (uint32_t)(*s++ - '0');
            digits++;
        }
        if (v > 255 || digits > 3)
            return -EINVAL;
        a = a << 8 | v;
        if (part < 3 && *s++ != '.')
            return -EINVAL;
    }
    if (*s)
        return -EINVAL;
    *out = a;
    return 0;
}

/* A 32-bit finaliser (MurmurHash3's): every input bit moves every output bit. */
static uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint32_t inet_flow_hash(const uint8_t *f, size_t len)
{
    if (len < ETH_HLEN + 20 || net16(f + 12) != ETH_P_IP)
        return 0;
    const uint8_t *ip = f + ETH_HLEN;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    if ((ip[0] >> 4) != 4 || ihl < 20)
        return 0;
    uint8_t proto = ip[9];
    uint32_t h = mix32(net32(ip + 12) ^ mix32(net32(ip + 16) ^ proto));
    bool fragment = (net16(ip + 6) & 0x3fff) != 0;
    if ((proto == IP_PROTO_TCP || proto == IP_PROTO_UDP) && !fragment &&
        len >= ETH_HLEN + ihl + 4)
        h = mix32(h ^ net32(ip + ihl));
    return h ? h : 1;
}
