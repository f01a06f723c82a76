/* fetch's pure half: URLs, the request, the response parser and cksum
 * (the values are what coreutils' cksum prints). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "net/tcp_fetch.h"
#include "kern/errno.h"

static void test_url(void **state)
{
    (void)state;
    struct fetch_url u;
    assert_int_equal(fetch_parse_url("http://10.0.0.1:8080/a/b.bin", &u), 0);
    assert_string_equal(u.host, "10.0.0.1");
    assert_int_equal(u.addr, 0x0a000001u);
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/a/b.bin");
    assert_int_equal(fetch_parse_url("http://10.0.0.2", &u), 0);
    assert_int_equal(u.port, 80);
    assert_string_equal(u.path, "/");
    assert_int_equal(fetch_parse_url("http://10.0.0.2:81", &u), 0);
    assert_int_equal(u.port, 81);
    static const char *const bad[] = {
        "https://10.0.0.1/", "http://", "http://host/", "http://10.0.0.1:/",
        "http://10.0.0.1:0/", "http://10.0.0.1:65536/", "http://10.0.0.1:80x/",
        "http://10.0.0.1x/", "http://10.0.0.1/a b", "10.0.0.1/", "http://1.2.3.4.5/",
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(fetch_parse_url(bad[i], &u), -EINVAL);
    char longp[300] = "http://1.2.3.4/";
    memset(longp + 15, 'a', 250);
    longp[265] = 0;
    assert_int_equal(fetch_parse_url(longp, &u), -EINVAL);
}

static void test_request(void **state)
{
    (void)state;
    struct fetch_url u;
    char buf[512];
    assert_int_equal(fetch_parse_url("http://10.0.0.1:8080/x", &u), 0);
    size_t n = fetch_build_request(&u, buf, sizeof(buf));
    const char *want = "GET /x HTTP/1.0\r\nHost: 10.0.0.1:8080\r\nUser-Agent: domu-fetch\r\n"
                       "Connection: close\r\n\r\n";
    assert_int_equal(n, strlen(want));
    assert_string_equal(buf, want);
    assert_int_equal(fetch_parse_url("http://10.0.0.1/", &u), 0);
    n = fetch_build_request(&u, buf, sizeof(buf));
    assert_non_null(strstr(buf, "Host: 10.0.0.1\r\n"));
    assert_int_equal(fetch_build_request(&u, buf, 20), 0);
}

static void test_cksum(void **state)
{
    (void)state;
    /* printf '' | cksum; printf abc | cksum */
    assert_int_equal(cksum_final(0, 0), 4294967295u);
    assert_int_equal(cksum_final(cksum_update(0, (const uint8_t *)"abc", 3), 3), 1219131554u);
    /* in pieces, the same */
    uint32_t c = cksum_update(0, (const uint8_t *)"a", 1);
    c = cksum_update(c, (const uint8_t *)"bc", 2);
    assert_int_equal(cksum_final(c, 3), 1219131554u);
}

static int feed_str(struct fetch_resp *r, const char *s)
{
    return fetch_resp_feed(r, (const uint8_t *)s, strlen(s));
}

static void test_response(void **state)
{
    (void)state;
    struct fetch_resp r;
    const char *resp = "HTTP/1.0 200 OK\r\nContent-Type: x\r\ncontent-LENGTH:  3 \r\n\r\nabc";
    /* a byte at a time and all at once agree */
    fetch_resp_init(&r);
    for (size_t i = 0; resp[i]; i++)
        assert_int_equal(fetch_resp_feed(&r, (const uint8_t *)resp + i, 1), 0);
    assert_int_equal(fetch_resp_end(&r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.content_length, 3);
    assert_int_equal(r.body, 3);
    assert_int_equal(cksum_final(r.crc, r.body), 1219131554u);
    /* no Content-Length: the body ends at EOF; bare LF lines */
    fetch_resp_init(&r);
    assert_int_equal(feed_str(&r, "HTTP/1.1 404 Not Found\n\nxy"), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.content_length, -1);
    assert_int_equal(r.body, 2);
    assert_int_equal(fetch_resp_end(&r), 0);
    /* short and long bodies */
    fetch_resp_init(&r);
    assert_int_equal(feed_str(&r, "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nabc"), 0);
    assert_int_equal(fetch_resp_end(&r), -EBADMSG);
    assert_int_equal(feed_str(&r, "def"), -EBADMSG);
    /* headers never finished */
    fetch_resp_init(&r);
    assert_int_equal(feed_str(&r, "HTTP/1.0 200 OK\r\n"), 0);
    assert_int_equal(fetch_resp_end(&r), -EBADMSG);
    /* malformed */
    static const char *const bad[] = {
        "HTTP/2.0 200 OK\r\n", "HTTP/1.0 2x0 OK\r\n", "HTTP/1.0 200OK\r\n", "SSH-2.0\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: -1\r\n", "HTTP/1.0 200 OK\r\nContent-Length:\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fetch_resp_init(&r);
        assert_int_equal(feed_str(&r, bad[i]), -EBADMSG);
    }
    char longline[400];
    memset(longline, 'h', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = 0;
    fetch_resp_init(&r);
    assert_int_equal(feed_str(&r, "HTTP/1.0 200 OK\r\n"), 0);
    assert_int_equal(feed_str(&r, longline), -EBADMSG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_cksum),
        cmocka_unit_test(test_response),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
