#include "kern/kernel.h"
#include "kern/log.h"
#include "kern/cmdline.h"
#include "kern/printf.h"
#include "kern/wait.h"
#include "dev/console/console.h"
#include "dev/console/cons_ring.h"
#include "xen/hypercall.h"
#include "xen/evtchn.h"
#include "xen/time.h"
#include "arch/x86/cpu.h"

#define XEN_DEBUG_PORT 0xe9
/* How long output may wait for xenconsoled before it is dropped. */
#define FULL_RING_WAIT_NS (200 * NS_PER_MS)
#define INPUT_BUF 512

static struct xencons_interface *ring;
static evtchn_port_t port;
static bool use_console_io = true; /* until Xen says EPERM */
static bool debugcon;              /* keep mirroring to port 0xE9 */
static bool dropping;              /* gave up waiting; skip until space */
static struct console_stats stats;

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
    for (size_t i = 0; i < len; i++)
        outb(XEN_DEBUG_PORT, (uint8_t)s[i]);
}

void console_early_init(void)
{
    log_sink = early_write;
}

/* Puts bytes into the ring, waiting up to the deadline for room. */
static void ring_put(const char *s, size_t len)
{
    uint64_t deadline = 0;
    while (len) {
        int n = cons_ring_write(ring, s, len);
        if (n < 0) {
            /* The back-end corrupted out_cons: stop using the ring. */
            ring = 0;
            log_sink = early_write;
            early_write("console: PV ring indices corrupt, back to the debug port\n", 58);
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

static void pv_write(const char *s, size_t len)
{
    if (debugcon)
        early_write(s, len);
    if (!ring)
        return;
    if (dropping) {
        int pend = cons_ring_out_pending(ring);
        if (pend < 0 || pend > (int)sizeof(ring->out) / 2) {
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
    if (n < 0)
        printk("console: input ring indices corrupt; input ignored");
    evtchn_send(port); /* tell the back-end there is room again */
    waitq_wake_all(&in_wq);
}

static void replay(const char *s, size_t len)
{
    pv_write(s, len);
}

int console_pv_init(void)
{
    uint64_t pfn = 0, evt = 0;
    int rc = hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn);
    if (rc == 0)
        rc = hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &evt);
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
    unsigned long f = irq_save();
    stats.pv = 1;
    bool mirror = debugcon;
    debugcon = false; /* the early sink already printed the backlog */
    log_replay(replay);
    debugcon = mirror;
    log_sink = pv_write;
    irq_restore(f);
    return 0;
}

int console_flush(uint64_t deadline)
{
    if (!ring)
        return 0;
    for (;;) {
        int pend = cons_ring_out_pending(ring);
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
    unsigned long f = irq_save();
    while (n < cap && in_tail != in_head) {
        buf[n++] = inbuf[in_tail];
        in_tail = (in_tail + 1) % INPUT_BUF;
    }
    irq_restore(f);
    return (int)n;
}

void console_resume(bool cancelled)
{
    uint64_t evt = 0;
    if (cancelled || !ring || hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &evt))
        return;
    port = (evtchn_port_t)evt;
    evtchn_bind_existing(port, console_event, 0, "console");
    evtchn_send(port);
}

void console_get_stats(struct console_stats *st)
{
    *st = stats;
}
