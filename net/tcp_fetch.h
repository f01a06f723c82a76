#ifndef NET_TCP_FETCH_H
#define NET_TCP_FETCH_H
/* The shell's `fetch`: an HTTP/1.0 GET. Pure: the URL, the request, and
 * an incremental response parser that counts the body and its POSIX
 * cksum (the CRC Dom0's `cksum` prints), for the host tests and the
 * fuzzer. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct fetch_url {
    char host[16];      /* a dotted quad: there is no DNS */
    uint32_t addr;      /* host order */
    uint16_t port;
    char path[200];
};

/* "http://A.B.C.D[:PORT][/PATH]": 0, or -EINVAL. */
int fetch_parse_url(const char *s, struct fetch_url *u);
/* The request into buf: its length, 0 if cap is too small. */
size_t fetch_build_request(const struct fetch_url *u, char *buf, size_t cap);

enum { FETCH_STATUS, FETCH_HEADERS, FETCH_BODY };

struct fetch_resp {
    int phase;
    char line[256];       /* the header line being read */
    size_t line_len;
    int status;           /* e.g. 200 */
    int64_t content_length; /* -1: none given (the body ends at EOF) */
    uint64_t body;        /* body bytes so far */
    uint32_t crc;         /* the body's CRC so far (cksum_final for the sum) */
};

void fetch_resp_init(struct fetch_resp *r);
/* Bytes of the response in order: 0, or -EBADMSG (a malformed status
 * line or header, a header line longer than 255 bytes, a body longer
 * than its Content-Length). */
int fetch_resp_feed(struct fetch_resp *r, const uint8_t *d, size_t len);
/* The peer closed: 0 if the response is complete, -EBADMSG if not. */
int fetch_resp_end(const struct fetch_resp *r);

/* POSIX cksum: CRC-32 (polynomial 0x04c11db7, most significant bit
 * first) of the data, then of its length, inverted. */
uint32_t cksum_update(uint32_t crc, const uint8_t *d, size_t n);
uint32_t cksum_final(uint32_t crc, uint64_t len);
#endif
