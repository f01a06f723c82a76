#ifndef KERN_WAIT_H
#define KERN_WAIT_H
/* Wait queues with deadlines. Every wait in the kernel names a deadline;
 * wait_event_until returns -ETIMEDOUT when it passes, so the caller can
 * say what it was waiting for. */
#include "kern/kernel.h"
#include "kern/sched.h"
#include "xen/time.h"
#include "arch/x86/cpu.h"

struct waitq {
    struct list waiters; /* threads, through their run_link */
};

#define WAITQ_INIT(name) { LIST_INIT((name).waiters) }

static inline void waitq_init(struct waitq *wq) { list_init(&wq->waiters); }

/* Interrupts off: queue the current thread and block. 0 or -ETIMEDOUT. */
static inline int waitq_block(struct waitq *wq, uint64_t deadline)
{
    struct thread *t = thread_current();
    /* No clock read here: a deadline already past fires at once through
     * the timer (on this host every clock read is a trap to Xen). */
    list_add_tail(&wq->waiters, &t->run_link);
    int r = sched_block(deadline);
    if (list_linked(&t->run_link))
        list_del(&t->run_link);
    return r;
}

void waitq_wake_all(struct waitq *wq);
void waitq_wake_one(struct waitq *wq);

/* Waits until cond holds (checked with interrupts off, so a wake-up from
 * an event handler cannot slip between the check and the block) or the
 * deadline passes. 0 or -ETIMEDOUT. */
#define wait_event_until(wq, cond, deadline)                               \
    ({                                                                     \
        int __ret = 0;                                                     \
        unsigned long __f = irq_save();                                    \
        while (!(cond)) {                                                  \
            if (waitq_block((wq), (deadline)) == -ETIMEDOUT && !(cond)) {  \
                __ret = -ETIMEDOUT;                                        \
                break;                                                     \
            }                                                              \
        }                                                                  \
        irq_restore(__f);                                                  \
        __ret;                                                             \
    })

/* A sleeping lock for threads. */
struct mutex {
    struct thread *owner;
    struct waitq wq;
};
#define MUTEX_INIT(name) { 0, WAITQ_INIT((name).wq) }
int mutex_lock_until(struct mutex *m, uint64_t deadline);
/* Takes the mutex if it is free: true if taken (no clock read). */
static inline bool mutex_trylock(struct mutex *m)
{
    if (m->owner)
        return false;
    m->owner = thread_current();
    return true;
}
/* Takes the mutex, waiting at most ns: the clock (a trap to Xen with an
 * emulated TSC) is read only when the mutex is held by another. */
int mutex_lock_within(struct mutex *m, uint64_t ns);
void mutex_unlock(struct mutex *m);
#endif
