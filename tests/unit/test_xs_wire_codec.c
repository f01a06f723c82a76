/* The XenStore wire codec and ring copy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "xen/xs_wire_codec.h"

#define UNUSED_STATE (void)state
#define HDR sizeof(struct xsd_sockmsg)

/* A copy of len bytes in a heap block of exactly len bytes, so that ASan
 * catches any read past the payload. */
static char *exact(const void *src, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, src, len);
    return p;
}

/* --- xs_encode ------------------------------------------------------- */
static void test_encode_read(void **state)
{
    UNUSED_STATE;
    unsigned char buf[256];
    memset(buf, 0xee, sizeof(buf));
    const char *args[] = { "device/vif/0/state" };
    int n = xs_encode(buf, sizeof(buf), XS_READ, 7, 3, args, 1, NULL, 0);
    size_t plen = strlen(args[0]) + 1;
    assert_int_equal(n, HDR + plen);
    struct xsd_sockmsg h;
    memcpy(&h, buf, sizeof(h));
    assert_int_equal(h.type, XS_READ);
    assert_int_equal(h.req_id, 7);
    assert_int_equal(h.tx_id, 3);
    assert_int_equal(h.len, plen);
    assert_memory_equal(buf + HDR, "device/vif/0/state", plen); /* with its NUL */
    assert_int_equal(buf[n], 0xee);
}

static void test_encode_write_raw(void **state)
{
    UNUSED_STATE;
    unsigned char buf[256];
    memset(buf, 0xee, sizeof(buf));
    const char *args[] = { "data/x" };
    int n = xs_encode(buf, sizeof(buf), XS_WRITE, 1, 0, args, 1, "hello", 5);
    assert_int_equal(n, HDR + 7 + 5);
    struct xsd_sockmsg h;
    memcpy(&h, buf, sizeof(h));
    assert_int_equal(h.type, XS_WRITE);
    assert_int_equal(h.len, 12);
    /* path NUL-terminated, then the value raw: no NUL after it */
    assert_memory_equal(buf + HDR, "data/x\0hello", 12);
    assert_int_equal(buf[n], 0xee);

    /* a value with NULs inside is sent as is */
    n = xs_encode(buf, sizeof(buf), XS_WRITE, 1, 0, args, 1, "a\0b", 3);
    assert_int_equal(n, HDR + 7 + 3);
    assert_memory_equal(buf + HDR + 7, "a\0b", 3);

    /* empty value */
    memset(buf, 0xee, sizeof(buf));
    n = xs_encode(buf, sizeof(buf), XS_WRITE, 1, 0, args, 1, "", 0);
    assert_int_equal(n, HDR + 7);
    assert_int_equal(buf[n], 0xee);
}

static void test_encode_multi_and_empty(void **state)
{
    UNUSED_STATE;
    unsigned char buf[256];
    const char *args[] = { "backend", "tok1", "" };
    int n = xs_encode(buf, sizeof(buf), XS_WATCH, 0xffffffffu, 0, args, 3, NULL, 0);
    assert_int_equal(n, HDR + 8 + 5 + 1);
    assert_memory_equal(buf + HDR, "backend\0tok1\0\0", 14);
    struct xsd_sockmsg h;
    memcpy(&h, buf, sizeof(h));
    assert_int_equal(h.req_id, 0xffffffffu);
    assert_int_equal(h.len, 14);

    n = xs_encode(buf, sizeof(buf), XS_TRANSACTION_START, 2, 0, NULL, 0, NULL, 0);
    assert_int_equal(n, HDR);
    memcpy(&h, buf, sizeof(h));
    assert_int_equal(h.type, XS_TRANSACTION_START);
    assert_int_equal(h.len, 0);
}

