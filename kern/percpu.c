#include "kern/percpu.h"

struct cpu cpu0 = {
    .current = &cpu0.idle,
    .timers = TIMER_QUEUE_INIT(cpu0.timers),
};
