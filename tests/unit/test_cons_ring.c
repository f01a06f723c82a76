/* The PV console rings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dev/console/cons_ring.h"
#include "dev/console/cons_stash.h"
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
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), 0);
    assert_int_equal(cons_ring_write(c, &c->out_prod, "hello", 5), 5);
    assert_int_equal(c->out_prod, 5);
    assert_int_equal(c->out_cons, 0);
    assert_memory_equal(c->out, "hello", 5);
    assert_int_equal(c->out[5], 0);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), 5);
    assert_int_equal(cons_ring_write(c, &c->out_prod, ", world", 7), 7);
    assert_memory_equal(c->out, "hello, world", 12);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), 12);
    assert_int_equal(cons_ring_write(c, &c->out_prod, "x", 0), 0);
    assert_int_equal(c->out_prod, 12);
    /* the peer consumes */
    c->out_cons = 10;
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), 2);
    c->out_cons = 12;
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), 0);
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
    assert_int_equal(cons_ring_write(c, &c->out_prod, data, 20), 20);
    assert_memory_equal(c->out + OUT_SZ - 8, data, 8);
    assert_memory_equal(c->out, data + 8, 12);
    assert_int_equal(c->out_prod, OUT_SZ + 12);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), 20);

    /* partial write when almost full */
    assert_int_equal(cons_ring_write(c, &c->out_prod, data, sizeof(data)), OUT_SZ - 20);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), OUT_SZ);
    assert_memory_equal(c->out + 12, data, OUT_SZ - 20);
    /* full */
    assert_int_equal(cons_ring_write(c, &c->out_prod, "z", 1), 0);
    assert_int_equal(c->out_prod, c->out_cons + OUT_SZ);

    /* the peer takes 3 bytes: exactly 3 fit, at the right place */
    c->out_cons += 3;
    assert_int_equal(cons_ring_write(c, &c->out_prod, "XYZW", 4), 3);
    assert_memory_equal(c->out + OUT_SZ - 8, "XYZ", 3);

    /* 32-bit index wrap-around */
    c->out_cons = c->out_prod = 0xfffffffcu;
    assert_int_equal(cons_ring_write(c, &c->out_prod, "123456", 6), 6);
    assert_int_equal(c->out_prod, 2);
    assert_memory_equal(c->out + OUT_SZ - 4, "1234", 4);
    assert_memory_equal(c->out, "56", 2);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), 6);
}

static void test_write_corrupt(void **state)
{
    struct xencons_interface *c = *state;
    c->out_prod = 100;
    c->out_cons = 101; /* ahead of the producer */
    assert_int_equal(cons_ring_write(c, &c->out_prod, "abc", 3), -EIO);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), -EIO);
    assert_int_equal(c->out_prod, 100);
    c->out_cons = (XENCONS_RING_IDX)(100 - OUT_SZ - 1); /* more than a ring behind */
    assert_int_equal(cons_ring_write(c, &c->out_prod, "abc", 3), -EIO);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), -EIO);
    assert_int_equal(c->out_prod, 100);
    c->out_cons = (XENCONS_RING_IDX)(100 - OUT_SZ); /* exactly full is fine */
    assert_int_equal(cons_ring_write(c, &c->out_prod, "abc", 3), 0);
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), OUT_SZ);
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
        int n = cons_ring_write(c, &c->out_prod, chunk, want);
        assert_true(n >= 0 && (size_t)n <= want);
        sent += (size_t)n;
        /* the peer reads up to 100 bytes */
        int pend = cons_ring_out_pending(c, c->out_prod);
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

/* The writer before this change: it read the producer index back from the
 * shared page. Split where an event handler's printk could come in. */
static XENCONS_RING_IDX old_write_begin(struct xencons_interface *c)
{
    return c->out_prod;
}

static void old_write_end(struct xencons_interface *c, XENCONS_RING_IDX prod, const char *s,
                          size_t n)
{
    for (size_t i = 0; i < n; i++)
        c->out[MASK_XENCONS_IDX(prod + i, c->out)] = s[i];
    c->out_prod = prod + (XENCONS_RING_IDX)n;
}

