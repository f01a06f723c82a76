#include "xen/gfn_window.h"
#include "kern/errno.h"

static bool bit(const uint64_t *b, uint32_t i)
{
    return (b[i / 64] >> (i % 64)) & 1;
}

static void set_bit(uint64_t *b, uint32_t i, bool v)
{
    if (v)
        b[i / 64] |= 1ULL << (i % 64);
    else
        b[i / 64] &= ~(1ULL << (i % 64));
}

size_t gfn_window_bitmap_bytes(uint32_t nframes)
{
    return ((size_t)nframes + 63) / 64 * sizeof(uint64_t);
}

void gfn_window_init(struct gfn_window *w, uint64_t base, uint32_t nframes, uint64_t *used,
                     uint64_t *head)
{
    w->base = base;
    w->nframes = nframes;
    w->nfree = nframes;
    w->used = used;
    w->head = head;
    for (size_t i = 0; i < gfn_window_bitmap_bytes(nframes) / sizeof(uint64_t); i++)
        used[i] = head[i] = 0;
}

int64_t gfn_window_alloc(struct gfn_window *w, uint32_t count)
{
    if (count == 0)
        return -EINVAL;
    if (count > w->nfree)
        return -ENOSPC;
    uint32_t run = 0;
    for (uint32_t i = 0; i < w->nframes; i++) {
        run = bit(w->used, i) ? 0 : run + 1;
        if (run == count) {
            uint32_t first = i + 1 - count;
            for (uint32_t j = first; j <= i; j++)
                set_bit(w->used, j, true);
            set_bit(w->head, first, true);
            w->nfree -= count;
            return (int64_t)(w->base + first);
        }
    }
    return -ENOSPC;
}

bool gfn_window_contains(const struct gfn_window *w, uint64_t gfn)
{
    return gfn >= w->base && gfn - w->base < w->nframes;
}

int gfn_window_free(struct gfn_window *w, uint64_t gfn, uint32_t count)
{
    if (count == 0 || !gfn_window_contains(w, gfn) || count > w->nframes - (gfn - w->base))
        return gfn_window_contains(w, gfn) ? -EINVAL : -ERANGE;
    uint32_t first = (uint32_t)(gfn - w->base), end = first + count;
    if (!bit(w->head, first))
        return -EINVAL;
    for (uint32_t i = first; i < end; i++)
        if (!bit(w->used, i) || (i > first && bit(w->head, i)))
            return -EINVAL; /* free, or another allocation */
    /* The allocation must end here, not run on. */
    if (end < w->nframes && bit(w->used, end) && !bit(w->head, end))
        return -EINVAL;
    for (uint32_t i = first; i < end; i++)
        set_bit(w->used, i, false);
    set_bit(w->head, first, false);
    w->nfree += count;
    return 0;
}

int gfn_window_place(const struct memmap *m, uint64_t size, uint64_t min_addr, uint64_t limit,
                     uint64_t *base)
{
    uint64_t above = min_addr;
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].type == XEN_HVM_MEMMAP_TYPE_RAM && m->r[i].start < limit &&
            m->r[i].end > above)
            above = m->r[i].end;
    if (above >= limit)
        return -ENOSPC;
    return memmap_find_hole(m, size, above, limit, base);
}
