/* blkback's pure half (dev/blkback/blkback_req.c): every check of a
 * front-end's request on its private copy, the ring-index check, the
 * responses' bytes, the copy plans and the target= names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "dev/blkback/blkback_req.h"
#include "kern/errno.h"

static const struct blkback_limits rw_64m = { .sectors = 131072, .readonly = false,
                                              .discard = true };
static const struct blkback_limits ro_64m = { .sectors = 131072, .readonly = true };

static blkif_request_t rw(uint8_t op, uint64_t sector, unsigned nseg)
{
    blkif_request_t r;
    memset(&r, 0, sizeof(r));
    r.operation = op;
    r.nr_segments = (uint8_t)nseg;
    r.id = 0x1122334455667788ULL;
    r.sector_number = sector;
    for (unsigned i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r.seg[i].gref = 100 + i;
        r.seg[i].first_sect = 0;
        r.seg[i].last_sect = 7;
    }
    return r;
}

static void test_read_write_ok(void **state)
{
    (void)state;
    struct blkback_req out;
    const char *why;
    blkif_request_t r = rw(BLKIF_OP_READ, 8, 11);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_OK);
    assert_int_equal(out.nseg, 11);
    assert_int_equal(out.nsect, 88);
    assert_int_equal(out.op, BLKIF_OP_READ);
    assert_true(out.id == 0x1122334455667788ULL);
    assert_int_equal(out.seg[10].gref, 110);
    /* partial segments, the last sector of the device */
    r = rw(BLKIF_OP_WRITE, 131072 - 3, 1);
    r.seg[0].first_sect = 5;
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_OK);
    assert_int_equal(out.nsect, 3);
    /* one sector too many */
    r.sector_number = 131072 - 2;
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_ERROR);
    assert_string_equal(why, "sectors beyond the end of the device");
}

static void test_segments_fatal(void **state)
{
    (void)state;
    struct blkback_req out;
    const char *why;
    blkif_request_t r = rw(BLKIF_OP_READ, 0, 0);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_FATAL);
    assert_string_equal(why, "segment count not 1..11");
    assert_true(out.id == r.id); /* even so, the id is known */
    r = rw(BLKIF_OP_WRITE, 0, 12);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_FATAL);
    r = rw(BLKIF_OP_READ, 0, 255);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_FATAL);
    r = rw(BLKIF_OP_READ, 0, 2);
    r.seg[1].last_sect = 8;
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_FATAL);
    assert_string_equal(why, "a segment ends beyond its page");
    r = rw(BLKIF_OP_READ, 0, 2);
    r.seg[1].first_sect = 4;
    r.seg[1].last_sect = 3;
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_FATAL);
    assert_string_equal(why, "a segment's first sector is after its last");
}

static void test_range_overflow(void **state)
{
    (void)state;
    struct blkback_req out;
    const char *why;
    /* sector + length wraps around: still refused */
    blkif_request_t r = rw(BLKIF_OP_READ, UINT64_MAX - 3, 1);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_ERROR);
    r.sector_number = 131072;
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_ERROR);
    struct blkback_limits empty = { 0 };
    r.sector_number = 0;
    assert_int_equal(blkback_req_parse(&r, &empty, &out, &why), BB_ERROR);
}

static void test_readonly(void **state)
{
    (void)state;
    struct blkback_req out;
    const char *why;
    blkif_request_t r = rw(BLKIF_OP_WRITE, 0, 1);
    assert_int_equal(blkback_req_parse(&r, &ro_64m, &out, &why), BB_ERROR);
    assert_string_equal(why, "write to a read-only device");
    r = rw(BLKIF_OP_READ, 0, 1);
    assert_int_equal(blkback_req_parse(&r, &ro_64m, &out, &why), BB_OK);
    /* a flush carrying data is a write */
    r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 1);
    assert_int_equal(blkback_req_parse(&r, &ro_64m, &out, &why), BB_ERROR);
    /* a bare flush is fine */
    r = rw(BLKIF_OP_FLUSH_DISKCACHE, 99, 0);
    assert_int_equal(blkback_req_parse(&r, &ro_64m, &out, &why), BB_OK);
}

