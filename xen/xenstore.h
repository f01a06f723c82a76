#ifndef XEN_XENSTORE_H
#define XEN_XENSTORE_H
/* The XenStore client over the shared ring. Requests are serialised (one
 * outstanding at a time); a reader thread matches replies and hands watch
 * events to a watch thread, so a watch callback may itself use XenStore.
 * Every request has a deadline. Paths without a leading '/' are relative
 * to this domain's home, /local/domain/<domid>. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kern/list.h"

typedef uint32_t xs_tx_t;
#define XS_TX_NONE 0
#define XS_REQUEST_TIMEOUT_NS (10ULL * 1000000000ULL)

int xs_init(void);

/* The value into buf (NUL-terminated): its length, -ENOENT, -ERANGE if it
 * does not fit, -ETIMEDOUT, or another -errno. */
int xs_read(xs_tx_t tx, const char *path, char *buf, size_t cap);
/* The value in a kmalloc'ed string (caller frees), or NULL with *err set. */
char *xs_read_alloc(xs_tx_t tx, const char *path, int *err);
/* A strict unsigned decimal <= max. A malformed value is logged with its
 * path and gives -EINVAL (-ERANGE if too big). */
int xs_read_uint(xs_tx_t tx, const char *path, uint64_t max, uint64_t *out);
int xs_write(xs_tx_t tx, const char *path, const char *value);
int xs_printf(xs_tx_t tx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int xs_mkdir(xs_tx_t tx, const char *path);
int xs_rm(xs_tx_t tx, const char *path);
/* The children as NUL-separated names in a kmalloc'ed buffer (iterate
 * with xs_dir_next), their total length in *len. NULL with *err on error. */
char *xs_directory(xs_tx_t tx, const char *path, size_t *len, int *err);
/* Permissions as XenStore spells them ("n0", "r5"...), NUL-separated. */
int xs_get_perms(xs_tx_t tx, const char *path, char *buf, size_t cap);
int xs_set_perms(xs_tx_t tx, const char *path, const char *const *perms, unsigned n);

int xs_transaction_start(xs_tx_t *tx);
/* commit (abort=false) or abort; -EAGAIN means: run it again. */
int xs_transaction_end(xs_tx_t tx, bool abort);
/* Runs body in a transaction, again on -EAGAIN, up to tries times. */
int xs_transaction_run(int (*body)(xs_tx_t tx, void *arg), void *arg, unsigned tries);

struct xs_watch {
    const char *path;                                   /* watched node */
    void (*cb)(struct xs_watch *w, const char *path);   /* in the watch thread */
    void *arg;
    /* private */
    char token[24];
    struct list link;
    uint64_t fired;
};
/* Registers the watch; XenStore fires it once at once. */
int xs_watch_add(struct xs_watch *w);
int xs_watch_remove(struct xs_watch *w);

/* Around a save/restore: suspend waits for the request in flight and
 * holds further ones; resume binds the new event channel, and registers
 * every watch again (each then fires once). */
int xs_suspend(void);
void xs_resume(bool cancelled);

struct xs_stats {
    uint64_t requests, errors, timeouts, watch_events, bad_replies;
    uint64_t resyncs; /* times the reader threw the ring's bytes away */
    uint64_t resets;  /* connection resets the daemon carried out */
    unsigned watches;
};
void xs_get_stats(struct xs_stats *st);

/* For the test shell: the reader takes the next message's header as bad,
 * or the response ring's indices as corrupt, and must recover; the next
 * request finds the request ring's indices corrupt (a connection reset
 * follows); or a connection reset is asked for now. */
enum xs_inject { XS_INJECT_NONE, XS_INJECT_BAD_HEADER, XS_INJECT_BAD_INDEX,
                 XS_INJECT_BAD_REQ_INDEX, XS_INJECT_RESET };
void xs_test_inject(enum xs_inject what);
#endif
