#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/wait.h"
#include "kern/sched.h"
#include "xen/xenstore.h"
#include "xen/xs_wire_codec.h"
#include "xen/xs_client.h"
#include "kern/spinlock.h"
#include "xen/hypercall.h"
#include "xen/platform.h"
#include "xen/evtchn.h"
#include "lib/barrier.h"
#include <stdarg.h>

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static struct waitq ring_wq = WAITQ_INIT(ring_wq);   /* ring progress */
static struct waitq reply_wq = WAITQ_INIT(reply_wq); /* a reply arrived */
static struct waitq watch_wq = WAITQ_INIT(watch_wq); /* watch events queued */
static struct waitq reset_wq = WAITQ_INIT(reset_wq); /* a connection reset ended */
static struct mutex req_lock = MUTEX_INIT(req_lock);

/* The one outstanding request, shared by its caller and the reader. */
static struct spinlock pending_lock = SPINLOCK_INIT("xs pending");
static struct xs_outstanding pending;
static uint32_t next_req_id = 1;

struct watch_event {
    struct list link;
    char *path;
    char token[24];
};
/* The watches and the queued events, shared by the reader, the watch
 * thread and the callers of xs_watch_add/remove. */
static struct spinlock watch_lock = SPINLOCK_INIT("xs watches");
static struct list watches = LIST_INIT(watches);
static struct list events = LIST_INIT(events);
/* Set by the reader after it threw bytes away: events may be lost, so
 * the watch thread registers every watch again (each fires once).
 * rewatch_fresh: the daemon dropped them all (a connection reset), so
 * they are registered without an unwatch first. */
static volatile bool rewatch_needed, rewatch_fresh;
/* A connection reset (xenstore-ring.txt's ring reconnection) is wanted:
 * the ring cannot be recovered by resynchronising (the request ring's
 * indices, which only the daemon moves, are corrupt; or resyncs keep
 * coming). The reader does it; reset_why says why. resetting: it is
 * under way (the reader holds req_lock until the daemon is done). */
static volatile bool reset_wanted, resetting;
static char reset_why[96];
static uint64_t reset_since;
/* Recent resyncs, for "they keep coming". */
#define RESYNC_BURST 3
#define RESYNC_BURST_NS (10 * NS_PER_SEC)
#define RESET_WAIT_NS (5 * NS_PER_SEC) /* for the daemon's Connected, then logged again */
static uint64_t resync_at[RESYNC_BURST];
static unsigned resync_next;
static struct xs_stats stats;
static volatile int inject; /* xs_test_inject, for the next message */

static void xs_event(evtchn_port_t p, void *arg)
{
    waitq_wake_all(&ring_wq);
}

static void want_reset(const char *why)
{
    if (!reset_wanted) {
        strlcpy_k(reset_why, why, sizeof(reset_why));
        reset_wanted = true;
    }
    waitq_wake_all(&ring_wq);
}

/* Reads len bytes of the response stream: 0, -EIO if the daemon's ring
 * indices are corrupt, -ENOTCONN when a connection reset is wanted. */
static int read_exact(void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        int avail;
        /* The reader waits for the daemon as long as it takes: it is not
         * waiting on behalf of anyone. Wake up now and then anyway. */
        wait_event_until(&ring_wq, (avail = xs_ring_avail(intf)) != 0 || reset_wanted,
                         time_now_ns() + 60 * NS_PER_SEC);
        if (reset_wanted)
            return -ENOTCONN;
        if (inject == XS_INJECT_BAD_INDEX && avail > 0) {
            inject = XS_INJECT_NONE;
            avail = -EIO;
        }
        if (avail < 0)
            return -EIO;
        if (avail == 0)
            continue;
        int n = xs_ring_get(intf, p, len);
        if (n < 0)
            return n;
        p += n;
        len -= (size_t)n;
        evtchn_send(port); /* room in the response ring */
    }
    return 0;
}

