/* evtchn-peer: Dom0's end of an event-channel ping-pong with a guest,
 * through libxenevtchn (/dev/xen/evtchn), the way real Dom0 tools talk
 * to guests. Built on the build machine against Debian's libxen-dev (the
 * same Xen 4.17 libraries as the test host's Dom0) and run in Dom0.
 *
 *   evtchn-peer echo DOMID N TIMEOUT_S   offer a port to DOMID, print it,
 *                                        answer N events, then exit
 *   evtchn-peer ping DOMID PORT N        bind to DOMID's PORT, measure N
 *                                        round trips (1 s deadline each)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenevtchn.h>

static int die(const char *what)
{
    fprintf(stderr, "evtchn-peer: %s: %s\n", what, strerror(errno));
    return 1;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Waits up to ms for an event on port: 1 got it, 0 timed out, -1 error. */
static int wait_event(xenevtchn_handle *xce, evtchn_port_t port, int ms)
{
    struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
    long long end = now_ns() + ms * 1000000LL;
    for (;;) {
        int left = (int)((end - now_ns()) / 1000000);
        if (left < 0)
            return 0;
        int r = poll(&pfd, 1, left);
        if (r < 0)
            return errno == EINTR ? 0 : -1;
        if (r == 0)
            return 0;
        xenevtchn_port_or_error_t p = xenevtchn_pending(xce);
        if (p < 0)
            return -1;
        xenevtchn_unmask(xce, p);
        if ((evtchn_port_t)p == port)
            return 1;
    }
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "echo") && strcmp(argv[1], "ping"))) {
        fprintf(stderr, "usage: evtchn-peer echo DOMID N TIMEOUT_S | ping DOMID PORT N\n");
        return 2;
    }
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    if (!xce)
        return die("xenevtchn_open");
    unsigned dom = (unsigned)strtoul(argv[2], NULL, 0);
    if (strcmp(argv[1], "echo") == 0) {
        long n = strtol(argv[3], NULL, 0), timeout_s = strtol(argv[4], NULL, 0);
        xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xce, dom);
        if (port < 0)
            return die("bind_unbound_port");
        printf("port %d\n", port);
        fflush(stdout);
        long got = 0;
        while (got < n) {
            int r = wait_event(xce, port, (int)timeout_s * 1000);
            if (r < 0)
                return die("waiting for an event");
            if (r == 0) {
                printf("echo: timed out after %ld of %ld events\n", got, n);
                return 1;
            }
            got++;
            if (xenevtchn_notify(xce, port) < 0)
                return die("notify");
        }
        printf("echo: answered %ld events\n", got);
        return 0;
    }
    evtchn_port_t rport = (evtchn_port_t)strtoul(argv[3], NULL, 0);
    long n = strtol(argv[4], NULL, 0);
    if (n < 1)
        n = 1;
    xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(xce, dom, rport);
    if (port < 0)
        return die("bind_interdomain");
    long long *rtt = calloc((size_t)n, sizeof(*rtt));
    long done = 0;
    for (; done < n; done++) {
        long long t0 = now_ns();
        if (xenevtchn_notify(xce, port) < 0)
            return die("notify");
        int r = wait_event(xce, port, 1000);
        if (r <= 0) {
            printf("ping: no answer to event %ld within 1 s\n", done + 1);
            break;
        }
        rtt[done] = now_ns() - t0;
    }
    if (done) {
        qsort(rtt, (size_t)done, sizeof(*rtt), cmp_ll);
        printf("ping: %ld/%ld round trips, median %lld us, min %lld us, max %lld us\n", done, n,
               rtt[done / 2] / 1000, rtt[0] / 1000, rtt[done - 1] / 1000);
    }
    xenevtchn_unbind(xce, port);
    xenevtchn_close(xce);
    return done == n ? 0 : 1;
}
