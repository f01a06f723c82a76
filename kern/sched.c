#include "kern/kernel.h"
#include "kern/sched.h"
#include "kern/percpu.h"
#include "kern/clock.h"
#include "kern/mm.h"
#include "arch/x86/cpu.h"

#define THREAD_STACK_SIZE 16384

void ctx_switch(uint64_t *save_rsp, uint64_t rsp);
void thread_trampoline(void);

/* Run queue, thread list, thread states, zombie, ids. Held across a
 * switch: the thread switched in releases what the old one took. */
static struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct list runq = LIST_INIT(runq);
static struct list all = LIST_INIT(all);
static struct thread *zombie; /* exited; freed by the next thread to run */
static uint32_t next_id = 1;

struct thread *thread_current(void)
{
    return this_cpu()->current;
}

const char *thread_state_name(enum thread_state s)
{
    switch (s) {
    case THREAD_RUNNABLE:
        return "runnable";
    case THREAD_RUNNING:
        return "running";
    case THREAD_BLOCKED:
        return "blocked";
    case THREAD_DEAD:
        return "dead";
    }
    return "?";
}

/* sched_lock held: a blocked thread goes on the run queue. */
static bool wake_locked(struct thread *t, int reason)
{
    if (t->state != THREAD_BLOCKED)
        return false;
    t->wake_reason = reason;
    t->state = THREAD_RUNNABLE;
    list_add_tail(&runq, &t->run_link);
    return true;
}

/* The deadline of a block passed. The thread stays on its wait queue
 * until it runs (only that queue's lock may take it off). */
static void wake_timer_fn(struct timer *tm)
{
    unsigned long f = spin_lock_irqsave(&sched_lock);
    wake_locked(tm->arg, -ETIMEDOUT);
    spin_unlock_irqrestore(&sched_lock, f);
}

void sched_init(void)
{
    struct thread *idle = &this_cpu()->idle;
    strlcpy_k(idle->name, "idle", sizeof(idle->name));
    idle->state = THREAD_RUNNING;
    list_init(&idle->run_link);
    list_init(&idle->wait_link);
    timer_init(&idle->wake_timer, wake_timer_fn, idle);
    unsigned long f = spin_lock_irqsave(&sched_lock);
    list_add_tail(&all, &idle->all_link);
    spin_unlock_irqrestore(&sched_lock, f);
}

/* Frees the last exited thread once it is no longer running. Called by
 * the thread switched in, sched_lock held. */
static void reap(void)
{
    if (zombie && zombie != thread_current()) {
        struct thread *z = zombie;
        zombie = 0;
        list_del(&z->all_link);
        pages_free(z->stack, z->stack_size / PAGE_SIZE);
        kfree(z);
    }
}

/* sched_lock held, interrupts off. Picks the next thread; the idle thread
 * when none. Returns with sched_lock held again (by the same thread, once
 * it is switched back in). */
static void schedule(void)
{
    struct cpu *cpu = this_cpu();
    struct thread *prev = cpu->current, *next;
    if (prev->state == THREAD_RUNNING && prev != &cpu->idle) {
        prev->state = THREAD_RUNNABLE;
        list_add_tail(&runq, &prev->run_link);
    }
    if (!list_empty(&runq)) {
        next = list_entry(runq.next, struct thread, run_link);
        list_del(&next->run_link);
    } else {
        next = &cpu->idle;
    }
    next->state = THREAD_RUNNING;
    if (next == prev)
        return;
    next->switches++;
    cpu->current = next;
    ctx_switch(&prev->rsp, next->rsp);
    reap();
}

