#ifndef DEV_BLKBACK_BLKBACK_REQ_H
#define DEV_BLKBACK_BLKBACK_REQ_H
/* blkback's pure half: what a front-end puts on the ring, read once into
 * private memory and checked there (XSA-155) before anything acts on it;
 * the responses, built without a stray byte (XSA-216); the copy plan of a
 * request's segments; the target= string of the toolstack. No Xen, no
 * XenStore: host tested (tests/unit/test_blkback_req.c) and fuzzed. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/blkif.h>
#include "xen/gnttab_map.h"

#define BLKBACK_PAGE 4096u
#define BLKBACK_SECT 512u
#define BLKBACK_MAX_SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST
/* Copy ops one request can need: a segment (at most a page) can straddle
 * two local pages. */
#define BLKBACK_MAX_COPIES (2 * BLKBACK_MAX_SEGS)

struct blkback_seg {
    grant_ref_t gref;
    uint8_t first, last; /* sectors inside the granted page, first <= last < 8 */
};

/* A request as checked, in private memory. */
struct blkback_req {
    uint64_t id;         /* echoed */
    uint8_t op;          /* what the response says (BLKIF_OP_*) */
    uint8_t nseg;
    uint64_t sector;     /* first 512-byte sector */
    uint64_t nsect;      /* sectors: the segments' sum (or a discard's count) */
    struct blkback_seg seg[BLKBACK_MAX_SEGS];
};

/* What the export allows. */
struct blkback_limits {
    uint64_t sectors;    /* device size in 512-byte sectors */
    bool readonly;
    bool discard;        /* feature-discard was offered */
};

enum blkback_verdict {
    BB_OK,       /* serve it */
    BB_ERROR,    /* answer BLKIF_RSP_ERROR (out of range, write to read-only) */
    BB_NOTSUPP,  /* answer BLKIF_RSP_EOPNOTSUPP (an operation we do not serve) */
    BB_FATAL,    /* a protocol violation: the device goes down */
};

/* Copies one ring slot (shared memory the front-end may change at any
 * time) into priv, once. */
void blkback_req_copy(blkif_request_t *priv, const volatile void *slot);
/* Checks the private copy raw against lim and fills out (always id and
 * op, so that even a refused request gets its answer). why says what was
 * wrong for anything but BB_OK. */
enum blkback_verdict blkback_req_parse(const blkif_request_t *raw,
                                       const struct blkback_limits *lim,
                                       struct blkback_req *out, const char **why);
/* The requests to take from the ring: req_prod - req_cons, refused
 * (-EBADMSG, *why) if the producer ran more than a ring ahead of the
 * responses we produced (Xen's RING_REQUEST_PROD_OVERFLOW). */
int blkback_ring_requests(RING_IDX req_prod, RING_IDX req_cons, RING_IDX rsp_prod_pvt,
                          unsigned ring_size, const char **why);
/* Writes a response into a ring slot: every byte of it, padding zero. */
void blkback_rsp_write(volatile void *slot, uint64_t id, uint8_t op, int16_t status);

/* Where byte off of the request's data lives in our memory (the disk
 * page, a bounce buffer), or NULL (no memory: the request fails). */
typedef void *(*blkback_local_fn)(void *ctx, uint64_t off);
/* The grant copies that move r's data between the front-end's pages
 * (domain dom) and ours: each op within one local page and one foreign
 * page. The op count (<= BLKBACK_MAX_COPIES), or -ENOMEM when local
 * said NULL. */
int blkback_copy_plan(const struct blkback_req *r, domid_t dom, bool to_foreign,
                      blkback_local_fn local, void *ctx, struct gnttab_copy_seg *out);

/* What the toolstack's params (the target= string) names. */
enum blkback_target_kind { BB_TARGET_RAM, BB_TARGET_BLKDEV };
struct blkback_target {
    enum blkback_target_kind kind;
    uint64_t bytes;      /* RAM: its size */
    char name[16];       /* BLKDEV: the domu device ("xvda") */
};
/* "ram:SIZE" (SIZE in bytes, or with K, M, G; a multiple of 4 KiB, at
 * most BLKBACK_RAM_MAX) or a device name ([a-z0-9], < 16 chars). 0 or
 * -EINVAL with *why. */
#define BLKBACK_RAM_MAX (64ULL << 30)
int blkback_target_parse(const char *params, struct blkback_target *t, const char **why);
#endif