static void test_flush(void **state)
{
    (void)state;
    struct blkback_req out;
    const char *why;
    blkif_request_t r = rw(BLKIF_OP_FLUSH_DISKCACHE, 12345678901ULL, 0);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_OK);
    assert_int_equal(out.nseg, 0);
    assert_int_equal(out.op, BLKIF_OP_FLUSH_DISKCACHE);
    r = rw(BLKIF_OP_FLUSH_DISKCACHE, 16, 2);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_OK);
    assert_int_equal(out.op, BLKIF_OP_FLUSH_DISKCACHE); /* answered as what it was */
    assert_int_equal(out.nsect, 16);
    r.seg[0].last_sect = 9;
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_FATAL);
}

static void test_discard_indirect_unknown(void **state)
{
    (void)state;
    struct blkback_req out;
    const char *why;
    blkif_request_t r;
    memset(&r, 0, sizeof(r));
    blkif_request_discard_t d = { .operation = BLKIF_OP_DISCARD, .id = 7, .sector_number = 8,
                                  .nr_sectors = 131064 };
    memcpy(&r, &d, sizeof(d));
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_OK);
    assert_int_equal(out.nsect, 131064);
    d.nr_sectors = 131065;
    memcpy(&r, &d, sizeof(d));
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_ERROR);
    d.nr_sectors = UINT64_MAX;
    memcpy(&r, &d, sizeof(d));
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_ERROR);
    d.nr_sectors = 1;
    memcpy(&r, &d, sizeof(d));
    assert_int_equal(blkback_req_parse(&r, &ro_64m, &out, &why), BB_NOTSUPP); /* not offered */

    blkif_request_indirect_t ind;
    memset(&ind, 0, sizeof(ind));
    ind.operation = BLKIF_OP_INDIRECT;
    ind.indirect_op = BLKIF_OP_WRITE;
    ind.id = 99;
    memset(&r, 0, sizeof(r));
    memcpy(&r, &ind, sizeof(ind));
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_NOTSUPP);
    assert_int_equal(out.op, BLKIF_OP_WRITE); /* the response carries the real op */
    assert_true(out.id == 99);

    r = rw(BLKIF_OP_WRITE_BARRIER, 0, 1);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_NOTSUPP);
    r = rw(200, 0, 1);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_NOTSUPP);
    assert_int_equal(out.op, 200);
}

static void test_copy_once(void **state)
{
    (void)state;
    blkif_request_t shared = rw(BLKIF_OP_READ, 8, 3), priv;
    blkback_req_copy(&priv, &shared);
    shared.nr_segments = 200; /* the front-end changes its slot afterwards */
    struct blkback_req out;
    const char *why;
    assert_int_equal(blkback_req_parse(&priv, &rw_64m, &out, &why), BB_OK);
    assert_int_equal(out.nseg, 3);
}

static void test_ring_requests(void **state)
{
    (void)state;
    const char *why = 0;
    assert_int_equal(blkback_ring_requests(10, 5, 5, 32, &why), 5);
    assert_int_equal(blkback_ring_requests(37, 5, 5, 32, &why), 32);
    assert_int_equal(blkback_ring_requests(38, 5, 5, 32, &why), -EBADMSG);
    assert_string_equal(why, "request producer ran more than a ring ahead");
    /* responses we have not pushed yet count against the ring */
    assert_int_equal(blkback_ring_requests(40, 10, 8, 32, &why), 30);
    assert_int_equal(blkback_ring_requests(41, 10, 8, 32, &why), -EBADMSG);
    /* producer moved back */
    why = 0;
    assert_int_equal(blkback_ring_requests(3, 5, 5, 32, &why), -EBADMSG);
    assert_non_null(why);
    /* wrap-around */
    assert_int_equal(blkback_ring_requests(2, 0xfffffffe, 0xfffffffe, 32, &why), 4);
}

