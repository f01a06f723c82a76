#include "kern/clock.h"

static const struct clock_source *source;
static uint64_t recent;

void clock_register(const struct clock_source *src)
{
    source = src;
}

uint64_t time_now_ns(void)
{
    if (!source)
        return 0;
    uint64_t now = source->now_ns();
    /* Racy on several vCPUs by design: a coarse value, any recent one. */
    if (now > __atomic_load_n(&recent, __ATOMIC_RELAXED))
        __atomic_store_n(&recent, now, __ATOMIC_RELAXED);
    return now;
}

uint64_t time_recent_ns(void)
{
    return __atomic_load_n(&recent, __ATOMIC_RELAXED);
}

void clock_set_oneshot(uint64_t deadline_ns)
{
    if (source)
        source->set_oneshot(deadline_ns);
}