/* Fails the request in hand (if any) with err and wakes its caller. */
static bool fail_pending(int err)
{
    unsigned long f = spin_lock_irqsave(&pending_lock);
    bool failed = xs_outstanding_fail(&pending, err);
    spin_unlock_irqrestore(&pending_lock, f);
    if (failed)
        waitq_wake_all(&reply_wq);
    return failed;
}

/* The daemon sent something the reader cannot frame: throw away what is
 * in the ring, fail the request whose reply may have gone with it, and
 * have every watch registered again. The connection goes on; when this
 * keeps happening, a connection reset is asked for. */
static void do_resync(const char *what);
static void resync(const char *what)
{
    uint64_t now = time_now_ns();
    uint64_t oldest = resync_at[resync_next];
    resync_at[resync_next] = now;
    resync_next = (resync_next + 1) % RESYNC_BURST;
    if (oldest && now - oldest < RESYNC_BURST_NS) {
        char why[96];
        k_snprintf(why, sizeof(why), "%u resynchronisations within %u s", RESYNC_BURST,
                   (unsigned)(RESYNC_BURST_NS / NS_PER_SEC));
        want_reset(why);
    }
    do_resync(what);
}

static void do_resync(const char *what)
{
    uint32_t skipped = xs_rsp_resync(intf);
    bool failed = fail_pending(-EIO);
    stats.bad_replies++;
    stats.resyncs++;
    printk("xenstore: %s; resynchronised: skipped %u bytes to the daemon's producer "
           "index%s, registering the watches again",
           what, skipped, failed ? ", failed the request in hand" : "");
    rewatch_needed = true;
    waitq_wake_all(&watch_wq);
    evtchn_send(port);
}

/* Reads and drops len payload bytes (no memory for them). */
static int skip_payload(uint32_t len)
{
    char scratch[64];
    while (len) {
        uint32_t n = len < sizeof(scratch) ? len : (uint32_t)sizeof(scratch);
        if (read_exact(scratch, n))
            return -EIO;
        len -= n;
    }
    return 0;
}

static void queue_watch_event(char *body, uint32_t len)
{
    const char *path, *token;
    struct watch_event *ev = 0;
    if (xs_parse_watch_event(body, len, &path, &token) == 0 &&
        strlen(token) < sizeof(ev->token) && (ev = kmalloc(sizeof(*ev)))) {
        ev->path = kstrdup(path);
        strlcpy_k(ev->token, token, sizeof(ev->token));
        unsigned long f = spin_lock_irqsave(&watch_lock);
        list_add_tail(&events, &ev->link);
        spin_unlock_irqrestore(&watch_lock, f);
        stats.watch_events++;
        waitq_wake_all(&watch_wq);
    } else {
        printk("xenstore: malformed watch event dropped");
        stats.bad_replies++;
    }
    kfree(body);
}

/* A message whose payload there is no memory for: the framing is intact,
 * so only this message is lost (and whoever it was for is told). */
static int drop_message(const struct xsd_sockmsg *h)
{
    printk("xenstore: no memory for a %u byte message (type %u id %u); dropped", h->len,
           h->type, h->req_id);
    stats.bad_replies++;
    if (skip_payload(h->len))
        return -EIO;
    unsigned long f = spin_lock_irqsave(&pending_lock);
    bool mine = xs_rsp_classify(&pending, h) == XS_RSP_REPLY &&
                xs_outstanding_fail(&pending, -ENOMEM);
    spin_unlock_irqrestore(&pending_lock, f);
    if (mine)
        waitq_wake_all(&reply_wq);
    if (h->type == XS_WATCH_EVENT) {
        rewatch_needed = true; /* an event was lost: fire every watch once */
        waitq_wake_all(&watch_wq);
    }
    return 0;
}

/* One message from the daemon, whatever it is; resynchronises after a
 * corrupt index or header. */
