/* The 2-level event channel ABI: bitmaps in shared_info, the scan of
 * xen/evtchn_scan.c. What every domain starts with. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "xen/evtchn_abi.h"
#include "xen/evtchn_scan.h"
#include "xen/hypervisor.h"

/* Where the next upcall's scan starts (vCPU 0's; only the upcall uses it). */
static struct evtchn_scan_pos scan_pos;

static void mask_all(void)
{
    struct shared_info *s = HYPERVISOR_shared_info;
    for (unsigned i = 0; i < ARRAY_SIZE(s->evtchn_mask); i++)
        s->evtchn_mask[i] = ~(xen_ulong_t)0;
}

static int l2_setup(evtchn_port_t port)
{
    return port < EVTCHN_2L_NR_PORTS ? 0 : -ENOSPC;
}

static void l2_mask(evtchn_port_t port)
{
    evtchn_bit_set(HYPERVISOR_shared_info->evtchn_mask, port);
}

static void l2_clear_pending(evtchn_port_t port)
{
    evtchn_bit_clear(HYPERVISOR_shared_info->evtchn_pending, port);
}

static bool l2_is_pending(evtchn_port_t port)
{
    return evtchn_bit_test(HYPERVISOR_shared_info->evtchn_pending, port);
}

static bool l2_unmask_needs_xen(evtchn_port_t port)
{
    return evtchn_unmask_needs_xen(HYPERVISOR_shared_info, port);
}

static unsigned l2_handle_events(unsigned budget, evtchn_abi_dispatch_fn fn, void *arg)
{
    return evtchn_scan_pending(HYPERVISOR_shared_info, xen_vcpu_info(), &scan_pos, budget, fn,
                               arg);
}

static int l2_resume(void)
{
    mask_all();
    scan_pos = (struct evtchn_scan_pos){ 0 };
    return 0;
}

static void l2_describe(char *buf, unsigned cap)
{
    k_snprintf(buf, cap, "shared_info bitmaps");
}

const struct evtchn_abi evtchn_abi_2l = {
    .name = "2level",
    .max_ports = EVTCHN_2L_NR_PORTS,
    .setup = l2_setup,
    .mask = l2_mask,
    .clear_pending = l2_clear_pending,
    .is_pending = l2_is_pending,
    .unmask_needs_xen = l2_unmask_needs_xen,
    .handle_events = l2_handle_events,
    .resume = l2_resume,
    .describe = l2_describe,
};
