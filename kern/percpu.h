#ifndef KERN_PERCPU_H
#define KERN_PERCPU_H
/* Everything one CPU owns, in one struct reached through this_cpu().
 * One instance today; the SMP work makes one per vCPU and this_cpu()
 * read it from a per-CPU segment base. */
#include "kern/sched.h"
#include "kern/timer.h"

struct vcpu_info; /* the hypervisor's per-vCPU slot (xen/hypervisor.c sets it) */

struct cpu {
    unsigned id;
    struct vcpu_info *vcpu_info;
    struct thread *current; /* the thread running here */
    struct thread idle;     /* runs when nothing else can */
    struct timer_queue timers;
    unsigned irq_depth;     /* > 0 while an interrupt handler runs */
};

extern struct cpu cpu0;

static inline struct cpu *this_cpu(void)
{
    return &cpu0;
}

/* True inside an interrupt (event) handler. */
static inline bool in_irq(void)
{
    return this_cpu()->irq_depth != 0;
}
#endif