static void read_message(void)
{
    struct xsd_sockmsg h;
    const char *why = "";
    int rc = read_exact(&h, sizeof(h));
    if (rc == -ENOTCONN)
        return;
    if (rc) {
        resync("response ring indices corrupt");
        return;
    }
    if (inject == XS_INJECT_BAD_HEADER) {
        inject = XS_INJECT_NONE;
        h.len = XENSTORE_PAYLOAD_MAX + 1;
    }
    if (xs_check_header(&h, &why)) {
        char what[112];
        k_snprintf(what, sizeof(what), "bad message header from the daemon (%s, type %u len %u)",
                   why, h.type, h.len);
        resync(what);
        return;
    }
    char *body = kmalloc(h.len + 1);
    if (!body) {
        if (drop_message(&h) && !reset_wanted)
            resync("response ring indices corrupt");
        return;
    }
    if ((rc = read_exact(body, h.len))) {
        kfree(body);
        if (rc != -ENOTCONN)
            resync("response ring indices corrupt");
        return;
    }
    body[h.len] = 0;
    if (h.type == XS_WATCH_EVENT) {
        queue_watch_event(body, h.len);
        return;
    }
    unsigned long f = spin_lock_irqsave(&pending_lock);
    if (xs_rsp_classify(&pending, &h) == XS_RSP_REPLY) {
        xs_outstanding_reply(&pending, h.type, body, h.len);
        body = 0;
    }
    spin_unlock_irqrestore(&pending_lock, f);
    if (body) {
        /* A reply to a request that already timed out or failed. */
        printk("xenstore: dropped reply id %u nobody waits for", h.req_id);
        stats.bad_replies++;
        kfree(body);
    }
    waitq_wake_all(&reply_wq);
}

/* The ring reconnection of xenstore-ring.txt: with no request on the
 * ring (req_lock held), connection = 1 and an event; the daemon drops
 * what is on the ring, every request, watch and transaction of ours,
 * zeroes the indices and sets connection back to 0. Until then nothing
 * else of the page may be touched. A daemon without the feature gets a
 * resync instead (all this side can do). */
static void reset_connection(void)
{
    char why[96];
    strlcpy_k(why, reset_why, sizeof(why));
    uint32_t features = READ_ONCE(intf->server_features);
    if (!(features & XENSTORE_SERVER_FEATURE_RECONNECTION)) {
        reset_wanted = false;
        printk("xenstore: %s; the daemon offers no ring reconnection (server features 0x%x): "
               "resynchronising only", why, features);
        do_resync(why); /* not counted as a burst: that would ask again */
        waitq_wake_all(&reset_wq);
        return;
    }
    uint64_t t0 = time_now_ns();
    fail_pending(-ENOTCONN); /* its reply is dropped with the ring */
    if (mutex_lock_until(&req_lock, t0 + XS_REQUEST_TIMEOUT_NS)) {
        printk("xenstore: %s; a request still held the ring after %llu s: reset not started",
               why, (unsigned long long)(XS_REQUEST_TIMEOUT_NS / NS_PER_SEC));
        reset_wanted = false;
        waitq_wake_all(&reset_wq);
        return;
    }
    reset_wanted = false;
    reset_since = t0;
    resetting = true;
    printk("xenstore: %s; asking the daemon to reset the connection", why);
    xen_mb();
    WRITE_ONCE(intf->connection, XENSTORE_RECONNECT);
    xen_mb();
    evtchn_send(port);
    unsigned waited = 0;
    while (wait_event_until(&ring_wq, READ_ONCE(intf->connection) == XENSTORE_CONNECTED,
                            time_now_ns() + RESET_WAIT_NS)) {
        waited += (unsigned)(RESET_WAIT_NS / NS_PER_SEC);
        printk("xenstore: the daemon has not finished the connection reset after %u s "
               "(connection %u); requests wait for it", waited, READ_ONCE(intf->connection));
        evtchn_send(port);
    }
    xen_mb();
    resetting = false;
    stats.resets++;
    mutex_unlock(&req_lock);
    waitq_wake_all(&reset_wq);
    printk("xenstore: the daemon reset the connection in %llu ms (requests, watches and "
           "transactions dropped); registering the watches again",
           (unsigned long long)((time_now_ns() - t0) / NS_PER_MS));
    rewatch_fresh = true;
    rewatch_needed = true;
    waitq_wake_all(&watch_wq);
}

