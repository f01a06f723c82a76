#include "kern/kernel.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"
#include "arch/x86/cpu.h"
#include "kern/percpu.h"
#include <xen/features.h>

struct shared_info *HYPERVISOR_shared_info;
struct xen_info xen_info;

int xen_detect(void)
{
    for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
        uint32_t a, b, c, d;
        cpuid(base, &a, &b, &c, &d);
        char sig[13];
        memcpy(sig + 0, &b, 4);
        memcpy(sig + 4, &c, 4);
        memcpy(sig + 8, &d, 4);
        sig[12] = 0;
        if (strcmp(sig, "XenVMMXenVMM") != 0 || a < base + 2)
            continue;
        xen_info.cpuid_base = base;
        cpuid(base + 1, &a, &b, &c, &d);
        xen_info.major = (uint16_t)(a >> 16);
        xen_info.minor = (uint16_t)a;
        /* Leaf 2: EBX is the MSR that makes Xen write the hypercall page. */
        cpuid(base + 2, &a, &b, &c, &d);
        if (a < 1)
            return -ENODEV;
        wrmsr(b, (uint64_t)(uintptr_t)hypercall_page);
        return 0;
    }
    return -ENODEV;
}

void xen_read_version(void)
{
    long v = HYPERVISOR_xen_version(XENVER_version, 0);
    if (v > 0) {
        xen_info.major = (uint16_t)(v >> 16);
        xen_info.minor = (uint16_t)v;
    }
    xen_extraversion_t extra;
    if (HYPERVISOR_xen_version(XENVER_extraversion, extra) == 0) {
        extra[sizeof(extra) - 1] = 0;
        strlcpy_k(xen_info.extra, extra, sizeof(xen_info.extra));
    }
    xen_feature_info_t fi = { .submap_idx = 0 };
    if (HYPERVISOR_xen_version(XENVER_get_features, &fi) == 0)
        xen_info.features = fi.submap;
}

bool xen_feature(unsigned int flag)
{
    return flag < 32 && (xen_info.features >> flag) & 1;
}

int xen_map_shared_info(uint64_t gfn)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = gfn,
    };
    long rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
    if (rc)
        return (int)rc;
    xen_info.shared_info_gfn = gfn;
    HYPERVISOR_shared_info = (struct shared_info *)(uintptr_t)(gfn << 12);
    /* vCPU 0's slot in shared_info (the SMP work registers each vCPU's
     * own with VCPUOP_register_vcpu_info). */
    this_cpu()->vcpu_info = &HYPERVISOR_shared_info->vcpu_info[0];
    return 0;
}

struct vcpu_info *xen_vcpu_info(void)
{
    return this_cpu()->vcpu_info;
}

long xen_current_reservation(void)
{
    domid_t self = DOMID_SELF;
    return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

long xen_shutdown(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };
    return HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

const char *xen_shutdown_reason_name(unsigned int reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return "poweroff";
    case SHUTDOWN_reboot:
        return "reboot";
    case SHUTDOWN_suspend:
        return "suspend";
    case SHUTDOWN_crash:
        return "crash";
    case SHUTDOWN_watchdog:
        return "watchdog";
    case SHUTDOWN_soft_reset:
        return "soft_reset";
    default:
        return "unknown";
    }
}
