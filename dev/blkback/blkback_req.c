/* blkback's pure request checks, responses, copy plans and target names
 * (see blkback_req.h). Every field is read from the private copy only:
 * the front-end can rewrite its ring slot at any time. */
#include "kern/kernel.h"
#include "dev/blkback/blkback_req.h"

_Static_assert(sizeof(blkif_request_t) % 8 == 0, "a request is whole 8-byte words");
_Static_assert(sizeof(blkif_request_discard_t) <= sizeof(blkif_request_t), "discard fits");

void blkback_req_copy(blkif_request_t *priv, const volatile void *slot)
{
    const volatile uint64_t *src = slot;
    uint64_t *dst = (uint64_t *)priv;
    for (size_t i = 0; i < sizeof(*priv) / 8; i++)
        dst[i] = src[i];
    __asm__ volatile("" ::: "memory"); /* no later read goes back to the slot */
}

/* The data segments of a read or write. */
static enum blkback_verdict parse_rw(const blkif_request_t *raw, const struct blkback_limits *lim,
                                     struct blkback_req *out, const char **why)
{
    unsigned n = raw->nr_segments;
    if (n == 0 || n > BLKBACK_MAX_SEGS) {
        *why = "segment count not 1..11";
        return BB_FATAL;
    }
    uint64_t nsect = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t first = raw->seg[i].first_sect, last = raw->seg[i].last_sect;
        if (last >= BLKBACK_PAGE / BLKBACK_SECT) {
            *why = "a segment ends beyond its page";
            return BB_FATAL;
        }
        if (first > last) {
            *why = "a segment's first sector is after its last";
            return BB_FATAL;
        }
        out->seg[i].gref = raw->seg[i].gref;
        out->seg[i].first = first;
        out->seg[i].last = last;
        nsect += (uint64_t)(last - first + 1);
    }
    out->nseg = (uint8_t)n;
    out->nsect = nsect;
    if (out->sector > lim->sectors || nsect > lim->sectors - out->sector) {
        *why = "sectors beyond the end of the device";
        return BB_ERROR;
    }
    if (raw->operation == BLKIF_OP_WRITE && lim->readonly) {
        *why = "write to a read-only device";
        return BB_ERROR;
    }
    return BB_OK;
}

enum blkback_verdict blkback_req_parse(const blkif_request_t *raw,
                                       const struct blkback_limits *lim,
                                       struct blkback_req *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    out->id = raw->id;
    out->op = raw->operation;
    out->sector = raw->sector_number;
    *why = 0;
    switch (raw->operation) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
        return parse_rw(raw, lim, out, why);
    case BLKIF_OP_FLUSH_DISKCACHE:
        /* Linux sends a flush with data (a write then the flush) only
         * with feature-flush-cache and no FUA; it may carry segments. */
        if (raw->nr_segments == 0) {
            out->sector = 0;
            return BB_OK;
        }
        if (lim->readonly) {
            *why = "write to a read-only device";
            return BB_ERROR;
        }
        {
            blkif_request_t w = *raw;
            w.operation = BLKIF_OP_WRITE;
            enum blkback_verdict v = parse_rw(&w, lim, out, why);
            out->op = BLKIF_OP_FLUSH_DISKCACHE;
            return v;
        }
    case BLKIF_OP_DISCARD: {
        blkif_request_discard_t d;
        memcpy(&d, raw, sizeof(d));
        out->sector = d.sector_number;
        out->nsect = d.nr_sectors;
        if (!lim->discard) {
            *why = "discard was not offered";
            return BB_NOTSUPP;
        }
        if (lim->readonly) {
            *why = "discard on a read-only device";
            return BB_ERROR;
        }
        if (out->sector > lim->sectors || out->nsect > lim->sectors - out->sector) {
            *why = "sectors beyond the end of the device";
            return BB_ERROR;
        }
        return BB_OK;
    }
    case BLKIF_OP_INDIRECT: {
        /* Not offered (no feature-max-indirect-segments): answered as the
         * operation it carries, which blkfront checks. */
        blkif_request_indirect_t ind;
        memcpy(&ind, raw, sizeof(ind));
        out->op = ind.indirect_op;
        out->id = ind.id;
        *why = "indirect requests were not offered";
        return BB_NOTSUPP;
    }
    default:
        *why = "unknown operation";
        return BB_NOTSUPP;
    }
}

