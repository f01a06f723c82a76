#ifndef XEN_PVCLOCK_H
#define XEN_PVCLOCK_H
/* Xen's PV clock arithmetic (struct vcpu_time_info). Pure. */
#include <stdint.h>
#include <xen/xen.h>

/* ns = ((delta << shift) * mul) >> 32, with a negative shift meaning a
 * right shift; 128-bit product so no bits are lost. */
static inline uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/* System time (ns since the domain's clock epoch) for a TSC reading, from
 * one consistent snapshot of the time info. */
uint64_t pvclock_system_time(const struct vcpu_time_info *snap, uint64_t tsc);

/* Takes a consistent snapshot, honouring the version protocol: an odd
 * version or a version that changed during the copy means Xen was
 * updating it, so copy again. read_tsc is called inside the window. */
void pvclock_snapshot(const volatile struct vcpu_time_info *t, struct vcpu_time_info *snap,
                      uint64_t (*read_tsc)(void), uint64_t *tsc);
#endif
