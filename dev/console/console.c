#include "kern/kernel.h"
#include "kern/log.h"
#include "kern/cmdline.h"
#include "kern/printf.h"
#include "kern/wait.h"
#include "dev/console/console.h"
#include "dev/console/cons_ring.h"
#include "dev/console/cons_stash.h"
#include "kern/spinlock.h"
#include "lib/barrier.h"
#include "xen/hypercall.h"
#include "xen/platform.h"
#include "xen/evtchn.h"
#include "xen/time.h"
#include "arch/x86/cpu.h"

/* How long output may wait for xenconsoled before it is dropped. */
#define FULL_RING_WAIT_NS (200 * NS_PER_MS)
#define INPUT_BUF 512

static struct xencons_interface *ring;
static XENCONS_RING_IDX out_prod; /* ours; the shared out_prod is only written */
static evtchn_port_t port;
static bool use_console_io = true; /* until Xen says EPERM */
static bool debugcon;              /* keep mirroring to port 0xE9 */
static bool dropping;              /* gave up waiting; skip until space */
static struct console_stats stats;
/* One writer at a time on the out ring (threads, event handlers, other
 * vCPUs). A writer that cannot take it is nested in the holder on this
 * vCPU (on one vCPU nothing else can hold it with interrupts off): its
 * text goes to the stash and the holder sends it after its own. */
static struct spinlock out_lock = SPINLOCK_INIT("console out");
static struct cons_stash stash;

/* The typed-input buffer, filled by the event handler. */
static struct spinlock in_lock = SPINLOCK_INIT("console in");
static char inbuf[INPUT_BUF];
static unsigned in_head, in_tail;
static struct waitq in_wq = WAITQ_INIT(in_wq);

static void early_write(const char *s, size_t len)
{
    if (use_console_io) {
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, (unsigned)len, s);
        if (rc >= 0)
            return;
        use_console_io = false; /* -EPERM on release builds of Xen */
    }
    platform->debug_write(s, len); /* port 0xE9 on PVH, nothing on PV */
}

void console_early_init(void)
{
    log_sink = early_write;
}

static const char corrupt_note[] =
    "console: the back-end's out_cons is corrupt; its text goes to the debug port\n";

/* Puts bytes into the ring, waiting up to the deadline for room. Called
 * with out_lock held. */
static void ring_put(const char *s, size_t len)
{
    uint64_t deadline = 0;
    bool resynced = false; /* once: a peer that keeps moving gets no more */
    while (len) {
        int n = cons_ring_write(ring, &out_prod, s, len);
        if (n < 0 && !resynced && cons_ring_resync(ring, &out_prod) == 0) {
            resynced = true;
            stats.ring_resyncs++; /* a fresh page: go on from its index */
            continue;
        }
        if (n < 0) {
            /* The back-end corrupted out_cons (our producer index is private
             * and cannot be): this text goes to the debug port, and the ring
             * is tried again next time, in case the back-end recovers. */
            if (!stats.ring_errors++)
                early_write(corrupt_note, sizeof(corrupt_note) - 1);
            if (!debugcon)
                early_write(s, len);
            return;
        }
        s += n;
        len -= (size_t)n;
        stats.bytes_out += (uint64_t)n;
        if (!len)
            break;
        evtchn_send(port);
        if (dropping) {
            stats.dropped += len;
            return;
        }
        uint64_t now = time_now_ns();
        if (!deadline)
            deadline = now + FULL_RING_WAIT_NS;
        if (now >= deadline) {
            dropping = true;
            stats.dropped += len;
            return;
        }
        cpu_relax();
    }
}

/* Writes to the ring (and the debug port if mirrored); out_lock held. */
static void out_locked(const char *s, size_t len)
{
    if (debugcon)
        early_write(s, len);
    if (dropping) {
        int pend = cons_ring_out_pending(ring, out_prod);
        if (pend >= 0 && pend > (int)sizeof(ring->out) / 2) {
            stats.dropped += len;
            return;
        }
        dropping = false;
        char note[96];
        int n = k_snprintf(note, sizeof(note),
                           "\r\n[console: nobody read the console; %llu bytes dropped]\r\n",
                           (unsigned long long)stats.dropped);
        ring_put(note, (size_t)n);
    }
    /* Terminals want CR LF; the log keeps plain LF. */
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            ring_put(s + start, i - start);
            ring_put("\r\n", 2);
            start = i + 1;
        }
    }
    ring_put(s + start, len - start);
}

/* Sends what nested writers left, in their order. */
static void drain_stash(void)
{
    char buf[128];
    size_t n;
    while ((n = cons_stash_take(&stash, buf, sizeof(buf))))
        out_locked(buf, n);
}

static void pv_write(const char *s, size_t len)
{
    unsigned long f;
    if (!spin_trylock_irqsave(&out_lock, &f)) {
        cons_stash_put(&stash, s, len);
        return;
    }
    out_locked(s, len);
    drain_stash();
    spin_unlock_irqrestore(&out_lock, f);
    evtchn_send(port);
}

