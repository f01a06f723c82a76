#ifndef XEN_TIME_H
#define XEN_TIME_H
/* Time from Xen's PV clock: the kernel's clock source (time_now_ns and
 * the one-shot timer, kern/clock.h), wall clock, save/restore. */
#include <stdint.h>
#include <stdbool.h>
#include "kern/clock.h"

/* Checks the PV clock runs and registers it as the kernel's clock. */
int time_init(void);
/* Binds VIRQ_TIMER: the one-shot's event runs the kernel's timers. */
int time_bind_timer_virq(void);
/* Nanoseconds since the kernel's first instruction. */
uint64_t time_since_entry_ns(void);
/* Wall-clock time (UTC). */
void time_wallclock(uint64_t *sec, uint32_t *nsec);
/* Around a save/restore: time keeps running forward across it, by the
 * wall-clock time the domain was away. */
void time_suspend(void);
void time_resume(bool cancelled);
/* Wall-clock nanoseconds between the last suspend and its resume. */
uint64_t time_last_away_ns(void);
/* All the time spent away since boot: a wait that must not count a
 * save's downtime against its deadline moves the deadline by the growth
 * of this. */
uint64_t time_total_away_ns(void);
#endif
