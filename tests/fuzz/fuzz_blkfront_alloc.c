/* libFuzzer: blkfront's persistent-grant pool under any sequence of
 * gets, grows, shrinks and puts (good and bad), against a shadow model:
 * an entry is never handed out twice, a put of an entry not out is
 * refused, and what is available always adds up. And the queue choice
 * always names a queue with room, the least loaded one, or none. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#include "dev/blkfront/blkfront_alloc.h"
#include "kern/errno.h"

#include "tests/fuzz/fuzz_check.h"

#define BLKFRONT_MAX_QUEUES_FUZZ 4

static struct blkfront_pool pool;
static bool out[BLKFRONT_POOL_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned max = data[0] % (BLKFRONT_POOL_MAX + 8);
    blkfront_pool_init(&pool, max);
    memset(out, 0, sizeof(out));
    unsigned cap = 0, nout = 0;
    unsigned limit = max < BLKFRONT_POOL_MAX ? max : BLKFRONT_POOL_MAX;
    for (size_t i = 1; i + 1 < size; i += 2) {
        uint8_t op = data[i] % 4, arg = data[i + 1];
        if (op == 0) {
            int idx = blkfront_pool_get(&pool);
            if (idx >= 0) {
                CHECK((unsigned)idx < cap && !out[idx]);
                out[idx] = true;
                nout++;
            } else {
                CHECK(nout == cap); /* none free */
            }
        } else if (op == 1) {
            int idx = blkfront_pool_grow(&pool);
            if (idx >= 0) {
                CHECK((unsigned)idx == cap && cap < limit);
                out[idx] = true;
                cap++;
                nout++;
            } else {
                CHECK(cap == limit);
            }
        } else if (op == 2) {
            /* Only right after a grow, as blkfront uses it. */
            if (cap > 0 && out[cap - 1] && (arg & 1)) {
                blkfront_pool_shrink(&pool);
                cap--;
                out[cap] = false;
                nout--;
            }
        } else {
            unsigned idx = arg;
            int rc = blkfront_pool_put(&pool, idx);
            if (idx < cap && out[idx]) {
                CHECK(rc == 0);
                out[idx] = false;
                nout--;
            } else {
                CHECK(rc == -EINVAL);
            }
        }
        CHECK(blkfront_pool_avail(&pool) == (cap - nout) + (limit - cap));
    }
    /* The queue choice over the same bytes. */
    unsigned n = (data[0] % BLKFRONT_MAX_QUEUES_FUZZ) + 1;
    unsigned inflight[BLKFRONT_MAX_QUEUES_FUZZ], room[BLKFRONT_MAX_QUEUES_FUZZ];
    for (unsigned q = 0; q < n; q++) {
        inflight[q] = size > q + 1 ? data[q + 1] % 5 : 0;
        room[q] = size > q + 5 ? data[q + 5] % 3 : 1;
    }
    unsigned pick = blkfront_queue_pick(inflight, room, n, data[size - 1]);
    bool any = false;
    for (unsigned q = 0; q < n; q++)
        any |= room[q] > 0;
    if (!any) {
        CHECK(pick == n);
    } else {
        CHECK(pick < n && room[pick] > 0);
        for (unsigned q = 0; q < n; q++)
            CHECK(room[q] == 0 || inflight[q] >= inflight[pick]);
    }
    return 0;
}
