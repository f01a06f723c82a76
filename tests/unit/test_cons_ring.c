/* The PV console rings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dev/console/cons_ring.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state
#define OUT_SZ sizeof(((struct xencons_interface *)0)->out)
#define IN_SZ  sizeof(((struct xencons_interface *)0)->in)

static int setup(void **state)
{
    *state = calloc(1, sizeof(struct xencons_interface));
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void test_sizes(void **state)
{
    UNUSED_STATE;
    assert_int_equal(OUT_SZ, 2048);
    assert_int_equal(IN_SZ, 1024);
}

static void test_write_simple(void **state)
{
    struct xencons_interface *c = *state;
    assert_int_equal(cons_ring_out_pending(c), 0);
    assert_int_equal(cons_ring_write(c, "hello", 5), 5);
    assert_int_equal(c->out_prod, 5);
    assert_int_equal(c->out_cons, 0);
    assert_memory_equal(c->out, "hello", 5);
    assert_int_equal(c->out[5], 0);
    assert_int_equal(cons_ring_out_pending(c), 5);
    assert_int_equal(cons_ring_write(c, ", world", 7), 7);
    assert_memory_equal(c->out, "hello, world", 12);
    assert_int_equal(cons_ring_out_pending(c), 12);
    assert_int_equal(cons_ring_write(c, "x", 0), 0);
    assert_int_equal(c->out_prod, 12);
    /* the peer consumes */
    c->out_cons = 10;
    assert_int_equal(cons_ring_out_pending(c), 2);
    c->out_cons = 12;
    assert_int_equal(cons_ring_out_pending(c), 0);
    /* the input side is untouched */
    assert_int_equal(c->in_prod, 0);
    assert_int_equal(c->in_cons, 0);
}

static void test_write_wrap_and_full(void **state)
{
    struct xencons_interface *c = *state;
    char data[OUT_SZ + 100];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)('a' + i % 26);

    c->out_cons = c->out_prod = OUT_SZ - 8;
    assert_int_equal(cons_ring_write(c, data, 20), 20);
    assert_memory_equal(c->out + OUT_SZ - 8, data, 8);
    assert_memory_equal(c->out, data + 8, 12);
    assert_int_equal(c->out_prod, OUT_SZ + 12);
    assert_int_equal(cons_ring_out_pending(c), 20);

    /* partial write when almost full */
    assert_int_equal(cons_ring_write(c, data, sizeof(data)), OUT_SZ - 20);
    assert_int_equal(cons_ring_out_pending(c), OUT_SZ);
    assert_memory_equal(c->out + 12, data, OUT_SZ - 20);
    /* full */
    assert_int_equal(cons_ring_write(c, "z", 1), 0);
    assert_int_equal(c->out_prod, c->out_cons + OUT_SZ);

    /* the peer takes 3 bytes: exactly 3 fit, at the right place */
    c->out_cons += 3;
    assert_int_equal(cons_ring_write(c, "XYZW", 4), 3);
    assert_memory_equal(c->out + OUT_SZ - 8, "XYZ", 3);

    /* 32-bit index wrap-around */
    c->out_cons = c->out_prod = 0xfffffffcu;
    assert_int_equal(cons_ring_write(c, "123456", 6), 6);
    assert_int_equal(c->out_prod, 2);
    assert_memory_equal(c->out + OUT_SZ - 4, "1234", 4);
    assert_memory_equal(c->out, "56", 2);
    assert_int_equal(cons_ring_out_pending(c), 6);
}

static void test_write_corrupt(void **state)
{
    struct xencons_interface *c = *state;
    c->out_prod = 100;
    c->out_cons = 101; /* ahead of the producer */
    assert_int_equal(cons_ring_write(c, "abc", 3), -EIO);
    assert_int_equal(cons_ring_out_pending(c), -EIO);
    assert_int_equal(c->out_prod, 100);
    c->out_cons = (XENCONS_RING_IDX)(100 - OUT_SZ - 1); /* more than a ring behind */
    assert_int_equal(cons_ring_write(c, "abc", 3), -EIO);
    assert_int_equal(cons_ring_out_pending(c), -EIO);
    assert_int_equal(c->out_prod, 100);
    c->out_cons = (XENCONS_RING_IDX)(100 - OUT_SZ); /* exactly full is fine */
    assert_int_equal(cons_ring_write(c, "abc", 3), 0);
    assert_int_equal(cons_ring_out_pending(c), OUT_SZ);
}

