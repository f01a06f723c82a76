/* udpcheck: sends UDP datagrams to HOST:PORT and checks that each comes
 * back unchanged (domu's `udp-echo`).
 *
 *   udpcheck HOST PORT sizes MIN MAX      every size from MIN to MAX once
 *   udpcheck HOST PORT flood SIZE SECONDS  as fast as answers come back:
 *                                          datagrams per second and MB/s
 *   udpcheck serve PORT SECONDS             the other side: an echo server
 *                                          (for the Linux reference guest)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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

/* Sends len bytes numbered by seq, waits up to 1 s for the same back. */
static int round_trip(int fd, unsigned char *out, unsigned char *in, size_t len, unsigned seq)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(seq * 31 + i);
    if (send(fd, out, len, 0) != (ssize_t)len)
        return -1;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    for (;;) {
        if (poll(&p, 1, 1000) <= 0)
            return -2;
        ssize_t n = recv(fd, in, 65536, 0);
        if (n == (ssize_t)len && memcmp(in, out, len) == 0)
            return 0;
        /* a late answer to an earlier datagram: keep waiting */
    }
}

/* Answers every datagram on port with the same bytes, for seconds. */
static int serve(int port, int seconds)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("udpcheck serve");
        return 1;
    }
    printf("udpcheck: answering on port %d for %d s\n", port, seconds);
    fflush(stdout);
    static unsigned char buf[65536];
    long long end = now_ns() + seconds * 1000000000LL, n = 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (now_ns() < end) {
        if (poll(&p, 1, 200) <= 0)
            continue;
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t len = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (len >= 0 && sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&from, fl) == len)
            n++;
    }
    printf("udpcheck: answered %lld datagrams\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "serve") == 0)
        return serve(atoi(argv[2]), atoi(argv[3]));
    if (argc != 6) {
        fprintf(stderr, "usage: udpcheck HOST PORT sizes MIN MAX | flood SIZE SECONDS\n"
                        "       udpcheck serve PORT SECONDS\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1)
        return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("udpcheck");
        return 1;
    }
    static unsigned char out[65536], in[65536];
    if (strcmp(argv[3], "sizes") == 0) {
        int lo = atoi(argv[4]), hi = atoi(argv[5]), bad = 0, lost = 0;
        long long t0 = now_ns();
        for (int s = lo; s <= hi; s++) {
            int r = round_trip(fd, out, in, (size_t)s, (unsigned)s);
            if (r == -2 && round_trip(fd, out, in, (size_t)s, (unsigned)s) == 0)
                r = 0; /* one retry: UDP may lose a datagram */
            if (r && lost + bad < 10) /* say which, and when: the first few */
                fprintf(stderr, "udpcheck: size %d %s at %.3f s\n", s,
                        r == -2 ? "lost twice" : "failed", (now_ns() - t0) / 1e9);
            if (r == -2)
                lost++;
            else if (r)
                bad++;
        }
        printf("udpcheck: sizes %d..%d: %d ok, %d lost, %d errors\n", lo, hi,
               hi - lo + 1 - lost - bad, lost, bad);
        return lost || bad;
    }
    size_t size = (size_t)atoi(argv[4]);
    long long end = now_ns() + atoll(argv[5]) * 1000000000LL, t0 = now_ns();
    long long n = 0, lost = 0;
    while (now_ns() < end) {
        if (round_trip(fd, out, in, size, (unsigned)n) == 0)
            n++;
        else
            lost++;
    }
    double s = (now_ns() - t0) / 1e9;
    printf("udpcheck: flood %zu bytes: %lld round trips in %.1f s, %.0f per s, %.3f MB/s each way, "
           "%lld lost\n", size, n, s, n / s, n * size / s / 1e6, lost);
    return 0;
}
