#include "kern/wait.h"

int waitq_block(struct waitq *wq, uint64_t deadline)
{
    struct thread *t = thread_current();
    list_add_tail(&wq->waiters, &t->wait_link);
    int r = sched_block_releasing(&wq->lock, deadline);
    /* Still queued if the deadline woke it rather than a waker. */
    if (list_linked(&t->wait_link))
        list_del(&t->wait_link);
    return r;
}

/* wq->lock held: takes the first waiter off; false if there is none. */
static bool wake_first(struct waitq *wq)
{
    if (list_empty(&wq->waiters))
        return false;
    struct thread *t = list_entry(wq->waiters.next, struct thread, wait_link);
    list_del(&t->wait_link);
    return thread_wake(t);
}

void waitq_wake_all(struct waitq *wq)
{
    unsigned long f = spin_lock_irqsave(&wq->lock);
    while (!list_empty(&wq->waiters))
        wake_first(wq);
    spin_unlock_irqrestore(&wq->lock, f);
}

void waitq_wake_one(struct waitq *wq)
{
    unsigned long f = spin_lock_irqsave(&wq->lock);
    while (!list_empty(&wq->waiters) && !wake_first(wq))
        ;
    spin_unlock_irqrestore(&wq->lock, f);
}

int mutex_lock_until(struct mutex *m, uint64_t deadline)
{
    BUG_ON(__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == thread_current());
    return wait_event_until(&m->wq, mutex_trylock(m), deadline);
}

int mutex_lock_within(struct mutex *m, uint64_t ns)
{
    if (mutex_trylock(m))
        return 0;
    return mutex_lock_until(m, time_now_ns() + ns);
}

void mutex_unlock(struct mutex *m)
{
    BUG_ON(__atomic_load_n(&m->owner, __ATOMIC_RELAXED) != thread_current());
    __atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
    waitq_wake_one(&m->wq);
}
