#ifndef DEV_BLKFRONT_BLKFRONT_RSP_H
#define DEV_BLKFRONT_BLKFRONT_RSP_H
/* blkfront's pure protocol logic: validating what an untrusted back-end
 * puts on the ring, and cutting a buffer into ring segments. */
#include <stdint.h>
#include <stddef.h>
#include <xen/xen.h>
#include <xen/io/blkif.h>

/* The response count: ring_rsp_count (xen/ring_check.h). */

/* What we remember per request id: 0 = free, else the operation + 1,
 * with BLKFRONT_SLOT_INDIRECT set when it went as an indirect request
 * (blkback answers those with the inner operation, others may answer
 * BLKIF_OP_INDIRECT: both are accepted). */
typedef uint8_t blkfront_slot_t;
#define BLKFRONT_SLOT_FREE 0
#define BLKFRONT_SLOT_INDIRECT 0x80

/* One response (already copied out of the ring): its id is in range and
 * outstanding, its operation the one we asked for, its status known.
 * 0, or -EBADMSG with *why set. On success *status is 0, -EIO or
 * -EOPNOTSUPP. */
int blkfront_rsp_check(const struct blkif_response *rsp, const blkfront_slot_t *slots,
                       unsigned nslots, int *status, const char **why);

struct blkfront_seg {
    uint64_t gfn;        /* the frame */
    uint8_t first, last; /* 512-byte sectors within the frame, inclusive */
};
/* Cuts [buf, buf + sectors * 512) into per-frame segments, at most max
 * (segs may be NULL: only counting). buf must be 512-byte aligned. The
 * number of sectors covered (all of them unless max ran out). */
uint32_t blkfront_segments(uintptr_t buf, uint32_t sectors, struct blkfront_seg *segs,
                           unsigned max, unsigned *nsegs);
#endif
