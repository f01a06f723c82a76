/* The size-class heap, over a page provider backed by aligned_alloc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kern/heap.h"
#include "kern/page_alloc.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

/* --- the page provider ------------------------------------------------
 * Pages given back are filled with junk and kept in a quarantine of the
 * last QUARANTINE returns before being freed, so a stale header read by a
 * double free is defined behaviour and any use of a returned page shows up
 * as junk. */
#define MAX_CHUNKS 4096
#define QUARANTINE 64
struct chunk {
    void *p;
    size_t npages;
    uint64_t returned; /* 0 while the heap holds it, else the return order */
};
static struct chunk chunks[MAX_CHUNKS];
static unsigned nchunks, nquarantined;
static uint64_t pages_out;  /* pages currently held by the heap */
static uint64_t gets, puts;
static bool provider_fails;

static void *page_get(size_t npages)
{
    if (provider_fails)
        return NULL;
    assert_true(npages > 0);
    assert_true(nchunks < MAX_CHUNKS);
    void *p = aligned_alloc(PAGE_SIZE, npages * PAGE_SIZE);
    assert_non_null(p);
    memset(p, 0xcc, npages * PAGE_SIZE); /* not zeroed, like real pages */
    chunks[nchunks++] = (struct chunk){ p, npages, 0 };
    pages_out += npages;
    gets++;
    return p;
}

static void page_put(void *p, size_t npages)
{
    unsigned i;
    for (i = 0; i < nchunks && chunks[i].p != p; i++)
        ;
    if (i == nchunks)
        fail_msg("page_put of %p: not from the provider", p);
    assert_int_equal(chunks[i].returned, 0);
    assert_int_equal(chunks[i].npages, npages);
    assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
    chunks[i].returned = ++puts;
    memset(p, 0xdb, npages * PAGE_SIZE);
    pages_out -= npages;
    if (++nquarantined > QUARANTINE) {
        unsigned old = 0;
        for (unsigned k = 0; k < nchunks; k++)
            if (chunks[k].returned && (!chunks[old].returned ||
                                       chunks[k].returned < chunks[old].returned))
                old = k;
        free(chunks[old].p);
        chunks[old] = chunks[--nchunks];
        nquarantined--;
    }
}

static int setup(void **state)
{
    static struct heap h;
    nchunks = nquarantined = 0;
    pages_out = gets = puts = 0;
    provider_fails = false;
    heap_init(&h, page_get, page_put);
    *state = &h;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < nchunks; i++)
        free(chunks[i].p);
    nchunks = nquarantined = 0;
    return 0;
}

static void assert_clean(struct heap *h)
{
    assert_int_equal(h->st.objects, 0);
    assert_int_equal(h->st.bytes_in_use, 0);
    assert_int_equal(h->st.slab_pages, 0);
    assert_int_equal(h->st.large_pages, 0);
    assert_int_equal(pages_out, 0);
    for (int c = 0; c < HEAP_NCLASSES; c++) {
        assert_int_equal(h->cls[c].pages, 0);
        assert_true(list_empty(&h->cls[c].partial));
    }
}

static size_t class_size(size_t n)
{
    size_t c = 16;
    if (n == 0)
        n = 1;
    while (c < n)
        c <<= 1;
    return c;
}

static void test_init(void **state)
{
    struct heap *h = *state;
    for (int c = 0; c < HEAP_NCLASSES; c++)
        assert_int_equal(h->cls[c].size, 16u << c);
    assert_clean(h);
    assert_int_equal(h->st.failed, 0);
    assert_int_equal(h->st.bad_frees, 0);
    assert_int_equal(heap_free(h, NULL), 0);
    assert_int_equal(h->st.bad_frees, 0);
}

