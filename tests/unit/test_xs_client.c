/* The XenStore client's reply matching and ring recovery. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "xen/xs_client.h"
#include "xen/xs_wire_codec.h"

#define UNUSED_STATE (void)state

static struct xsd_sockmsg hdr(uint32_t type, uint32_t req_id, uint32_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = 0, .len = len };
    return h;
}

static void test_classify(void **state)
{
    UNUSED_STATE;
    struct xs_outstanding o = { 0 };
    struct xsd_sockmsg h = hdr(XS_READ, 7, 3);
    /* nobody waits: any reply is stale */
    assert_int_equal(xs_rsp_classify(&o, &h), XS_RSP_STALE);
    xs_outstanding_start(&o, 7, XS_READ);
    assert_int_equal(xs_rsp_classify(&o, &h), XS_RSP_REPLY);
    /* another id: the reply of an earlier request that timed out */
    h.req_id = 6;
    assert_int_equal(xs_rsp_classify(&o, &h), XS_RSP_STALE);
    /* a watch event is never a reply, whatever its id says */
    h = hdr(XS_WATCH_EVENT, 7, 4);
    assert_int_equal(xs_rsp_classify(&o, &h), XS_RSP_WATCH_EVENT);
    /* once answered, a second reply with the same id is stale */
    h = hdr(XS_READ, 7, 3);
    char body[] = "abc";
    xs_outstanding_reply(&o, XS_READ, body, 3);
    assert_true(o.done);
    assert_int_equal(xs_rsp_classify(&o, &h), XS_RSP_STALE);
    /* the caller gave up: stale too */
    xs_outstanding_start(&o, 8, XS_READ);
    o.waiting = false;
    h.req_id = 8;
    assert_int_equal(xs_rsp_classify(&o, &h), XS_RSP_STALE);
}

static void test_result(void **state)
{
    UNUSED_STATE;
    struct xs_outstanding o;
    const char *why;
    char ok[] = "value";
    xs_outstanding_start(&o, 1, XS_READ);
    xs_outstanding_reply(&o, XS_READ, ok, 5);
    assert_int_equal(xs_outstanding_result(&o, &why), 0);
    assert_string_equal(why, "");
    assert_ptr_equal(o.body, ok);

    char enoent[] = "ENOENT";
    xs_outstanding_start(&o, 2, XS_READ);
    assert_null(o.body);
    xs_outstanding_reply(&o, XS_ERROR, enoent, 7);
    assert_int_equal(xs_outstanding_result(&o, &why), -ENOENT);

    char odd[] = "OK";
    xs_outstanding_start(&o, 3, XS_WRITE);
    xs_outstanding_reply(&o, XS_READ, odd, 3);
    assert_int_equal(xs_outstanding_result(&o, &why), -EBADMSG);
    assert_true(why[0] != 0);
}

/* A request failed by the reader (it resynchronised, or had no memory for
 * the reply) is done with that error; a late reply does not revive it. */
static void test_fail(void **state)
{
    UNUSED_STATE;
    struct xs_outstanding o = { 0 };
    const char *why;
    assert_false(xs_outstanding_fail(&o, -EIO)); /* none in hand */
    xs_outstanding_start(&o, 5, XS_DIRECTORY);
    assert_true(xs_outstanding_fail(&o, -EIO));
    assert_true(o.done);
    assert_int_equal(xs_outstanding_result(&o, &why), -EIO);
    assert_false(xs_outstanding_fail(&o, -ENOMEM)); /* already done */
    assert_int_equal(xs_outstanding_result(&o, &why), -EIO);
    struct xsd_sockmsg h = hdr(XS_DIRECTORY, 5, 0);
    assert_int_equal(xs_rsp_classify(&o, &h), XS_RSP_STALE);
    /* the next request starts clean */
    xs_outstanding_start(&o, 6, XS_DIRECTORY);
    assert_false(o.done);
    assert_int_equal(o.err, 0);
    assert_true(xs_outstanding_fail(&o, -ENOMEM));
    assert_int_equal(xs_outstanding_result(&o, &why), -ENOMEM);
}

