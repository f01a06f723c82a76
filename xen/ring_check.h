#ifndef XEN_RING_CHECK_H
#define XEN_RING_CHECK_H
/* The response count every front-end checks before it reads a ring the
 * back-end writes (pure; blkfront and netfront both use it). The indices
 * are free-running and wrap. */
#include <xen/xen.h>
#include <xen/io/ring.h>
#include "kern/errno.h"

/* New responses between our consumer index and the back-end's producer
 * index: never more than requests we produced and it has not answered
 * (rsp_cons..req_prod), never more than max (what can be outstanding:
 * the ring, or fewer buffers). The count, or -EBADMSG with *why set. */
static inline int ring_rsp_count(RING_IDX rsp_cons, RING_IDX rsp_prod, RING_IDX req_prod,
                                 unsigned max, const char **why)
{
    RING_IDX n = rsp_prod - rsp_cons;
    if (n > max) {
        *why = "response producer ran more than a ring ahead";
        return -EBADMSG;
    }
    if (n > req_prod - rsp_cons) {
        *why = "more responses than requests outstanding";
        return -EBADMSG;
    }
    return (int)n;
}
#endif