/* Never returns: whatever the daemon sends, the next message is read. */
static void reader_thread(void *arg)
{
    for (;;) {
        if (reset_wanted)
            reset_connection();
        else
            read_message();
    }
}

static int xs_talk(xs_tx_t tx, uint32_t type, const char *const *args, unsigned nargs,
                   const char *raw, size_t raw_len, char **reply, uint32_t *reply_len);

/* Registers every watch again; unwatch_first when the daemon still has
 * them (after a resync), not after a restore (a new daemon). */
static void rewatch_all(bool unwatch_first)
{
    struct list *pos;
    list_for_each(pos, &watches) {
        struct xs_watch *w = list_entry(pos, struct xs_watch, link);
        const char *args[] = { w->path, w->token };
        if (unwatch_first)
            xs_talk(XS_TX_NONE, XS_UNWATCH, args, 2, 0, 0, 0, 0);
        int rc = xs_talk(XS_TX_NONE, XS_WATCH, args, 2, 0, 0, 0, 0);
        if (rc)
            printk("xenstore: re-registering the watch on %s failed: %s", w->path,
                   errno_name(rc));
    }
}

static void watch_thread(void *arg)
{
    for (;;) {
        wait_event_until(&watch_wq, rewatch_needed || !list_empty(&events),
                         time_now_ns() + 60 * NS_PER_SEC);
        if (rewatch_needed) {
            bool fresh = rewatch_fresh;
            rewatch_needed = rewatch_fresh = false;
            rewatch_all(!fresh);
        }
        for (;;) {
            unsigned long f = spin_lock_irqsave(&watch_lock);
            struct watch_event *ev = 0;
            if (!list_empty(&events)) {
                ev = list_entry(events.next, struct watch_event, link);
                list_del(&ev->link);
            }
            spin_unlock_irqrestore(&watch_lock, f);
            if (!ev)
                break;
            struct list *pos;
            struct xs_watch *w = 0;
            f = spin_lock_irqsave(&watch_lock);
            list_for_each(pos, &watches) {
                struct xs_watch *c = list_entry(pos, struct xs_watch, link);
                if (strcmp(c->token, ev->token) == 0)
                    w = c;
            }
            spin_unlock_irqrestore(&watch_lock, f);
            if (w && ev->path) {
                w->fired++;
                w->cb(w, ev->path);
            }
            kfree(ev->path);
            kfree(ev);
        }
    }
}

/* One request/reply. args are NUL-terminated on the wire; raw (if any)
 * follows unterminated. what names the path for messages. On success the
 * reply body is returned in *reply (caller frees) unless reply is NULL. */
