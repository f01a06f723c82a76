/* blkfront-evil: a hostile blkfront in Dom0 against a domu driver
 * domain's blkback, built on libxengntshr, libxenevtchn and libxenstore
 * as real Dom0 tools are. It plays the toolstack (writes the back-end and
 * front-end folders as xl does for backend=DD) and the front-end (a
 * shared ring, an event channel), sends one good write and read (checked
 * byte for byte), then the request CASE names, and reports what the
 * back-end did. At the end it detaches as xl does and waits for the
 * back-end's folder to go before it ends its grants.
 *
 *   blkfront-evil DDID DEVID TARGET MODE CASE
 *     CASE good      only the good requests
 *          nseg0     a read with no segments         (device goes down)
 *          nseg12    a read with 12 segments         (device goes down)
 *          lastsect  a segment ending at sector 8    (device goes down)
 *          order     a segment with first > last     (device goes down)
 *          prod      the producer 64 ahead of a 32-slot ring (goes down)
 *          range     a read past the end             (BLKIF_RSP_ERROR)
 *          write     a write (MODE r: BLKIF_RSP_ERROR)
 *          gref      a read into a grant never made  (BLKIF_RSP_ERROR)
 *          op        operation 77                    (BLKIF_RSP_EOPNOTSUPP)
 *   Prints "blkfront-evil: CASE: status N" for an answered request, or
 *   "blkfront-evil: CASE: down, state S, error: ..." when the back-end
 *   closed, then "blkfront-evil: after: ..." (a good read after it, if
 *   the device is still up) and "blkfront-evil: detached" at the end.
 */
/* ring.h's barriers: x86 is TSO, the fences keep the compiler in order. */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

static struct xs_handle *xs;
static xenevtchn_handle *xce;
static evtchn_port_t port;
static blkif_front_ring_t ring;
static char fe[128], be[128];

