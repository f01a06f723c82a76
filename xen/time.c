#include "kern/kernel.h"
#include "kern/timer.h"
#include "kern/clock.h"
#include "xen/time.h"
#include "xen/pvclock.h"
#include "xen/hypervisor.h"
#include "xen/hypercall.h"
#include "xen/evtchn.h"
#include "arch/x86/cpu.h"
#include "lib/barrier.h"

extern uint64_t boot_tsc;

static uint64_t read_tsc(void)
{
    return rdtsc();
}

static const volatile struct vcpu_time_info *time_info(void)
{
    return &xen_vcpu_info()->time;
}

/* Xen's system time restarts elsewhere after a restore or migration; the
 * offset keeps our clock monotonic. */
static int64_t time_offset;
static uint64_t suspend_now, suspend_wall, last_away, total_away;

static uint64_t raw_now(void)
{
    struct vcpu_time_info snap;
    uint64_t tsc;
    pvclock_snapshot(time_info(), &snap, read_tsc, &tsc);
    return pvclock_system_time(&snap, tsc);
}

static uint64_t pv_now_ns(void)
{
    return raw_now() + (uint64_t)time_offset;
}

uint64_t time_since_entry_ns(void)
{
    struct vcpu_time_info snap;
    uint64_t tsc;
    pvclock_snapshot(time_info(), &snap, read_tsc, &tsc);
    return pvclock_scale(tsc - boot_tsc, snap.tsc_to_system_mul, snap.tsc_shift);
}

/* Wall clock in ns: Xen's boot-time base plus raw system time. */
static uint64_t wall_ns(void)
{
    struct shared_info *s = HYPERVISOR_shared_info;
    uint32_t v, ws, wn, wshi;
    do {
        v = READ_ONCE(s->wc_version);
        xen_rmb();
        ws = s->wc_sec;
        wn = s->wc_nsec;
        wshi = s->xen_wc_sec_hi;
        xen_rmb();
    } while ((v & 1) || v != READ_ONCE(s->wc_version));
    return ((((uint64_t)wshi << 32) | ws) * NS_PER_SEC) + wn + raw_now();
}

void time_wallclock(uint64_t *sec, uint32_t *nsec)
{
    uint64_t w = wall_ns();
    *sec = w / NS_PER_SEC;
    *nsec = (uint32_t)(w % NS_PER_SEC);
}

uint64_t time_last_away_ns(void)
{
    return last_away;
}

uint64_t time_total_away_ns(void)
{
    return total_away;
}

void time_suspend(void)
{
    suspend_now = time_now_ns();
    suspend_wall = wall_ns();
}

void time_resume(bool cancelled)
{
    uint64_t wall = wall_ns();
    uint64_t away = wall > suspend_wall ? wall - suspend_wall : 0;
    last_away = away;
    total_away += away;
    if (cancelled)
        return;
    time_offset = (int64_t)(suspend_now + away - raw_now());
    timer_resume();
}

static void pv_set_oneshot(uint64_t deadline_ns)
{
    if (deadline_ns == 0 || deadline_ns == DEADLINE_NEVER) {
        HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
        return;
    }
    /* Xen counts in its own system time, without our offset. No
     * VCPU_SSHOTTMR_future: a deadline already past fires at once. */
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline_ns - (uint64_t)time_offset,
                                           .flags = 0 };
    long rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
    if (rc)
        printk("time: VCPUOP_set_singleshot_timer failed: %ld", rc);
}

static void timer_virq(evtchn_port_t port, void *arg)
{
    timer_run_expired();
}

static const struct clock_source pv_clock = {
    .name = "xen-pvclock",
    .now_ns = pv_now_ns,
    .set_oneshot = pv_set_oneshot,
};

int time_init(void)
{
    if (time_info()->tsc_to_system_mul == 0)
        return -ENODEV;
    clock_register(&pv_clock);
    return 0;
}

int time_bind_timer_virq(void)
{
    evtchn_port_t port;
    return evtchn_bind_virq(VIRQ_TIMER, timer_virq, 0, "timer", &port);
}
