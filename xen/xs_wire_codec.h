#ifndef XEN_XS_WIRE_CODEC_H
#define XEN_XS_WIRE_CODEC_H
/* XenStore wire protocol: message encoding and decoding, the shared ring
 * copy, and strict value parsing. Pure: no hypercalls, no globals. */
#include <stdint.h>
#include <stddef.h>
#include "kern/errno.h"
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

/* Build header + payload in buf. Each of args[] is sent NUL-terminated;
 * then, if raw is non-NULL, raw_len raw bytes (the value of XS_WRITE).
 * Returns the total message length, or -E2BIG if the payload exceeds
 * XENSTORE_PAYLOAD_MAX or cap. */
int xs_encode(void *buf, size_t cap, uint32_t type, uint32_t req_id, uint32_t tx_id,
              const char *const *args, unsigned nargs, const void *raw, size_t raw_len);

/* Checks a header from the daemon: 0, or -EBADMSG with a reason. */
int xs_check_header(const struct xsd_sockmsg *h, const char **why);

/* The errno named by an XS_ERROR payload ("ENOENT\0"); EIO if unknown. */
int xs_error_errno(const char *payload, size_t len);
/* The XenStore name of an errno ("EINVAL"), or NULL. */
const char *xs_errno_string(int err);

/* Splits a watch event payload "path\0token\0": 0 or -EBADMSG. */
int xs_parse_watch_event(const char *payload, size_t len, const char **path,
                         const char **token);

/* Iterates the NUL-separated names of a directory reply: returns 1 with
 * *name set, 0 at the end, -EBADMSG if the last name is not terminated. */
int xs_dir_next(const char *payload, size_t len, size_t *off, const char **name);

/* Strict unsigned decimal: digits only, no sign, no spaces, no overflow,
 * <= max. 0 or -EINVAL / -ERANGE. */
int xs_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* Copy into the request ring / out of the response ring as much as fits
 * or is there. Indices are read once and checked: a peer that moved them
 * more than a ring apart gets -EIO. */
int xs_ring_put(struct xenstore_domain_interface *intf, const void *data, size_t len);
int xs_ring_get(struct xenstore_domain_interface *intf, void *data, size_t len);
/* Bytes readable in the response ring now, or -EIO. */
int xs_ring_avail(struct xenstore_domain_interface *intf);
#endif
