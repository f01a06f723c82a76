/* libFuzzer: arbitrary bytes as the XenStore response ring (indices and
 * contents chosen by the peer), read back the way the kernel does it, and
 * every reply parsed; plus the raw input as a payload. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "xen/xs_wire_codec.h"

#include "tests/fuzz/fuzz_check.h"

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Parses one payload of a given type; payload is a heap block of exactly
 * len bytes so that ASan sees any over-read. */
static void parse_payload(uint32_t type, const char *payload, size_t len)
{
    switch (type) {
    case XS_WATCH_EVENT: {
        const char *path = NULL, *token = NULL;
        if (xs_parse_watch_event(payload, len, &path, &token) == 0) {
            CHECK(path == payload);
            CHECK(token > path && token < payload + len);
            size_t pl = strnlen(path, len);
            CHECK(pl > 0 && pl < len);
            CHECK(token == path + pl + 1);
            CHECK(strnlen(token, len - pl - 1) < len - pl - 1);
        }
        break;
    }
    case XS_DIRECTORY:
    case XS_DIRECTORY_PART: {
        size_t off = 0, prev = 0;
        const char *name;
        int r, names = 0;
        while ((r = xs_dir_next(payload, len, &off, &name)) == 1) {
            CHECK(name == payload + prev);
            CHECK(off > prev && off <= len);
            CHECK(strlen(name) == off - prev - 1);
            prev = off;
            CHECK(++names <= (int)len);
        }
        CHECK(r == 0 || r == -EBADMSG);
        if (r == 0)
            CHECK(len == 0 || payload[len - 1] == 0);
        else
            CHECK(memchr(payload + prev, 0, len - prev) == NULL);
        break;
    }
    case XS_ERROR: {
        int e = xs_error_errno(payload, len);
        CHECK(e > 0);
        const char *s = xs_errno_string(e);
        CHECK(s != NULL);
        if (e != EIO)
            CHECK(strnlen(payload, len) == strlen(s) && memcmp(payload, s, strlen(s)) == 0);
        break;
    }
    default: {
        /* a value: strict number parsing on a terminated copy */
        char *s = malloc(len + 1);
        CHECK(s);
        memcpy(s, payload, len);
        s[len] = 0;
        uint64_t v = 12345;
        uint64_t max = len ? (uint64_t)(unsigned char)payload[0] << 40 : 0;
        int r = xs_parse_uint(s, UINT64_MAX, &v);
        if (r == 0) {
            char back[32];
            snprintf(back, sizeof(back), "%llu", (unsigned long long)v);
            /* digits only: equal after dropping leading zeros */
            const char *d = s;
            while (d[0] == '0' && d[1])
                d++;
            CHECK(strcmp(back, d) == 0);
            uint64_t w;
            int r2 = xs_parse_uint(s, max, &w);
            CHECK(v <= max ? (r2 == 0 && w == v) : r2 == -ERANGE);
        } else {
            CHECK(r == -EINVAL || r == -ERANGE);
            CHECK(v == 12345);
        }
        free(s);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the raw input as each kind of payload */
    char *raw = malloc(size ? size : 1);
    CHECK(raw);
    memcpy(raw, data, size);
    parse_payload(XS_WATCH_EVENT, raw, size);
    parse_payload(XS_DIRECTORY, raw, size);
    parse_payload(XS_ERROR, raw, size);
    parse_payload(XS_READ, raw, size);
    free(raw);

    /* the response ring: 8 bytes of indices, then its contents */
    if (size < 8)
        return 0;
    struct xenstore_domain_interface *intf = calloc(1, sizeof(*intf));
    CHECK(intf);
    intf->rsp_cons = rd32(data);
    intf->rsp_prod = rd32(data + 4);
    size_t n = size - 8 < XENSTORE_RING_SIZE ? size - 8 : XENSTORE_RING_SIZE;
    memcpy(intf->rsp, data + 8, n);
    int bad_index = intf->rsp_prod - intf->rsp_cons > XENSTORE_RING_SIZE;

    for (int msgs = 0; msgs < 64; msgs++) {
        XENSTORE_RING_IDX cons0 = intf->rsp_cons;
        int avail = xs_ring_avail(intf);
        if (bad_index) {
            CHECK(avail == -EIO);
            CHECK(xs_ring_get(intf, &(struct xsd_sockmsg){ 0 }, 16) == -EIO);
            CHECK(intf->rsp_cons == cons0);
            break;
        }
        CHECK(avail >= 0 && avail <= XENSTORE_RING_SIZE);
        if ((size_t)avail < sizeof(struct xsd_sockmsg))
            break;
        struct xsd_sockmsg h;
        CHECK(xs_ring_get(intf, &h, sizeof(h)) == (int)sizeof(h));
        CHECK(intf->rsp_cons == (XENSTORE_RING_IDX)(cons0 + sizeof(h)));
        const char *why = NULL;
        if (xs_check_header(&h, &why) != 0) {
            CHECK(why != NULL);
            break;
        }
        CHECK(h.len <= XENSTORE_PAYLOAD_MAX && h.type < XS_TYPE_COUNT);
        char *payload = malloc(h.len ? h.len : 1);
        CHECK(payload);
        int got = xs_ring_get(intf, payload, h.len);
        CHECK(got >= 0 && (size_t)got <= h.len && got <= avail - (int)sizeof(h));
        if ((uint32_t)got == h.len)
            parse_payload(h.type, payload, h.len);
        free(payload);
        if ((uint32_t)got < h.len)
            break; /* the rest is not there yet */
    }

    /* the request ring with the same indices: whatever fits goes in */
    intf->req_cons = rd32(data);
    intf->req_prod = rd32(data + 4);
    XENSTORE_RING_IDX prod0 = intf->req_prod;
    int put = xs_ring_put(intf, data + 8, size - 8);
    if (intf->req_prod - intf->req_cons > XENSTORE_RING_SIZE) {
        CHECK(put == -EIO && intf->req_prod == prod0);
    } else {
        CHECK(put >= 0 && (size_t)put <= size - 8);
        CHECK(intf->req_prod == prod0 + (XENSTORE_RING_IDX)put);
        CHECK(intf->req_prod - intf->req_cons <= XENSTORE_RING_SIZE);
        for (int i = 0; i < put; i++)
            CHECK(intf->req[MASK_XENSTORE_IDX(prod0 + (unsigned)i)] == (char)data[8 + i]);
    }
    free(intf);

    /* encoding what came in as arguments round-trips */
    if (size >= 8) {
        char arg[64];
        size_t al = size - 8 < sizeof(arg) - 1 ? size - 8 : sizeof(arg) - 1;
        memcpy(arg, data + 8, al);
        arg[al] = 0;
        const char *args[] = { arg };
        size_t cap = data[0] * 8u;
        char *buf = malloc(cap ? cap : 1);
        CHECK(buf);
        int len = xs_encode(buf, cap, XS_WRITE, rd32(data), 0, args, 1, data, size);
        size_t want = strlen(arg) + 1 + size;
        if (want > XENSTORE_PAYLOAD_MAX || sizeof(struct xsd_sockmsg) + want > cap) {
            CHECK(len == -E2BIG);
        } else {
            CHECK(len == (int)(sizeof(struct xsd_sockmsg) + want));
            struct xsd_sockmsg h;
            memcpy(&h, buf, sizeof(h));
            CHECK(h.type == XS_WRITE && h.len == want && h.req_id == rd32(data));
            CHECK(memcmp(buf + sizeof(h) + strlen(arg) + 1, data, size) == 0);
        }
        free(buf);
    }
    return 0;
}
