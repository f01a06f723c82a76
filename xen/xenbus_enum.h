#ifndef XEN_XENBUS_ENUM_H
#define XEN_XENBUS_ENUM_H
/* Pure: what the XenBus halves enumerate. A XenStore directory listing
 * is a run of NUL-terminated names; a device's key is its id under
 * device/<type>/ (front half) or "<frontend-domid>/<id>" under
 * backend/<type>/ (back half). Every name comes from a peer or the
 * toolstack and is checked before use. */
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define XENBUS_ID_MAX 16  /* a device id, with its NUL */
#define XENBUS_KEY_MAX 24 /* "<domid>/<id>", with its NUL */

/* The offset of the name after the one at off, or len at the end. */
size_t xenbus_names_next(const char *names, size_t len, size_t off);
/* Whether the listing holds key exactly. */
bool xenbus_names_has(const char *names, size_t len, const char *key);
/* A device id we accept: 1..15 characters of [A-Za-z0-9_-]. */
bool xenbus_id_valid(const char *id);
/* A device key: an id, or "<domid>/<id>". */
bool xenbus_key_valid(const char *key);
/* A strict decimal domain id below DOMID_FIRST_RESERVED (0x7ff0). */
int xenbus_parse_domid(const char *s, uint16_t *out);
/* The back half's key "<fe>/<id>" from a listed front-end domain and id:
 * 0, or -EINVAL for a bad domid or id. */
int xenbus_back_key(const char *fe, const char *id, char *key, size_t cap);
/* Splits backend/<type>/<fe>/<id>[/<node>...] (relative to our home):
 * type and id copied out, fe parsed, *rest points at what follows the
 * id ("" or "/node..."). Paths that stop before the id give -ENOENT
 * with what was found filled in (depth: 2 type, 3 fe); malformed parts
 * -EINVAL. Any out pointer may be NULL. */
int xenbus_back_parse(const char *path, char *type, size_t tcap, uint16_t *fe, char *id,
                      size_t icap, const char **rest, unsigned *depth);
#endif
