#include "xen/xs_wire_codec.h"
#include "lib/string.h"
#include "lib/barrier.h"

int xs_encode(void *buf, size_t cap, uint32_t type, uint32_t req_id, uint32_t tx_id,
              const char *const *args, unsigned nargs, const void *raw, size_t raw_len)
{
    size_t payload = 0;
    for (unsigned i = 0; i < nargs; i++)
        payload += strlen(args[i]) + 1;
    if (raw && raw_len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG; /* before the sum below can wrap */
    if (raw)
        payload += raw_len;
    if (payload > XENSTORE_PAYLOAD_MAX || sizeof(struct xsd_sockmsg) + payload > cap)
        return -E2BIG;
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = tx_id,
                             .len = (uint32_t)payload };
    char *p = buf;
    memcpy(p, &h, sizeof(h));
    p += sizeof(h);
    for (unsigned i = 0; i < nargs; i++) {
        size_t n = strlen(args[i]) + 1;
        memcpy(p, args[i], n);
        p += n;
    }
    if (raw && raw_len) {
        memcpy(p, raw, raw_len);
        p += raw_len;
    }
    return (int)(p - (char *)buf);
}

int xs_check_header(const struct xsd_sockmsg *h, const char **why)
{
    if (h->len > XENSTORE_PAYLOAD_MAX) {
        *why = "payload longer than XENSTORE_PAYLOAD_MAX";
        return -EBADMSG;
    }
    if (h->type >= XS_TYPE_COUNT) {
        *why = "unknown message type";
        return -EBADMSG;
    }
    return 0;
}

int xs_error_errno(const char *payload, size_t len)
{
    size_t n = strnlen(payload, len);
    for (unsigned i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
        const char *s = xsd_errors[i].errstring;
        if (strlen(s) == n && memcmp(s, payload, n) == 0)
            return xsd_errors[i].errnum;
    }
    return EIO;
}

const char *xs_errno_string(int err)
{
    if (err < 0)
        err = -err;
    for (unsigned i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return 0;
}

int xs_parse_watch_event(const char *payload, size_t len, const char **path, const char **token)
{
    size_t n1 = strnlen(payload, len);
    if (n1 == len || n1 == 0)
        return -EBADMSG;
    size_t n2 = strnlen(payload + n1 + 1, len - n1 - 1);
    if (n1 + 1 + n2 == len)
        return -EBADMSG;
    *path = payload;
    *token = payload + n1 + 1;
    return 0;
}

int xs_dir_next(const char *payload, size_t len, size_t *off, const char **name)
{
    if (*off >= len)
        return 0;
    size_t n = strnlen(payload + *off, len - *off);
    if (*off + n == len)
        return -EBADMSG;
    *name = payload + *off;
    *off += n + 1;
    return 1;
}

int xs_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    if (v > max)
        return -ERANGE;
    *out = v;
    return 0;
}

int xs_ring_put(struct xenstore_domain_interface *intf, const void *data, size_t len)
{
    XENSTORE_RING_IDX cons = READ_ONCE(intf->req_cons);
    XENSTORE_RING_IDX prod = intf->req_prod;
    xen_mb();
    if (prod - cons > XENSTORE_RING_SIZE)
        return -EIO;
    size_t space = XENSTORE_RING_SIZE - (prod - cons);
    size_t n = len < space ? len : space;
    const char *p = data;
    for (size_t i = 0; i < n; i++)
        intf->req[MASK_XENSTORE_IDX(prod + i)] = p[i];
    xen_wmb(); /* data before index */
    WRITE_ONCE(intf->req_prod, prod + (XENSTORE_RING_IDX)n);
    return (int)n;
}

int xs_ring_avail(struct xenstore_domain_interface *intf)
{
    XENSTORE_RING_IDX cons = intf->rsp_cons;
    XENSTORE_RING_IDX prod = READ_ONCE(intf->rsp_prod);
    if (prod - cons > XENSTORE_RING_SIZE)
        return -EIO;
    return (int)(prod - cons);
}

int xs_ring_get(struct xenstore_domain_interface *intf, void *data, size_t len)
{
    XENSTORE_RING_IDX cons = intf->rsp_cons;
    XENSTORE_RING_IDX prod = READ_ONCE(intf->rsp_prod);
    xen_rmb(); /* index before data */
    if (prod - cons > XENSTORE_RING_SIZE)
        return -EIO;
    size_t avail = prod - cons;
    size_t n = len < avail ? len : avail;
    char *p = data;
    for (size_t i = 0; i < n; i++)
        p[i] = intf->rsp[MASK_XENSTORE_IDX(cons + i)];
    xen_mb(); /* data read before the slot is given back */
    WRITE_ONCE(intf->rsp_cons, cons + (XENSTORE_RING_IDX)n);
    return (int)n;
}