static void test_read(void **state)
{
    struct xencons_interface *c = *state;
    char buf[IN_SZ + 16];
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), 0);

    /* the peer types "ls -l\r" */
    memcpy(c->in, "ls -l\r", 6);
    c->in_prod = 6;
    memset(buf, 0, sizeof(buf));
    assert_int_equal(cons_ring_read(c, buf, 2), 2);
    assert_memory_equal(buf, "ls", 2);
    assert_int_equal(c->in_cons, 2);
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, " -l\r", 4);
    assert_int_equal(c->in_cons, 6);
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), 0);
    assert_int_equal(cons_ring_read(c, buf, 0), 0);

    /* across the end of the ring */
    c->in_cons = c->in_prod = IN_SZ - 3;
    memcpy(c->in + IN_SZ - 3, "abc", 3);
    memcpy(c->in, "defg", 4);
    c->in_prod += 7;
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), 7);
    assert_memory_equal(buf, "abcdefg", 7);
    assert_int_equal(c->in_cons, IN_SZ + 4);

    /* a full ring */
    for (size_t i = 0; i < IN_SZ; i++)
        c->in[i] = (char)i;
    c->in_prod = c->in_cons + IN_SZ;
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), IN_SZ);
    for (size_t i = 0; i < IN_SZ; i++)
        assert_int_equal(buf[i], (char)((i + 4) % IN_SZ));
    assert_int_equal(c->in_cons, c->in_prod);

    /* the output side is untouched */
    assert_int_equal(c->out_prod, 0);
    assert_int_equal(c->out_cons, 0);
}

static void test_read_corrupt(void **state)
{
    struct xencons_interface *c = *state;
    char buf[8];
    c->in_cons = 10;
    c->in_prod = 9;
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), -EIO);
    assert_int_equal(c->in_cons, 10);
    c->in_prod = 10 + IN_SZ + 1;
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), -EIO);
    assert_int_equal(c->in_cons, 10);
    /* the out ring's size does not apply to the in ring */
    c->in_prod = 10 + OUT_SZ;
    assert_int_equal(cons_ring_read(c, buf, sizeof(buf)), -EIO);
}

/* A writer and a slow reader moving many bytes through the ring. */
static void test_stream(void **state)
{
    struct xencons_interface *c = *state;
    c->out_cons = c->out_prod = 0xffffff00u;
    size_t sent = 0, got = 0, total = 100000;
    unsigned seed = 1;
    while (got < total) {
        char chunk[300];
        size_t want = (seed = seed * 1103515245u + 12345u) % sizeof(chunk);
        if (want > total - sent)
            want = total - sent;
        for (size_t i = 0; i < want; i++)
            chunk[i] = (char)((sent + i) * 31 % 251);
        int n = cons_ring_write(c, chunk, want);
        assert_true(n >= 0 && (size_t)n <= want);
        sent += (size_t)n;
        /* the peer reads up to 100 bytes */
        int pend = cons_ring_out_pending(c);
        assert_int_equal(pend, sent - got);
        size_t take = (seed >> 8) % 101;
        if (take > (size_t)pend)
            take = (size_t)pend;
        for (size_t i = 0; i < take; i++) {
            char ch = c->out[MASK_XENCONS_IDX(c->out_cons, c->out)];
            assert_int_equal(ch, (char)((got + i) * 31 % 251));
            c->out_cons++;
        }
        got += take;
    }
    assert_int_equal(sent, total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test_setup_teardown(test_write_simple, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_wrap_and_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
    };
    return cmocka_run_group_tests_name("cons_ring", tests, NULL, NULL);
}