static int xs_talk(xs_tx_t tx, uint32_t type, const char *const *args, unsigned nargs,
                   const char *raw, size_t raw_len, char **reply, uint32_t *reply_len)
{
    if (!intf)
        return -ENODEV;
    uint64_t deadline = time_now_ns() + XS_REQUEST_TIMEOUT_NS;
    const char *what = nargs ? args[0] : "";
    /* No new request onto a ring about to be reset: the reader, which
     * reads every reply, is waiting for the ring to be ours alone. */
    if (wait_event_until(&reset_wq, !reset_wanted && !resetting, deadline)) {
        printk("xenstore: %s: timed out waiting for the daemon to finish the connection reset "
               "(%s)", what, reset_why);
        stats.timeouts++;
        return -ETIMEDOUT;
    }
    int rc = mutex_lock_until(&req_lock, deadline);
    if (rc) {
        if (resetting)
            printk("xenstore: %s: timed out waiting for the daemon to finish the connection "
                   "reset (asked %llu ms ago)", what,
                   (unsigned long long)((time_now_ns() - reset_since) / NS_PER_MS));
        else
            printk("xenstore: %s: timed out waiting for the request before it", what);
        stats.timeouts++;
        return rc;
    }
    /* One request in flight (req_lock), so one message buffer serves. */
    static char msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    size_t cap = sizeof(msg);
    uint32_t id = next_req_id++;
    int len = xs_encode(msg, cap, type, id, tx, args, nargs, raw, raw_len);
    if (len < 0) {
        printk("xenstore: request for %s is too long", what);
        rc = len;
        goto out;
    }
    unsigned long f = spin_lock_irqsave(&pending_lock);
    xs_outstanding_start(&pending, id, type);
    spin_unlock_irqrestore(&pending_lock, f);
    stats.requests++;
    for (int off = 0; off < len;) {
        int n;
        if (inject == XS_INJECT_BAD_REQ_INDEX) {
            inject = XS_INJECT_NONE;
            n = -EIO; /* as xs_ring_put says of corrupt indices, nothing written */
        } else {
            n = xs_ring_put(intf, msg + off, (size_t)(len - off));
        }
        if (n < 0) {
            /* Only the daemon moves req_cons: only a reset recovers. */
            printk("xenstore: %s: the request ring's indices are corrupt; request failed",
                   what);
            want_reset("request ring indices corrupt");
            stats.errors++;
            rc = -EIO;
            goto out_pending;
        }
        off += n;
        evtchn_send(port);
        if (off < len &&
            wait_event_until(&ring_wq, xs_req_space(intf) != 0 || pending.done, deadline)) {
            printk("xenstore: %s: no room in the request ring within %llu s (the daemon "
                   "reads nothing)", what,
                   (unsigned long long)(XS_REQUEST_TIMEOUT_NS / NS_PER_SEC));
            stats.timeouts++;
            rc = -ETIMEDOUT;
            goto out_pending;
        }
        if (pending.done)
            break; /* failed meanwhile (a reset): said below */
    }
    rc = wait_event_until(&reply_wq, pending.done, deadline);
    if (rc == -ETIMEDOUT) {
        uint32_t features = READ_ONCE(intf->server_features);
        uint32_t err = (features & XENSTORE_SERVER_FEATURE_ERROR) ? READ_ONCE(intf->error) : 0;
        printk("xenstore: no reply to request %u for %s within %llu s%s", id, what,
               (unsigned long long)(XS_REQUEST_TIMEOUT_NS / NS_PER_SEC),
               err ? "; the daemon flags the connection as failed" : "");
        stats.timeouts++;
        if (err) {
            char why[64];
            k_snprintf(why, sizeof(why), "the daemon stopped the connection (error %u)", err);
            want_reset(why);
        }
        goto out_pending;
    }
    const char *why;
    rc = xs_outstanding_result(&pending, &why);
    if (rc == -EBADMSG && why[0]) {
        printk("xenstore: %s for %s (type %u to a type %u request)", why, what, pending.type,
               type);
        stats.bad_replies++;
    } else if (rc == -ENOTCONN) {
        printk("xenstore: request %u for %s failed: the connection is being reset (%s)", id,
               what, reset_why);
        stats.errors++;
    } else if (rc == -EIO || rc == -ENOMEM) {
        printk("xenstore: request %u for %s failed: %s", id, what, errno_name(rc));
        stats.errors++;
    } else if (rc) {
        stats.errors++;
    } else {
        if (reply) {
            *reply = pending.body;
            pending.body = 0;
        }
        if (reply_len)
            *reply_len = pending.len;
    }
out_pending:
    f = spin_lock_irqsave(&pending_lock);
    pending.waiting = false;
    char *left = pending.body;
    pending.body = 0;
    spin_unlock_irqrestore(&pending_lock, f);
    kfree(left);
out:
    mutex_unlock(&req_lock);
    return rc;
}

