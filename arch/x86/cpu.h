#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H
/* Thin wrappers over the x86 instructions the kernel needs. */
#include <stdint.h>
#include <stdbool.h>

/* A PV kernel runs in ring 3, where cli/sti/hlt and cr2 fault: the PV
 * entry sets cpu_pv and these go to vcpu_info instead (its
 * evtchn_upcall_mask is the interrupt flag; arch/x86/pv/pv_cpu.c). */
extern bool cpu_pv;
unsigned long pv_irq_save(void);
void pv_irq_restore(unsigned long flags);
void pv_irq_enable_and_block(void);
bool pv_irqs_enabled(void);
uint64_t pv_read_cr2(void);

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

#ifdef HOST_UNIT_TEST
/* Host unit tests run in user mode, where cli/sti fault: there the
 * interrupt flag is a variable the test defines and inspects. */
extern unsigned long host_irq_flags;
static inline unsigned long irq_save(void)
{
    unsigned long flags = host_irq_flags;
    host_irq_flags &= ~0x200UL;
    return flags;
}

static inline void irq_restore(unsigned long flags)
{
    host_irq_flags |= flags & 0x200;
}
#else
static inline unsigned long irq_save(void)
{
    if (cpu_pv)
        return pv_irq_save();
    unsigned long flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
    return flags;
}

static inline void irq_restore(unsigned long flags)
{
    if (cpu_pv)
        pv_irq_restore(flags);
    else if (flags & 0x200)
        __asm__ volatile("sti" ::: "memory");
}
#endif

static inline void irq_enable(void)
{
    if (cpu_pv)
        pv_irq_restore(0x200);
    else
        __asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
    if (cpu_pv)
        pv_irq_save();
    else
        __asm__ volatile("cli" ::: "memory");
}

static inline int irqs_enabled(void)
{
    if (cpu_pv)
        return pv_irqs_enabled();
    unsigned long flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    return (flags & 0x200) != 0;
}

/* Enable interrupts and halt, atomically: an interrupt that is already
 * pending is taken before the halt, so no wake-up is lost. Xen turns the
 * HLT of an HVM/PVH vCPU into SCHEDOP_block. */
static inline void irq_enable_and_halt(void)
{
    if (cpu_pv)
        pv_irq_enable_and_block();
    else
        __asm__ volatile("sti; hlt" ::: "memory");
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

static inline uint64_t read_cr2(void)
{
    if (cpu_pv)
        return pv_read_cr2();
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

#define barrier() __asm__ volatile("" ::: "memory")
#define mb()  __asm__ volatile("mfence" ::: "memory")
#define rmb() __asm__ volatile("lfence" ::: "memory")
#define wmb() __asm__ volatile("sfence" ::: "memory")

#endif
