#include "kern/kernel.h"
#include "xen/evtchn.h"
#include "xen/evtchn_abi.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"
#include "xen/platform.h"
#include "kern/cmdline.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "lib/string.h"

/* The bindings; taken by the upcall to find a handler, so interrupts off.
 * In chunks allocated as ports are first bound (2^17 bindings at once
 * would be 12 MiB); the first is static, chunks are never freed. */
#define CHUNK_PORTS 256
#define NR_CHUNKS (EVTCHN_MAX_PORTS / CHUNK_PORTS)
static struct spinlock ports_lock = SPINLOCK_INIT("evtchn-ports");
static struct evtchn_binding chunk0[CHUNK_PORTS];
static struct evtchn_binding *chunks[NR_CHUNKS] = { chunk0 };
static struct evtchn_stats stats; /* under ports_lock */
/* The ABI in use: 2-level until FIFO is set up. */
static const struct evtchn_abi *abi = &evtchn_abi_2l;
static const char *abi_why = "";

/* The port's binding slot, or NULL if its chunk does not exist (nothing
 * bound there ever). Under ports_lock. */
static struct evtchn_binding *slot(evtchn_port_t port)
{
    if (port >= EVTCHN_MAX_PORTS || !chunks[port / CHUNK_PORTS])
        return 0;
    return &chunks[port / CHUNK_PORTS][port % CHUNK_PORTS];
}

/* Makes the port's chunk exist (thread context: may allocate). */
static int chunk_for(evtchn_port_t port)
{
    unsigned c = port / CHUNK_PORTS;
    if (chunks[c])
        return 0;
    struct evtchn_binding *n = kzalloc(CHUNK_PORTS * sizeof(*n));
    if (!n)
        return -ENOMEM;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    if (!chunks[c]) {
        chunks[c] = n;
        n = 0;
    }
    spin_unlock_irqrestore(&ports_lock, f);
    if (n)
        kfree(n);
    return 0;
}

const char *evtchn_abi_name(void)
{
    return abi->name;
}

void evtchn_abi_describe(char *buf, unsigned cap)
{
    char d[96];
    abi->describe(d, sizeof(d));
    k_snprintf(buf, cap, "%s%s, up to %u ports: %s", abi->name, abi_why, abi->max_ports, d);
}

