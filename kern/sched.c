#include "kern/kernel.h"
#include "kern/sched.h"
#include "kern/mm.h"
#include "xen/time.h"
#include "arch/x86/cpu.h"

#define THREAD_STACK_SIZE 16384

void ctx_switch(uint64_t *save_rsp, uint64_t rsp);
void thread_trampoline(void);

static struct thread idle_thread;
static struct thread *current = &idle_thread;
static struct list runq = LIST_INIT(runq);
static struct list all = LIST_INIT(all);
static struct thread *zombie; /* exited; freed by the next thread to run */
static uint32_t next_id = 1;

struct thread *thread_current(void)
{
    return current;
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

static void wake_timer_fn(struct timer *tm)
{
    struct thread *t = tm->arg;
    if (t->state == THREAD_BLOCKED) {
        t->wake_reason = -ETIMEDOUT;
        thread_wake(t);
    }
}

void sched_init(void)
{
    strlcpy_k(idle_thread.name, "idle", sizeof(idle_thread.name));
    idle_thread.state = THREAD_RUNNING;
    list_init(&idle_thread.run_link);
    timer_init(&idle_thread.wake_timer, wake_timer_fn, &idle_thread);
    list_add_tail(&all, &idle_thread.all_link);
}

static void reap(void)
{
    if (zombie && zombie != current) {
        struct thread *z = zombie;
        zombie = 0;
        list_del(&z->all_link);
        pages_free(z->stack, z->stack_size / PAGE_SIZE);
        kfree(z);
    }
}

/* Interrupts off. Picks the next thread; the idle thread when none. */
static void schedule(void)
{
    struct thread *prev = current, *next;
    if (prev->state == THREAD_RUNNING && prev != &idle_thread) {
        prev->state = THREAD_RUNNABLE;
        list_add_tail(&runq, &prev->run_link);
    }
    if (!list_empty(&runq)) {
        next = list_entry(runq.next, struct thread, run_link);
        list_del(&next->run_link);
    } else {
        next = &idle_thread;
    }
    next->state = THREAD_RUNNING;
    if (next == prev)
        return;
    next->switches++;
    current = next;
    ctx_switch(&prev->rsp, next->rsp);
    reap();
}

__attribute__((noreturn, used)) void thread_main(struct thread *t)
{
    reap();
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
    unsigned long f = irq_save();
    t->id = next_id++;
    t->state = THREAD_RUNNABLE;
    list_add_tail(&all, &t->all_link);
    list_add_tail(&runq, &t->run_link);
    irq_restore(f);
    return t;
}

void thread_yield(void)
{
    unsigned long f = irq_save();
    schedule();
    irq_restore(f);
}

void thread_exit(void)
{
    irq_disable();
    current->state = THREAD_DEAD;
    timer_cancel(&current->wake_timer);
    reap(); /* at most one zombie at a time */
    zombie = current;
    schedule();
    panic("a dead thread was scheduled");
}

int sched_block(uint64_t deadline)
{
    struct thread *t = current;
    BUG_ON(irqs_enabled());
    BUG_ON(t == &idle_thread);
    t->state = THREAD_BLOCKED;
    t->wake_reason = 0;
    if (deadline != DEADLINE_NEVER)
        timer_arm(&t->wake_timer, deadline);
    schedule();
    timer_cancel(&t->wake_timer);
    return t->wake_reason;
}

void thread_wake(struct thread *t)
{
    unsigned long f = irq_save();
    if (t->state == THREAD_BLOCKED) {
        /* leave whatever wait queue it was on */
        if (list_linked(&t->run_link))
            list_del(&t->run_link);
        t->state = THREAD_RUNNABLE;
        list_add_tail(&runq, &t->run_link);
    }
    irq_restore(f);
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
        irq_disable();
        if (!list_empty(&runq)) {
            schedule();
            irq_enable();
            continue;
        }
        /* Nothing to run: block the vCPU until the next event. */
        irq_enable_and_halt();
    }
}

void sched_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
    struct list *pos;
    list_for_each(pos, &all)
        fn(list_entry(pos, struct thread, all_link), arg);
}

unsigned sched_thread_count(void)
{
    unsigned n = 0;
    struct list *pos;
    list_for_each(pos, &all)
        n++;
    return n;
}
