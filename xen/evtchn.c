#include "kern/kernel.h"
#include "xen/evtchn.h"
#include "xen/evtchn_scan.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"
#include "arch/x86/cpu.h"

static struct evtchn_binding ports[EVTCHN_MAX_PORTS];
static uint64_t stray_events;

const char *evtchn_kind_name(enum evtchn_kind k)
{
    static const char *const names[] = { "free", "virq", "unbound", "interdomain", "ipi",
                                         "external" };
    return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

static int set_callback_vector(void)
{
    uint64_t via = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | XEN_CALLBACK_VECTOR;
    int rc = hvm_set_param(HVM_PARAM_CALLBACK_IRQ, via);
    if (rc)
        printk("evtchn: HVM_PARAM_CALLBACK_IRQ (vector 0x%x) failed: %d", XEN_CALLBACK_VECTOR,
               rc);
    return rc;
}

void evtchn_resume(bool cancelled)
{
    if (cancelled)
        return; /* same domain: every binding still holds */
    struct evtchn_binding virqs[8];
    unsigned n = 0;
    for (unsigned p = 0; p < EVTCHN_MAX_PORTS; p++) {
        if (ports[p].handler && ports[p].kind == EVTCHN_VIRQ && n < ARRAY_SIZE(virqs))
            virqs[n++] = ports[p];
        ports[p] = (struct evtchn_binding){ 0 };
    }
    struct shared_info *s = HYPERVISOR_shared_info;
    for (unsigned i = 0; i < ARRAY_SIZE(s->evtchn_mask); i++)
        s->evtchn_mask[i] = ~(xen_ulong_t)0;
    set_callback_vector();
    for (unsigned i = 0; i < n; i++) {
        evtchn_port_t port;
        evtchn_bind_virq(virqs[i].detail, virqs[i].handler, virqs[i].arg, virqs[i].name, &port);
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
    unsigned long f = irq_save();
    ports[port] = (struct evtchn_binding){ h, arg, name, kind, detail, 0 };
    irq_restore(f);
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
    unsigned long f = irq_save();
    ports[port] = (struct evtchn_binding){ 0 };
    irq_restore(f);
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
    /* If it became pending while masked, the upcall flag is raised again
     * and the vector fires as soon as interrupts are on. */
    evtchn_unmask_bits(HYPERVISOR_shared_info, xen_vcpu_info(), port);
}

static void dispatch(evtchn_port_t port, void *arg)
{
    if (port < EVTCHN_MAX_PORTS && ports[port].handler) {
        ports[port].count++;
        ports[port].handler(port, ports[port].arg);
    } else {
        /* An event for a port nobody handles: keep it masked. */
        stray_events++;
        evtchn_mask(port);
    }
}

void evtchn_do_upcall(void)
{
    evtchn_scan_pending(HYPERVISOR_shared_info, xen_vcpu_info(), dispatch, 0);
}

const struct evtchn_binding *evtchn_binding(evtchn_port_t port)
{
    if (port >= EVTCHN_MAX_PORTS || !ports[port].handler)
        return 0;
    return &ports[port];
}

unsigned evtchn_bound_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < EVTCHN_MAX_PORTS; i++)
        if (ports[i].handler)
            n++;
    return n;
}