const char *evtchn_kind_name(enum evtchn_kind k)
{
    static const char *const names[] = { "free", "virq", "unbound", "interdomain", "ipi",
                                         "external" };
    return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

/* The upcall: an IDT vector on PVH, set_callbacks on PV. */
static int set_callback_vector(void)
{
    return platform->events_init(evtchn_do_upcall);
}

void evtchn_resume(bool cancelled)
{
    if (cancelled)
        return; /* same domain: every binding still holds, FIFO too */
    /* A VIRQ is bound once per vCPU (only vCPU 0 here): one slot each. */
    static struct evtchn_binding virqs[NR_VIRQS];
    unsigned long f = spin_lock_irqsave(&ports_lock);
    for (unsigned v = 0; v < NR_VIRQS; v++)
        virqs[v] = (struct evtchn_binding){ 0 };
    for (unsigned p = 0; p < EVTCHN_MAX_PORTS; p++) {
        struct evtchn_binding *b = slot(p);
        if (!b)
            continue;
        if (b->handler && b->kind == EVTCHN_VIRQ && b->detail < NR_VIRQS)
            virqs[b->detail] = *b;
        *b = (struct evtchn_binding){ 0 };
    }
    spin_unlock_irqrestore(&ports_lock, f);
    /* The new domain is 2-level with every port masked by us; FIFO is
     * set up again before any port is bound. */
    evtchn_abi_2l.resume();
    if (abi != &evtchn_abi_2l && abi->resume()) {
        printk("evtchn: 2-level ABI after the restore (FIFO could not be set up again)");
        abi = &evtchn_abi_2l;
        abi_why = " (FIFO lost at a restore)";
    }
    set_callback_vector();
    for (unsigned v = 0; v < NR_VIRQS; v++) {
        evtchn_port_t port;
        if (virqs[v].handler &&
            evtchn_bind_virq(v, virqs[v].handler, virqs[v].arg, virqs[v].name, &port) == 0 &&
            virqs[v].lateeoi)
            evtchn_set_lateeoi(port);
    }
}

int evtchn_init(void)
{
    /* Mask everything until a handler is bound. */
    evtchn_abi_2l.resume();
    char want[16] = "";
    cmdline_get(kernel_cmdline, "evtchn", want, sizeof(want));
    if (strcmp(want, "fifo") != 0) {
        /* FIFO is opt-in until a crash seen once after a restore in the
         * full suite (a nested upcall) is understood. */
        abi_why = " (the default; evtchn=fifo for FIFO)";
        printk("evtchn: 2-level ABI (the default; evtchn=fifo on the command line for FIFO)");
    } else if (platform->machine_frames) {
        /* FIFO's control block and event array are given to Xen by frame
         * number, machine frames on PV: not done there yet. */
        abi_why = " (FIFO not on PV yet)";
        printk("evtchn: 2-level ABI (FIFO not on PV yet)");
    } else {
        /* Before any port is bound: every binding then grows the array. */
        int rc = evtchn_fifo_start();
        if (rc == 0) {
            abi = &evtchn_abi_fifo;
        } else {
            abi_why = " (Xen refused FIFO)";
            printk("evtchn: 2-level ABI (EVTCHNOP_init_control: %d)", rc);
        }
    }
    return set_callback_vector();
}

static int install(evtchn_port_t port, evtchn_handler_t h, void *arg, const char *name,
                   enum evtchn_kind kind, uint32_t detail)
{
    int rc = port < EVTCHN_MAX_PORTS ? abi->setup(port) : -ENOSPC;
    if (rc == 0)
        rc = chunk_for(port);
    if (rc) {
        printk("evtchn: port %u for %s cannot be used (%s ABI, up to %u ports): %s", port, name,
               abi->name, abi->max_ports, errno_name(rc));
        struct evtchn_close c = { .port = port };
        if (kind != EVTCHN_EXTERNAL)
            HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
        return rc;
    }
    unsigned long f = spin_lock_irqsave(&ports_lock);
    *slot(port) = (struct evtchn_binding){ .handler = h, .arg = arg, .name = name, .kind = kind,
                                           .detail = detail };
    spin_unlock_irqrestore(&ports_lock, f);
    evtchn_unmask(port);
    return 0;
}

int evtchn_bind_virq(uint32_t virq, evtchn_handler_t h, void *arg, const char *name,
                     evtchn_port_t *port)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
    if (rc) {
        printk("evtchn: bind_virq %u (%s) failed: %d", virq, name, rc);
        return rc;
    }
    *port = op.port;
    return install(op.port, h, arg, name, EVTCHN_VIRQ, virq);
}

int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t h, void *arg, const char *name,
                         evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    if (rc) {
        printk("evtchn: alloc_unbound for domain %u (%s) failed: %d", remote, name, rc);
        return rc;
    }
    *port = op.port;
    return install(op.port, h, arg, name, EVTCHN_UNBOUND, remote);
}

int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t h,
                            void *arg, const char *name, evtchn_port_t *port)
{
    struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = remote_port };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
    if (rc) {
        printk("evtchn: bind_interdomain %u:%u (%s) failed: %d", remote, remote_port, name, rc);
        return rc;
    }
    *port = op.local_port;
    return install(op.local_port, h, arg, name, EVTCHN_INTERDOMAIN, remote);
}

int evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_t h, void *arg, const char *name,
                    evtchn_port_t *port)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);
    if (rc) {
        printk("evtchn: bind_ipi vcpu %u (%s) failed: %d", vcpu, name, rc);
        return rc;
    }
    *port = op.port;
    return install(op.port, h, arg, name, EVTCHN_IPI, vcpu);
}

int evtchn_bind_existing(evtchn_port_t port, evtchn_handler_t h, void *arg, const char *name)
{
    return install(port, h, arg, name, EVTCHN_EXTERNAL, 0);
}

int evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = { .port = port };
    return (int)HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

void evtchn_unbind(evtchn_port_t port)
{
    if (port >= EVTCHN_MAX_PORTS)
        return;
    evtchn_mask(port);
    unsigned long f = spin_lock_irqsave(&ports_lock);
    struct evtchn_binding *b = slot(port);
    if (b)
        *b = (struct evtchn_binding){ 0 };
    spin_unlock_irqrestore(&ports_lock, f);
}

int evtchn_close(evtchn_port_t port)
{
    evtchn_unbind(port);
    struct evtchn_close op = { .port = port };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
    if (rc)
        printk("evtchn: close port %u failed: %d", port, rc);
    return rc;
}

