/* libFuzzer: the IPv4 stack's parsers on arbitrary frames. Whatever the
 * input, a view that parses points inside the input, and a packet that
 * parses carries a correct checksum. */
#include <stdint.h>
#include <stddef.h>

#include "net/inet.h"
#include "kern/errno.h"
#include "tests/fuzz/fuzz_check.h"

static void inside(const uint8_t *base, size_t size, const uint8_t *p, size_t len)
{
    CHECK(p >= base && p + len <= base + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eth_view e;
    if (eth_parse(data, size, &e))
        return 0;
    inside(data, size, e.payload, e.len);
    struct arp_view a;
    if (arp_parse(e.payload, e.len, &a) == 0)
        CHECK(a.op == 1 || a.op == 2);
    struct ipv4_view ip;
    if (ipv4_parse(e.payload, e.len, &ip))
        return 0;
    inside(data, size, ip.payload, ip.len);
    CHECK(inet_fold(inet_sum(e.payload, (size_t)(e.payload[0] & 15) * 4, 0)) == 0);
    struct icmp_view ic;
    if (icmp_parse(ip.payload, ip.len, &ic) == 0)
        inside(data, size, ic.data, ic.len);
    struct udp_view u;
    if (udp_parse(&ip, &u) == 0)
        inside(data, size, u.data, u.len);
    return 0;
}
