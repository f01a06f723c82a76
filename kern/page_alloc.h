#ifndef KERN_PAGE_ALLOC_H
#define KERN_PAGE_ALLOC_H
/* A bitmap page allocator over one range of page frames. A set bit is a
 * page in use (or not RAM). Pure: the kernel wraps one instance in mm.c. */
#include <stdint.h>
#include <stddef.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096UL

struct page_alloc {
    uint64_t base_pfn; /* first frame covered */
    uint64_t npages;   /* frames covered */
    uint64_t *bitmap;  /* npages bits, 1 = in use */
    uint64_t nfree;    /* free frames */
    uint64_t hint;     /* where the next search starts */
};

/* Bytes of bitmap storage needed for npages frames. */
size_t page_alloc_bitmap_bytes(uint64_t npages);
/* Everything starts in use; add_free then hands RAM to the allocator. */
void page_alloc_init(struct page_alloc *pa, uint64_t base_pfn, uint64_t npages,
                     uint64_t *bitmap);
void page_alloc_add_free(struct page_alloc *pa, uint64_t pfn, uint64_t count);
/* Take specific frames out (e.g. the kernel image); -EBUSY if one is in use. */
int page_alloc_reserve(struct page_alloc *pa, uint64_t pfn, uint64_t count);
/* count contiguous frames aligned to align (a power of two, in frames):
 * the first frame number, or -ENOMEM. */
int64_t page_alloc_alloc(struct page_alloc *pa, uint64_t count, uint64_t align);
/* 0, or -EINVAL for frames outside the range or not in use (double free). */
int page_alloc_free(struct page_alloc *pa, uint64_t pfn, uint64_t count);
int page_alloc_is_used(const struct page_alloc *pa, uint64_t pfn);
#endif