/* A new thread's first instructions: it was switched in under sched_lock. */
__attribute__((noreturn, used)) void thread_main(struct thread *t)
{
    reap();
    spin_unlock(&sched_lock);
    irq_enable();
    t->fn(t->arg);
    thread_exit();
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
    struct thread *t = kzalloc(sizeof(*t));
    if (!t)
        return 0;
    t->stack = pages_alloc(THREAD_STACK_SIZE / PAGE_SIZE);
    if (!t->stack) {
        kfree(t);
        return 0;
    }
    t->stack_size = THREAD_STACK_SIZE;
    strlcpy_k(t->name, name, sizeof(t->name));
    t->fn = fn;
    t->arg = arg;
    list_init(&t->run_link);
    list_init(&t->wait_link);
    timer_init(&t->wake_timer, wake_timer_fn, t);
    /* A frame ctx_switch can pop: r15 r14 r13 r12 rbx rbp, then the return
     * address. r12 carries the thread to thread_trampoline. */
    uint64_t *sp = (uint64_t *)((char *)t->stack + THREAD_STACK_SIZE);
    *--sp = 0; /* keeps the trampoline's call 16-byte aligned */
    *--sp = (uint64_t)(uintptr_t)thread_trampoline;
    *--sp = 0;                      /* rbp */
    *--sp = 0;                      /* rbx */
    *--sp = (uint64_t)(uintptr_t)t; /* r12 */
    *--sp = 0;                      /* r13 */
    *--sp = 0;                      /* r14 */
    *--sp = 0;                      /* r15 */
    t->rsp = (uint64_t)(uintptr_t)sp;
    unsigned long f = spin_lock_irqsave(&sched_lock);
    t->id = next_id++;
    t->state = THREAD_RUNNABLE;
    list_add_tail(&all, &t->all_link);
    list_add_tail(&runq, &t->run_link);
    spin_unlock_irqrestore(&sched_lock, f);
    return t;
}

void thread_yield(void)
{
    unsigned long f = spin_lock_irqsave(&sched_lock);
    schedule();
    spin_unlock_irqrestore(&sched_lock, f);
}

void thread_exit(void)
{
    struct thread *self = thread_current();
    irq_disable();
    timer_cancel(&self->wake_timer);
    spin_lock(&sched_lock);
    self->state = THREAD_DEAD;
    reap(); /* at most one zombie at a time */
    zombie = self;
    schedule();
    panic("a dead thread was scheduled");
}

int sched_block_releasing(struct spinlock *l, uint64_t deadline)
{
    struct thread *t = thread_current();
    BUG_ON(irqs_enabled());
    BUG_ON(in_irq()); /* an event handler never sleeps */
    BUG_ON(t == &this_cpu()->idle);
    /* Armed before the block is visible: interrupts are off, so it cannot
     * fire before schedule() (and it is this CPU's timer). */
    if (deadline != DEADLINE_NEVER)
        timer_arm(&t->wake_timer, deadline);
    spin_lock(&sched_lock);
    t->state = THREAD_BLOCKED;
    t->wake_reason = 0;
    if (l)
        spin_unlock(l);
    schedule();
    spin_unlock(&sched_lock);
    timer_cancel(&t->wake_timer);
    if (l)
        spin_lock(l);
    return t->wake_reason;
}

int sched_block(uint64_t deadline)
{
    return sched_block_releasing(0, deadline);
}

bool thread_wake(struct thread *t)
{
    unsigned long f = spin_lock_irqsave(&sched_lock);
    bool woken = wake_locked(t, 0);
    spin_unlock_irqrestore(&sched_lock, f);
    return woken;
}

void thread_sleep_ns(uint64_t ns)
{
    uint64_t deadline = time_now_ns() + ns;
    unsigned long f = irq_save();
    while (sched_block(deadline) != -ETIMEDOUT)
        ;
    irq_restore(f);
}

void sched_idle_loop(void)
{
    for (;;) {
        unsigned long f = spin_lock_irqsave(&sched_lock);
        if (!list_empty(&runq)) {
            schedule();
            spin_unlock_irqrestore(&sched_lock, f);
            irq_enable();
            continue;
        }
        spin_unlock(&sched_lock);
        /* Nothing to run: block the vCPU until the next event (an event
         * already pending is taken before the halt). */
        irq_enable_and_halt();
    }
}

void sched_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
    /* fn may block (the shell prints): it sees copies taken under the
     * lock, so no thread can exit under it. */
    unsigned room = sched_thread_count() + 8;
    struct thread *copy = kmalloc(room * sizeof(*copy));
    if (!copy)
        return;
    unsigned n = 0;
    struct list *pos;
    unsigned long f = spin_lock_irqsave(&sched_lock);
    list_for_each(pos, &all) {
        if (n == room)
            break;
        copy[n++] = *list_entry(pos, struct thread, all_link);
    }
    spin_unlock_irqrestore(&sched_lock, f);
    for (unsigned i = 0; i < n; i++)
        fn(&copy[i], arg);
    kfree(copy);
}

unsigned sched_thread_count(void)
{
    unsigned n = 0;
    struct list *pos;
    unsigned long f = spin_lock_irqsave(&sched_lock);
    list_for_each(pos, &all)
        n++;
    spin_unlock_irqrestore(&sched_lock, f);
    return n;
}
