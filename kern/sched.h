#ifndef KERN_SCHED_H
#define KERN_SCHED_H
/* Cooperative threads. A thread runs until it blocks, yields or exits;
 * event handlers (interrupt context) only wake threads. The run queue,
 * the thread list and every thread's state are under the scheduler's
 * spinlock, which a switch hands from the old thread to the new one. */
#include <stdint.h>
#include "kern/list.h"
#include "kern/timer.h"
#include "kern/spinlock.h"

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct thread {
    uint64_t rsp;             /* saved stack pointer while switched out */
    char name[24];
    enum thread_state state;
    struct list run_link;     /* on the run queue (scheduler lock) */
    struct list wait_link;    /* on a wait queue (that queue's lock) */
    struct list all_link;     /* on the list of all threads */
    struct timer wake_timer;  /* deadline of the current block */
    int wake_reason;          /* 0 woken, -ETIMEDOUT deadline passed */
    void *stack;
    size_t stack_size;
    void (*fn)(void *);
    void *arg;
    uint64_t switches;        /* times it was switched in */
    uint32_t id;
};

void sched_init(void);
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
struct thread *thread_current(void);
void thread_yield(void);
__attribute__((noreturn)) void thread_exit(void);
/* Blocks the current thread until thread_wake or the deadline; interrupts
 * must be off. Returns 0 if woken, -ETIMEDOUT at the deadline. */
int sched_block(uint64_t deadline);
/* The same, for a thread that queued itself under lock l (held, with
 * interrupts off): l is dropped once the thread is marked blocked, so a
 * wake-up cannot be lost between the two, and taken again on return. */
int sched_block_releasing(struct spinlock *l, uint64_t deadline);
/* Makes a blocked thread runnable (any context): false if it was not
 * blocked (already woken, e.g. by its deadline). */
bool thread_wake(struct thread *t);
void thread_sleep_ns(uint64_t ns);
/* The boot context becomes the idle thread: never returns. */
__attribute__((noreturn)) void sched_idle_loop(void);

/* For the shell and tests: calls fn for a copy of every thread. */
void sched_for_each(void (*fn)(struct thread *t, void *arg), void *arg);
unsigned sched_thread_count(void);
const char *thread_state_name(enum thread_state s);
#endif