int xs_init(void)
{
    uint64_t pfn = 0, evt = 0;
    int rc = platform->get_param(HVM_PARAM_STORE_PFN, &pfn);
    if (rc == 0)
        rc = platform->get_param(HVM_PARAM_STORE_EVTCHN, &evt);
    if (rc || pfn == 0) {
        printk("xenstore: no XenStore ring (HVM_PARAM_STORE_PFN: rc %d)", rc);
        return rc ? rc : -ENODEV;
    }
    intf = (struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
    port = (evtchn_port_t)evt;
    rc = evtchn_bind_existing(port, xs_event, 0, "xenstore");
    if (rc)
        return rc;
    uint32_t features = READ_ONCE(intf->server_features);
    printk("xenstore: ring at pfn 0x%llx, port %u; the daemon offers%s%s%s",
           (unsigned long long)pfn, port,
           (features & XENSTORE_SERVER_FEATURE_RECONNECTION) ? " ring reconnection" : "",
           (features & XENSTORE_SERVER_FEATURE_ERROR) ? " error reporting" : "",
           features & (XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR)
               ? "" : " no ring features (no reconnection: a corrupt ring is resynchronised)");
    if (!thread_create("xenstore", reader_thread, 0) ||
        !thread_create("xenwatch", watch_thread, 0))
        return -ENOMEM;
    return 0;
}

char *xs_read_alloc(xs_tx_t tx, const char *path, int *err)
{
    const char *args[] = { path };
    char *body = 0;
    *err = xs_talk(tx, XS_READ, args, 1, 0, 0, &body, 0);
    return *err ? 0 : body;
}

int xs_read(xs_tx_t tx, const char *path, char *buf, size_t cap)
{
    int err;
    char *v = xs_read_alloc(tx, path, &err);
    if (!v)
        return err;
    size_t n = strlen(v);
    int rc = (int)n;
    if (n + 1 > cap)
        rc = -ERANGE;
    else
        memcpy(buf, v, n + 1);
    kfree(v);
    return rc;
}

int xs_read_uint(xs_tx_t tx, const char *path, uint64_t max, uint64_t *out)
{
    int err;
    char *v = xs_read_alloc(tx, path, &err);
    if (!v)
        return err;
    err = xs_parse_uint(v, max, out);
    if (err)
        printk("xenstore: %s: malformed value '%.40s' (expected an unsigned integer <= %llu)",
               path, v, (unsigned long long)max);
    kfree(v);
    return err;
}

int xs_write(xs_tx_t tx, const char *path, const char *value)
{
    const char *args[] = { path };
    return xs_talk(tx, XS_WRITE, args, 1, value, strlen(value), 0, 0);
}

int xs_printf(xs_tx_t tx, const char *path, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = k_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(buf))
        return -E2BIG;
    return xs_write(tx, path, buf);
}

int xs_mkdir(xs_tx_t tx, const char *path)
{
    const char *args[] = { path };
    return xs_talk(tx, XS_MKDIR, args, 1, 0, 0, 0, 0);
}

int xs_rm(xs_tx_t tx, const char *path)
{
    const char *args[] = { path };
    return xs_talk(tx, XS_RM, args, 1, 0, 0, 0, 0);
}

char *xs_directory(xs_tx_t tx, const char *path, size_t *len, int *err)
{
    const char *args[] = { path };
    char *body = 0;
    uint32_t n = 0;
    *err = xs_talk(tx, XS_DIRECTORY, args, 1, 0, 0, &body, &n);
    if (*err)
        return 0;
    *len = n;
    return body;
}

int xs_get_perms(xs_tx_t tx, const char *path, char *buf, size_t cap)
{
    const char *args[] = { path };
    char *body = 0;
    uint32_t n = 0;
    int rc = xs_talk(tx, XS_GET_PERMS, args, 1, 0, 0, &body, &n);
    if (rc)
        return rc;
    if (n + 1 > cap)
        rc = -ERANGE;
    else {
        memcpy(buf, body, n);
        buf[n] = 0;
        rc = (int)n;
    }
    kfree(body);
    return rc;
}

int xs_set_perms(xs_tx_t tx, const char *path, const char *const *perms, unsigned n)
{
    const char *args[1 + 16];
    if (n > 16)
        return -E2BIG;
    args[0] = path;
    for (unsigned i = 0; i < n; i++)
        args[1 + i] = perms[i];
    return xs_talk(tx, XS_SET_PERMS, args, 1 + n, 0, 0, 0, 0);
}

int xs_transaction_start(xs_tx_t *tx)
{
    const char *args[] = { "" };
    char *body = 0;
    int rc = xs_talk(XS_TX_NONE, XS_TRANSACTION_START, args, 1, 0, 0, &body, 0);
    if (rc)
        return rc;
    uint64_t id;
    rc = xs_parse_uint(body, UINT32_MAX, &id);
    if (rc || id == 0) {
        printk("xenstore: malformed transaction id '%.20s'", body);
        rc = -EBADMSG;
    } else {
        *tx = (xs_tx_t)id;
    }
    kfree(body);
    return rc;
}