static void test_encode_e2big(void **state)
{
    UNUSED_STATE;
    size_t cap = HDR + XENSTORE_PAYLOAD_MAX + 64;
    unsigned char *buf = malloc(cap);
    char *val = malloc(XENSTORE_PAYLOAD_MAX + 1);
    assert_non_null(buf);
    assert_non_null(val);
    memset(val, 'v', XENSTORE_PAYLOAD_MAX + 1);
    const char *args[] = { "p" }; /* 2 bytes */

    /* payload exactly XENSTORE_PAYLOAD_MAX */
    int n = xs_encode(buf, cap, XS_WRITE, 1, 0, args, 1, val, XENSTORE_PAYLOAD_MAX - 2);
    assert_int_equal(n, HDR + XENSTORE_PAYLOAD_MAX);
    /* one more byte */
    n = xs_encode(buf, cap, XS_WRITE, 1, 0, args, 1, val, XENSTORE_PAYLOAD_MAX - 1);
    assert_int_equal(n, -E2BIG);
    /* a huge raw length must not wrap */
    n = xs_encode(buf, cap, XS_WRITE, 1, 0, args, 1, val, SIZE_MAX);
    assert_int_equal(n, -E2BIG);

    /* a long argument */
    val[XENSTORE_PAYLOAD_MAX] = 0; /* strlen 4096, 4097 with NUL */
    const char *big[] = { val };
    assert_int_equal(xs_encode(buf, cap, XS_READ, 1, 0, big, 1, NULL, 0), -E2BIG);
    val[XENSTORE_PAYLOAD_MAX - 1] = 0;
    assert_int_equal(xs_encode(buf, cap, XS_READ, 1, 0, big, 1, NULL, 0),
                     HDR + XENSTORE_PAYLOAD_MAX);

    /* the buffer capacity: exact fits, one less does not, nothing written */
    const char *a[] = { "abc" };
    unsigned char small[HDR + 4 + 1];
    memset(small, 0xee, sizeof(small));
    assert_int_equal(xs_encode(small, HDR + 3, XS_READ, 1, 0, a, 1, NULL, 0), -E2BIG);
    assert_int_equal(small[0], 0xee);
    assert_int_equal(xs_encode(small, 0, XS_READ, 1, 0, a, 1, NULL, 0), -E2BIG);
    assert_int_equal(xs_encode(small, HDR + 4, XS_READ, 1, 0, a, 1, NULL, 0), HDR + 4);
    assert_int_equal(small[HDR + 4], 0xee);
    free(buf);
    free(val);
}

/* --- headers and errors -------------------------------------------------- */
static void test_check_header(void **state)
{
    UNUSED_STATE;
    struct xsd_sockmsg h = { .type = XS_READ, .req_id = 1, .tx_id = 0, .len = 10 };
    const char *why = NULL;
    assert_int_equal(xs_check_header(&h, &why), 0);
    h.len = XENSTORE_PAYLOAD_MAX;
    assert_int_equal(xs_check_header(&h, &why), 0);
    h.len = 0;
    assert_int_equal(xs_check_header(&h, &why), 0);
    h.type = XS_DIRECTORY_PART;
    assert_int_equal(xs_check_header(&h, &why), 0);
    h.type = XS_WATCH_EVENT;
    assert_int_equal(xs_check_header(&h, &why), 0);
    h.type = XS_ERROR;
    assert_int_equal(xs_check_header(&h, &why), 0);

    h.type = XS_READ;
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    why = NULL;
    assert_int_equal(xs_check_header(&h, &why), -EBADMSG);
    assert_non_null(why);
    h.len = 0xffffffffu;
    assert_int_equal(xs_check_header(&h, &why), -EBADMSG);

    h.len = 4;
    h.type = XS_TYPE_COUNT;
    why = NULL;
    assert_int_equal(xs_check_header(&h, &why), -EBADMSG);
    assert_non_null(why);
    h.type = XS_INVALID;
    assert_int_equal(xs_check_header(&h, &why), -EBADMSG);
    h.type = 0xffffffffu;
    assert_int_equal(xs_check_header(&h, &why), -EBADMSG);
}

