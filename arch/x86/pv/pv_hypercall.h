#ifndef ARCH_X86_PV_HYPERCALL_H
#define ARCH_X86_PV_HYPERCALL_H
/* The hypercalls only a PV guest makes (memory management, traps,
 * callbacks), through the same page as the others (xen/hypercall.h). */
#include "xen/hypercall.h"

static inline long _hypercall4(unsigned long nr, unsigned long a1, unsigned long a2,
                               unsigned long a3, unsigned long a4)
{
    long ret;
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    register unsigned long r10 __asm__("r10") = a4;
    unsigned long stub = (unsigned long)hypercall_page + nr * 32;
    __asm__ volatile("call *%[stub]"
                     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10)
                     : [stub] "r"(stub)
                     : "memory", "r8", "r9", "rcx", "r11");
    return ret;
}

static inline long HYPERVISOR_set_trap_table(const struct trap_info *t)
{
    return _hypercall2(__HYPERVISOR_set_trap_table, (unsigned long)t, 0);
}

static inline long HYPERVISOR_set_callbacks(unsigned long event, unsigned long failsafe,
                                            unsigned long syscall)
{
    return _hypercall3(__HYPERVISOR_set_callbacks, event, failsafe, syscall);
}

static inline long HYPERVISOR_mmu_update(struct mmu_update *req, unsigned count,
                                         unsigned *done, domid_t dom)
{
    return _hypercall4(__HYPERVISOR_mmu_update, (unsigned long)req, count, (unsigned long)done,
                       dom);
}

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned count, unsigned *done,
                                        domid_t dom)
{
    return _hypercall4(__HYPERVISOR_mmuext_op, (unsigned long)op, count, (unsigned long)done,
                       dom);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte,
                                                unsigned long flags)
{
    return _hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
    return _hypercall2(__HYPERVISOR_fpu_taskswitch, (unsigned long)set, 0);
}
#endif
