#include "xen/xs_client.h"
#include "xen/xs_wire_codec.h"
#include "lib/barrier.h"

void xs_outstanding_start(struct xs_outstanding *o, uint32_t req_id, uint32_t req_type)
{
    o->req_id = req_id;
    o->req_type = req_type;
    o->waiting = true;
    o->done = false;
    o->err = 0;
    o->type = 0;
    o->body = 0;
    o->len = 0;
}

enum xs_rsp_kind xs_rsp_classify(const struct xs_outstanding *o, const struct xsd_sockmsg *h)
{
    if (h->type == XS_WATCH_EVENT)
        return XS_RSP_WATCH_EVENT;
    if (o->waiting && !o->done && h->req_id == o->req_id)
        return XS_RSP_REPLY;
    return XS_RSP_STALE;
}

void xs_outstanding_reply(struct xs_outstanding *o, uint32_t type, char *body, uint32_t len)
{
    o->type = type;
    o->body = body;
    o->len = len;
    o->err = 0;
    o->done = true;
}

bool xs_outstanding_fail(struct xs_outstanding *o, int err)
{
    if (!o->waiting || o->done)
        return false;
    o->err = err;
    o->done = true;
    return true;
}

int xs_outstanding_result(const struct xs_outstanding *o, const char **why)
{
    *why = "";
    if (o->err)
        return o->err;
    if (o->type == XS_ERROR)
        return -xs_error_errno(o->body ? o->body : "", o->body ? o->len : 0);
    if (o->type != o->req_type) {
        *why = "reply of another type than the request";
        return -EBADMSG;
    }
    return 0;
}

uint32_t xs_rsp_resync(struct xenstore_domain_interface *intf)
{
    XENSTORE_RING_IDX cons = intf->rsp_cons;
    XENSTORE_RING_IDX prod = READ_ONCE(intf->rsp_prod);
    xen_mb(); /* nothing is read past this point of the ring */
    WRITE_ONCE(intf->rsp_cons, prod);
    return prod - cons;
}

int xs_req_space(struct xenstore_domain_interface *intf)
{
    XENSTORE_RING_IDX prod = intf->req_prod;
    XENSTORE_RING_IDX cons = READ_ONCE(intf->req_cons);
    if (prod - cons > XENSTORE_RING_SIZE)
        return -EIO;
    return (int)(XENSTORE_RING_SIZE - (prod - cons));
}