static void old_write(struct xencons_interface *c, const char *s, size_t n)
{
    old_write_end(c, old_write_begin(c), s, n);
}

/* The bug: a nested line moved out_prod back, and once the back-end had
 * read the nested line its out_cons was ahead of out_prod: -EIO, and the
 * old driver gave the ring up for the debug port for good. */
static void test_old_nested_writer_corrupts(void **state)
{
    struct xencons_interface *c = *state;
    XENCONS_RING_IDX prod = old_write_begin(c);          /* thread: "ab" */
    old_write(c, "nested line\r\n", 13);                  /* the handler */
    assert_int_equal(c->out_prod, 13);
    old_write_end(c, prod, "ab", 2);                      /* thread resumes */
    assert_int_equal(c->out_prod, 2);                     /* backwards */
    assert_memory_equal(c->out, "absted line", 11);       /* and garbled */
    c->out_cons = 13; /* xenconsoled had read what it saw published */
    assert_int_equal(cons_ring_out_pending(c, c->out_prod), -EIO);
}

/* The console writer as console.c runs it: a trylock that fails means
 * "nested in the holder", the text goes to the stash, the holder sends it. */
struct test_console {
    struct xencons_interface *c;
    XENCONS_RING_IDX prod;
    bool held;
    struct cons_stash st;
    const char *nest_text; /* written nested once the holder is half done */
    int errors;
};

static void tc_write(struct test_console *tc, const char *s, size_t len)
{
    if (tc->held) {
        cons_stash_put(&tc->st, s, len);
        return;
    }
    tc->held = true;
    size_t half = len / 2;
    XENCONS_RING_IDX before = tc->prod;
    if (cons_ring_write(tc->c, &tc->prod, s, half) < 0)
        tc->errors++;
    if (tc->nest_text) {
        const char *t = tc->nest_text;
        tc->nest_text = 0;
        tc_write(tc, t, strlen(t)); /* the event handler comes in here */
    }
    if (cons_ring_write(tc->c, &tc->prod, s + half, len - half) < 0)
        tc->errors++;
    char buf[7]; /* small, so a stash drains in several takes */
    size_t n;
    while ((n = cons_stash_take(&tc->st, buf, sizeof(buf))))
        if (cons_ring_write(tc->c, &tc->prod, buf, n) < 0)
            tc->errors++;
    assert_true((XENCONS_RING_IDX)(tc->prod - before) >= len);
    tc->held = false;
}

static void test_nested_writer_keeps_ring(void **state)
{
    struct xencons_interface *c = *state;
    struct test_console *tc = calloc(1, sizeof(*tc));
    tc->c = c;
    tc->nest_text = "nested line\r\n";
    tc_write(tc, "outer line\r\n", 12);
    assert_int_equal(tc->errors, 0);
    assert_int_equal(c->out_prod, 25);
    assert_memory_equal(c->out, "outer line\r\nnested line\r\n", 25);
    c->out_cons = 25;
    assert_int_equal(cons_ring_out_pending(c, tc->prod), 0);
    /* and it goes on: many lines, a nested one in each */
    for (int i = 0; i < 1000; i++) {
        tc->nest_text = "N\r\n";
        XENCONS_RING_IDX before = c->out_prod;
        tc_write(tc, "outer\r\n", 7);
        assert_int_equal((XENCONS_RING_IDX)(c->out_prod - before), 10);
        char got[10];
        for (int k = 0; k < 10; k++)
            got[k] = c->out[MASK_XENCONS_IDX(before + k, c->out)];
        assert_memory_equal(got, "outer\r\nN\r\n", 10);
        c->out_cons = c->out_prod; /* xenconsoled keeps up */
    }
    assert_int_equal(tc->errors, 0);
    assert_int_equal(tc->st.stashed, 13 + 3 * 1000);
    assert_int_equal(tc->st.dropped, 0);
    free(tc);
}

