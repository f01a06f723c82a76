#include "dev/blkfront/blkfront_alloc.h"
#include "kern/errno.h"

void blkfront_pool_init(struct blkfront_pool *p, unsigned max)
{
    p->max = (uint16_t)(max < BLKFRONT_POOL_MAX ? max : BLKFRONT_POOL_MAX);
    p->cap = 0;
    p->nfree = 0;
    for (unsigned i = 0; i < BLKFRONT_POOL_MAX; i++)
        p->out[i] = false;
}

int blkfront_pool_get(struct blkfront_pool *p)
{
    if (p->nfree == 0)
        return -1;
    unsigned idx = p->free[--p->nfree];
    p->out[idx] = true;
    return (int)idx;
}

int blkfront_pool_grow(struct blkfront_pool *p)
{
    if (p->cap >= p->max)
        return -1;
    unsigned idx = p->cap++;
    p->out[idx] = true;
    return (int)idx;
}

void blkfront_pool_shrink(struct blkfront_pool *p)
{
    if (p->cap == 0)
        return;
    p->cap--;
    p->out[p->cap] = false;
}

int blkfront_pool_put(struct blkfront_pool *p, unsigned idx)
{
    if (idx >= p->cap || !p->out[idx])
        return -EINVAL;
    p->out[idx] = false;
    p->free[p->nfree++] = (uint16_t)idx;
    return 0;
}

unsigned blkfront_pool_avail(const struct blkfront_pool *p)
{
    return (unsigned)p->nfree + (unsigned)(p->max - p->cap);
}

unsigned blkfront_queue_pick(const unsigned *inflight, const unsigned *room, unsigned n,
                             unsigned start)
{
    unsigned best = n;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (start + k) % n;
        if (room[i] == 0)
            continue;
        if (best == n || inflight[i] < inflight[best])
            best = i;
    }
    return best;
}