static void test_error_errno(void **state)
{
    UNUSED_STATE;
    size_t nerr = sizeof(xsd_errors) / sizeof(xsd_errors[0]);
    assert_true(nerr >= 16);
    for (size_t i = 0; i < nerr; i++) {
        const char *s = xsd_errors[i].errstring;
        size_t len = strlen(s);
        char *p = exact(s, len + 1); /* as sent: "ENOENT\0" */
        assert_int_equal(xs_error_errno(p, len + 1), xsd_errors[i].errnum);
        free(p);
        p = exact(s, len);           /* without the NUL */
        assert_int_equal(xs_error_errno(p, len), xsd_errors[i].errnum);
        free(p);
        /* and the reverse mapping, both signs */
        assert_string_equal(xs_errno_string(xsd_errors[i].errnum), s);
        assert_string_equal(xs_errno_string(-xsd_errors[i].errnum), s);
    }
    /* spot checks against the host's numbers */
    assert_int_equal(xs_error_errno("ENOENT", 7), ENOENT);
    assert_int_equal(xs_error_errno("EACCES", 7), EACCES);
    assert_int_equal(xs_error_errno("E2BIG", 6), E2BIG);
    assert_int_equal(xs_error_errno("EINVAL\0junk", 11), EINVAL);
    assert_string_equal(xs_errno_string(-ENOSPC), "ENOSPC");

    /* unknown -> EIO */
    assert_int_equal(xs_error_errno("EFOO", 5), EIO);
    assert_int_equal(xs_error_errno("", 1), EIO);
    assert_int_equal(xs_error_errno("", 0), EIO);
    assert_int_equal(xs_error_errno("EINVA", 6), EIO);
    assert_int_equal(xs_error_errno("EINVALX", 8), EIO);
    assert_int_equal(xs_error_errno("einval", 7), EIO);
    assert_int_equal(xs_error_errno("EINVAL", 3), EIO); /* only "EIN" is there */
    char *p = exact("ENOENTS", 7);
    assert_int_equal(xs_error_errno(p, 7), EIO);
    free(p);

    assert_null(xs_errno_string(0));
    assert_null(xs_errno_string(ERANGE));
    assert_null(xs_errno_string(9999));
}

/* --- payload parsing ------------------------------------------------------ */
static int watch(const void *payload, size_t len, const char **path, const char **token)
{
    char *p = exact(payload, len);
    int r = xs_parse_watch_event(p, len, path, token);
    if (r == 0) {
        /* the results point into the payload */
        assert_true(*path >= p && *path < p + len);
        assert_true(*token > *path && *token < p + len);
        static char path_copy[64], token_copy[64];
        strncpy(path_copy, *path, sizeof(path_copy) - 1);
        strncpy(token_copy, *token, sizeof(token_copy) - 1);
        *path = path_copy;
        *token = token_copy;
    }
    free(p);
    return r;
}

static void test_watch_event(void **state)
{
    UNUSED_STATE;
    const char *path = NULL, *token = NULL;
    assert_int_equal(watch("backend/vif\0tok-1\0", 18, &path, &token), 0);
    assert_string_equal(path, "backend/vif");
    assert_string_equal(token, "tok-1");
    /* an empty token is a token */
    assert_int_equal(watch("a\0\0", 3, &path, &token), 0);
    assert_string_equal(path, "a");
    assert_string_equal(token, "");
    /* extra bytes after the token are ignored */
    assert_int_equal(watch("p\0t\0extra", 9, &path, &token), 0);
    assert_string_equal(token, "t");

    path = token = (const char *)1;
    assert_int_equal(watch("", 0, &path, &token), -EBADMSG);
    assert_int_equal(watch("path", 4, &path, &token), -EBADMSG);         /* no NUL */
    assert_int_equal(watch("path\0", 5, &path, &token), -EBADMSG);       /* no token */
    assert_int_equal(watch("path\0tok", 8, &path, &token), -EBADMSG);    /* token open */
    assert_int_equal(watch("\0tok\0", 5, &path, &token), -EBADMSG);      /* empty path */
    assert_int_equal(watch("\0", 1, &path, &token), -EBADMSG);
    assert_ptr_equal(path, (const char *)1);
    assert_ptr_equal(token, (const char *)1);
}

