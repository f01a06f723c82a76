/* The front-ends' shared close (xen/xenbus_front_close.c): the grant
 * rule's order whatever the driver (quiesce, ports, complete, grants,
 * pages), no page freed while something is still in the rings, and
 * what it reports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "xen/xenbus_front_close.h"

static char order[16];
static unsigned n;
static bool quiet;
static unsigned parked;

static void note(char c)
{
    order[n++] = c;
    order[n] = 0;
}

static bool q(void *arg) { (void)arg; note('q'); return quiet; }
static void p(void *arg) { (void)arg; note('p'); }
static void c(void *arg) { (void)arg; note('c'); }
static unsigned g(void *arg) { (void)arg; note('g'); return parked; }
static size_t f(void *arg) { (void)arg; note('f'); return 3 * 4096; }

static int setup(void **state)
{
    (void)state;
    n = 0;
    order[0] = 0;
    quiet = true;
    parked = 0;
    return 0;
}

static void test_order(void **state)
{
    (void)state;
    const struct xenbus_front_closer cl = { q, p, c, g, f };
    struct xenbus_front_closed r = xenbus_front_close("test: x", "closed", &cl, 0);
    /* Ports before grants (no event after the back-end lets go), what is
     * left completes before the ring grants end, pages last. */
    assert_string_equal(order, "qpcgf");
    assert_true(r.quiet);
    assert_int_equal(r.parked, 0);
    assert_int_equal(r.freed, 3 * 4096);
}

static void test_parked_pages_still_freed_when_quiet(void **state)
{
    (void)state;
    parked = 2; /* parked pages went with their grants: the rest is freed */
    const struct xenbus_front_closer cl = { q, p, 0, g, f };
    struct xenbus_front_closed r = xenbus_front_close("test: x", "closed", &cl, 0);
    assert_string_equal(order, "qpgf");
    assert_int_equal(r.parked, 2);
    assert_int_equal(r.freed, 3 * 4096);
}

static void test_busy_rings_keep_pages(void **state)
{
    (void)state;
    quiet = false; /* a sender or the thread still in the rings */
    const struct xenbus_front_closer cl = { q, p, c, g, f };
    struct xenbus_front_closed r = xenbus_front_close("test: x", "reconnecting", &cl, 0);
    assert_string_equal(order, "qpcg"); /* grants end, pages never freed */
    assert_false(r.quiet);
    assert_int_equal(r.freed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_order, setup),
        cmocka_unit_test_setup(test_parked_pages_still_freed_when_quiet, setup),
        cmocka_unit_test_setup(test_busy_rings_keep_pages, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
