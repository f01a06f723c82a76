#ifndef NET_SOCKET_H
#define NET_SOCKET_H
/* A small socket-like API over net/tcp.c's active open, for clients in
 * the kernel (the shell's fetch). Every call has a deadline (absolute,
 * time_now_ns) and says clearly why it failed: -ECONNREFUSED (RST to the
 * SYN), -ETIMEDOUT (no answer by the deadline, or keep-alive gave up),
 * -ECONNRESET (RST later), -ENXIO (no route), -ENOSPC (no free socket or
 * connection). Keep-alive is on for every socket. */
#include <stdint.h>
#include <stddef.h>

#define SOCK_MAX 4
#define SOCK_RX 32768  /* the receive buffer: the window we offer */
#define SOCK_TX 8192   /* sent and not yet acknowledged */

struct sock;
int sock_connect(uint32_t dst, uint16_t port, uint64_t deadline, struct sock **out);
/* All of len, unless the deadline passes or the connection fails: bytes
 * queued, or the error if none could be. */
long sock_send(struct sock *s, const void *buf, size_t len, uint64_t deadline);
/* Up to cap bytes: how many, 0 at the end of the stream, or an error. */
long sock_recv(struct sock *s, void *buf, size_t cap, uint64_t deadline);
/* Our side closes (FIN after what was sent); the socket is freed when
 * TCP is done with it. */
void sock_close(struct sock *s);
const char *sock_strerror(int err);
#endif
