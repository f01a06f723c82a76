#include "dev/blkfront/blkfront_rsp.h"
#include "kern/errno.h"

int blkfront_rsp_check(const struct blkif_response *rsp, const blkfront_slot_t *slots,
                       unsigned nslots, int *status, const char **why)
{
    if (rsp->id >= nslots) {
        *why = "response id out of range";
        return -EBADMSG;
    }
    blkfront_slot_t s = slots[rsp->id];
    if ((s & ~BLKFRONT_SLOT_INDIRECT) == BLKFRONT_SLOT_FREE) {
        *why = "response for a request not outstanding (duplicate or invented)";
        return -EBADMSG;
    }
    uint8_t op = (uint8_t)((s & ~BLKFRONT_SLOT_INDIRECT) - 1);
    if (rsp->operation != op &&
        !((s & BLKFRONT_SLOT_INDIRECT) && rsp->operation == BLKIF_OP_INDIRECT)) {
        *why = "response operation differs from the request's";
        return -EBADMSG;
    }
    switch (rsp->status) {
    case BLKIF_RSP_OKAY:
        *status = 0;
        return 0;
    case BLKIF_RSP_ERROR:
        *status = -EIO;
        return 0;
    case BLKIF_RSP_EOPNOTSUPP:
        *status = -EOPNOTSUPP;
        return 0;
    default:
        *why = "unknown response status";
        return -EBADMSG;
    }
}

uint32_t blkfront_segments(uintptr_t buf, uint32_t sectors, struct blkfront_seg *segs,
                           unsigned max, unsigned *nsegs)
{
    uint32_t done = 0;
    unsigned n = 0;
    while (done < sectors && n < max) {
        uintptr_t at = buf + (uintptr_t)done * 512;
        unsigned first = (unsigned)((at & 4095) / 512);
        uint32_t room = 8 - first;
        uint32_t take = sectors - done < room ? sectors - done : room;
        if (segs) {
            segs[n].gfn = at >> 12;
            segs[n].first = (uint8_t)first;
            segs[n].last = (uint8_t)(first + take - 1);
        }
        n++;
        done += take;
    }
    *nsegs = n;
    return done;
}
