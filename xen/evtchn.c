#include "kern/kernel.h"
#include "xen/evtchn.h"
#include "xen/evtchn_scan.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"
#include "xen/platform.h"
#include "kern/spinlock.h"

/* The bindings; taken by the upcall to find a handler, so interrupts off. */
static struct spinlock ports_lock = SPINLOCK_INIT("evtchn-ports");
static struct evtchn_binding ports[EVTCHN_MAX_PORTS];
static struct evtchn_stats stats; /* under ports_lock */
/* Where the next upcall's scan starts (vCPU 0's; only the upcall uses it). */
static struct evtchn_scan_pos scan_pos;

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
        return; /* same domain: every binding still holds */
    /* A VIRQ is bound once per vCPU (only vCPU 0 here): one slot each. */
    static struct evtchn_binding virqs[NR_VIRQS];
    unsigned long f = spin_lock_irqsave(&ports_lock);
    for (unsigned v = 0; v < NR_VIRQS; v++)
        virqs[v] = (struct evtchn_binding){ 0 };
    for (unsigned p = 0; p < EVTCHN_MAX_PORTS; p++) {
        if (ports[p].handler && ports[p].kind == EVTCHN_VIRQ && ports[p].detail < NR_VIRQS)
            virqs[ports[p].detail] = ports[p];
        ports[p] = (struct evtchn_binding){ 0 };
    }
    spin_unlock_irqrestore(&ports_lock, f);
    struct shared_info *s = HYPERVISOR_shared_info;
    for (unsigned i = 0; i < ARRAY_SIZE(s->evtchn_mask); i++)
        s->evtchn_mask[i] = ~(xen_ulong_t)0;
    scan_pos = (struct evtchn_scan_pos){ 0 };
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
    struct shared_info *s = HYPERVISOR_shared_info;
    for (unsigned i = 0; i < ARRAY_SIZE(s->evtchn_mask); i++)
        s->evtchn_mask[i] = ~(xen_ulong_t)0;
    return set_callback_vector();
}

static int install(evtchn_port_t port, evtchn_handler_t h, void *arg, const char *name,
                   enum evtchn_kind kind, uint32_t detail)
{
    if (port >= EVTCHN_MAX_PORTS) {
        printk("evtchn: port %u for %s is beyond the %u ports domu handles", port, name,
               EVTCHN_MAX_PORTS);
        struct evtchn_close c = { .port = port };
        if (kind != EVTCHN_EXTERNAL)
            HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
        return -ENOSPC;
    }
    unsigned long f = spin_lock_irqsave(&ports_lock);
    ports[port] = (struct evtchn_binding){ .handler = h, .arg = arg, .name = name, .kind = kind,
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
    ports[port] = (struct evtchn_binding){ 0 };
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
    evtchn_bit_clear(HYPERVISOR_shared_info->evtchn_pending, port);
}

void evtchn_mask(evtchn_port_t port)
{
    evtchn_bit_set(HYPERVISOR_shared_info->evtchn_mask, port);
}

void evtchn_unmask(evtchn_port_t port)
{
    /* Setting the upcall flag ourselves would only be seen at Xen's next
     * entry to the guest, which an idle vCPU may not make for long. */
    if (!evtchn_unmask_needs_xen(HYPERVISOR_shared_info, port))
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
    if (ports[port].handler)
        ports[port].lateeoi = true;
    spin_unlock_irqrestore(&ports_lock, f);
}

void evtchn_eoi(evtchn_port_t port, bool found_work)
{
    if (port >= EVTCHN_MAX_PORTS)
        return;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    bool late = ports[port].handler && ports[port].lateeoi;
    /* Counted only for an event: owners may eoi ports that had none. */
    if (late && ports[port].eoi_due) {
        if (!found_work)
            ports[port].spurious++;
        if (ports[port].rescue_open && !found_work)
            ports[port].rescued_late++; /* the rescued work's own event */
        ports[port].rescue_open = false;
        ports[port].eoi_due = false;
    }
    spin_unlock_irqrestore(&ports_lock, f);
    if (late)
        evtchn_unmask(port);
}

void evtchn_count_rescued(evtchn_port_t port)
{
    if (port >= EVTCHN_MAX_PORTS)
        return;
    bool pending = evtchn_bit_test(HYPERVISOR_shared_info->evtchn_pending, port);
    unsigned long f = spin_lock_irqsave(&ports_lock);
    if (ports[port].handler) {
        ports[port].rescued++;
        ports[port].rescue_open = true;
        if (pending)
            ports[port].rescued_pending++;
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
    if (port < EVTCHN_MAX_PORTS && ports[port].handler) {
        h = ports[port].handler;
        harg = ports[port].arg;
        ports[port].count++;
        if (ports[port].lateeoi) {
            evtchn_mask(port); /* until the owner's evtchn_eoi */
            ports[port].eoi_due = true;
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
    unsigned n = evtchn_scan_pending(HYPERVISOR_shared_info, xen_vcpu_info(), &scan_pos,
                                     EVTCHN_UPCALL_BUDGET, dispatch, 0);
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
    bool bound = ports[port].handler != 0;
    if (bound)
        *out = ports[port];
    spin_unlock_irqrestore(&ports_lock, f);
    return bound;
}

unsigned evtchn_bound_count(void)
{
    unsigned n = 0;
    unsigned long f = spin_lock_irqsave(&ports_lock);
    for (unsigned i = 0; i < EVTCHN_MAX_PORTS; i++)
        if (ports[i].handler)
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