/* The peer scribbling on out_prod cannot move our producer. */
static void test_write_ignores_shared_prod(void **state)
{
    struct xencons_interface *c = *state;
    XENCONS_RING_IDX prod = 0;
    assert_int_equal(cons_ring_write(c, &prod, "abc", 3), 3);
    c->out_prod = 0xdead;
    assert_int_equal(cons_ring_write(c, &prod, "def", 3), 3);
    assert_int_equal(prod, 6);
    assert_int_equal(c->out_prod, 6);
    assert_memory_equal(c->out, "abcdef", 6);
}

/* A restore hands over a cleared page: our index is then a ring away from
 * out_cons, and the writer takes the page's index; a page whose own
 * indices disagree stays refused. */
static void test_resync(void **state)
{
    struct xencons_interface *c = *state;
    XENCONS_RING_IDX prod = 50000;
    assert_int_equal(cons_ring_write(c, &prod, "abc", 3), -EIO);
    assert_int_equal(prod, 50000);
    assert_int_equal(cons_ring_resync(c, &prod), 0);
    assert_int_equal(prod, 0);
    assert_int_equal(cons_ring_write(c, &prod, "abc", 3), 3);
    assert_int_equal(c->out_prod, 3);
    c->out_cons = 3 + OUT_SZ + 1; /* corrupt: not a fresh page */
    XENCONS_RING_IDX before = prod;
    assert_int_equal(cons_ring_write(c, &prod, "d", 1), -EIO);
    assert_int_equal(cons_ring_resync(c, &prod), -EIO);
    assert_int_equal(prod, before);
}

static void test_stash(void **state)
{
    UNUSED_STATE;
    struct cons_stash *st = calloc(1, sizeof(*st));
    char buf[CONS_STASH_SIZE + 8];
    assert_true(cons_stash_empty(st));
    assert_int_equal(cons_stash_take(st, buf, sizeof(buf)), 0);
    assert_int_equal(cons_stash_put(st, "one\n", 4), 4);
    assert_int_equal(cons_stash_put(st, "two\n", 4), 4);
    assert_false(cons_stash_empty(st));
    assert_int_equal(cons_stash_take(st, buf, 3), 3);
    assert_memory_equal(buf, "one", 3);
    /* a put between two takes of the holder lands after what was there */
    assert_int_equal(cons_stash_put(st, "three\n", 6), 6);
    assert_int_equal(cons_stash_take(st, buf, sizeof(buf)), 11);
    assert_memory_equal(buf, "\ntwo\nthree\n", 11);
    assert_true(cons_stash_empty(st));
    /* whole or nothing: a line that does not fit is dropped and counted */
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(cons_stash_put(st, buf, CONS_STASH_SIZE - 2), CONS_STASH_SIZE - 2);
    assert_int_equal(cons_stash_put(st, "abc", 3), 0);
    assert_int_equal(st->dropped, 3);
    assert_int_equal(cons_stash_put(st, "ab", 2), 2);
    assert_int_equal(cons_stash_take(st, buf, sizeof(buf)), CONS_STASH_SIZE);
    assert_memory_equal(buf + CONS_STASH_SIZE - 2, "ab", 2);
    /* across the end of the buffer and the 32-bit index wrap */
    st->head = st->tail = 0xfffffffeu;
    assert_int_equal(cons_stash_put(st, "wrap", 4), 4);
    assert_int_equal(cons_stash_take(st, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, "wrap", 4);
    /* a putter nested in a putter is dropped, never interleaved */
    st->putting = 1;
    assert_int_equal(cons_stash_put(st, "inner", 5), 0);
    assert_int_equal(st->dropped, 8);
    st->putting = 0;
    assert_true(cons_stash_empty(st));
    free(st);
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
        cmocka_unit_test_setup_teardown(test_old_nested_writer_corrupts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_writer_keeps_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_ignores_shared_prod, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resync, setup, teardown),
        cmocka_unit_test(test_stash),
    };
    return cmocka_run_group_tests_name("cons_ring", tests, NULL, NULL);
}