int blkback_ring_requests(RING_IDX req_prod, RING_IDX req_cons, RING_IDX rsp_prod_pvt,
                          unsigned ring_size, const char **why)
{
    if ((RING_IDX)(req_prod - rsp_prod_pvt) > ring_size) {
        *why = "request producer ran more than a ring ahead";
        return -EBADMSG;
    }
    if ((RING_IDX)(req_prod - req_cons) > ring_size) {
        *why = "request producer behind our consumer";
        return -EBADMSG;
    }
    return (int)(RING_IDX)(req_prod - req_cons);
}

void blkback_rsp_write(volatile void *slot, uint64_t id, uint8_t op, int16_t status)
{
    blkif_response_t r;
    memset(&r, 0, sizeof(r)); /* the padding too: nothing of ours leaks */
    r.id = id;
    r.operation = op;
    r.status = status;
    const uint64_t *src = (const uint64_t *)&r;
    volatile uint64_t *dst = slot;
    _Static_assert(sizeof(r) % 8 == 0, "a response is whole 8-byte words");
    for (size_t i = 0; i < sizeof(r) / 8; i++)
        dst[i] = src[i];
}

int blkback_copy_plan(const struct blkback_req *r, domid_t dom, bool to_foreign,
                      blkback_local_fn local, void *ctx, struct gnttab_copy_seg *out)
{
    unsigned n = 0;
    uint64_t off = 0; /* bytes of the request so far */
    for (unsigned i = 0; i < r->nseg && i < BLKBACK_MAX_SEGS; i++) {
        uint32_t foff = (uint32_t)r->seg[i].first * BLKBACK_SECT;
        uint32_t left = (uint32_t)(r->seg[i].last - r->seg[i].first + 1) * BLKBACK_SECT;
        while (left) {
            uint8_t *p = local(ctx, off);
            if (!p)
                return -ENOMEM;
            uint32_t room = BLKBACK_PAGE - (uint32_t)((uintptr_t)p & (BLKBACK_PAGE - 1));
            uint32_t len = MIN(left, room);
            if (n >= BLKBACK_MAX_COPIES)
                return -E2BIG; /* cannot happen: a segment straddles one boundary */
            out[n++] = (struct gnttab_copy_seg){
                .local = p, .dom = dom, .ref = r->seg[i].gref, .offset = (uint16_t)foff,
                .len = (uint16_t)len, .to_foreign = to_foreign, .err = 0,
            };
            foff += len;
            off += len;
            left -= len;
        }
    }
    return (int)n;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int blkback_target_parse(const char *params, struct blkback_target *t, const char **why)
{
    memset(t, 0, sizeof(*t));
    *why = 0;
    if (strncmp(params, "ram:", 4) == 0) {
        const char *s = params + 4;
        uint64_t v = 0;
        unsigned digits = 0;
        for (; *s >= '0' && *s <= '9'; s++, digits++) {
            if (v > (UINT64_MAX - 9) / 10) {
                *why = "RAM disk size too big";
                return -EINVAL;
            }
            v = v * 10 + (uint64_t)(*s - '0');
        }
        unsigned shift = 0;
        if (*s == 'K' || *s == 'k')
            shift = 10;
        else if (*s == 'M' || *s == 'm')
            shift = 20;
        else if (*s == 'G' || *s == 'g')
            shift = 30;
        if (shift)
            s++;
        if (!digits || *s) {
            *why = "RAM disk size is not a number with K, M or G";
            return -EINVAL;
        }
        if (v > (BLKBACK_RAM_MAX >> shift)) {
            *why = "RAM disk size too big";
            return -EINVAL;
        }
        v <<= shift;
        if (v == 0 || v % BLKBACK_PAGE) {
            *why = "RAM disk size is not a whole number of 4 KiB pages";
            return -EINVAL;
        }
        t->kind = BB_TARGET_RAM;
        t->bytes = v;
        return 0;
    }
    size_t len = strlen(params);
    if (len == 0 || len >= sizeof(t->name)) {
        *why = "target is neither ram:SIZE nor a device name";
        return -EINVAL;
    }
    for (size_t i = 0; i < len; i++)
        if (!name_char(params[i])) {
            *why = "target is neither ram:SIZE nor a device name";
            return -EINVAL;
        }
    t->kind = BB_TARGET_BLKDEV;
    memcpy(t->name, params, len + 1);
    return 0;
}
