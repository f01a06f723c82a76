#ifndef DEV_BLKFRONT_BLKFRONT_ALLOC_H
#define DEV_BLKFRONT_BLKFRONT_ALLOC_H
/* blkfront's pure bookkeeping of what a request is given: a pool of
 * persistently granted pages (handed out by index), and the choice of a
 * ring among several queues. No pages or grants here: the caller owns
 * them; this only says which index is free. */
#include <stdint.h>
#include <stdbool.h>

/* Persistent grants: the back-end keeps every grant it is sent mapped
 * until it disconnects, so a page granted once is reused for many
 * requests (data copied in and out) and never granted again. */
#define BLKFRONT_POOL_MAX 256

struct blkfront_pool {
    uint16_t max;      /* entries allowed */
    uint16_t cap;      /* entries that exist (grown on demand up to max) */
    uint16_t nfree;
    uint16_t free[BLKFRONT_POOL_MAX]; /* a stack of free entries */
    bool out[BLKFRONT_POOL_MAX];      /* handed out: catches a second put */
};

void blkfront_pool_init(struct blkfront_pool *p, unsigned max);
/* A free entry's index, or -1 (none free: the caller may grow). */
int blkfront_pool_get(struct blkfront_pool *p);
/* Makes a new entry and hands it out: its index, or -1 at max. */
int blkfront_pool_grow(struct blkfront_pool *p);
/* Takes back the newest entry made by blkfront_pool_grow (its page or
 * grant could not be had). */
void blkfront_pool_shrink(struct blkfront_pool *p);
/* Gives an entry back: 0, or -EINVAL if it was not handed out. */
int blkfront_pool_put(struct blkfront_pool *p, unsigned idx);
/* Entries one request could still get now: free ones plus growth. */
unsigned blkfront_pool_avail(const struct blkfront_pool *p);

/* The queue the next ring request goes to: among those with a free slot
 * (room[i] > 0), the one with the fewest requests in flight; ties go to
 * the first at or after start. Callers pass the queue used last: one
 * request at a time then stays on one ring, whose back-end thread is
 * awake (taking turns cost a wake-up in Dom0 per request: 30 instead of
 * 1000 4 KiB reads a second on the test host), and a deeper queue still
 * spreads. n when none has room. */
unsigned blkfront_queue_pick(const unsigned *inflight, const unsigned *room, unsigned n,
                             unsigned start);
#endif
