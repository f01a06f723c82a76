#ifndef XEN_TIME_H
#define XEN_TIME_H
/* Time from Xen's PV clock: monotonic ns, wall clock, one-shot timers. */
#include <stdint.h>
#include <stdbool.h>

/* Reads the clock; binds VIRQ_TIMER for the kernel's timers. */
int time_init(void);
int time_bind_timer_virq(void);
/* Monotonic nanoseconds (Xen system time). */
uint64_t time_now_ns(void);
/* The clock as last read by anyone (no trap): for coarse expiries. */
uint64_t time_recent_ns(void);
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
/* Program the one-shot timer (absolute system time); 0 stops it. */
void time_program_timer(uint64_t deadline_ns);
#endif
