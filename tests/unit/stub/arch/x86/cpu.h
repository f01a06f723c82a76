#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H
/* Host tests: "interrupts off" is a counter (the test is one thread). */
#include <stdint.h>
extern int stub_irq_depth;
static inline unsigned long irq_save(void)
{
    stub_irq_depth++;
    return 0x200;
}
static inline void irq_restore(unsigned long flags)
{
    (void)flags;
    stub_irq_depth--;
}
static inline void cpu_relax(void) {}
#endif