static int setup(void **state)
{
    *state = calloc(1, sizeof(struct xenstore_domain_interface));
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Puts a message into the response ring as the daemon would. */
static void daemon_send(struct xenstore_domain_interface *intf, const void *data, size_t len)
{
    const char *p = data;
    for (size_t i = 0; i < len; i++)
        intf->rsp[MASK_XENSTORE_IDX(intf->rsp_prod + i)] = p[i];
    intf->rsp_prod += (XENSTORE_RING_IDX)len;
}

static void daemon_reply(struct xenstore_domain_interface *intf, uint32_t type, uint32_t id,
                         const char *payload, uint32_t len)
{
    struct xsd_sockmsg h = hdr(type, id, len);
    daemon_send(intf, &h, sizeof(h));
    daemon_send(intf, payload, len);
}

/* The reader's loop in small: read a header, check it, resynchronise on a
 * bad one. 0 (a reply matched to o, or not), or -EIO / -EBADMSG. */
static int read_one(struct xenstore_domain_interface *intf, struct xs_outstanding *o,
                    char *body, size_t cap, unsigned *resyncs)
{
    struct xsd_sockmsg h;
    const char *why;
    if (xs_ring_avail(intf) < 0 || xs_ring_get(intf, &h, sizeof(h)) != sizeof(h)) {
        xs_rsp_resync(intf);
        xs_outstanding_fail(o, -EIO);
        (*resyncs)++;
        return -EIO;
    }
    if (xs_check_header(&h, &why) || h.len > cap) {
        xs_rsp_resync(intf);
        xs_outstanding_fail(o, -EIO);
        (*resyncs)++;
        return -EBADMSG;
    }
    assert_int_equal(xs_ring_get(intf, body, h.len), (int)h.len);
    if (xs_rsp_classify(o, &h) == XS_RSP_REPLY)
        xs_outstanding_reply(o, h.type, body, h.len);
    return 0;
}

/* A bad header fails the request in hand; after the resync the next
 * request's reply is matched as if nothing had happened. */
static void test_resync_after_bad_header(void **state)
{
    struct xenstore_domain_interface *intf = *state;
    struct xs_outstanding o;
    char body[64];
    unsigned resyncs = 0;
    const char *why;

    xs_outstanding_start(&o, 10, XS_READ);
    struct xsd_sockmsg bad = hdr(XS_READ, 10, XENSTORE_PAYLOAD_MAX + 1);
    daemon_send(intf, &bad, sizeof(bad));
    daemon_send(intf, "domu\0", 5); /* the body that came with it */
    assert_int_equal(read_one(intf, &o, body, sizeof(body), &resyncs), -EBADMSG);
    assert_int_equal(resyncs, 1);
    assert_true(o.done);
    assert_int_equal(xs_outstanding_result(&o, &why), -EIO);
    assert_int_equal(xs_ring_avail(intf), 0); /* the body went too */

    /* an unknown type, too */
    xs_outstanding_start(&o, 11, XS_READ);
    bad = hdr(XS_TYPE_COUNT + 3, 11, 2);
    daemon_send(intf, &bad, sizeof(bad));
    daemon_send(intf, "x", 2);
    assert_int_equal(read_one(intf, &o, body, sizeof(body), &resyncs), -EBADMSG);
    assert_int_equal(xs_outstanding_result(&o, &why), -EIO);

    /* the next request works */
    xs_outstanding_start(&o, 12, XS_READ);
    daemon_reply(intf, XS_READ, 12, "domu", 4);
    assert_int_equal(read_one(intf, &o, body, sizeof(body), &resyncs), 0);
    assert_true(o.done);
    assert_int_equal(xs_outstanding_result(&o, &why), 0);
    assert_memory_equal(o.body, "domu", 4);
    assert_int_equal(resyncs, 2);
}

/* A producer index more than a ring ahead: the consumer jumps to it, and
 * what the daemon writes after it is read from there. */
static void test_resync_after_corrupt_index(void **state)
{
    struct xenstore_domain_interface *intf = *state;
    struct xs_outstanding o;
    char body[64];
    unsigned resyncs = 0;
    const char *why;

    intf->rsp_cons = intf->rsp_prod = 0xfffffff0u;
    xs_outstanding_start(&o, 20, XS_WRITE);
    intf->rsp_prod += XENSTORE_RING_SIZE + 1;
    assert_int_equal(xs_ring_avail(intf), -EIO);
    assert_int_equal(read_one(intf, &o, body, sizeof(body), &resyncs), -EIO);
    assert_int_equal(xs_outstanding_result(&o, &why), -EIO);
    assert_int_equal(intf->rsp_cons, intf->rsp_prod);
    assert_int_equal(xs_ring_avail(intf), 0);

    /* a late reply to request 20 is stale; 21's reply is matched */
    xs_outstanding_start(&o, 21, XS_WRITE);
    daemon_reply(intf, XS_WRITE, 20, "OK", 3);
    daemon_reply(intf, XS_WRITE, 21, "OK", 3);
    assert_int_equal(read_one(intf, &o, body, sizeof(body), &resyncs), 0);
    assert_false(o.done);
    assert_int_equal(read_one(intf, &o, body, sizeof(body), &resyncs), 0);
    assert_true(o.done);
    assert_int_equal(xs_outstanding_result(&o, &why), 0);
    assert_int_equal(resyncs, 1);
}

static void test_resync_counts(void **state)
{
    struct xenstore_domain_interface *intf = *state;
    assert_int_equal(xs_rsp_resync(intf), 0);
    intf->rsp_prod = 100;
    assert_int_equal(xs_rsp_resync(intf), 100);
    assert_int_equal(intf->rsp_cons, 100);
    /* a producer behind the consumer: still ends equal */
    intf->rsp_prod = 90;
    xs_rsp_resync(intf);
    assert_int_equal(intf->rsp_cons, 90);
    assert_int_equal(xs_ring_avail(intf), 0);
}

static void test_req_space(void **state)
{
    struct xenstore_domain_interface *intf = *state;
    assert_int_equal(xs_req_space(intf), XENSTORE_RING_SIZE);
    intf->req_prod = 1000;
    intf->req_cons = 24;
    assert_int_equal(xs_req_space(intf), XENSTORE_RING_SIZE - 976);
    intf->req_cons = 1000 - XENSTORE_RING_SIZE;
    assert_int_equal(xs_req_space(intf), 0);
    intf->req_cons = 1000 - XENSTORE_RING_SIZE - 1; /* more than a ring behind */
    assert_int_equal(xs_req_space(intf), -EIO);
    intf->req_cons = 1001; /* ahead of our producer */
    assert_int_equal(xs_req_space(intf), -EIO);
    /* index wrap */
    intf->req_prod = 5;
    intf->req_cons = 0xfffffffbu;
    assert_int_equal(xs_req_space(intf), XENSTORE_RING_SIZE - 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_result),
        cmocka_unit_test(test_fail),
        cmocka_unit_test_setup_teardown(test_resync_after_bad_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resync_after_corrupt_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resync_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_req_space, setup, teardown),
    };
    return cmocka_run_group_tests_name("xs_client", tests, NULL, NULL);
}