int evtchn_status(evtchn_port_t port, struct evtchn_status *st)
{
    *st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
    return (int)HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

void evtchn_clear_pending(evtchn_port_t port)
{
    if (port < abi->max_ports)
        abi->clear_pending(port);
}

void evtchn_mask(evtchn_port_t port)
{
    if (port < abi->max_ports)
        abi->mask(port);
}

void evtchn_unmask(evtchn_port_t port)
{
    /* Setting the upcall flag ourselves would only be seen at Xen's next
     * entry to the guest, which an idle vCPU may not make for long. */
    if (port >= abi->max_ports || !abi->unmask_needs_xen(port))
        return;
    struct evtchn_unmask op = { .port = port };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
    unsigned long f = spin_lock_irqsave(&ports_lock);
    stats.xen_unmasks++;
    spin_unlock_irqrestore(&ports_lock, f);
    if (rc)
        printk("evtchn: unmask of port %u failed: %d", port, rc);
}

void evtchn_set_lateeoi(evtchn_port_t port)
{
    if (port >= EVTCHN_MAX_PORTS)
        return;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    struct evtchn_binding *b = slot(port);
    if (b && b->handler)
        b->lateeoi = true;
    spin_unlock_irqrestore(&ports_lock, f);
}

void evtchn_eoi(evtchn_port_t port, bool found_work)
{
    if (port >= EVTCHN_MAX_PORTS)
        return;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    struct evtchn_binding *b = slot(port);
    bool late = b && b->handler && b->lateeoi;
    /* Counted only for an event: owners may eoi ports that had none. */
    if (late && b->eoi_due) {
        if (!found_work)
            b->spurious++;
        if (b->rescue_open && !found_work)
            b->rescued_late++; /* the rescued work's own event */
        b->rescue_open = false;
        b->eoi_due = false;
    }
    spin_unlock_irqrestore(&ports_lock, f);
    if (late)
        evtchn_unmask(port);
}

void evtchn_count_rescued(evtchn_port_t port)
{
    if (port >= EVTCHN_MAX_PORTS)
        return;
    bool pending = port < abi->max_ports && abi->is_pending(port);
    unsigned long f = spin_lock_irqsave(&ports_lock);
    struct evtchn_binding *b = slot(port);
    if (b && b->handler) {
        b->rescued++;
        b->rescue_open = true;
        if (pending)
            b->rescued_pending++;
    }
    spin_unlock_irqrestore(&ports_lock, f);
}

/* Upcall, interrupts off. The handler is called without the lock: it
 * may send, mask, or unbind. */
static void dispatch(evtchn_port_t port, void *arg)
{
    (void)arg;
    evtchn_handler_t h = 0;
    void *harg = 0;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    struct evtchn_binding *b = slot(port);
    if (b && b->handler) {
        h = b->handler;
        harg = b->arg;
        b->count++;
        if (b->lateeoi) {
            evtchn_mask(port); /* until the owner's evtchn_eoi */
            b->eoi_due = true;
        }
    } else {
        /* An event for a port nobody handles: keep it masked. */
        stats.stray++;
        evtchn_mask(port);
    }
    spin_unlock_irqrestore(&ports_lock, f);
    if (h)
        h(port, harg);
}

void evtchn_do_upcall(void)
{
    unsigned n = abi->handle_events(EVTCHN_UPCALL_BUDGET, dispatch, 0);
    unsigned long f = spin_lock_irqsave(&ports_lock);
    stats.upcalls++;
    if (n == EVTCHN_UPCALL_BUDGET)
        stats.over_budget++;
    spin_unlock_irqrestore(&ports_lock, f);
}

bool evtchn_binding_get(evtchn_port_t port, struct evtchn_binding *out)
{
    if (port >= EVTCHN_MAX_PORTS)
        return false;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    struct evtchn_binding *b = slot(port);
    bool bound = b && b->handler != 0;
    if (bound)
        *out = *b;
    spin_unlock_irqrestore(&ports_lock, f);
    return bound;
}

unsigned evtchn_bound_count(void)
{
    unsigned n = 0;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    for (unsigned c = 0; c < NR_CHUNKS; c++)
        for (unsigned i = 0; chunks[c] && i < CHUNK_PORTS; i++)
            if (chunks[c][i].handler)
                n++;
    spin_unlock_irqrestore(&ports_lock, f);
    return n;
}

void evtchn_get_stats(struct evtchn_stats *out)
{
    unsigned long f = spin_lock_irqsave(&ports_lock);
    *out = stats;
    spin_unlock_irqrestore(&ports_lock, f);
}