static void test_small_classes(void **state)
{
    struct heap *h = *state;
    static const size_t sizes[] = { 0, 1, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128,
                                    129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024 };
    enum { N = sizeof(sizes) / sizeof(sizes[0]) };
    void *p[N];
    for (unsigned i = 0; i < N; i++) {
        p[i] = heap_alloc(h, sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
        assert_int_equal(heap_usable_size(h, p[i]), class_size(sizes[i]));
        memset(p[i], (int)i, class_size(sizes[i])); /* the whole usable size */
        assert_int_equal(h->st.objects, i + 1);
    }
    assert_int_equal(h->st.large_pages, 0);
    /* per class: as many slab pages as its objects need */
    uint64_t want_pages = 0;
    for (size_t cs = 16; cs <= 1024; cs <<= 1) {
        unsigned k = 0;
        for (unsigned i = 0; i < N; i++)
            k += class_size(sizes[i]) == cs;
        unsigned per = (unsigned)((PAGE_SIZE - 64) / cs);
        want_pages += (k + per - 1) / per;
    }
    assert_int_equal(want_pages, HEAP_NCLASSES + 1); /* four 1024s: two pages */
    assert_int_equal(h->st.slab_pages, want_pages);
    assert_int_equal(pages_out, want_pages);
    uint64_t bytes = 0;
    for (unsigned i = 0; i < N; i++)
        bytes += class_size(sizes[i]);
    /* requested bytes, or the class size: never less than asked, never more
     * than handed out */
    uint64_t asked = 0;
    for (unsigned i = 0; i < N; i++)
        asked += sizes[i] ? sizes[i] : 1;
    assert_in_range(h->st.bytes_in_use, asked, bytes);

    for (unsigned i = 0; i < N; i++) {
        unsigned char *b = p[i];
        for (size_t k = 0; k < class_size(sizes[i]); k++)
            assert_int_equal(b[k], (unsigned char)i);
    }
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(heap_free(h, p[i]), 0);
    assert_clean(h);
    assert_int_equal(h->st.bad_frees, 0);
}

static void test_large(void **state)
{
    struct heap *h = *state;
    static const size_t sizes[] = { 1025, 2000, 4032, 4033, 4096, 8192, 8128, 8129, 100000 };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        size_t pages = (n + 64 + PAGE_SIZE - 1) / PAGE_SIZE;
        void *p = heap_alloc(h, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_true(heap_usable_size(h, p) >= n);
        assert_int_equal(h->st.large_pages, pages);
        assert_int_equal(pages_out, pages);
        assert_int_equal(h->st.bytes_in_use, n);
        assert_int_equal(h->st.objects, 1);
        memset(p, 0x5a, n);
        assert_int_equal(heap_free(h, p), 0);
        assert_clean(h);
    }
}

static void test_double_free_small(void **state)
{
    struct heap *h = *state;
    void *a = heap_alloc(h, 40);
    void *b = heap_alloc(h, 40);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(heap_free(h, a), 0);
    struct heap_stats before = h->st;
    assert_int_equal(heap_free(h, a), -EINVAL);
    assert_int_equal(h->st.bad_frees, before.bad_frees + 1);
    assert_int_equal(h->st.objects, before.objects);
    assert_int_equal(h->st.bytes_in_use, before.bytes_in_use);
    /* a is handed out once only */
    void *c = heap_alloc(h, 40);
    void *d = heap_alloc(h, 40);
    assert_ptr_equal(c, a);
    assert_ptr_not_equal(d, a);
    assert_ptr_not_equal(d, b);

    /* a live object holding the free mark is still a live object */
    memset(c, 0xf4, 16);
    ((uint64_t *)c)[1] = 0xf4eef4eef4eef4eeULL;
    assert_int_equal(heap_free(h, c), 0);
    assert_int_equal(heap_free(h, b), 0);
    assert_int_equal(heap_free(h, d), 0);
    assert_int_equal(heap_free(h, b), -EINVAL); /* slab page already returned */
    assert_int_equal(h->st.bad_frees, 2);
    assert_clean(h);
}

static void test_double_free_large(void **state)
{
    struct heap *h = *state;
    void *p = heap_alloc(h, 5000);
    assert_non_null(p);
    assert_int_equal(heap_free(h, p), 0);
    assert_int_equal(heap_free(h, p), -EINVAL);
    assert_int_equal(h->st.bad_frees, 1);
    assert_int_equal(puts, 1);
    assert_clean(h);
}

static void test_bad_pointers(void **state)
{
    struct heap *h = *state;
    char *p = heap_alloc(h, 128);
    char *big = heap_alloc(h, 3 * PAGE_SIZE);
    assert_non_null(p);
    assert_non_null(big);
    struct heap_stats before = h->st;
    unsigned bad = 0;

    /* inside an object, misaligned */
    assert_int_equal(heap_free(h, p + 1), -EINVAL), bad++;
    assert_int_equal(heap_free(h, p + 16), -EINVAL), bad++;
    assert_int_equal(heap_usable_size(h, p + 16), 0);
    /* the slab header */
    char *page = (char *)((uintptr_t)p & ~(PAGE_SIZE - 1));
    assert_int_equal(heap_free(h, page), -EINVAL), bad++;
    assert_int_equal(heap_free(h, page + 48), -EINVAL), bad++;
    /* a slot-aligned address past the last object of the slab:
     * (4096 - 64) / 128 = 31 objects, so "object 31" does not exist */
    assert_int_equal(heap_free(h, page + 64 + 31 * 128), -EINVAL), bad++;
    assert_int_equal(heap_usable_size(h, page + 64 + 31 * 128), 0);
    /* inside a large object */
    assert_int_equal(heap_free(h, big + 16), -EINVAL), bad++;
    assert_int_equal(heap_free(h, big - 64), -EINVAL), bad++;
    assert_int_equal(heap_usable_size(h, big + 16), 0);
    /* memory the heap never gave out */
    void *foreign = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
    assert_non_null(foreign);
    memset(foreign, 0, PAGE_SIZE);
    assert_int_equal(heap_free(h, (char *)foreign + 64), -EINVAL), bad++;
    assert_int_equal(heap_usable_size(h, (char *)foreign + 64), 0);
    free(foreign);

    assert_int_equal(h->st.bad_frees, before.bad_frees + bad);
    assert_int_equal(h->st.objects, before.objects);
    assert_int_equal(h->st.bytes_in_use, before.bytes_in_use);
    assert_int_equal(h->st.slab_pages, before.slab_pages);
    assert_int_equal(h->st.large_pages, before.large_pages);

    /* the heap is still intact */
    assert_int_equal(heap_free(h, p), 0);
    assert_int_equal(heap_free(h, big), 0);
    assert_clean(h);
}

static void test_slab_pages_returned(void **state)
{
    struct heap *h = *state;
    enum { PER = (4096 - 64) / 64, N = PER + 1 }; /* 63 per page: needs two */
    void *p[N];
    for (unsigned i = 0; i < N; i++) {
        p[i] = heap_alloc(h, 64);
        assert_non_null(p[i]);
    }
    assert_int_equal(h->st.slab_pages, 2);
    assert_int_equal(h->cls[2].pages, 2);
    assert_int_equal(pages_out, 2);
    /* all distinct and within one page each */
    for (unsigned i = 0; i < N; i++) {
        uintptr_t off = (uintptr_t)p[i] % PAGE_SIZE;
        assert_true(off >= 64 && off + 64 <= PAGE_SIZE);
        for (unsigned j = 0; j < i; j++)
            assert_ptr_not_equal(p[i], p[j]);
    }
    /* the last one is alone on its page: freeing it returns the page */
    assert_int_equal(heap_free(h, p[N - 1]), 0);
    assert_int_equal(h->st.slab_pages, 1);
    assert_int_equal(pages_out, 1);
    assert_int_equal(puts, 1);

    /* a full page gets one free slot back: the next alloc uses it */
    assert_true(list_empty(&h->cls[2].partial));
    assert_int_equal(heap_free(h, p[10]), 0);
    assert_false(list_empty(&h->cls[2].partial));
    void *again = heap_alloc(h, 50);
    assert_ptr_equal(again, p[10]);
    assert_int_equal(h->st.slab_pages, 1);
    p[10] = again;

    for (unsigned i = 0; i < PER; i++)
        assert_int_equal(heap_free(h, p[i]), 0);
    assert_int_equal(puts, 2);
    assert_clean(h);
}

static void test_classes_separate(void **state)
{
    struct heap *h = *state;
    void *a = heap_alloc(h, 16);
    void *b = heap_alloc(h, 17);
    void *c = heap_alloc(h, 1024);
    /* different classes never share a page */
    assert_true(((uintptr_t)a & ~(PAGE_SIZE - 1)) != ((uintptr_t)b & ~(PAGE_SIZE - 1)));
    assert_true(((uintptr_t)b & ~(PAGE_SIZE - 1)) != ((uintptr_t)c & ~(PAGE_SIZE - 1)));
    assert_int_equal(h->st.slab_pages, 3);
    /* class 1024 holds 3 per page */
    void *c2 = heap_alloc(h, 1000), *c3 = heap_alloc(h, 1024), *c4 = heap_alloc(h, 513);
    assert_int_equal(h->cls[6].pages, 2);
    assert_int_equal(heap_free(h, c4), 0);
    assert_int_equal(h->cls[6].pages, 1);
    assert_int_equal(heap_free(h, a), 0);
    assert_int_equal(heap_free(h, b), 0);
    assert_int_equal(heap_free(h, c), 0);
    assert_int_equal(heap_free(h, c2), 0);
    assert_int_equal(heap_free(h, c3), 0);
    assert_clean(h);
}

static void test_out_of_memory(void **state)
{
    struct heap *h = *state;
    provider_fails = true;
    assert_null(heap_alloc(h, 10));
    assert_null(heap_alloc(h, 10000));
    assert_int_equal(h->st.failed, 2);
    provider_fails = false;
    /* absurd sizes fail without asking the provider */
    assert_null(heap_alloc(h, (size_t)1 << 41));
    assert_null(heap_alloc(h, SIZE_MAX));
    assert_null(heap_alloc(h, SIZE_MAX - PAGE_SIZE));
    assert_int_equal(h->st.failed, 5);
    assert_int_equal(gets, 0);
    assert_clean(h);

    /* a slab that still has room needs no new page */
    void *a = heap_alloc(h, 32);
    provider_fails = true;
    void *b = heap_alloc(h, 32);
    assert_non_null(b);
    assert_null(heap_alloc(h, 64));
    provider_fails = false;
    assert_int_equal(heap_free(h, a), 0);
    assert_int_equal(heap_free(h, b), 0);
    assert_clean(h);
}

/* --- randomized stress against a shadow set ----------------------------- */
static uint64_t rng = 0xdeadbeefcafef00dULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct live {
    unsigned char *p;
    size_t size;
    unsigned char seed;
};

static void fill(struct live *l)
{
    for (size_t i = 0; i < l->size; i++)
        l->p[i] = (unsigned char)(l->seed + i * 7);
}

static void verify(const struct live *l)
{
    for (size_t i = 0; i < l->size; i++)
        if (l->p[i] != (unsigned char)(l->seed + i * 7))
            fail_msg("object %p (%zu bytes) corrupted at %zu", (void *)l->p, l->size, i);
}

static int cmp_live(const void *a, const void *b)
{
    const struct live *x = a, *y = b;
    return x->p < y->p ? -1 : x->p > y->p;
}

static void test_random_stress(void **state)
{
    struct heap *h = *state;
    enum { MAXL = 600 };
    static struct live live[MAXL];
    static struct live sorted[MAXL];
    unsigned n = 0;
    uint64_t bytes_max = 0;
    for (int iter = 0; iter < 30000; iter++) {
        if (n < MAXL && (n == 0 || rnd() % 100 < 52)) {
            size_t size;
            switch (rnd() % 10) {
            case 0: size = 1025 + rnd() % 20000; break;
            case 1: size = rnd() % 17; break;
            default: size = 1 + rnd() % 1024; break;
            }
            unsigned char *p = heap_alloc(h, size);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 16, 0);
            assert_true(heap_usable_size(h, p) >= size);
            /* no overlap with any live object */
            for (unsigned i = 0; i < n; i++)
                assert_true(p + size <= live[i].p || live[i].p + live[i].size <= p);
            live[n] = (struct live){ p, size, (unsigned char)rnd() };
            fill(&live[n]);
            n++;
        } else {
            unsigned i = (unsigned)(rnd() % n);
            verify(&live[i]);
            assert_int_equal(heap_free(h, live[i].p), 0);
            live[i] = live[--n];
        }
        assert_int_equal(h->st.objects, n);
        assert_int_equal(h->st.slab_pages + h->st.large_pages, pages_out);
        if (h->st.bytes_in_use > bytes_max)
            bytes_max = h->st.bytes_in_use;
        if (iter % 1000 == 0) {
            memcpy(sorted, live, n * sizeof(live[0]));
            qsort(sorted, n, sizeof(sorted[0]), cmp_live);
            for (unsigned i = 0; i < n; i++) {
                verify(&sorted[i]);
                if (i)
                    assert_true(sorted[i - 1].p + sorted[i - 1].size <= sorted[i].p);
            }
        }
    }
    print_message("peak bytes in use %llu, pages got %llu, put %llu\n",
                  (unsigned long long)bytes_max, (unsigned long long)gets,
                  (unsigned long long)puts);
    assert_true(puts > 100); /* pages really went back during the run */
    while (n) {
        verify(&live[n - 1]);
        assert_int_equal(heap_free(h, live[n - 1].p), 0);
        n--;
    }
    assert_clean(h);
    assert_int_equal(h->st.bad_frees, 0);
    assert_int_equal(gets, puts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_free_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_free_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_pointers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slab_pages_returned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_classes_separate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_stress, setup, teardown),
    };
    return cmocka_run_group_tests_name("heap", tests, NULL, NULL);
}
