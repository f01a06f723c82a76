#include "kern/kernel.h"
#include "kern/mm.h"
#include "kern/spinlock.h"

extern char __image_start[], __image_end[];

/* The identity map built at boot covers 4 GiB. */
#define MAPPED_LIMIT (4ULL << 30)

/* Both are used from event handlers too. The heap takes pages with its
 * lock held: heap_lock, then pages_lock. */
static struct spinlock pages_lock = SPINLOCK_INIT("pages"); /* pa, total_pages */
static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct page_alloc pa;
static struct heap heap;
static uint64_t total_pages;
/* RAM frames in the map that the domain does not hold (memory < maxmem):
 * in use for the allocator, the balloon's to give back or fill. */
static uint64_t unheld_start, unheld_end;
static uint64_t image_start_pfn, image_end_pfn; /* the image and the bitmap after it */
static const struct memmap *ram_map;

static void *heap_page_get(size_t n)
{
    return pages_alloc(n);
}

static void heap_page_put(void *p, size_t n)
{
    pages_free(p, n);
}

int mm_init(const struct memmap *map, long present)
{
    uint64_t end = memmap_ram_end(map);
    if (end > MAPPED_LIMIT) {
        printk("mm: RAM above 4 GiB (%llu MiB) is not used yet",
               (unsigned long long)((end - MAPPED_LIMIT) >> 20));
        end = MAPPED_LIMIT;
    }
    /* With memory < maxmem the map shows maxmem of RAM, but only the
     * populate-on-demand cache (about memory=) may ever be touched: more
     * and Xen kills the domain. Manage only as many frames as the domain
     * has, less a margin for the pages Xen counts that are not RAM
     * (special pages, ACPI tables). */
    if (present > 0 && memmap_ram_bytes(map) / PAGE_SIZE > (uint64_t)present) {
        /* The image (and the bitmap after it) is touched already. */
        uint64_t image_pages = ((uint64_t)(uintptr_t)__image_end - (uint64_t)(uintptr_t)__image_start) / PAGE_SIZE +
                               page_alloc_bitmap_bytes(end >> PAGE_SHIFT) / PAGE_SIZE + 2;
        uint64_t margin = MIN((uint64_t)present / 2, 64);
        uint64_t allowed = (uint64_t)present > margin + image_pages ? (uint64_t)present - margin - image_pages : 0;
        uint64_t cap = allowed << PAGE_SHIFT;
        printk("mm: %llu KiB of RAM in the map but the domain holds %ld pages (memory < "
               "maxmem): using the first %llu KiB",
               (unsigned long long)(memmap_ram_bytes(map) >> 10), present,
               (unsigned long long)(cap >> 10));
        if (cap < end) {
            unheld_start = cap >> PAGE_SHIFT;
            unheld_end = end >> PAGE_SHIFT;
        }
    }
    ram_map = map;
    /* The allocator covers all RAM, so the balloon can fill what the
     * domain does not hold yet; only frames below the cap start free. */
    uint64_t npages = end >> PAGE_SHIFT;
    if (unheld_end)
        end = unheld_start << PAGE_SHIFT;
    size_t bm_bytes = page_alloc_bitmap_bytes(npages);
    /* The bitmap goes right after the image, in RAM the map confirms; if
     * the map reserves what follows the image (a PV domain builder's
     * frames), at the start of the next RAM above it. */
    uint64_t bm_start = ((uint64_t)(uintptr_t)__image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint64_t bm_pages = (bm_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    int ok = 0;
    for (unsigned i = 0; i < map->n && !ok; i++) {
        const struct mem_region *r = &map->r[i];
        if (r->type != XEN_HVM_MEMMAP_TYPE_RAM || r->end <= bm_start)
            continue;
        uint64_t s = MAX(r->start, bm_start);
        s = (s + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        if (r->end >= s + bm_pages * PAGE_SIZE) {
            bm_start = s;
            ok = 1;
        }
    }
    if (!ok)
        return -ENOMEM;
    page_alloc_init(&pa, 0, npages, (uint64_t *)(uintptr_t)bm_start);
    for (unsigned i = 0; i < map->n; i++) {
        const struct mem_region *r = &map->r[i];
        if (r->type != XEN_HVM_MEMMAP_TYPE_RAM || r->start >= end)
            continue;
        uint64_t s = (r->start + PAGE_SIZE - 1) >> PAGE_SHIFT;
        uint64_t e = MIN(r->end, end) >> PAGE_SHIFT;
        if (e > s)
            page_alloc_add_free(&pa, s, e - s);
    }
    total_pages = pa.nfree;
    /* Page 0 stays unmapped (NULL faults); the image and bitmap are ours. */
    if (!page_alloc_is_used(&pa, 0))
        page_alloc_reserve(&pa, 0, 1);
    uint64_t img_s = (uint64_t)(uintptr_t)__image_start >> PAGE_SHIFT;
    uint64_t img_e = bm_start / PAGE_SIZE + bm_pages;
    image_start_pfn = img_s;
    image_end_pfn = img_e;
    for (uint64_t f = img_s; f < img_e; f++)
        if (!page_alloc_is_used(&pa, f))
            page_alloc_reserve(&pa, f, 1);
    heap_init(&heap, heap_page_get, heap_page_put);
    return 0;
}

void *pages_alloc(size_t npages)
{
    unsigned long f = spin_lock_irqsave(&pages_lock);
    int64_t pfn = page_alloc_alloc(&pa, npages, 1);
    spin_unlock_irqrestore(&pages_lock, f);
    if (pfn < 0) {
        printk("mm: out of memory: wanted %zu pages, %llu free", npages,
               (unsigned long long)pa.nfree);
        return 0;
    }
    void *p = (void *)(uintptr_t)((uint64_t)pfn << PAGE_SHIFT);
    memset(p, 0, npages * PAGE_SIZE);
    return p;
}

void pages_free(void *p, size_t npages)
{
    unsigned long f = spin_lock_irqsave(&pages_lock);
    int r = page_alloc_free(&pa, (uint64_t)(uintptr_t)p >> PAGE_SHIFT, npages);
    spin_unlock_irqrestore(&pages_lock, f);
    if (r)
        panic("mm: bad free of %zu pages at %p (not allocated)", npages, p);
}

void *kmalloc(size_t size)
{
    unsigned long f = spin_lock_irqsave(&heap_lock);
    void *p = heap_alloc(&heap, size);
    spin_unlock_irqrestore(&heap_lock, f);
    if (!p)
        printk("mm: kmalloc(%zu) failed", size);
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    unsigned long f = spin_lock_irqsave(&heap_lock);
    int r = heap_free(&heap, p);
    spin_unlock_irqrestore(&heap_lock, f);
    if (r)
        panic("mm: kfree of %p, which the heap never gave out (or freed twice)", p);
}

char *kstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = kmalloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int64_t mm_balloon_take(uint64_t count, uint64_t align)
{
    unsigned long f = spin_lock_irqsave(&pages_lock);
    int64_t pfn = page_alloc_alloc(&pa, count, align);
    if (pfn >= 0)
        total_pages -= count;
    spin_unlock_irqrestore(&pages_lock, f);
    return pfn;
}

void mm_balloon_give(uint64_t pfn, uint64_t count)
{
    unsigned long f = spin_lock_irqsave(&pages_lock);
    int r = page_alloc_free(&pa, pfn, count);
    if (r == 0)
        total_pages += count;
    spin_unlock_irqrestore(&pages_lock, f);
    if (r)
        panic("mm: balloon gave back frames %llx+%llu that were not out",
              (unsigned long long)pfn, (unsigned long long)count);
}

void mm_unheld_ram(void (*fn)(uint64_t pfn, uint64_t count, void *arg), void *arg)
{
    if (!unheld_end)
        return;
    for (unsigned i = 0; i < ram_map->n; i++) {
        const struct mem_region *r = &ram_map->r[i];
        if (r->type != XEN_HVM_MEMMAP_TYPE_RAM)
            continue;
        uint64_t s = MAX((r->start + PAGE_SIZE - 1) >> PAGE_SHIFT, unheld_start);
        uint64_t e = MIN(r->end >> PAGE_SHIFT, unheld_end);
        /* In a tiny domain the image itself lies above the cap: it is
         * held and in use, never the balloon's. */
        uint64_t cut_s = MIN(MAX(image_start_pfn, s), e), cut_e = MAX(MIN(image_end_pfn, e), s);
        if (cut_e > cut_s) {
            if (cut_s > s)
                fn(s, cut_s - s, arg);
            if (e > cut_e)
                fn(cut_e, e - cut_e, arg);
        } else if (e > s) {
            fn(s, e - s, arg);
        }
    }
}

uint64_t mm_max_pfn(void)
{
    return pa.base_pfn + pa.npages;
}

void mm_get_stats(struct mm_stats *st)
{
    unsigned long f = spin_lock_irqsave(&heap_lock);
    st->heap = heap.st;
    spin_lock(&pages_lock);
    st->total_pages = total_pages;
    st->free_pages = pa.nfree;
    spin_unlock(&pages_lock);
    spin_unlock_irqrestore(&heap_lock, f);
}
