#include "kern/wait.h"

void waitq_wake_all(struct waitq *wq)
{
    unsigned long f = irq_save();
    while (!list_empty(&wq->waiters)) {
        struct thread *t = list_entry(wq->waiters.next, struct thread, run_link);
        list_del(&t->run_link);
        thread_wake(t);
    }
    irq_restore(f);
}

void waitq_wake_one(struct waitq *wq)
{
    unsigned long f = irq_save();
    if (!list_empty(&wq->waiters)) {
        struct thread *t = list_entry(wq->waiters.next, struct thread, run_link);
        list_del(&t->run_link);
        thread_wake(t);
    }
    irq_restore(f);
}

int mutex_lock_until(struct mutex *m, uint64_t deadline)
{
    struct thread *self = thread_current();
    BUG_ON(m->owner == self);
    int r = wait_event_until(&m->wq, m->owner == 0, deadline);
    if (r == 0)
        m->owner = self;
    return r;
}

int mutex_lock_within(struct mutex *m, uint64_t ns)
{
    if (mutex_trylock(m))
        return 0;
    return mutex_lock_until(m, time_now_ns() + ns);
}

void mutex_unlock(struct mutex *m)
{
    BUG_ON(m->owner != thread_current());
    m->owner = 0;
    waitq_wake_one(&m->wq);
}
