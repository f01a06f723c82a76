#include "xen/pvclock.h"
#include "lib/barrier.h"

uint64_t pvclock_system_time(const struct vcpu_time_info *snap, uint64_t tsc)
{
    uint64_t delta = tsc - snap->tsc_timestamp;
    /* A TSC behind the timestamp (another vCPU's update) counts as zero. */
    if ((int64_t)delta < 0)
        delta = 0;
    return snap->system_time + pvclock_scale(delta, snap->tsc_to_system_mul, snap->tsc_shift);
}

void pvclock_snapshot(const volatile struct vcpu_time_info *t, struct vcpu_time_info *snap,
                      uint64_t (*read_tsc)(void), uint64_t *tsc)
{
    uint32_t v;
    do {
        v = t->version;
        xen_rmb();
        snap->tsc_timestamp = t->tsc_timestamp;
        snap->system_time = t->system_time;
        snap->tsc_to_system_mul = t->tsc_to_system_mul;
        snap->tsc_shift = t->tsc_shift;
        snap->flags = t->flags;
        *tsc = read_tsc();
        xen_rmb();
    } while ((v & 1) || v != t->version);
    snap->version = v;
}