void console_write(const char *s, size_t len)
{
    if (log_sink)
        log_sink(s, len);
}

static void console_event(evtchn_port_t p, void *arg)
{
    if (!ring)
        return;
    char buf[64];
    int n;
    unsigned long f = spin_lock_irqsave(&in_lock);
    while ((n = cons_ring_read(ring, buf, sizeof(buf))) > 0) {
        for (int i = 0; i < n; i++) {
            unsigned next = (in_head + 1) % INPUT_BUF;
            if (next == in_tail)
                break; /* input overflow: drop the rest */
            inbuf[in_head] = buf[i];
            in_head = next;
        }
        stats.bytes_in += (uint64_t)n;
    }
    spin_unlock_irqrestore(&in_lock, f);
    if (n < 0)
        printk("console: input ring indices corrupt; input ignored");
    evtchn_send(port); /* tell the back-end there is room again */
    waitq_wake_all(&in_wq);
}

int console_pv_init(void)
{
    uint64_t pfn = 0, evt = 0;
    int rc = platform->get_param(HVM_PARAM_CONSOLE_PFN, &pfn);
    if (rc == 0)
        rc = platform->get_param(HVM_PARAM_CONSOLE_EVTCHN, &evt);
    if (rc || pfn == 0) {
        printk("console: no PV console (HVM_PARAM_CONSOLE_PFN: rc %d, pfn 0x%llx)", rc,
               (unsigned long long)pfn);
        return rc ? rc : -ENODEV;
    }
    extern const char *kernel_cmdline;
    debugcon = cmdline_has(kernel_cmdline, "debugcon");
    ring = (struct xencons_interface *)(uintptr_t)(pfn << 12);
    port = (evtchn_port_t)evt;
    rc = evtchn_bind_existing(port, console_event, 0, "console");
    if (rc)
        return rc;
    unsigned long f = spin_lock_irqsave(&out_lock);
    stats.pv = 1;
    out_prod = READ_ONCE(ring->out_prod); /* the toolstack's start, once */
    bool mirror = debugcon;
    debugcon = false; /* the early sink already printed the backlog */
    log_replay(out_locked);
    debugcon = mirror;
    log_sink = pv_write;
    spin_unlock_irqrestore(&out_lock, f);
    evtchn_send(port);
    return 0;
}

int console_flush(uint64_t deadline)
{
    if (!ring)
        return 0;
    if (!cons_stash_empty(&stash)) {
        /* Held means nested in the writer (a panic inside it): that writer
         * never comes back, so the stash goes out anyway. */
        unsigned long f;
        bool locked = spin_trylock_irqsave(&out_lock, &f);
        drain_stash();
        if (locked)
            spin_unlock_irqrestore(&out_lock, f);
    }
    for (;;) {
        int pend = cons_ring_out_pending(ring, READ_ONCE(out_prod));
        if (pend <= 0)
            return 0;
        if (time_now_ns() >= deadline)
            return -ETIMEDOUT;
        evtchn_send(port);
        cpu_relax();
    }
}

int console_read(char *buf, size_t cap, uint64_t deadline)
{
    int r = wait_event_until(&in_wq, in_head != in_tail, deadline);
    if (r)
        return r;
    size_t n = 0;
    unsigned long f = spin_lock_irqsave(&in_lock);
    while (n < cap && in_tail != in_head) {
        buf[n++] = inbuf[in_tail];
        in_tail = (in_tail + 1) % INPUT_BUF;
    }
    spin_unlock_irqrestore(&in_lock, f);
    return (int)n;
}

void console_resume(bool cancelled)
{
    uint64_t evt = 0;
    if (cancelled || !ring || platform->get_param(HVM_PARAM_CONSOLE_EVTCHN, &evt))
        return;
    /* The toolstack may have set the page up afresh on this host. */
    unsigned long f = spin_lock_irqsave(&out_lock);
    XENCONS_RING_IDX was = out_prod;
    if (cons_ring_resync(ring, &out_prod) == 0 && out_prod != was)
        stats.ring_resyncs++;
    spin_unlock_irqrestore(&out_lock, f);
    port = (evtchn_port_t)evt;
    evtchn_bind_existing(port, console_event, 0, "console");
    evtchn_send(port);
}

int console_test_nested(void)
{
    static const char first[] = "consnest: outer line, first half,", second[] = " second half\n";
    unsigned long f;
    if (!ring)
        return -ENODEV;
    if (!spin_trylock_irqsave(&out_lock, &f))
        return -EBUSY;
    out_locked(first, sizeof(first) - 1);
    printk("consnest: nested line"); /* finds the ring held: stashed */
    out_locked(second, sizeof(second) - 1);
    drain_stash();
    spin_unlock_irqrestore(&out_lock, f);
    evtchn_send(port);
    return 0;
}

void console_get_stats(struct console_stats *st)
{
    unsigned long f = spin_lock_irqsave(&out_lock);
    *st = stats;
    st->nested = stash.stashed;
    st->nested_dropped = stash.dropped;
    spin_unlock_irqrestore(&out_lock, f);
}
