/* The balloon's frame map and step planning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dev/balloon/balloon_plan.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static void test_set_in_out_twice(void **state)
{
    UNUSED_STATE;
    uint64_t bits[2];
    struct balloon_map m;
    balloon_map_init(&m, bits, 100);
    assert_int_equal(balloon_map_bytes(100), 16);
    assert_int_equal(balloon_map_set_out(&m, 5), 0);
    assert_int_equal(balloon_map_set_out(&m, 5), -EINVAL); /* never given twice */
    assert_int_equal(balloon_map_set_out(&m, 100), -EINVAL); /* beyond the map */
    assert_true(balloon_map_is_out(&m, 5));
    assert_false(balloon_map_is_out(&m, 6));
    assert_int_equal(m.out, 1);
    assert_int_equal(balloon_map_set_in(&m, 5), 0);
    assert_int_equal(balloon_map_set_in(&m, 5), -EINVAL); /* never taken twice */
    assert_int_equal(m.out, 0);
}

static void test_find_out_wraps_no_repeats(void **state)
{
    UNUSED_STATE;
    uint64_t bits[3];
    struct balloon_map m;
    balloon_map_init(&m, bits, 130);
    uint64_t want[] = { 0, 1, 63, 64, 100, 129 };
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(balloon_map_set_out(&m, want[i]), 0);
    uint64_t got[8];
    assert_int_equal(balloon_map_find_out(&m, got, 3), 3);
    assert_int_equal(got[0], 0);
    assert_int_equal(got[1], 1);
    assert_int_equal(got[2], 63);
    /* The cursor moved on: the next search starts after 63 and wraps. */
    assert_int_equal(balloon_map_find_out(&m, got, 8), 6);
    uint64_t expect[] = { 64, 100, 129, 0, 1, 63 };
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(got[i], expect[i]);
    /* Found frames stay out until taken. */
    assert_int_equal(m.out, 6);
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(balloon_map_set_in(&m, want[i]), 0);
    assert_int_equal(balloon_map_find_out(&m, got, 8), 0);
}

static void test_find_out_every_frame_once(void **state)
{
    UNUSED_STATE;
    enum { N = 1000 };
    uint64_t bits[(N + 63) / 64];
    struct balloon_map m;
    balloon_map_init(&m, bits, N);
    for (uint64_t p = 0; p < N; p += 3)
        balloon_map_set_out(&m, p);
    uint64_t out = m.out, got[64], seen = 0;
    size_t n;
    while ((n = balloon_map_find_out(&m, got, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(got[i] % 3, 0);
            assert_int_equal(balloon_map_set_in(&m, got[i]), 0);
        }
        seen += n;
    }
    assert_int_equal(seen, out);
}

static void test_find_out_runs(void **state)
{
    UNUSED_STATE;
    enum { N = 4096 + 100 };
    uint64_t bits[(N + 63) / 64];
    struct balloon_map m;
    balloon_map_init(&m, bits, N);
    uint64_t starts[8];
    assert_int_equal(balloon_map_find_out_runs(&m, 9, starts, 8), 0);
    for (uint64_t p = 512; p < 1536; p++) /* runs 1 and 2 */
        balloon_map_set_out(&m, p);
    for (uint64_t p = 2048; p < 2559; p++) /* run 4, one frame short */
        balloon_map_set_out(&m, p);
    for (uint64_t p = 4096; p < N; p++) /* a partial run at the end */
        balloon_map_set_out(&m, p);
    assert_int_equal(balloon_map_find_out_runs(&m, 9, starts, 8), 2);
    assert_int_equal(starts[0], 512);
    assert_int_equal(starts[1], 1024);
    assert_int_equal(balloon_map_find_out_runs(&m, 9, starts, 1), 1);
    assert_int_equal(balloon_map_find_out_runs(&m, 3, starts, 8), 0); /* orders below 6 unsupported */
}

static void test_desired(void **state)
{
    UNUSED_STATE;
    assert_int_equal(balloon_desired_pages(65536, 0, 1u << 20), 16384);
    assert_int_equal(balloon_desired_pages(65536, 5, 1u << 20), 16389);
    assert_int_equal(balloon_desired_pages(65536, 0, 1000), 1000); /* never above max */
    assert_int_equal(balloon_desired_pages(4, -10, 1000), 0);
}

static void test_steps(void **state)
{
    UNUSED_STATE;
    struct balloon_step s = balloon_next_step(1000, 1000, 500, 0, 512);
    assert_int_equal(s.pages, 0);
    assert_false(s.at_floor || s.at_max);
    s = balloon_next_step(2000, 1000, 5000, 0, 512); /* batches */
    assert_int_equal(s.pages, 512);
    s = balloon_next_step(1100, 1000, 5000, 0, 512);
    assert_int_equal(s.pages, 100);
    s = balloon_next_step(2000, 1000, 300, 0, 512); /* floor */
    assert_int_equal(s.pages, 300);
    assert_true(s.at_floor);
    s = balloon_next_step(2000, 1000, 0, 0, 512);
    assert_int_equal(s.pages, 0);
    assert_true(s.at_floor);
    s = balloon_next_step(1000, 3000, 0, 5000, 512); /* grow */
    assert_int_equal(s.pages, -512);
    s = balloon_next_step(1000, 3000, 0, 40, 512); /* nothing more out */
    assert_int_equal(s.pages, -40);
    assert_true(s.at_max);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_in_out_twice),
        cmocka_unit_test(test_find_out_wraps_no_repeats),
        cmocka_unit_test(test_find_out_every_frame_once),
        cmocka_unit_test(test_find_out_runs),
        cmocka_unit_test(test_desired),
        cmocka_unit_test(test_steps),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