static void test_dir_next(void **state)
{
    UNUSED_STATE;
    char *p = exact("a\0bb\0ccc\0", 9);
    size_t off = 0;
    const char *name = NULL;
    assert_int_equal(xs_dir_next(p, 9, &off, &name), 1);
    assert_string_equal(name, "a");
    assert_int_equal(xs_dir_next(p, 9, &off, &name), 1);
    assert_string_equal(name, "bb");
    assert_int_equal(xs_dir_next(p, 9, &off, &name), 1);
    assert_string_equal(name, "ccc");
    assert_int_equal(off, 9);
    assert_int_equal(xs_dir_next(p, 9, &off, &name), 0);
    assert_int_equal(xs_dir_next(p, 9, &off, &name), 0);
    free(p);

    /* unterminated last name */
    p = exact("a\0bb", 4);
    off = 0;
    assert_int_equal(xs_dir_next(p, 4, &off, &name), 1);
    assert_string_equal(name, "a");
    assert_int_equal(xs_dir_next(p, 4, &off, &name), -EBADMSG);
    free(p);
    p = exact("x", 1);
    off = 0;
    assert_int_equal(xs_dir_next(p, 1, &off, &name), -EBADMSG);
    free(p);

    /* empty directory, empty names */
    off = 0;
    assert_int_equal(xs_dir_next("", 0, &off, &name), 0);
    p = exact("\0\0", 2);
    off = 0;
    assert_int_equal(xs_dir_next(p, 2, &off, &name), 1);
    assert_string_equal(name, "");
    assert_int_equal(xs_dir_next(p, 2, &off, &name), 1);
    assert_int_equal(xs_dir_next(p, 2, &off, &name), 0);
    free(p);
    /* an offset past the end is the end */
    off = 100;
    assert_int_equal(xs_dir_next("a\0", 2, &off, &name), 0);
}

