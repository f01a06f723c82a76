#include "kern/heap.h"
#include "kern/page_alloc.h"
#include "kern/errno.h"
#include "lib/string.h"

#define SLAB_MAGIC  0x534c4142u /* "SLAB" */
#define LARGE_MAGIC 0x4c415247u /* "LARG" */
#define FREE_MARK   0xf4eef4eef4eef4eeULL

/* Lives at the start of every heap page (slab or first page of a large
 * object); objects start at HDR_SIZE so they stay 16-byte aligned. */
struct page_hdr {
    uint32_t magic;
    uint16_t cls;       /* slab: class index */
    uint16_t inuse;     /* slab: live objects */
    uint64_t npages;    /* large: pages; slab: 1 */
    uint64_t req;       /* large: requested bytes */
    void *free;         /* slab: free object chain */
    struct list link;   /* slab: on its class's partial list */
};
#define HDR_SIZE 64
_Static_assert(sizeof(struct page_hdr) <= HDR_SIZE, "page header too big");

/* A free slab object: the chain pointer, then a mark that catches double frees. */
struct free_obj {
    struct free_obj *next;
    uint64_t mark;
};

void heap_init(struct heap *h, void *(*page_get)(size_t), void (*page_put)(void *, size_t))
{
    memset(h, 0, sizeof(*h));
    h->page_get = page_get;
    h->page_put = page_put;
    for (int i = 0; i < HEAP_NCLASSES; i++) {
        h->cls[i].size = 16u << i;
        list_init(&h->cls[i].partial);
    }
}

static int class_of(size_t size)
{
    for (int i = 0; i < HEAP_NCLASSES; i++)
        if (size <= (16u << i))
            return i;
    return -1;
}

static struct page_hdr *hdr_of(void *p)
{
    return (struct page_hdr *)((uintptr_t)p & ~(PAGE_SIZE - 1));
}

static struct page_hdr *slab_new(struct heap *h, int c)
{
    struct page_hdr *pg = h->page_get(1);
    if (!pg)
        return 0;
    uint32_t size = h->cls[c].size;
    pg->magic = SLAB_MAGIC;
    pg->cls = (uint16_t)c;
    pg->inuse = 0;
    pg->npages = 1;
    pg->free = 0;
    /* build the chain so objects come out in address order */
    char *base = (char *)pg + HDR_SIZE;
    unsigned n = (PAGE_SIZE - HDR_SIZE) / size;
    for (unsigned i = n; i-- > 0;) {
        struct free_obj *o = (struct free_obj *)(base + (size_t)i * size);
        o->next = pg->free;
        o->mark = FREE_MARK;
        pg->free = o;
    }
    list_add_tail(&h->cls[c].partial, &pg->link);
    h->cls[c].pages++;
    h->st.slab_pages++;
    return pg;
}

void *heap_alloc(struct heap *h, size_t size)
{
    if (size == 0)
        size = 1;
    int c = class_of(size);
    if (c < 0) {
        if (size > (1ULL << 40)) {
            h->st.failed++;
            return 0;
        }
        size_t npages = (size + HDR_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
        struct page_hdr *pg = h->page_get(npages);
        if (!pg) {
            h->st.failed++;
            return 0;
        }
        pg->magic = LARGE_MAGIC;
        pg->npages = npages;
        pg->req = size;
        h->st.large_pages += npages;
        h->st.bytes_in_use += size;
        h->st.objects++;
        return (char *)pg + HDR_SIZE;
    }
    struct page_hdr *pg;
    if (list_empty(&h->cls[c].partial)) {
        pg = slab_new(h, c);
        if (!pg) {
            h->st.failed++;
            return 0;
        }
    } else {
        pg = list_entry(h->cls[c].partial.next, struct page_hdr, link);
    }
    struct free_obj *o = pg->free;
    pg->free = o->next;
    o->mark = 0;
    pg->inuse++;
    if (!pg->free)
        list_del(&pg->link);
    h->st.bytes_in_use += h->cls[c].size;
    h->st.objects++;
    return o;
}

/* Whether offset off in page pg is the start of one of the slab's objects
 * (not the header, not the tail past the last whole object). */
static int slab_obj_ok(struct heap *h, const struct page_hdr *pg, uintptr_t off)
{
    if (pg->magic != SLAB_MAGIC || pg->cls >= HEAP_NCLASSES || off < HDR_SIZE)
        return 0;
    uint32_t size = h->cls[pg->cls].size;
    return (off - HDR_SIZE) % size == 0 && off + size <= PAGE_SIZE;
}

int heap_free(struct heap *h, void *p)
{
    if (!p)
        return 0;
    struct page_hdr *pg = hdr_of(p);
    uintptr_t off = (uintptr_t)p - (uintptr_t)pg;
    if (pg->magic == LARGE_MAGIC && off == HDR_SIZE) {
        size_t npages = pg->npages;
        h->st.large_pages -= npages;
        h->st.bytes_in_use -= pg->req;
        h->st.objects--;
        pg->magic = 0;
        h->page_put(pg, npages);
        return 0;
    }
    if (!slab_obj_ok(h, pg, off)) {
        h->st.bad_frees++;
        return -EINVAL;
    }
    struct heap_class *hc = &h->cls[pg->cls];
    struct free_obj *o = p;
    if (o->mark == FREE_MARK) {
        /* already free (or a live object that happens to hold the mark:
         * check the chain to be sure) */
        for (struct free_obj *f = pg->free; f; f = f->next)
            if (f == o) {
                h->st.bad_frees++;
                return -EINVAL;
            }
    }
    int was_full = pg->free == 0;
    o->next = pg->free;
    o->mark = FREE_MARK;
    pg->free = o;
    pg->inuse--;
    h->st.bytes_in_use -= hc->size;
    h->st.objects--;
    if (pg->inuse == 0) {
        if (!was_full)
            list_del(&pg->link);
        pg->magic = 0;
        hc->pages--;
        h->st.slab_pages--;
        h->page_put(pg, 1);
    } else if (was_full) {
        list_add_tail(&hc->partial, &pg->link);
    }
    return 0;
}

size_t heap_usable_size(struct heap *h, void *p)
{
    struct page_hdr *pg = hdr_of(p);
    uintptr_t off = (uintptr_t)p - (uintptr_t)pg;
    if (pg->magic == LARGE_MAGIC && off == HDR_SIZE)
        return pg->npages * PAGE_SIZE - HDR_SIZE;
    if (slab_obj_ok(h, pg, off))
        return h->cls[pg->cls].size;
    return 0;
}
