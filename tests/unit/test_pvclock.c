/* PV clock arithmetic and the version protocol. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "xen/pvclock.h"

#define UNUSED_STATE (void)state

/* The reference: exact 128-bit arithmetic of the documented formula. */
static uint64_t ref_scale(uint64_t delta, uint32_t mul, int shift)
{
    unsigned __int128 d = delta;
    if (shift < 0)
        d >>= -shift;
    else
        d <<= shift;
    return (uint64_t)((d * mul) >> 32);
}

static void test_scale_known(void **state)
{
    UNUSED_STATE;
    /* 2 GHz TSC: mul = 0.5 * 2^32 */
    assert_int_equal(pvclock_scale(1000000000ULL, 0x80000000u, 0), 500000000ULL);
    /* 4 GHz: shift -1 then 0.5 */
    assert_int_equal(pvclock_scale(4000000000ULL, 0x80000000u, -1), 1000000000ULL);
    /* 500 MHz: shift +1, mul 1.0 - 2^-32 */
    assert_int_equal(pvclock_scale(500000000ULL, 0xffffffffu, 1),
                     (uint64_t)(((unsigned __int128)1000000000ULL * 0xffffffffu) >> 32));
    assert_int_equal(pvclock_scale(0, 0xffffffffu, 5), 0);
    assert_int_equal(pvclock_scale(12345, 0, 0), 0);
    /* a product that needs more than 64 bits */
    assert_int_equal(pvclock_scale(1ULL << 63, 0xffffffffu, 0), (1ULL << 63) - (1ULL << 31));
    assert_int_equal(pvclock_scale(UINT64_MAX, 0xffffffffu, 0),
                     (uint64_t)(((unsigned __int128)UINT64_MAX * 0xffffffffu) >> 32));
    /* right shifts drop the low bits before the multiply */
    assert_int_equal(pvclock_scale(7, 0x80000000u, -1), 1); /* (7 >> 1) / 2 */
    assert_int_equal(pvclock_scale(0xffffffffULL, 1, 0), 0);
    assert_int_equal(pvclock_scale(0x100000000ULL, 1, 0), 1);
}

static uint64_t rng = 0x6a09e667f3bcc908ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_scale_random(void **state)
{
    UNUSED_STATE;
    for (int i = 0; i < 200000; i++) {
        int shift = (int)(rnd() % 64) - 31; /* -31 .. 32 */
        uint32_t mul = (uint32_t)rnd();
        uint64_t delta = rnd() >> (rnd() % 64);
        if (shift > 0)
            delta >>= shift; /* keep delta << shift within 64 bits */
        uint64_t got = pvclock_scale(delta, mul, (int8_t)shift);
        assert_int_equal(got, ref_scale(delta, mul, shift));

        /* and independently in floating point */
        long double x = (long double)(shift < 0 ? delta >> -shift : delta << shift);
        long double want = x * (long double)mul / 4294967296.0L;
        long double diff = (long double)got - want;
        if (diff < -1.0L - want * 1e-18L || diff > 0.0L + want * 1e-18L)
            fail_msg("scale(%llu, %u, %d) = %llu, float %.3Lf", (unsigned long long)delta,
                     mul, shift, (unsigned long long)got, want);
    }
}

static void test_system_time(void **state)
{
    UNUSED_STATE;
    struct vcpu_time_info t;
    memset(&t, 0, sizeof(t));
    t.tsc_timestamp = 1000000;
    t.system_time = 5000000000ULL;
    t.tsc_to_system_mul = 0x80000000u; /* 2 GHz */
    t.tsc_shift = 0;
    assert_int_equal(pvclock_system_time(&t, 1000000), 5000000000ULL);
    assert_int_equal(pvclock_system_time(&t, 1000002), 5000000001ULL);
    assert_int_equal(pvclock_system_time(&t, 3000000), 5001000000ULL);
    /* a TSC behind the timestamp counts as no time at all */
    assert_int_equal(pvclock_system_time(&t, 999999), 5000000000ULL);
    assert_int_equal(pvclock_system_time(&t, 0), 5000000000ULL);

    t.tsc_shift = -2; /* 8 GHz */
    assert_int_equal(pvclock_system_time(&t, 1000000 + 8000), 5000000000ULL + 1000);
    t.tsc_shift = 1; /* 1 GHz */
    assert_int_equal(pvclock_system_time(&t, 1000000 + 8000), 5000000000ULL + 8000);

    /* a large gap (an hour at 3 GHz) */
    t.tsc_shift = 0;
    t.tsc_to_system_mul = (uint32_t)((1000000000ULL << 32) / 3000000000ULL);
    uint64_t tsc = t.tsc_timestamp + 3600ULL * 3000000000ULL;
    assert_int_equal(pvclock_system_time(&t, tsc),
                     t.system_time + ref_scale(3600ULL * 3000000000ULL,
                                               t.tsc_to_system_mul, 0));
    uint64_t ns = pvclock_system_time(&t, tsc) - t.system_time;
    assert_in_range(ns, 3600ULL * 1000000000ULL - 3600, 3600ULL * 1000000000ULL);
}

