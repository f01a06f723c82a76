#ifndef XEN_HYPERCALL_H
#define XEN_HYPERCALL_H
/* Hypercalls through the page Xen filled in (one 32-byte stub each).
 * Arguments go in rdi, rsi, rdx, r10, r8; Xen may clobber them. */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/memory.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/version.h>
#include <xen/vcpu.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

extern char hypercall_page[];


static inline long _hypercall2(unsigned long nr, unsigned long a1, unsigned long a2)
{
    long ret;
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    unsigned long stub = (unsigned long)hypercall_page + nr * 32;
    __asm__ volatile("call *%[stub]"
                     : "=a"(ret), "+r"(rdi), "+r"(rsi)
                     : [stub] "r"(stub)
                     : "memory", "rdx", "r10", "r8", "r9", "rcx", "r11");
    return ret;
}

static inline long _hypercall3(unsigned long nr, unsigned long a1, unsigned long a2,
                               unsigned long a3)
{
    long ret;
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    unsigned long stub = (unsigned long)hypercall_page + nr * 32;
    __asm__ volatile("call *%[stub]"
                     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
                     : [stub] "r"(stub)
                     : "memory", "r10", "r8", "r9", "rcx", "r11");
    return ret;
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_sched_op, (unsigned long)cmd, (unsigned long)arg);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_memory_op, cmd, (unsigned long)arg);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_event_channel_op, (unsigned long)cmd, (unsigned long)arg);
}

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *arg, unsigned int count)
{
    return _hypercall3(__HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_xen_version, (unsigned long)cmd, (unsigned long)arg);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return _hypercall3(__HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu, (unsigned long)arg);
}

static inline long HYPERVISOR_hvm_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_hvm_op, (unsigned long)cmd, (unsigned long)arg);
}

static inline long HYPERVISOR_console_io(int cmd, unsigned int count, const char *buf)
{
    return _hypercall3(__HYPERVISOR_console_io, (unsigned long)cmd, count, (unsigned long)buf);
}

/* HVMOP_get_param for our own domain; 0 or -errno. */
static inline int hvm_get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
    long rc = HYPERVISOR_hvm_op(HVMOP_get_param, &p);
    if (rc == 0)
        *value = p.value;
    return (int)rc;
}

static inline int hvm_set_param(uint32_t index, uint64_t value)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index, .value = value };
    return (int)HYPERVISOR_hvm_op(HVMOP_set_param, &p);
}
#endif
