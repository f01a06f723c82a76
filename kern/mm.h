#ifndef KERN_MM_H
#define KERN_MM_H
/* The kernel's memory: one page allocator over guest RAM (identity
 * mapped, so a frame's address is its pointer) and the heap on top. */
#include <stdint.h>
#include <stddef.h>
#include "kern/page_alloc.h"
#include "kern/memmap.h"
#include "kern/heap.h"

/* Hands RAM below 4 GiB to the allocator, minus page 0 and the image;
 * present is the number of pages the domain holds (< 0 if unknown): with
 * fewer than the map shows, only that many are used. */
int mm_init(const struct memmap *map, long present);
/* Page-aligned, zeroed memory, or NULL with a log line saying how much
 * was wanted and how much is free. */
void *pages_alloc(size_t npages);
void pages_free(void *p, size_t npages);

/* For the balloon: take count contiguous free frames (aligned to align
 * frames) out of the kernel's hands without touching them (their first
 * frame, or -ENOMEM), and give
 * frames back once they are populated again. total_pages follows. */
int64_t mm_balloon_take(uint64_t count, uint64_t align);
void mm_balloon_give(uint64_t pfn, uint64_t count);
/* Calls fn for the RAM ranges in the memory map the domain did not hold
 * at boot (memory < maxmem): in use for the allocator, never touched. */
void mm_unheld_ram(void (*fn)(uint64_t pfn, uint64_t count, void *arg), void *arg);
/* One past the highest frame the allocator covers. */
uint64_t mm_max_pfn(void);

struct mm_stats {
    uint64_t total_pages; /* RAM pages managed */
    uint64_t free_pages;
    struct heap_stats heap;
};
void mm_get_stats(struct mm_stats *st);
#endif
