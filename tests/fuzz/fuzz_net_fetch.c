/* libFuzzer: a hostile HTTP server's answer to fetch, and hostile URLs.
 * The first byte splits the input into a URL and a response fed in
 * pieces; whatever arrives, the body never exceeds a Content-Length and
 * a parsed URL builds a request that fits. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "net/tcp_fetch.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    size_t ul = data[0] < size - 1 ? data[0] : size - 1;
    char url[256];
    memcpy(url, data + 1, ul);
    url[ul] = 0;
    struct fetch_url u;
    if (fetch_parse_url(url, &u) == 0) {
        char req[512];
        size_t n = fetch_build_request(&u, req, sizeof(req));
        CHECK(n > 0 && n < sizeof(req) && strlen(req) == n);
        CHECK(u.port != 0);
    }
    struct fetch_resp r;
    fetch_resp_init(&r);
    size_t i = 1 + ul;
    while (i < size) {
        size_t piece = (data[i] & 31) + 1;
        i++;
        if (piece > size - i)
            piece = size - i;
        if (fetch_resp_feed(&r, data + i, piece))
            break;
        CHECK(r.content_length < 0 || r.body <= (uint64_t)r.content_length);
        CHECK(r.line_len < sizeof(r.line));
        i += piece;
    }
    (void)fetch_resp_end(&r);
    return 0;
}
