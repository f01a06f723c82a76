#ifndef XEN_XS_CLIENT_H
#define XEN_XS_CLIENT_H
/* The XenStore client's bookkeeping, apart from its threads and waits:
 * which reply answers the request in hand, what its caller gets, and how
 * the response ring is put right after the daemon sent something bad.
 * Pure: no hypercalls, no globals. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

/* The one request in flight, as the reader thread fills it in. */
struct xs_outstanding {
    uint32_t req_id;   /* what the daemon's reply must carry */
    uint32_t req_type; /* what the reply's type must be (or XS_ERROR) */
    bool waiting;      /* a caller waits for it */
    bool done;         /* answered, or failed with err */
    int err;           /* 0, or -errno: failed without a usable reply */
    uint32_t type;     /* the reply's type */
    char *body;        /* the reply's payload, NUL-terminated (caller frees) */
    uint32_t len;
};

enum xs_rsp_kind {
    XS_RSP_WATCH_EVENT, /* asynchronous, for the watch thread */
    XS_RSP_REPLY,       /* answers the request in hand */
    XS_RSP_STALE,       /* answers nobody (its request timed out or failed) */
};

/* A request is about to be sent: forget the last one. */
void xs_outstanding_start(struct xs_outstanding *o, uint32_t req_id, uint32_t req_type);
/* What the message with this (already checked) header is. */
enum xs_rsp_kind xs_rsp_classify(const struct xs_outstanding *o, const struct xsd_sockmsg *h);
/* Hands the reply to the request in hand (which then owns body). */
void xs_outstanding_reply(struct xs_outstanding *o, uint32_t type, char *body, uint32_t len);
/* Fails the request in hand with err (-EIO, -ENOMEM...), if there is one
 * not yet answered: true if one was failed. */
bool xs_outstanding_fail(struct xs_outstanding *o, int err);
/* What the caller of a done request gets: 0 (the reply is good), the
 * errno of an XS_ERROR reply, -EBADMSG for a reply of the wrong type
 * (*why says so), or the error it failed with. */
int xs_outstanding_result(const struct xs_outstanding *o, const char **why);

/* After a bad message: drops everything the daemon has published, so the
 * next byte read starts whatever it writes next. A producer index more
 * than a ring ahead is taken as it is (the daemon's next message follows
 * it). Returns the bytes skipped. */
uint32_t xs_rsp_resync(struct xenstore_domain_interface *intf);
/* Free room in the request ring, or -EIO if the daemon's req_cons is more
 * than a ring away from our req_prod. Indices read once. */
int xs_req_space(struct xenstore_domain_interface *intf);
#endif