/* --- the version protocol -------------------------------------------------- */
static struct vcpu_time_info shared; /* what Xen writes */
static unsigned tsc_calls;
static uint64_t tsc_values[8];
/* What Xen does while read_tsc runs, per call: 0 nothing, 1 begin an update
 * (odd version, new fields half written), 2 finish it, 3 a whole update. */
static int actions[8];

static void fields(uint64_t base)
{
    shared.tsc_timestamp = base + 1;
    shared.system_time = base + 2;
    shared.tsc_to_system_mul = (uint32_t)(base + 3);
    shared.tsc_shift = (int8_t)(base % 7);
    shared.flags = (uint8_t)base;
}

static uint64_t fake_tsc(void)
{
    unsigned i = tsc_calls++;
    assert_true(i < 8);
    switch (actions[i]) {
    case 1:
        shared.version++;
        shared.system_time = 0xdead; /* torn */
        break;
    case 2:
        fields(2000);
        shared.version++;
        break;
    case 3:
        shared.version++;
        fields(3000);
        shared.version++;
        break;
    }
    return tsc_values[i];
}

static void reset(uint32_t version)
{
    memset(&shared, 0, sizeof(shared));
    memset(actions, 0, sizeof(actions));
    tsc_calls = 0;
    for (int i = 0; i < 8; i++)
        tsc_values[i] = 100 * (uint64_t)(i + 1);
    shared.version = version;
    fields(1000);
}

static void assert_snap(const struct vcpu_time_info *s, uint64_t base)
{
    assert_int_equal(s->tsc_timestamp, base + 1);
    assert_int_equal(s->system_time, base + 2);
    assert_int_equal(s->tsc_to_system_mul, (uint32_t)(base + 3));
    assert_int_equal(s->tsc_shift, (int8_t)(base % 7));
    assert_int_equal(s->flags, (uint8_t)base);
}

static void test_snapshot_stable(void **state)
{
    UNUSED_STATE;
    reset(2);
    struct vcpu_time_info snap;
    uint64_t tsc = 0;
    pvclock_snapshot(&shared, &snap, fake_tsc, &tsc);
    assert_int_equal(tsc_calls, 1);
    assert_int_equal(tsc, 100);
    assert_int_equal(snap.version, 2);
    assert_snap(&snap, 1000);
}

static void test_snapshot_odd_version(void **state)
{
    UNUSED_STATE;
    /* Xen is mid-update when we start; it finishes during our first read */
    reset(3);
    shared.system_time = 0xdead;
    actions[0] = 2;
    struct vcpu_time_info snap;
    uint64_t tsc = 0;
    pvclock_snapshot(&shared, &snap, fake_tsc, &tsc);
    assert_int_equal(tsc_calls, 2);
    assert_int_equal(tsc, 200); /* the TSC of the consistent pass */
    assert_int_equal(snap.version, 4);
    assert_snap(&snap, 2000);

    /* an odd version that does not change during a pass is still an update
     * in progress: the torn fields must not be taken */
    reset(3);
    shared.system_time = 0xdead;
    actions[1] = 2; /* Xen finishes only during our second pass */
    pvclock_snapshot(&shared, &snap, fake_tsc, &tsc);
    assert_int_equal(tsc_calls, 3);
    assert_int_equal(tsc, 300);
    assert_int_equal(snap.version, 4);
    assert_snap(&snap, 2000);
}

static void test_snapshot_version_changes(void **state)
{
    UNUSED_STATE;
    /* a whole update happens inside our window: even before, even after */
    reset(2);
    actions[0] = 3;
    struct vcpu_time_info snap;
    uint64_t tsc = 0;
    pvclock_snapshot(&shared, &snap, fake_tsc, &tsc);
    assert_int_equal(tsc_calls, 2);
    assert_int_equal(tsc, 200);
    assert_int_equal(snap.version, 4);
    assert_snap(&snap, 3000);

    /* an update begins in the first pass and ends in the second */
    reset(6);
    actions[0] = 1;
    actions[1] = 2;
    pvclock_snapshot(&shared, &snap, fake_tsc, &tsc);
    assert_int_equal(tsc_calls, 3);
    assert_int_equal(tsc, 300);
    assert_int_equal(snap.version, 8);
    assert_snap(&snap, 2000);

    /* two whole updates back to back */
    reset(10);
    actions[0] = 3;
    actions[1] = 3;
    pvclock_snapshot(&shared, &snap, fake_tsc, &tsc);
    assert_int_equal(tsc_calls, 3);
    assert_int_equal(snap.version, 14);
    assert_snap(&snap, 3000);

    /* the version wraps around 2^32 */
    reset(0xfffffffeu);
    actions[0] = 3;
    pvclock_snapshot(&shared, &snap, fake_tsc, &tsc);
    assert_int_equal(tsc_calls, 2);
    assert_int_equal(snap.version, 0);
    assert_snap(&snap, 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_known),
        cmocka_unit_test(test_scale_random),
        cmocka_unit_test(test_system_time),
        cmocka_unit_test(test_snapshot_stable),
        cmocka_unit_test(test_snapshot_odd_version),
        cmocka_unit_test(test_snapshot_version_changes),
    };
    return cmocka_run_group_tests_name("pvclock", tests, NULL, NULL);
}
