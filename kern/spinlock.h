#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H
/* Spinlocks: the one API for state shared with event handlers or with
 * other threads without a sleeping mutex. On one vCPU a lock is
 * "interrupts off" plus a held flag that catches a nested take (which
 * would deadlock on several vCPUs); the SMP work makes the same calls
 * spin and then block the vCPU in the hypervisor. Code must not rely on
 * the cooperative scheduler for exclusion: it takes one of these. */
#include <stdint.h>
#include <stdbool.h>
#include "arch/x86/cpu.h"

struct spinlock {
    volatile uint32_t held;
    const char *name; /* for the lock statistics and the nested-take panic */
};

#define SPINLOCK_INIT(n) { 0, (n) }

static inline void spin_lock_init(struct spinlock *l, const char *name)
{
    l->held = 0;
    l->name = name;
}

void spin_lock_nested_panic(struct spinlock *l) __attribute__((noreturn));

/* With interrupts already off (inside an irqsave section, or a handler):
 * takes and drops the lock alone. */
static inline void spin_lock(struct spinlock *l)
{
    if (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
        spin_lock_nested_panic(l);
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

/* Interrupts off, lock taken; returns the flags to restore. */
static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
    unsigned long f = irq_save();
    spin_lock(l);
    return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long f)
{
    spin_unlock(l);
    irq_restore(f);
}

/* Takes the lock only if it is free (interrupts stay as they were on
 * failure): true if taken, *f holds the flags to restore. */
static inline bool spin_trylock_irqsave(struct spinlock *l, unsigned long *f)
{
    *f = irq_save();
    if (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE)) {
        irq_restore(*f);
        return false;
    }
    return true;
}

static inline bool spin_is_held(const struct spinlock *l)
{
    return __atomic_load_n(&l->held, __ATOMIC_RELAXED) != 0;
}
#endif
