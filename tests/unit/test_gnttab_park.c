/* The park list of grants a peer still maps: a busy grant is parked with
 * its page and never handed back until it ends; the retry frees the page
 * or tells the owner, once; a full list keeps the grant and page forever.
 * Against a stub grant table whose entries the test marks mapped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kern/kernel.h"
#include "kern/spinlock.h"
#include "xen/gnttab.h"
#include "xen/gnttab_park.h"

int stub_irq_depth;
static bool mapped[1024];
static unsigned ended_calls, freed_pages, logs;
static void *last_freed;

void printk(const char *fmt, ...) { (void)fmt; logs++; }
void panic(const char *fmt, ...) { (void)fmt; abort(); }
void spin_lock_nested_panic(struct spinlock *l) { (void)l; abort(); }
int gnttab_end_access(grant_ref_t ref)
{
    return mapped[ref] ? -EBUSY : 0;
}
void pages_free(void *p, size_t n)
{
    assert_int_equal(n, 1);
    freed_pages++;
    last_freed = p;
}
static void on_ended(void *owner, void *what)
{
    assert_ptr_equal(owner, &ended_calls);
    assert_ptr_equal(what, (void *)0x1234);
    assert_int_equal(stub_irq_depth, 0); /* called with "interrupts on" */
    ended_calls++;
}

static int setup(void **state)
{
    (void)state;
    memset(mapped, 0, sizeof(mapped));
    ended_calls = freed_pages = logs = 0;
    last_freed = 0;
    while (gnttab_park_retry()) /* nothing left from the last test */
        memset(mapped, 0, sizeof(mapped));
    return 0;
}

static void test_free_grant_ends_at_once(void **state)
{
    (void)state;
    char page[1];
    void *p = page;
    grant_ref_t ref = 10;
    assert_false(gnttab_end_or_park_page(&ref, &p));
    assert_int_equal(ref, 0);
    assert_ptr_equal(p, page); /* still the caller's */
    assert_false(gnttab_end_or_park(0, 0, 0, 0, 0)); /* no grant: nothing to do */
    struct gnttab_park_stats st;
    gnttab_park_get_stats(&st);
    assert_int_equal(st.parked, 0);
}

static void test_busy_grant_parks_page_until_it_ends(void **state)
{
    (void)state;
    char page[1];
    void *p = page;
    grant_ref_t ref = 11;
    mapped[11] = true;
    assert_true(gnttab_end_or_park_page(&ref, &p));
    assert_int_equal(ref, 0);
    assert_null(p); /* no longer the caller's */
    assert_int_equal(gnttab_park_retry(), 1);
    assert_int_equal(freed_pages, 0); /* still mapped: kept */
    mapped[11] = false;
    assert_int_equal(gnttab_park_retry(), 0);
    assert_int_equal(freed_pages, 1);
    assert_ptr_equal(last_freed, page);
    assert_int_equal(gnttab_park_retry(), 0);
    assert_int_equal(freed_pages, 1); /* once */
}

static void test_owner_told_once(void **state)
{
    (void)state;
    mapped[12] = true;
    assert_true(gnttab_end_or_park(12, 0, on_ended, &ended_calls, (void *)0x1234));
    gnttab_park_retry();
    assert_int_equal(ended_calls, 0);
    mapped[12] = false;
    gnttab_park_retry();
    gnttab_park_retry();
    assert_int_equal(ended_calls, 1);
    assert_int_equal(freed_pages, 0); /* no page given: none freed */
    struct gnttab_park_stats st;
    gnttab_park_get_stats(&st);
    assert_int_equal(st.parked, 0);
    assert_true(st.ever >= 1);
}

static void test_full_list_keeps_forever(void **state)
{
    (void)state;
    for (unsigned i = 100; i < 100 + 300; i++) {
        mapped[i] = true;
        grant_ref_t r = (grant_ref_t)i;
        void *p = (void *)(uintptr_t)(0x10000 + i * 4096);
        assert_true(gnttab_end_or_park_page(&r, &p)); /* parked or kept: never returned */
        assert_null(p);
    }
    struct gnttab_park_stats st;
    gnttab_park_get_stats(&st);
    assert_int_equal(st.parked, 256);
    assert_int_equal(st.lost, 300 - 256);
    assert_true(logs >= 300 - 256);
    memset(mapped, 0, sizeof(mapped));
    assert_int_equal(gnttab_park_retry(), 0);
    assert_int_equal(freed_pages, 256); /* the lost ones are never freed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_free_grant_ends_at_once, setup),
        cmocka_unit_test_setup(test_busy_grant_parks_page_until_it_ends, setup),
        cmocka_unit_test_setup(test_owner_told_once, setup),
        cmocka_unit_test_setup(test_full_list_keeps_forever, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
