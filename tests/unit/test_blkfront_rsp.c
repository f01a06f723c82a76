/* blkfront's checks of what a back-end puts on the ring, the request
 * checks of the block layer, and the cutting of buffers into segments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "dev/blkfront/blkfront_rsp.h"
#include "blk/blkdev.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state

static void test_check(void **state)
{
    UNUSED_STATE;
    blkfront_slot_t slots[4] = { 0, BLKIF_OP_READ + 1, BLKIF_OP_WRITE + 1, 0 };
    struct blkif_response r = { .id = 1, .operation = BLKIF_OP_READ, .status = BLKIF_RSP_OKAY };
    int st = 99;
    const char *why = NULL;
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), 0);
    assert_int_equal(st, 0);
    r.status = BLKIF_RSP_ERROR;
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), 0);
    assert_int_equal(st, -EIO);
    r.id = 2;
    r.operation = BLKIF_OP_WRITE;
    r.status = BLKIF_RSP_EOPNOTSUPP;
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), 0);
    assert_int_equal(st, -EOPNOTSUPP);
    r.status = 7; /* unknown */
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), -EBADMSG);
    r.status = 0;
    r.operation = BLKIF_OP_READ; /* not what was asked */
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), -EBADMSG);
    /* indirect requests: the inner operation or BLKIF_OP_INDIRECT */
    blkfront_slot_t ind[2] = { 0, (BLKIF_OP_WRITE + 1) | BLKFRONT_SLOT_INDIRECT };
    struct blkif_response ri = { .id = 1, .operation = BLKIF_OP_WRITE, .status = 0 };
    assert_int_equal(blkfront_rsp_check(&ri, ind, 2, &st, &why), 0);
    ri.operation = BLKIF_OP_INDIRECT;
    assert_int_equal(blkfront_rsp_check(&ri, ind, 2, &st, &why), 0);
    ri.operation = BLKIF_OP_READ;
    assert_int_equal(blkfront_rsp_check(&ri, ind, 2, &st, &why), -EBADMSG);
    r.operation = BLKIF_OP_INDIRECT; /* not for a direct request */
    r.id = 1;
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), -EBADMSG);
    r.id = 3; /* not outstanding: a duplicate or an invention */
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), -EBADMSG);
    r.id = 4; /* out of range */
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), -EBADMSG);
    r.id = 1ULL << 40;
    assert_int_equal(blkfront_rsp_check(&r, slots, 4, &st, &why), -EBADMSG);
}

static void test_segments(void **state)
{
    UNUSED_STATE;
    struct blkfront_seg s[11];
    unsigned n;
    /* page aligned, 2 pages */
    assert_int_equal(blkfront_segments(0x10000, 16, s, 11, &n), 16);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].gfn, 0x10);
    assert_int_equal(s[0].first, 0);
    assert_int_equal(s[0].last, 7);
    assert_int_equal(s[1].gfn, 0x11);
    /* starts mid-page, ends mid-page */
    assert_int_equal(blkfront_segments(0x10000 + 3 * 512, 7, s, 11, &n), 7);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].first, 3);
    assert_int_equal(s[0].last, 7);
    assert_int_equal(s[1].first, 0);
    assert_int_equal(s[1].last, 1);
    /* more than fits: stops at max segments */
    assert_int_equal(blkfront_segments(0x20000 + 512, 200, s, 11, &n), 7 + 10 * 8);
    assert_int_equal(n, 11);
    assert_int_equal(s[10].last, 7);
    /* counting only */
    assert_int_equal(blkfront_segments(0x20000 + 512, 200, NULL, 11, &n), 7 + 10 * 8);
    assert_int_equal(n, 11);
    assert_int_equal(blkfront_segments(0x20000, 1024, NULL, 128, &n), 1024);
    assert_int_equal(n, 128);
    /* one sector */
    assert_int_equal(blkfront_segments(0x30000 + 7 * 512, 1, s, 11, &n), 1);
    assert_int_equal(s[0].first, 7);
    assert_int_equal(s[0].last, 7);
}

static void test_blk_check(void **state)
{
    UNUSED_STATE;
    struct blkdev d = { .sectors = 1000, .sector_size = 512, .can_flush = true };
    static char buf[4096] __attribute__((aligned(4096)));
    struct blk_request r = { .op = BLK_READ, .sector = 0, .count = 8, .buf = buf };
    assert_int_equal(blk_check(&d, &r), 0);
    r.sector = 993;
    assert_int_equal(blk_check(&d, &r), -ERANGE);
    r.sector = 992;
    assert_int_equal(blk_check(&d, &r), 0);
    r.count = 0;
    assert_int_equal(blk_check(&d, &r), -EINVAL);
    r.count = 1;
    r.buf = buf + 3;
    assert_int_equal(blk_check(&d, &r), -EINVAL); /* unaligned buffer */
    r.buf = buf;
    d.readonly = true;
    r.op = BLK_WRITE;
    assert_int_equal(blk_check(&d, &r), -EROFS);
    r.op = BLK_DISCARD;
    assert_int_equal(blk_check(&d, &r), -EOPNOTSUPP);
    r.op = BLK_FLUSH;
    assert_int_equal(blk_check(&d, &r), 0);
    d.can_flush = false;
    assert_int_equal(blk_check(&d, &r), -EOPNOTSUPP);
    /* 4 KiB sectors: ranges in whole sectors */
    struct blkdev d4 = { .sectors = 800, .sector_size = 4096 };
    struct blk_request r4 = { .op = BLK_READ, .sector = 8, .count = 8, .buf = buf };
    assert_int_equal(blk_check(&d4, &r4), 0);
    r4.sector = 4;
    assert_int_equal(blk_check(&d4, &r4), -EINVAL);
    /* sector + count overflowing */
    struct blk_request ro = { .op = BLK_READ, .sector = UINT64_MAX - 2, .count = 8, .buf = buf };
    assert_int_equal(blk_check(&d, &ro), -ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_blk_check),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
