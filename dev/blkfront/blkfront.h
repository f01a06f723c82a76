#ifndef DEV_BLKFRONT_BLKFRONT_H
#define DEV_BLKFRONT_BLKFRONT_H
/* blkfront: a device/vbd/<id> of ours, served by a back-end elsewhere. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>
#include "blk/blkdev.h"
#include "kern/wait.h"
#include "xen/xenbus_bus.h"
#include "dev/blkfront/blkfront_rsp.h"

#define BLKFRONT_MAX_RING_ORDER 2  /* up to 4 ring pages */
#define BLKFRONT_MAX_SLOTS __CONST_RING_SIZE(blkif, 4096 << BLKFRONT_MAX_RING_ORDER)
/* With indirect descriptors one ring request carries up to this many
 * frames (512 KiB) through one indirect page of segment descriptors. */
#define BLKFRONT_MAX_INDIRECT_SEGS 128

enum blkfront_state {
    BF_INIT,       /* negotiating; requests wait in the queue */
    BF_CONNECTED,
    BF_SUSPENDED,  /* around a save: requests wait */
    BF_CLOSING,    /* the back-end is going: new requests fail */
    BF_CLOSED,
    BF_BROKEN,     /* the back-end broke the protocol */
};

/* One ring request: a piece of a blk_request. */
struct blkfront_part {
    struct blk_request *req;
    uint64_t sector;      /* where this piece starts on the disk */
    uint32_t offset;      /* its first sector within req->buf */
    uint32_t count;       /* sectors */
    uint16_t nseg;
    bool indirect;        /* the segments are in an indirect page */
    grant_ref_t ind_gref;
    grant_ref_t gref[BLKFRONT_MAX_INDIRECT_SEGS];
};

struct blkfront {
    struct xenbus_device *xdev;
    struct blkdev bd;
    enum blkfront_state state;
    uint16_t vdev;                        /* the handle: our device id */
    unsigned ring_order, ring_size;
    void *ring_pages;
    struct blkif_front_ring ring;
    grant_ref_t ring_ref[1u << BLKFRONT_MAX_RING_ORDER];
    evtchn_port_t port;
    bool have_port;
    blkfront_slot_t slot_ops[BLKFRONT_MAX_SLOTS];  /* per id: free or op + 1 */
    struct blkfront_part parts[BLKFRONT_MAX_SLOTS];
    unsigned slot_hint, inflight;
    unsigned max_segs;                    /* per ring request: 11, or indirect */
    void *ind_pages[BLKFRONT_MAX_SLOTS];  /* indirect descriptor page per id */
    struct blkfront_seg segs[BLKFRONT_MAX_INDIRECT_SEGS]; /* scratch, interrupts off */
    struct list queue;                    /* requests not all on the ring */
    struct waitq wq;                      /* woken on every answer */
    bool close_pending;                   /* a close for the bus thread */
    char features[128];
    uint64_t submitted, events, protocol_errors, grants_leaked, reconnects;
};

/* blkfront.c: the data path. */
void blkfront_init_dev(struct blkfront *bf);
int blkfront_ring_setup(struct blkfront *bf, unsigned order);
void blkfront_ring_teardown(struct blkfront *bf, bool free_pages, bool xen_forgot);
void blkfront_issue(struct blkfront *bf);
void blkfront_fail_all(struct blkfront *bf, int status);
/* After a restore: what was on the old ring is queued again. */
unsigned blkfront_requeue_inflight(struct blkfront *bf);
int blkfront_wait_idle(struct blkfront *bf, uint64_t deadline);
/* blkfront_xs.c: asks the bus side to close the device (any context). */
void blkfront_defer_close(struct blkfront *bf);

int blkfront_init(void);
const char *blkfront_state_name(enum blkfront_state s);
#endif
