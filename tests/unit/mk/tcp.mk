# The shell's fetch: URL, request, response parser and POSIX cksum.
UNIT_TESTS += net_fetch
unit_src_net_fetch := net/tcp_fetch.c net/inet.c
FUZZ_TARGETS += net_fetch
fuzz_src_net_fetch := net/tcp_fetch.c net/inet.c
