#ifndef KERN_CLOCK_H
#define KERN_CLOCK_H
/* The kernel's clock: one registered source (on Xen, the PV clock and
 * the vCPU's single-shot timer, from xen/time.c) gives the time and
 * programs the per-CPU one-shot event that runs timer_run_expired. The
 * kernel below the source never names the hypervisor. */
#include <stdint.h>

struct clock_source {
    const char *name;
    /* Monotonic nanoseconds. */
    uint64_t (*now_ns)(void);
    /* Programs this CPU's one-shot event at an absolute now_ns time (a
     * time already past fires at once); 0 stops it. */
    void (*set_oneshot)(uint64_t deadline_ns);
};

void clock_register(const struct clock_source *src);
/* Monotonic nanoseconds; 0 before a source is registered. */
uint64_t time_now_ns(void);
/* The clock as last read by anyone (no read of the source): for coarse
 * expiries. */
uint64_t time_recent_ns(void);
void clock_set_oneshot(uint64_t deadline_ns);
#endif
