/* Map, unmap and copy of foreign grants (xen/gnttab_map.c) against a
 * fake Xen: per-op results in one hypercall, the first failure of a
 * batch reported, window frames handed out, given back, or parked when
 * an unmap fails; copies that cross a page never reach Xen; after a
 * restore, parked frames are free again and the old domain's mappings
 * are forgotten without asking Xen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kern/kernel.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "xen/gnttab_map.h"
#include "xen/hypercall.h"

void *kmalloc(size_t n) { return malloc(n); }
void kfree(void *p) { free(p); }
uint64_t mm_max_pfn(void) { return (64u << 20) >> PAGE_SHIFT; }


/* The fake Xen: refs >= BAD_REF are refused; handles are ref + 1000; a
 * handle of UNMAP_REFUSED is refused on unmap; fail_call makes the whole
 * hypercall fail before any op. */
#define BAD_REF 100
#define UNMAP_REFUSED 1042
static unsigned calls, last_count, last_cmd;
static long fail_call;

long HYPERVISOR_grant_table_op(unsigned int cmd, void *arg, unsigned int count)
{
    calls++;
    last_cmd = cmd;
    last_count = count;
    if (fail_call)
        return fail_call;
    for (unsigned i = 0; i < count; i++) {
        if (cmd == GNTTABOP_map_grant_ref) {
            struct gnttab_map_grant_ref *m = (struct gnttab_map_grant_ref *)arg + i;
            m->status = m->ref >= BAD_REF ? GNTST_bad_gntref : GNTST_okay;
            m->handle = m->ref + 1000;
        } else if (cmd == GNTTABOP_unmap_grant_ref) {
            struct gnttab_unmap_grant_ref *u = (struct gnttab_unmap_grant_ref *)arg + i;
            u->status = u->handle == UNMAP_REFUSED ? GNTST_general_error : GNTST_okay;
        } else if (cmd == GNTTABOP_copy) {
            struct gnttab_copy *c = (struct gnttab_copy *)arg + i;
            grant_ref_t ref = (c->flags & GNTCOPY_dest_gref) ? c->dest.u.ref : c->source.u.ref;
            c->status = ref >= BAD_REF ? GNTST_bad_gntref : GNTST_okay;
        }
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    static bool inited;
    if (!inited) {
        struct memmap mm = { .r = { { 0, 64u << 20, XEN_HVM_MEMMAP_TYPE_RAM } }, .n = 1 };
        assert_int_equal(gnttab_map_init(&mm), 0);
        inited = true;
    }
    calls = 0;
    fail_call = 0;
    return 0;
}

static bool in_window(void *addr)
{
    struct gnttab_map_stats st;
    gnttab_map_get_stats(&st);
    uint64_t gfn = (uint64_t)(uintptr_t)addr >> PAGE_SHIFT;
    return addr && ((uintptr_t)addr & (PAGE_SIZE - 1)) == 0 && gfn >= st.window_base &&
           gfn < st.window_base + st.window_frames;
}

static void test_map_unmap(void **state)
{
    (void)state;
    struct gnttab_map_stats before, st;
    gnttab_map_get_stats(&before);
    struct gnttab_map_op ops[3] = {
        { .dom = 5, .ref = 7 }, { .dom = 5, .ref = BAD_REF + 1 }, { .dom = 5, .ref = 9, .readonly = true },
    };
    assert_int_equal(gnttab_map_batch(ops, 3), -ENOENT); /* GNTST_bad_gntref's errno */
    assert_int_equal(calls, 1);
    assert_int_equal(last_count, 3);
    assert_int_equal(ops[0].err, 0);
    assert_int_equal(ops[0].handle, 1007);
    assert_true(in_window(ops[0].addr));
    assert_true(in_window(ops[2].addr));
    assert_ptr_not_equal(ops[0].addr, ops[2].addr);
    assert_null(ops[1].addr);
    assert_int_equal(ops[1].err, -ENOENT);
    gnttab_map_get_stats(&st);
    assert_int_equal(st.mapped, before.mapped + 2);
    assert_int_equal(st.window_free, before.window_free - 2); /* the failed one's frame came back */
    assert_int_equal(st.map_failures, before.map_failures + 1);

    /* Unmap all three: the unmapped one is skipped, the others go. */
    calls = 0;
    assert_int_equal(gnttab_unmap_batch(ops, 3), 0);
    assert_int_equal(calls, 1);
    assert_int_equal(last_count, 2);
    assert_null(ops[0].addr);
    assert_null(ops[2].addr);
    gnttab_map_get_stats(&st);
    assert_int_equal(st.mapped, before.mapped);
    assert_int_equal(st.window_free, before.window_free);
    assert_int_equal(st.unmaps, before.unmaps + 2);
}

static void test_unmap_refused_parks(void **state)
{
    (void)state;
    struct gnttab_map_stats before, st;
    gnttab_map_get_stats(&before);
    grant_handle_t h;
    void *addr;
    assert_int_equal(gnttab_map(3, 42, false, &h, &addr), 0);
    assert_int_equal(h, UNMAP_REFUSED);
    struct gnttab_map_op ops[2] = { { .handle = h, .addr = addr },
                                    { .handle = 1, .addr = (void *)(uintptr_t)0x1000 } };
    /* The first failure (lowest index) is the batch's: Xen's refusal. */
    assert_int_equal(gnttab_unmap_batch(ops, 2), -EIO);
    assert_int_equal(ops[1].err, -EINVAL); /* not a mapping of ours */
    assert_int_equal(ops[0].err, -EIO);
    assert_null(ops[0].addr);
    assert_int_equal(last_count, 1); /* the frame not in the window never reached Xen */
    gnttab_map_get_stats(&st);
    assert_int_equal(st.parked, before.parked + 1);
    assert_int_equal(st.window_free, before.window_free - 1); /* never handed out again */
    assert_int_equal(st.unmap_failures, before.unmap_failures + 2);
}

static void test_call_fails(void **state)
{
    (void)state;
    struct gnttab_map_stats before, st;
    gnttab_map_get_stats(&before);
    fail_call = -EFAULT;
    struct gnttab_map_op ops[2] = { { .dom = 1, .ref = 1 }, { .dom = 1, .ref = 2 } };
    assert_int_equal(gnttab_map_batch(ops, 2), -EFAULT);
    assert_int_equal(ops[0].err, -EFAULT);
    assert_int_equal(ops[1].err, -EFAULT);
    assert_null(ops[0].addr);
    gnttab_map_get_stats(&st);
    assert_int_equal(st.window_free, before.window_free);
    assert_int_equal(st.map_failures, before.map_failures + 2);
}

static void test_copy(void **state)
{
    (void)state;
    struct gnttab_map_stats before, st;
    gnttab_map_get_stats(&before);
    static uint8_t page[2 * 4096] __attribute__((aligned(4096)));
    struct gnttab_copy_seg segs[3] = {
        { .local = page, .dom = 2, .ref = 5, .offset = 0, .len = 100, .to_foreign = true },
        { .local = page + 4000, .dom = 2, .ref = 6, .offset = 0, .len = 200 }, /* crosses our page */
        { .local = page + 8, .dom = 2, .ref = BAD_REF, .offset = 16, .len = 64 },
    };
    assert_int_equal(gnttab_copy_batch(segs, 3), -EINVAL);
    assert_int_equal(last_cmd, GNTTABOP_copy);
    assert_int_equal(last_count, 2);
    assert_int_equal(segs[0].err, 0);
    assert_int_equal(segs[1].err, -EINVAL);
    assert_int_equal(segs[2].err, -ENOENT);
    gnttab_map_get_stats(&st);
    assert_int_equal(st.copies, before.copies + 1);
    assert_int_equal(st.copy_bytes, before.copy_bytes + 100);
    assert_int_equal(st.copy_failures, before.copy_failures + 2);
    assert_int_equal(gnttab_copy_batch(segs, 0), 0);
}

/* A save, then a restore into a new domain: nothing of the old one is
 * mapped here. A cancelled save changes nothing. */
static void test_restore_forgets(void **state)
{
    (void)state;
    struct gnttab_map_stats before, st;
    /* One frame parked (its unmap refused), two mappings held. */
    grant_handle_t h;
    void *parked_addr;
    assert_int_equal(gnttab_map(4, 42, false, &h, &parked_addr), 0);
    assert_int_equal(gnttab_unmap(h, parked_addr), -EIO);
    struct gnttab_map_op ops[2] = { { .dom = 4, .ref = 11 }, { .dom = 4, .ref = 12 } };
    assert_int_equal(gnttab_map_batch(ops, 2), 0);
    gnttab_map_get_stats(&before);
    assert_true(before.parked >= 1);
    unsigned held = before.mapped - before.parked; /* a parked frame counts as mapped */
    assert_int_equal(held, 2);

    gnttab_map_resume(true); /* cancelled: the same domain, every mapping alive */
    gnttab_map_get_stats(&st);
    assert_int_equal(st.parked, before.parked);
    assert_int_equal(st.mapped, before.mapped);
    assert_int_equal(st.stale, 0);

    gnttab_map_resume(false);
    gnttab_map_get_stats(&st);
    assert_int_equal(st.parked, 0);
    assert_int_equal(st.window_free, before.window_free + before.parked);
    assert_int_equal(st.mapped, 0);
    assert_int_equal(st.stale, held);
    assert_int_equal(st.forgotten, before.forgotten + held);

    /* A new mapping never lands on a stale frame. */
    struct gnttab_map_op fresh = { .dom = 4, .ref = 13 };
    assert_int_equal(gnttab_map_batch(&fresh, 1), 0);
    assert_ptr_not_equal(fresh.addr, ops[0].addr);
    assert_ptr_not_equal(fresh.addr, ops[1].addr);

    /* The owners' unmap of the old mappings asks Xen nothing (the old
     * handles mean nothing here) and gives the frames back. */
    calls = 0;
    assert_int_equal(gnttab_unmap_batch(ops, 2), 0);
    assert_int_equal(calls, 0);
    assert_null(ops[0].addr);
    assert_null(ops[1].addr);
    assert_int_equal(ops[0].err, 0);
    gnttab_map_get_stats(&st);
    assert_int_equal(st.stale, 0);
    assert_int_equal(st.window_free, before.window_free + before.parked + held - 1);

    /* The new one is a real mapping: its unmap reaches Xen. */
    assert_int_equal(gnttab_unmap_batch(&fresh, 1), 0);
    assert_int_equal(calls, 1);
    gnttab_map_get_stats(&st);
    assert_int_equal(st.mapped, 0);
    assert_int_equal(st.window_free, before.window_free + before.parked + held);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_map_unmap, setup),
        cmocka_unit_test_setup(test_unmap_refused_parks, setup),
        cmocka_unit_test_setup(test_call_fails, setup),
        cmocka_unit_test_setup(test_copy, setup),
        cmocka_unit_test_setup(test_restore_forgets, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