int xs_transaction_end(xs_tx_t tx, bool abort)
{
    const char *args[] = { abort ? "F" : "T" };
    return xs_talk(tx, XS_TRANSACTION_END, args, 1, 0, 0, 0, 0);
}

int xs_transaction_run(int (*body)(xs_tx_t tx, void *arg), void *arg, unsigned tries)
{
    int rc = -EAGAIN;
    for (unsigned i = 0; i < tries && rc == -EAGAIN; i++) {
        xs_tx_t tx;
        rc = xs_transaction_start(&tx);
        if (rc)
            return rc;
        rc = body(tx, arg);
        if (rc) {
            xs_transaction_end(tx, true);
            if (rc != -EAGAIN)
                return rc;
            continue;
        }
        rc = xs_transaction_end(tx, false);
    }
    if (rc == -EAGAIN)
        printk("xenstore: transaction still conflicting after %u tries", tries);
    return rc;
}

int xs_watch_add(struct xs_watch *w)
{
    k_snprintf(w->token, sizeof(w->token), "w%lx", (unsigned long)(uintptr_t)w);
    w->fired = 0;
    unsigned long f = spin_lock_irqsave(&watch_lock);
    list_add_tail(&watches, &w->link);
    stats.watches++;
    spin_unlock_irqrestore(&watch_lock, f);
    const char *args[] = { w->path, w->token };
    int rc = xs_talk(XS_TX_NONE, XS_WATCH, args, 2, 0, 0, 0, 0);
    if (rc) {
        f = spin_lock_irqsave(&watch_lock);
        list_del(&w->link);
        stats.watches--;
        spin_unlock_irqrestore(&watch_lock, f);
        printk("xenstore: watch on %s failed: %s", w->path, errno_name(rc));
    }
    return rc;
}

int xs_watch_remove(struct xs_watch *w)
{
    const char *args[] = { w->path, w->token };
    int rc = xs_talk(XS_TX_NONE, XS_UNWATCH, args, 2, 0, 0, 0, 0);
    unsigned long f = spin_lock_irqsave(&watch_lock);
    list_del(&w->link);
    stats.watches--;
    spin_unlock_irqrestore(&watch_lock, f);
    return rc;
}

int xs_suspend(void)
{
    int rc = mutex_lock_until(&req_lock, time_now_ns() + XS_REQUEST_TIMEOUT_NS);
    if (rc)
        printk("xenstore: %s after %llu s; not suspending",
               resetting ? "the daemon is still resetting the connection"
                         : "a request is still in flight",
               (unsigned long long)(XS_REQUEST_TIMEOUT_NS / NS_PER_SEC));
    return rc;
}

void xs_resume(bool cancelled)
{
    if (!cancelled) {
        uint64_t evt = 0;
        if (platform->get_param(HVM_PARAM_STORE_EVTCHN, &evt) == 0) {
            port = (evtchn_port_t)evt;
            evtchn_bind_existing(port, xs_event, 0, "xenstore");
        }
        /* Anything half-read belongs to the old connection. */
        xs_rsp_resync(intf);
    }
    mutex_unlock(&req_lock);
    if (cancelled)
        return;
    rewatch_all(false);
    waitq_wake_all(&ring_wq);
}

void xs_get_stats(struct xs_stats *st)
{
    *st = stats;
}

void xs_test_inject(enum xs_inject what)
{
    if (what == XS_INJECT_RESET) {
        /* Returns once the reader is done (or has given up). */
        uint64_t before = stats.resets, end = time_now_ns() + 2 * XS_REQUEST_TIMEOUT_NS;
        want_reset("a reset asked for by xsinject");
        while ((reset_wanted || resetting) && stats.resets == before && time_now_ns() < end)
            thread_sleep_ns(10 * NS_PER_MS);
        return;
    }
    inject = what;
}
