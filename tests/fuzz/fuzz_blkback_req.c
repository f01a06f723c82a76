/* libFuzzer: blkback's checks of a front-end's request (any bytes in the
 * ring slot, any device size, read-only or not). Whatever the input, a
 * request is served only with 1..11 segments inside their pages and
 * sectors inside the device, never a write to a read-only export, and
 * its copy plan moves exactly its bytes in ops that stay within a page on
 * both sides; the ring check never admits more than a ring. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "dev/blkback/blkback_req.h"
#include "kern/errno.h"
#include "tests/fuzz/fuzz_check.h"

static uint8_t local[13 * 4096] __attribute__((aligned(4096)));
static void *at(void *ctx, uint64_t off)
{
    uint64_t start = (uintptr_t)ctx;
    CHECK(start + off < sizeof(local));
    return local + start + off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(blkif_request_t) + 8 + 2 + 12)
        return 0;
    blkif_request_t raw;
    blkback_req_copy(&raw, data);
    data += sizeof(raw);
    struct blkback_limits lim = { 0 };
    memcpy(&lim.sectors, data, 8);
    lim.readonly = data[8] & 1;
    lim.discard = data[8] & 2;
    uint16_t start = (uint16_t)(data[9] * 8 % 4096);
    data += 10;
    struct blkback_req r;
    const char *why = (const char *)1;
    enum blkback_verdict v = blkback_req_parse(&raw, &lim, &r, &why);
    CHECK(r.id == raw.id || raw.operation == BLKIF_OP_INDIRECT);
    if (v != BB_OK)
        CHECK(why && why != (const char *)1);
    if (v == BB_OK && (r.op == BLKIF_OP_READ || r.op == BLKIF_OP_WRITE || r.nseg)) {
        CHECK(r.nseg >= 1 && r.nseg <= 11);
        CHECK(r.sector <= lim.sectors && r.nsect <= lim.sectors - r.sector);
        CHECK(!(lim.readonly && r.op != BLKIF_OP_READ));
        uint64_t sum = 0;
        for (unsigned i = 0; i < r.nseg; i++) {
            CHECK(r.seg[i].first <= r.seg[i].last && r.seg[i].last < 8);
            sum += r.seg[i].last - r.seg[i].first + 1u;
        }
        CHECK(sum == r.nsect);
        struct gnttab_copy_seg segs[BLKBACK_MAX_COPIES];
        int n = blkback_copy_plan(&r, 1, r.op == BLKIF_OP_READ, at, (void *)(uintptr_t)start, segs);
        CHECK(n > 0 && n <= BLKBACK_MAX_COPIES);
        uint64_t bytes = 0;
        for (int i = 0; i < n; i++) {
            CHECK(segs[i].len > 0 && segs[i].offset + segs[i].len <= 4096);
            CHECK(((uintptr_t)segs[i].local & 4095) + segs[i].len <= 4096);
            bytes += segs[i].len;
        }
        CHECK(bytes == r.nsect * 512);
    }
    if (v == BB_OK && r.op == BLKIF_OP_DISCARD)
        CHECK(lim.discard && !lim.readonly && r.sector <= lim.sectors &&
              r.nsect <= lim.sectors - r.sector);
    RING_IDX prod, cons, rsp;
    memcpy(&prod, data, 4);
    memcpy(&cons, data + 4, 4);
    memcpy(&rsp, data + 8, 4);
    why = 0;
    int k = blkback_ring_requests(prod, cons, rsp, 32, &why);
    if (k >= 0)
        CHECK(k <= 32 && (RING_IDX)(prod - rsp) <= 32 && (RING_IDX)k == prod - cons);
    else
        CHECK(k == -EBADMSG && why);
    return 0;
}
