#ifndef XEN_HYPERVISOR_H
#define XEN_HYPERVISOR_H
/* Finding Xen, the hypercall page, shared_info and the feature flags. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>

extern struct shared_info *HYPERVISOR_shared_info;

struct xen_info {
    uint32_t cpuid_base;   /* 0x40000000 + n*0x100 */
    uint16_t major, minor; /* XENVER_version */
    char extra[16];        /* XENVER_extraversion, e.g. ".5" */
    uint32_t features;     /* XENVER_get_features submap 0 */
    domid_t domid;         /* from XenStore once it is up */
    uint64_t shared_info_gfn; /* where shared_info is mapped */
};
extern struct xen_info xen_info;

/* CPUID detection and hypercall page set-up: 0, or -ENODEV off Xen. */
int xen_detect(void);
/* Version and feature flags (needs the hypercall page). */
void xen_read_version(void);
/* Maps shared_info at the given guest frame. */
int xen_map_shared_info(uint64_t gfn);
bool xen_feature(unsigned int flag);
/* This vCPU's slot (time, event-pending bits), in struct cpu. */
struct vcpu_info *xen_vcpu_info(void);
/* The pages the domain holds now (XENMEM_current_reservation), or < 0. */
long xen_current_reservation(void);
/* SCHEDOP_shutdown; returns only for SHUTDOWN_suspend (the result). */
long xen_shutdown(unsigned int reason);
const char *xen_shutdown_reason_name(unsigned int reason);
#endif
