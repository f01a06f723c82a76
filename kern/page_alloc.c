#include "kern/page_alloc.h"
#include "kern/errno.h"
#include "lib/string.h"

static inline int bit_get(const uint64_t *bm, uint64_t i) { return (bm[i / 64] >> (i % 64)) & 1; }
static inline void bit_set(uint64_t *bm, uint64_t i) { bm[i / 64] |= 1ULL << (i % 64); }
static inline void bit_clr(uint64_t *bm, uint64_t i) { bm[i / 64] &= ~(1ULL << (i % 64)); }

size_t page_alloc_bitmap_bytes(uint64_t npages)
{
    return (size_t)((npages + 63) / 64) * 8;
}

void page_alloc_init(struct page_alloc *pa, uint64_t base_pfn, uint64_t npages, uint64_t *bitmap)
{
    pa->base_pfn = base_pfn;
    pa->npages = npages;
    pa->bitmap = bitmap;
    pa->nfree = 0;
    pa->hint = 0;
    memset(bitmap, 0xff, page_alloc_bitmap_bytes(npages));
}

static int in_range(const struct page_alloc *pa, uint64_t pfn, uint64_t count)
{
    return pfn >= pa->base_pfn && count <= pa->npages && pfn - pa->base_pfn <= pa->npages - count;
}

void page_alloc_add_free(struct page_alloc *pa, uint64_t pfn, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        uint64_t f = pfn + i;
        if (f < pa->base_pfn || f - pa->base_pfn >= pa->npages)
            continue;
        uint64_t idx = f - pa->base_pfn;
        if (bit_get(pa->bitmap, idx)) {
            bit_clr(pa->bitmap, idx);
            pa->nfree++;
        }
    }
}

int page_alloc_reserve(struct page_alloc *pa, uint64_t pfn, uint64_t count)
{
    if (!in_range(pa, pfn, count))
        return -EINVAL;
    uint64_t idx = pfn - pa->base_pfn;
    for (uint64_t i = 0; i < count; i++)
        if (bit_get(pa->bitmap, idx + i))
            return -EBUSY;
    for (uint64_t i = 0; i < count; i++)
        bit_set(pa->bitmap, idx + i);
    pa->nfree -= count;
    return 0;
}

/* First fit from the hint, wrapping once. */
int64_t page_alloc_alloc(struct page_alloc *pa, uint64_t count, uint64_t align)
{
    if (count == 0 || count > pa->nfree || align == 0 || (align & (align - 1)))
        return -ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t from = pass == 0 ? pa->hint : 0;
        uint64_t to = pass == 0 ? pa->npages : pa->hint + count;
        if (to > pa->npages)
            to = pa->npages;
        uint64_t i = from;
        while (i + count <= to) {
            uint64_t pfn = pa->base_pfn + i;
            uint64_t mis = pfn & (align - 1);
            if (mis) {
                i += align - mis;
                continue;
            }
            /* skip whole used words quickly */
            if ((i % 64) == 0 && pa->bitmap[i / 64] == ~0ULL) {
                i += 64;
                continue;
            }
            uint64_t run = 0;
            while (run < count && !bit_get(pa->bitmap, i + run))
                run++;
            if (run == count) {
                for (uint64_t k = 0; k < count; k++)
                    bit_set(pa->bitmap, i + k);
                pa->nfree -= count;
                pa->hint = i + count;
                return (int64_t)pfn;
            }
            i += run + 1;
        }
    }
    return -ENOMEM;
}

int page_alloc_free(struct page_alloc *pa, uint64_t pfn, uint64_t count)
{
    if (count == 0 || !in_range(pa, pfn, count))
        return -EINVAL;
    uint64_t idx = pfn - pa->base_pfn;
    for (uint64_t i = 0; i < count; i++)
        if (!bit_get(pa->bitmap, idx + i))
            return -EINVAL;
    for (uint64_t i = 0; i < count; i++)
        bit_clr(pa->bitmap, idx + i);
    pa->nfree += count;
    if (idx < pa->hint)
        pa->hint = idx;
    return 0;
}

int page_alloc_is_used(const struct page_alloc *pa, uint64_t pfn)
{
    if (pfn < pa->base_pfn || pfn - pa->base_pfn >= pa->npages)
        return 1;
    return bit_get(pa->bitmap, pfn - pa->base_pfn);
}
