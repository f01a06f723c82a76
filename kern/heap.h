#ifndef KERN_HEAP_H
#define KERN_HEAP_H
/* A size-class heap on top of a page provider. Small objects (<= 1024
 * bytes) share slab pages of one class; larger ones get whole pages. Every
 * object is 16-byte aligned. Pure: the page provider is passed in. */
#include <stddef.h>
#include <stdint.h>
#include "kern/list.h"

#define HEAP_NCLASSES 7 /* 16 32 64 128 256 512 1024 */

struct heap_class {
    uint32_t size;
    struct list partial; /* slab pages with at least one free object */
    uint64_t pages;
};

struct heap_stats {
    uint64_t bytes_in_use;   /* bytes of live objects: class size for small ones, requested size for large */
    uint64_t objects;        /* live objects */
    uint64_t slab_pages;     /* pages held by slabs */
    uint64_t large_pages;    /* pages held by large objects */
    uint64_t failed;         /* allocations that found no memory */
    uint64_t bad_frees;      /* frees of pointers the heap never gave out */
};

struct heap {
    void *(*page_get)(size_t npages); /* page-aligned memory or NULL */
    void (*page_put)(void *p, size_t npages);
    struct heap_class cls[HEAP_NCLASSES];
    struct heap_stats st;
};

void heap_init(struct heap *h, void *(*page_get)(size_t), void (*page_put)(void *, size_t));
void *heap_alloc(struct heap *h, size_t size);
/* 0, or -EINVAL for a pointer not from this heap or already freed. */
int heap_free(struct heap *h, void *p);
/* The usable size of a live object, 0 for a bad pointer. */
size_t heap_usable_size(struct heap *h, void *p);
#endif