static void die(const char *what)
{
    fprintf(stderr, "blkfront-evil: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void wr(const char *dir, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void wr(const char *dir, const char *key, const char *fmt, ...)
{
    char path[256], val[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    if (!xs_write(xs, XBT_NULL, path, val, strlen(val)))
        die(path);
}

/* The value of dir/key, or "" if absent (static buffer). */
static const char *rd(const char *dir, const char *key)
{
    static char out[256];
    char path[256];
    unsigned len = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    char *v = xs_read(xs, XBT_NULL, path, &len);
    snprintf(out, sizeof(out), "%s", v ? v : "");
    free(v);
    return out;
}

static int be_state(void)
{
    const char *s = rd(be, "state");
    return *s ? atoi(s) : -1; /* -1: the folder is gone */
}

/* Waits up to ms until the back-end's state is want (or, with down, any
 * state >= 5): the state seen. */
static int wait_state(int want, bool down, int ms)
{
    long long end = now_ms() + ms;
    int st;
    while ((st = be_state()) != want && !(down && st >= 5) && now_ms() < end)
        usleep(20000);
    return st;
}

/* One request on the ring, notified; its response within ms: status, or
 * 1000 + the back-end's state if it went down instead, or 999 on time-out. */
static int submit(const blkif_request_t *req, int ms)
{
    blkif_request_t *slot = RING_GET_REQUEST(&ring, ring.req_prod_pvt);
    *slot = *req;
    ring.req_prod_pvt++;
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ring, notify);
    (void)notify; /* always notified: a hostile peer need not be polite */
    xenevtchn_notify(xce, port);
    long long end = now_ms() + ms;
    while (now_ms() < end) {
        if (ring.rsp_cons != ring.sring->rsp_prod) {
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            blkif_response_t *r = RING_GET_RESPONSE(&ring, ring.rsp_cons);
            ring.rsp_cons++;
            if (r->id != req->id)
                fprintf(stderr, "blkfront-evil: response id %llu, expected %llu\n",
                        (unsigned long long)r->id, (unsigned long long)req->id);
            return r->status;
        }
        int st = be_state();
        if (st >= 5 || st == -1)
            return 1000 + st;
        struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
        if (poll(&pfd, 1, 20) > 0) {
            xenevtchn_port_or_error_t p = xenevtchn_pending(xce);
            if (p >= 0)
                xenevtchn_unmask(xce, (evtchn_port_t)p);
        }
    }
    return 999;
}

static blkif_request_t rw_req(uint8_t op, uint64_t id, uint64_t sector, uint32_t gref)
{
    blkif_request_t r;
    memset(&r, 0, sizeof(r));
    r.operation = op;
    r.nr_segments = 1;
    r.id = id;
    r.sector_number = sector;
    r.seg[0].gref = gref;
    r.seg[0].first_sect = 0;
    r.seg[0].last_sect = 7;
    return r;
}

static void report_down(const char *c, int st)
{
    printf("blkfront-evil: %s: down, state %d, error: %s\n", c, st, rd(be, "error"));
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: blkfront-evil DDID DEVID TARGET MODE CASE\n");
        return 2;
    }
    unsigned dd = (unsigned)atoi(argv[1]), dev = (unsigned)atoi(argv[2]);
    const char *target = argv[3], *mode = argv[4], *c = argv[5];
    setvbuf(stdout, 0, _IOLBF, 0);
    xs = xs_open(0);
    if (!xs)
        die("xs_open");
    xce = xenevtchn_open(0, 0);
    if (!xce)
        die("xenevtchn_open");
    xengntshr_handle *xgs = xengntshr_open(0, 0);
    if (!xgs)
        die("xengntshr_open (is xen_gntalloc loaded?)");
    /* Not under device/: no driver of Dom0 takes it for its own. */
    snprintf(fe, sizeof(fe), "/local/domain/0/blkfront-evil/%u", dev);
    snprintf(be, sizeof(be), "/local/domain/%u/backend/vbd/0/%u", dd, dev);

    /* The toolstack's part, as libxl writes it: the back-end folder owned
     * by the driver domain, the front-end's readable by it. */
    struct xs_permissions be_perms[2] = { { dd, XS_PERM_NONE }, { 0, XS_PERM_READ } };
    struct xs_permissions fe_perms[2] = { { 0, XS_PERM_NONE }, { dd, XS_PERM_READ } };
    for (int tries = 0;; tries++) {
        xs_transaction_t t = xs_transaction_start(xs);
        xs_rm(xs, t, fe);
        xs_rm(xs, t, be);
        if (!xs_mkdir(xs, t, fe) || !xs_set_permissions(xs, t, fe, fe_perms, 2) ||
            !xs_mkdir(xs, t, be) || !xs_set_permissions(xs, t, be, be_perms, 2))
            die("creating the device folders");
        const char *kv[][3] = {
            { fe, "backend", be },        { fe, "backend-id", argv[1] }, { fe, "state", "1" },
            { fe, "virtual-device", argv[2] }, { fe, "device-type", "disk" },
            { be, "frontend", fe },       { be, "frontend-id", "0" },    { be, "online", "1" },
            { be, "state", "1" },         { be, "params", target },      { be, "mode", mode },
            { be, "type", "phy" },        { be, "device-type", "disk" }, { be, "removable", "0" },
        };
        for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
            char path[256];
            snprintf(path, sizeof(path), "%s/%s", kv[i][0], kv[i][1]);
            if (!xs_write(xs, t, path, kv[i][2], strlen(kv[i][2])))
                die(path);
        }
        if (xs_transaction_end(xs, t, false))
            break;
        if (errno != EAGAIN || tries > 10)
            die("transaction");
    }
    int st = wait_state(2, true, 10000);
    if (st != 2) {
        printf("blkfront-evil: %s: the back-end did not reach InitWait (state %d, error: %s)\n", c,
               st, rd(be, "error"));
        return 1;
    }

    /* The front-end's part: a ring, two data pages, an event channel. */
    uint32_t refs[3];
    uint8_t *pages = xengntshr_share_pages(xgs, dd, 3, refs, 1);
    if (!pages)
        die("xengntshr_share_pages");
    blkif_sring_t *sring = (blkif_sring_t *)pages;
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&ring, sring, 4096);
    xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(xce, dd);
    if (p < 0)
        die("xenevtchn_bind_unbound_port");
    port = (evtchn_port_t)p;
    wr(fe, "ring-ref", "%u", refs[0]);
    wr(fe, "event-channel", "%u", port);
    wr(fe, "protocol", "%s", XEN_IO_PROTO_ABI_NATIVE);
    wr(fe, "state", "3");
    st = wait_state(4, true, 10000);
    if (st != 4) {
        printf("blkfront-evil: %s: the back-end did not connect (state %d, error: %s)\n", c, st,
               rd(be, "error"));
        return 1;
    }
    wr(fe, "state", "4");
    unsigned long long sectors = strtoull(rd(be, "sectors"), 0, 10);
    printf("blkfront-evil: connected, %llu sectors, info %s\n", sectors, rd(be, "info"));

    uint8_t *data = pages + 4096, *back = pages + 8192;
    uint64_t id = 1;
    bool rw = mode[0] == 'w';
    if (rw) {
        for (int i = 0; i < 4096; i++)
            data[i] = (uint8_t)(i * 7 + 3);
        blkif_request_t w = rw_req(BLKIF_OP_WRITE, id++, 8, refs[1]);
        int s = submit(&w, 5000);
        memset(back, 0, 4096);
        blkif_request_t r = rw_req(BLKIF_OP_READ, id++, 8, refs[2]);
        int s2 = submit(&r, 5000);
        printf("blkfront-evil: good: write status %d, read status %d, data %s\n", s, s2,
               memcmp(data, back, 4096) ? "differs" : "matches");
    } else {
        blkif_request_t r = rw_req(BLKIF_OP_READ, id++, 8, refs[2]);
        printf("blkfront-evil: good: read status %d\n", submit(&r, 5000));
    }

    blkif_request_t bad = rw_req(BLKIF_OP_READ, id++, 0, refs[2]);
    int s = 0;
    bool sent = true;
    if (!strcmp(c, "nseg0")) {
        bad.nr_segments = 0;
    } else if (!strcmp(c, "nseg12")) {
        bad.nr_segments = 12;
    } else if (!strcmp(c, "lastsect")) {
        bad.seg[0].last_sect = 8;
    } else if (!strcmp(c, "order")) {
        bad.seg[0].first_sect = 5;
        bad.seg[0].last_sect = 4;
    } else if (!strcmp(c, "range")) {
        bad.sector_number = sectors - 4; /* 8 sectors from 4 before the end */
    } else if (!strcmp(c, "write")) {
        bad.operation = BLKIF_OP_WRITE;
    } else if (!strcmp(c, "gref")) {
        bad.seg[0].gref = 60000;
    } else if (!strcmp(c, "op")) {
        bad.operation = 77;
    } else if (!strcmp(c, "prod")) {
        /* 64 requests announced on a 32-slot ring. */
        ring.sring->req_prod = ring.req_prod_pvt + 64;
        xenevtchn_notify(xce, port);
        st = wait_state(5, true, 10000);
        sent = false;
        if (st >= 5)
            report_down(c, st);
        else
            printf("blkfront-evil: %s: still up (state %d)\n", c, st);
    } else if (strcmp(c, "good")) {
        fprintf(stderr, "blkfront-evil: unknown case %s\n", c);
        return 2;
    } else {
        sent = false;
    }
    if (sent) {
        s = submit(&bad, 5000);
        if (s >= 1000)
            report_down(c, s - 1000);
        else
            printf("blkfront-evil: %s: status %d\n", c, s);
    }
    st = be_state();
    if (st == 4) {
        memset(back, 0, 4096);
        blkif_request_t r = rw_req(BLKIF_OP_READ, id++, 8, refs[2]);
        int s2 = submit(&r, 5000);
        printf("blkfront-evil: after: up, read status %d, data %s\n", s2,
               rw && memcmp(data, back, 4096) ? "differs" : "as written");
    } else {
        printf("blkfront-evil: after: down (state %d)\n", st);
    }

    /* Detach as xl does: online 0, Closing; the front-end closes; the
     * driver domain unmaps, says Closed and removes its folder. */
    wr(be, "online", "0");
    if (be_state() == 4)
        wr(be, "state", "5");
    wr(fe, "state", "5");
    wr(fe, "state", "6");
    long long end = now_ms() + 15000;
    while (be_state() != -1 && now_ms() < end)
        usleep(20000);
    if (be_state() != -1) {
        printf("blkfront-evil: the back-end folder is still there (state %d)\n", be_state());
        return 1;
    }
    xs_rm(xs, XBT_NULL, fe);
    /* Only now may the pages go: the driver domain has let go of them. */
    if (xengntshr_unshare(xgs, pages, 3))
        printf("blkfront-evil: unshare failed: %s\n", strerror(errno));
    xenevtchn_unbind(xce, port);
    printf("blkfront-evil: detached\n");
    return 0;
}
