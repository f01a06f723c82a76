/* Request checks, kept pure for the host tests. */
#include "blk/blkdev.h"
#include "kern/errno.h"

const char *blk_op_name(enum blk_op op)
{
    static const char *const names[] = { "read", "write", "flush", "discard" };
    return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

int blk_check(const struct blkdev *d, const struct blk_request *r)
{
    uint32_t unit = d->sector_size >= BLK_SECTOR ? d->sector_size / BLK_SECTOR : 1;
    switch (r->op) {
    case BLK_FLUSH:
        if (!d->can_flush)
            return -EOPNOTSUPP;
        return 0;
    case BLK_DISCARD:
        if (!d->can_discard)
            return -EOPNOTSUPP;
        if (d->readonly)
            return -EROFS;
        break;
    case BLK_WRITE:
        if (d->readonly)
            return -EROFS;
        /* fall through */
    case BLK_READ:
        if (!r->buf || ((uintptr_t)r->buf % BLK_SECTOR))
            return -EINVAL;
        break;
    default:
        return -EINVAL;
    }
    if (r->count == 0 || r->sector % unit || r->count % unit)
        return -EINVAL;
    if (r->sector >= d->sectors || r->count > d->sectors - r->sector)
        return -ERANGE;
    return 0;
}
