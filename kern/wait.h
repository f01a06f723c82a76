#ifndef KERN_WAIT_H
#define KERN_WAIT_H
/* Wait queues with deadlines. Every wait in the kernel names a deadline;
 * wait_event_until returns -ETIMEDOUT when it passes, so the caller can
 * say what it was waiting for. */
#include "kern/kernel.h"
#include "kern/sched.h"
#include "kern/clock.h"
#include "kern/spinlock.h"
#include "arch/x86/cpu.h"

struct waitq {
    struct spinlock lock;
    struct list waiters; /* threads, through their wait_link */
};

#define WAITQ_INIT(name) { SPINLOCK_INIT("waitq"), LIST_INIT((name).waiters) }

static inline void waitq_init(struct waitq *wq)
{
    spin_lock_init(&wq->lock, "waitq");
    list_init(&wq->waiters);
}

/* wq->lock held (interrupts off): queue the current thread and block;
 * the lock is dropped while blocked and held again on return. 0 if woken,
 * -ETIMEDOUT at the deadline. No clock read here: a deadline already past
 * fires at once through the timer (on this host a read traps to Xen). */
int waitq_block(struct waitq *wq, uint64_t deadline);

void waitq_wake_all(struct waitq *wq);
/* Wakes the first waiter still blocked (one woken by its deadline meanwhile
 * checks its condition again anyway). */
void waitq_wake_one(struct waitq *wq);

/* Waits until cond holds or the deadline (read once) passes. cond is
 * checked under the queue's lock with interrupts off, so a wake-up from
 * an event handler cannot slip between the check and the block; cond must
 * not wake or wait on the same queue. 0 or -ETIMEDOUT. */
#define wait_event_until(wq, cond, deadline)                               \
    ({                                                                     \
        int __ret = 0;                                                     \
        struct waitq *__wq = (wq);                                         \
        uint64_t __deadline = (deadline);                                  \
        unsigned long __f = spin_lock_irqsave(&__wq->lock);                \
        while (!(cond)) {                                                  \
            if (waitq_block(__wq, __deadline) == -ETIMEDOUT && !(cond)) {  \
                __ret = -ETIMEDOUT;                                        \
                break;                                                     \
            }                                                              \
        }                                                                  \
        spin_unlock_irqrestore(&__wq->lock, __f);                          \
        __ret;                                                             \
    })

/* A sleeping lock for threads. */
struct mutex {
    struct thread *owner; /* changed only by compare-exchange */
    struct waitq wq;
};
#define MUTEX_INIT(name) { 0, WAITQ_INIT((name).wq) }
int mutex_lock_until(struct mutex *m, uint64_t deadline);
/* Takes the mutex if it is free: true if taken (no clock read). */
static inline bool mutex_trylock(struct mutex *m)
{
    struct thread *none = 0;
    return __atomic_compare_exchange_n(&m->owner, &none, thread_current(), false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
/* Takes the mutex, waiting at most ns: the clock (a trap to Xen with an
 * emulated TSC) is read only when the mutex is held by another. */
int mutex_lock_within(struct mutex *m, uint64_t ns);
void mutex_unlock(struct mutex *m);
#endif
