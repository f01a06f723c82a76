#ifndef KERN_TIMER_H
#define KERN_TIMER_H
/* One-shot kernel timers, kept sorted per CPU; the earliest is programmed
 * into the clock's one-shot event (kern/clock.h). Callbacks run in
 * interrupt context, with no timer lock held (they may arm timers). */
#include <stdint.h>
#include <stdbool.h>
#include "kern/list.h"
#include "kern/spinlock.h"

/* A CPU's armed timers (in struct cpu, kern/percpu.h). */
struct timer_queue {
    struct spinlock lock;
    struct list timers;  /* armed, earliest deadline first */
    uint64_t programmed; /* deadline given to the clock, 0 if none */
};
#define TIMER_QUEUE_INIT(q) { SPINLOCK_INIT("timers"), LIST_INIT((q).timers), 0 }

struct timer {
    struct list link;
    uint64_t deadline; /* absolute, time_now_ns() scale */
    void (*fn)(struct timer *t);
    void *arg;
    bool armed;
    struct timer_queue *queue; /* where it is armed */
};

void timer_init(struct timer *t, void (*fn)(struct timer *), void *arg);
/* Arms (or moves) t on this CPU's queue. */
void timer_arm(struct timer *t, uint64_t deadline);
void timer_cancel(struct timer *t);
/* The one-shot event: runs this CPU's expired timers, in deadline order,
 * and programs the next one. */
void timer_run_expired(void);
unsigned timer_count_armed(void);
/* The one-shot timer was lost with the old domain: program it again. */
void timer_resume(void);
#endif