static void test_rsp_bytes(void **state)
{
    (void)state;
    blkif_response_t slot;
    memset(&slot, 0xaa, sizeof(slot)); /* stale bytes in the ring */
    blkback_rsp_write(&slot, 0x0102030405060708ULL, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
    blkif_response_t want;
    memset(&want, 0, sizeof(want));
    want.id = 0x0102030405060708ULL;
    want.operation = BLKIF_OP_WRITE;
    want.status = BLKIF_RSP_ERROR;
    assert_memory_equal(&slot, &want, sizeof(slot)); /* padding zero, not 0xaa */
}

/* A local buffer for the plans: 4 pages, page-aligned. */
static uint8_t pages[4 * 4096] __attribute__((aligned(4096)));
static void *at_linear(void *ctx, uint64_t off)
{
    return (uint8_t *)ctx + off;
}
static void *at_none(void *ctx, uint64_t off)
{
    (void)ctx;
    (void)off;
    return NULL;
}

static void test_copy_plan(void **state)
{
    (void)state;
    struct blkback_req out;
    const char *why;
    blkif_request_t r = rw(BLKIF_OP_WRITE, 0, 3);
    r.seg[0].first_sect = 6; /* 1 KiB from offset 3072 */
    r.seg[1].first_sect = 0; /* 4 KiB */
    r.seg[2].first_sect = 2;
    r.seg[2].last_sect = 2;  /* 512 bytes at 1024 */
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_OK);
    struct gnttab_copy_seg segs[BLKBACK_MAX_COPIES];
    /* local page-aligned: seg 0 fits, seg 1 straddles (3 KiB + 1 KiB), seg 2 fits */
    int n = blkback_copy_plan(&out, 5, false, at_linear, pages, segs);
    assert_int_equal(n, 4);
    assert_ptr_equal(segs[0].local, pages);
    assert_int_equal(segs[0].offset, 3072);
    assert_int_equal(segs[0].len, 1024);
    assert_int_equal(segs[0].ref, 100);
    assert_int_equal(segs[0].dom, 5);
    assert_false(segs[0].to_foreign);
    assert_ptr_equal(segs[1].local, pages + 1024);
    assert_int_equal(segs[1].offset, 0);
    assert_int_equal(segs[1].len, 3072);
    assert_ptr_equal(segs[2].local, pages + 4096);
    assert_int_equal(segs[2].offset, 3072);
    assert_int_equal(segs[2].len, 1024);
    assert_int_equal(segs[2].ref, 101);
    assert_int_equal(segs[3].offset, 1024);
    assert_int_equal(segs[3].len, 512);
    assert_int_equal(segs[3].ref, 102);
    unsigned total = 0;
    for (int i = 0; i < n; i++) {
        total += segs[i].len;
        assert_true(segs[i].offset + segs[i].len <= 4096);
        assert_true(((uintptr_t)segs[i].local & 4095) + segs[i].len <= 4096);
    }
    assert_int_equal(total, out.nsect * 512);
    assert_int_equal(blkback_copy_plan(&out, 5, true, at_none, 0, segs), -ENOMEM);
    /* 11 full segments starting mid-page: 22 ops, the most there can be */
    r = rw(BLKIF_OP_READ, 0, 11);
    assert_int_equal(blkback_req_parse(&r, &rw_64m, &out, &why), BB_OK);
    static uint8_t big[13 * 4096] __attribute__((aligned(4096)));
    n = blkback_copy_plan(&out, 5, true, at_linear, big + 512, segs);
    assert_int_equal(n, 22);
    assert_true(segs[0].to_foreign);
}

static void test_target(void **state)
{
    (void)state;
    struct blkback_target t;
    const char *why;
    assert_int_equal(blkback_target_parse("ram:64M", &t, &why), 0);
    assert_int_equal(t.kind, BB_TARGET_RAM);
    assert_true(t.bytes == 64ULL << 20);
    assert_int_equal(blkback_target_parse("ram:8192", &t, &why), 0);
    assert_true(t.bytes == 8192);
    assert_int_equal(blkback_target_parse("ram:1g", &t, &why), 0);
    assert_true(t.bytes == 1ULL << 30);
    assert_int_equal(blkback_target_parse("ram:64G", &t, &why), 0);
    assert_int_equal(blkback_target_parse("ram:65G", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("ram:1000", &t, &why), -EINVAL);
    assert_string_equal(why, "RAM disk size is not a whole number of 4 KiB pages");
    assert_int_equal(blkback_target_parse("ram:0", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("ram:", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("ram:M", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("ram:64MB", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("ram:99999999999999999999999", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("xvda", &t, &why), 0);
    assert_int_equal(t.kind, BB_TARGET_BLKDEV);
    assert_string_equal(t.name, "xvda");
    assert_int_equal(blkback_target_parse("/dev/xvda", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("abcdefghijklmnop", &t, &why), -EINVAL);
    assert_int_equal(blkback_target_parse("abcdefghijklmno", &t, &why), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_write_ok),
        cmocka_unit_test(test_segments_fatal),
        cmocka_unit_test(test_range_overflow),
        cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_flush),
        cmocka_unit_test(test_discard_indirect_unknown),
        cmocka_unit_test(test_copy_once),
        cmocka_unit_test(test_ring_requests),
        cmocka_unit_test(test_rsp_bytes),
        cmocka_unit_test(test_copy_plan),
        cmocka_unit_test(test_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
