#ifndef KERN_TIMER_H
#define KERN_TIMER_H
/* One-shot kernel timers, kept sorted; the earliest is programmed into
 * Xen's single-shot timer. Callbacks run in interrupt context. */
#include <stdint.h>
#include <stdbool.h>
#include "kern/list.h"

struct timer {
    struct list link;
    uint64_t deadline; /* absolute, time_now_ns() scale */
    void (*fn)(struct timer *t);
    void *arg;
    bool armed;
};

void timer_init(struct timer *t, void (*fn)(struct timer *), void *arg);
void timer_arm(struct timer *t, uint64_t deadline);
void timer_cancel(struct timer *t);
/* Runs every expired timer and reprograms the hardware one. */
void timer_run_expired(void);
unsigned timer_count_armed(void);
/* The one-shot timer was lost with the old domain: program it again. */
void timer_resume(void);
#endif