static void test_parse_uint(void **state)
{
    UNUSED_STATE;
    uint64_t v = 42;
    assert_int_equal(xs_parse_uint("", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("-1", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("+1", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint(" 1", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("1 ", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("1\n", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("0x10", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("1a", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("1.5", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("/", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint(":", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(xs_parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
    assert_int_equal(xs_parse_uint("18446744073709551620", UINT64_MAX, &v), -ERANGE);
    assert_int_equal(xs_parse_uint("99999999999999999999", UINT64_MAX, &v), -ERANGE);
    assert_int_equal(xs_parse_uint("100000000000000000000000", UINT64_MAX, &v), -ERANGE);
    assert_int_equal(xs_parse_uint("100", 99, &v), -ERANGE);
    assert_int_equal(xs_parse_uint("1", 0, &v), -ERANGE);
    assert_int_equal(v, 42); /* untouched on errors */

    assert_int_equal(xs_parse_uint("0", UINT64_MAX, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(xs_parse_uint("0", 0, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(xs_parse_uint("99", 99, &v), 0);
    assert_int_equal(v, 99);
    assert_int_equal(xs_parse_uint("007", 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(xs_parse_uint("4", 4, &v), 0);
    assert_int_equal(v, 4);
    assert_int_equal(xs_parse_uint("4294967296", UINT64_MAX, &v), 0);
    assert_int_equal(v, 4294967296ULL);
    assert_int_equal(xs_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(xs_parse_uint("18446744073709551614", UINT64_MAX, &v), 0);
    assert_int_equal(v, UINT64_MAX - 1);
    assert_int_equal(xs_parse_uint("18446744073709551615", UINT64_MAX - 1, &v), -ERANGE);
}

/* --- the rings ------------------------------------------------------------ */
static struct xenstore_domain_interface *new_intf(void)
{
    struct xenstore_domain_interface *i = calloc(1, sizeof(*i));
    assert_non_null(i);
    return i;
}

static void test_ring_put_simple(void **state)
{
    UNUSED_STATE;
    struct xenstore_domain_interface *intf = new_intf();
    char data[100];
    for (int i = 0; i < 100; i++)
        data[i] = (char)i;
    assert_int_equal(xs_ring_put(intf, data, 100), 100);
    assert_int_equal(intf->req_prod, 100);
    assert_int_equal(intf->req_cons, 0);
    assert_memory_equal(intf->req, data, 100);
    assert_int_equal(intf->req[100], 0);
    assert_int_equal(xs_ring_put(intf, data, 0), 0);
    assert_int_equal(intf->req_prod, 100);
    /* the response side is untouched */
    assert_int_equal(intf->rsp_prod, 0);
    assert_int_equal(intf->rsp_cons, 0);
    free(intf);
}

static void test_ring_put_wrap_and_full(void **state)
{
    UNUSED_STATE;
    struct xenstore_domain_interface *intf = new_intf();
    char data[XENSTORE_RING_SIZE + 10];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)(i * 3 + 1);

    /* wrap across the end of the 1024-byte ring */
    intf->req_cons = intf->req_prod = 1000;
    assert_int_equal(xs_ring_put(intf, data, 100), 100);
    assert_int_equal(intf->req_prod, 1100);
    assert_memory_equal(intf->req + 1000, data, 24);
    assert_memory_equal(intf->req, data + 24, 76);

    /* the peer has consumed nothing: 924 bytes of room */
    assert_int_equal(xs_ring_put(intf, data, 2000), 924);
    assert_int_equal(intf->req_prod - intf->req_cons, XENSTORE_RING_SIZE);
    assert_memory_equal(intf->req + 76, data, 924);
    /* full */
    assert_int_equal(xs_ring_put(intf, data, 1), 0);
    assert_int_equal(intf->req_prod, 1000 + XENSTORE_RING_SIZE);

    /* the peer consumes 10: exactly 10 go in */
    intf->req_cons += 10;
    assert_int_equal(xs_ring_put(intf, "0123456789abc", 13), 10);
    assert_memory_equal(intf->req + (1000 % XENSTORE_RING_SIZE), "0123456789", 10);

    /* 32-bit index wrap-around */
    intf->req_cons = intf->req_prod = 0xfffffff0u;
    assert_int_equal(xs_ring_put(intf, data, 40), 40);
    assert_int_equal(intf->req_prod, 40 - 0x10);
    assert_memory_equal(intf->req + MASK_XENSTORE_IDX(0xfffffff0u), data, 16);
    assert_memory_equal(intf->req, data + 16, 24);
    free(intf);
}

static void test_ring_put_corrupt(void **state)
{
    UNUSED_STATE;
    struct xenstore_domain_interface *intf = new_intf();
    /* the peer's consumer index ahead of our producer */
    intf->req_prod = 100;
    intf->req_cons = 101;
    assert_int_equal(xs_ring_put(intf, "x", 1), -EIO);
    assert_int_equal(intf->req_prod, 100);
    /* more than a ring apart */
    intf->req_cons = 100 - XENSTORE_RING_SIZE - 1;
    assert_int_equal(xs_ring_put(intf, "x", 1), -EIO);
    assert_int_equal(intf->req_prod, 100);
    intf->req_cons = 100 - XENSTORE_RING_SIZE; /* exactly full is fine */
    assert_int_equal(xs_ring_put(intf, "x", 1), 0);
    free(intf);
}

static void test_ring_get(void **state)
{
    UNUSED_STATE;
    struct xenstore_domain_interface *intf = new_intf();
    char out[XENSTORE_RING_SIZE + 10];

    assert_int_equal(xs_ring_avail(intf), 0);
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), 0);

    /* the peer writes 200 bytes across the end of the ring */
    intf->rsp_cons = intf->rsp_prod = 900;
    for (int i = 0; i < 200; i++)
        intf->rsp[MASK_XENSTORE_IDX(900 + i)] = (char)(i + 7);
    intf->rsp_prod = 1100;
    assert_int_equal(xs_ring_avail(intf), 200);

    /* partial read */
    memset(out, 0, sizeof(out));
    assert_int_equal(xs_ring_get(intf, out, 50), 50);
    assert_int_equal(intf->rsp_cons, 950);
    for (int i = 0; i < 50; i++)
        assert_int_equal(out[i], (char)(i + 7));
    assert_int_equal(xs_ring_avail(intf), 150);
    /* the rest, across the wrap; asks for more than there is */
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), 150);
    for (int i = 0; i < 150; i++)
        assert_int_equal(out[i], (char)(i + 57));
    assert_int_equal(intf->rsp_cons, 1100);
    assert_int_equal(xs_ring_avail(intf), 0);
    assert_int_equal(xs_ring_get(intf, out, 10), 0);

    /* a completely full ring */
    intf->rsp_prod = intf->rsp_cons + XENSTORE_RING_SIZE;
    assert_int_equal(xs_ring_avail(intf), XENSTORE_RING_SIZE);
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), XENSTORE_RING_SIZE);
    assert_int_equal(intf->rsp_cons, intf->rsp_prod);

    /* the request side is untouched */
    assert_int_equal(intf->req_prod, 0);
    assert_int_equal(intf->req_cons, 0);
    free(intf);
}

static void test_ring_get_corrupt(void **state)
{
    UNUSED_STATE;
    struct xenstore_domain_interface *intf = new_intf();
    char out[16];
    intf->rsp_cons = 50;
    intf->rsp_prod = 49; /* producer behind the consumer */
    assert_int_equal(xs_ring_avail(intf), -EIO);
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), -EIO);
    assert_int_equal(intf->rsp_cons, 50);
    intf->rsp_prod = 50 + XENSTORE_RING_SIZE + 1;
    assert_int_equal(xs_ring_avail(intf), -EIO);
    assert_int_equal(xs_ring_get(intf, out, sizeof(out)), -EIO);
    assert_int_equal(intf->rsp_cons, 50);
    free(intf);
}

/* A whole exchange: the daemon's reply lands across the ring's end and is
 * read back as header, then payload. */
static void test_ring_roundtrip(void **state)
{
    UNUSED_STATE;
    struct xenstore_domain_interface *intf = new_intf();
    char msg[128];
    const char *args[] = { "a", "bb", "ccc" };
    int n = xs_encode(msg, sizeof(msg), XS_DIRECTORY, 9, 0, args, 3, NULL, 0);
    assert_true(n > 0);
    for (XENSTORE_RING_IDX start = 1000; start < 1030; start += 3) {
        intf->rsp_cons = intf->rsp_prod = start;
        for (int i = 0; i < n; i++)
            intf->rsp[MASK_XENSTORE_IDX(start + (unsigned)i)] = msg[i];
        intf->rsp_prod = start + (unsigned)n;

        struct xsd_sockmsg h;
        assert_int_equal(xs_ring_get(intf, &h, sizeof(h)), sizeof(h));
        const char *why;
        assert_int_equal(xs_check_header(&h, &why), 0);
        assert_int_equal(h.req_id, 9);
        char body[64];
        assert_int_equal(xs_ring_get(intf, body, h.len), h.len);
        size_t off = 0;
        const char *name;
        assert_int_equal(xs_dir_next(body, h.len, &off, &name), 1);
        assert_string_equal(name, "a");
        assert_int_equal(xs_dir_next(body, h.len, &off, &name), 1);
        assert_string_equal(name, "bb");
        assert_int_equal(xs_dir_next(body, h.len, &off, &name), 1);
        assert_string_equal(name, "ccc");
        assert_int_equal(xs_dir_next(body, h.len, &off, &name), 0);
    }
    free(intf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_read),
        cmocka_unit_test(test_encode_write_raw),
        cmocka_unit_test(test_encode_multi_and_empty),
        cmocka_unit_test(test_encode_e2big),
        cmocka_unit_test(test_check_header),
        cmocka_unit_test(test_error_errno),
        cmocka_unit_test(test_watch_event),
        cmocka_unit_test(test_dir_next),
        cmocka_unit_test(test_parse_uint),
        cmocka_unit_test(test_ring_put_simple),
        cmocka_unit_test(test_ring_put_wrap_and_full),
        cmocka_unit_test(test_ring_put_corrupt),
        cmocka_unit_test(test_ring_get),
        cmocka_unit_test(test_ring_get_corrupt),
        cmocka_unit_test(test_ring_roundtrip),
    };
    return cmocka_run_group_tests_name("xs_wire_codec", tests, NULL, NULL);
}
