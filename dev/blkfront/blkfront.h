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
#include "kern/timer.h"
#include "kern/spinlock.h"
#include "xen/xenbus_bus.h"
#include "dev/blkfront/blkfront_rsp.h"
#include "dev/blkfront/blkfront_alloc.h"

#define BLKFRONT_MAX_RING_ORDER 2  /* up to 4 ring pages */
#define BLKFRONT_MAX_SLOTS __CONST_RING_SIZE(blkif, 4096 << BLKFRONT_MAX_RING_ORDER)
/* With indirect descriptors one ring request carries up to this many
 * frames (512 KiB) through one indirect page of segment descriptors. */
#define BLKFRONT_MAX_INDIRECT_SEGS 128
/* Rings used when the back-end offers several (multi-queue-max-queues):
 * each has its own thread in the back-end. */
#define BLKFRONT_MAX_QUEUES 4

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
    grant_ref_t ind_gref; /* its grant, when not persistent */
    /* Per segment: the grant of the caller's frame, or with persistent
     * grants the index of the pool page that carries its data. */
    grant_ref_t gref[BLKFRONT_MAX_INDIRECT_SEGS];
    /* Answered, its read data being copied out by the device's thread
     * (interrupts on); a failure meanwhile waits in copy_status. */
    bool copying;
    int copy_status;
};

struct blkfront;
/* One ring, its event channel and its request ids. */
struct blkfront_queue {
    struct blkfront *bf;
    unsigned index;
    char name[24];                        /* "xvda" or "xvda/q1", for the event channel */
    void *ring_pages;
    struct blkif_front_ring ring;
    grant_ref_t ring_ref[1u << BLKFRONT_MAX_RING_ORDER];
    evtchn_port_t port;
    bool have_port;
    blkfront_slot_t slot_ops[BLKFRONT_MAX_SLOTS];  /* per id: free or op + 1 */
    struct blkfront_part parts[BLKFRONT_MAX_SLOTS];
    unsigned slot_hint, inflight;
    RING_IDX watch_cons;                  /* rsp_cons at the watchdog's last look */
    void *ind_pages[BLKFRONT_MAX_SLOTS];  /* indirect descriptor page per id */
    grant_ref_t ind_pref[BLKFRONT_MAX_SLOTS]; /* its persistent grant, 0 = none */
    /* Persistent grants: pages granted once, data copied through them. */
    struct blkfront_pool pool;
    void *pool_page[BLKFRONT_POOL_MAX];
    grant_ref_t pool_gref[BLKFRONT_POOL_MAX];
    uint64_t requests, events;
    bool ev_due;                          /* an event for the thread to handle */
};

struct blkfront {
    struct xenbus_device *xdev;
    struct blkdev bd;
    enum blkfront_state state;
    uint16_t vdev;                        /* the handle: our device id */
    unsigned ring_order, ring_size;       /* the same for every queue */
    unsigned nqueues;
    struct blkfront_queue *q[BLKFRONT_MAX_QUEUES];
    unsigned next_queue;                  /* the ring used last: blkfront_queue_pick starts there */
    unsigned max_segs;                    /* per ring request: 11, or indirect */
    bool persistent;                      /* both ends said feature-persistent */
    struct blkfront_seg segs[BLKFRONT_MAX_INDIRECT_SEGS]; /* scratch, under the lock */
    struct list queue;                    /* requests not all on a ring */
    struct list done;                     /* complete, their callbacks due after the unlock */
    struct waitq wq;                      /* woken on every answer */
    bool close_pending;                   /* a close for the bus thread */
    char features[160];
    uint64_t submitted, protocol_errors, grants_leaked, reconnects, copies;
    struct timer watchdog;                /* armed while requests are in flight */
    uint64_t rescued, kicked;             /* its finds: answers it handled (its event may be late or lost), rings re-kicked */
    /* The device's thread reads the rings (the upcall only wakes it) and
     * copies read data with interrupts on. */
    struct spinlock lock;                 /* everything above and the thread's flags */
    struct thread *thread;
    struct waitq ev_wq;                   /* the thread waits here; its stopper too */
    bool watch_due, thread_stop, thread_done;
    struct blkfront_seg copy_segs[BLKFRONT_MAX_INDIRECT_SEGS]; /* the thread's scratch */
    bool let_go;                          /* closing: the back-end let go, in-flight work may fail */
    bool restored;                        /* attached again (restore, back-end restart): say "reconnected" */
    unsigned requeued;                    /* requests re-issued by that reconnection */
    unsigned parked;                      /* grants of requests' buffers the back-end still maps */
    bool removed;                         /* the device is gone: let go of it once parked is 0 */
};

/* blkfront.c: the data path. The lock guards the state, the queue, the
 * rings and their slots; requests completed under it are called back
 * after blkfront_unlock has dropped it. */
unsigned long blkfront_lock(struct blkfront *bf);
void blkfront_unlock(struct blkfront *bf, unsigned long f);
/* Also starts the device's thread (rings_teardown with free_pages stops it). */
void blkfront_init_dev(struct blkfront *bf);
/* Rings, grants and event channels for nqueues queues of 2^order pages. */
int blkfront_rings_setup(struct blkfront *bf, unsigned nqueues, unsigned order);
/* Closes the event channels (before the back-end is told to let go). */
void blkfront_ports_close(struct blkfront *bf, bool xen_forgot);
/* Ends every grant (ring, pool, indirect pages) once the back-end let go
 * (or Xen forgot them in a restore); a grant still mapped is parked with
 * its page (gnttab_park.h), never reused. free_pages: the queues go too.
 * Returns how many grants were parked. */
unsigned blkfront_rings_teardown(struct blkfront *bf, bool free_pages, bool xen_forgot);
/* After a teardown without free_pages: stops the thread and frees the
 * queues (pages not parked): bytes freed. */
size_t blkfront_queues_free(struct blkfront *bf);
/* Total requests on the rings. */
unsigned blkfront_inflight(struct blkfront *bf);
void blkfront_issue(struct blkfront *bf);
/* Fails the requests not on a ring; those on a ring only once the
 * back-end let go (let_go), or after a protocol violation with
 * persistent grants (their buffers were never granted). */
void blkfront_fail_all(struct blkfront *bf, int status);
/* Closing: stops the device's thread and completes the answers the
 * back-end left on the rings. */
void blkfront_drain_answered(struct blkfront *bf);
/* The device is gone: gives up probe's reference on the XenBus device
 * now, or when the last parked grant of a request ends. */
void blkfront_release(struct blkfront *bf);
/* The XenBus device's last reference went (nobody holds bf). */
void blkfront_free(struct blkfront *bf);
/* After a restore: what was on the old ring is queued again. */
unsigned blkfront_requeue_inflight(struct blkfront *bf);
int blkfront_wait_idle(struct blkfront *bf, uint64_t deadline);
/* blkfront_xs.c: asks the bus side to close the device (any context). */
void blkfront_defer_close(struct blkfront *bf);

int blkfront_init(void);
const char *blkfront_state_name(enum blkfront_state s);
#endif
