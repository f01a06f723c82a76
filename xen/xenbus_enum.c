/* Pure: listings and paths of the XenBus halves (xenbus_enum.h). */
#include <stddef.h>
#include "kern/errno.h"
#include "lib/string.h"
#include "xen/xenbus_enum.h"

size_t xenbus_names_next(const char *names, size_t len, size_t off)
{
    while (off < len && names[off])
        off++;
    return off < len ? off + 1 : len;
}

bool xenbus_names_has(const char *names, size_t len, const char *key)
{
    if (!names)
        return false;
    for (size_t off = 0; off < len; off = xenbus_names_next(names, len, off)) {
        size_t i = 0;
        while (off + i < len && names[off + i] && key[i] && names[off + i] == key[i])
            i++;
        if (!key[i] && (off + i == len || !names[off + i]))
            return true;
    }
    return false;
}

bool xenbus_id_valid(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++) {
        char c = id[n];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '_' || c == '-';
        if (!ok || n + 1 >= XENBUS_ID_MAX)
            return false;
    }
    return n > 0;
}

bool xenbus_key_valid(const char *key)
{
    const char *slash = strchr(key, '/');
    if (!slash)
        return xenbus_id_valid(key);
    char fe[8];
    size_t n = (size_t)(slash - key);
    uint16_t d;
    if (n >= sizeof(fe))
        return false;
    memcpy(fe, key, n);
    fe[n] = 0;
    return xenbus_parse_domid(fe, &d) == 0 && xenbus_id_valid(slash + 1) &&
           n + 1 + strlen(slash + 1) < XENBUS_KEY_MAX;
}

int xenbus_parse_domid(const char *s, uint16_t *out)
{
    uint32_t v = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 5)
            return -EINVAL;
        v = v * 10 + (uint32_t)(s[n] - '0');
    }
    if (n == 0 || (n > 1 && s[0] == '0') || v >= 0x7ff0)
        return -EINVAL;
    *out = (uint16_t)v;
    return 0;
}

int xenbus_back_key(const char *fe, const char *id, char *key, size_t cap)
{
    uint16_t d;
    if (xenbus_parse_domid(fe, &d) || !xenbus_id_valid(id))
        return -EINVAL;
    size_t a = strlen(fe), b = strlen(id);
    if (a + 1 + b + 1 > cap)
        return -EINVAL;
    memcpy(key, fe, a);
    key[a] = '/';
    memcpy(key + a + 1, id, b + 1);
    return 0;
}

/* Copies the path component at *p (up to '/' or the end) into buf: its
 * length, or -EINVAL when empty or too long. */
static int component(const char **p, char *buf, size_t cap)
{
    size_t n = 0;
    while ((*p)[n] && (*p)[n] != '/')
        n++;
    if (n == 0 || n + 1 > cap)
        return -EINVAL;
    memcpy(buf, *p, n);
    buf[n] = 0;
    *p += n;
    return (int)n;
}

int xenbus_back_parse(const char *path, char *type, size_t tcap, uint16_t *fe, char *id,
                      size_t icap, const char **rest, unsigned *depth)
{
    char t[XENBUS_ID_MAX], f[8], i[XENBUS_ID_MAX];
    unsigned d = 0;
    const char *p = path;
    if (depth)
        *depth = 0;
    if (strncmp(p, "backend", 7) || (p[7] && p[7] != '/'))
        return -EINVAL;
    p += 7;
    d = 1;
    if (!*p || !p[1])
        goto short_path;
    p++;
    if (component(&p, t, sizeof(t)) < 0 || !xenbus_id_valid(t))
        return -EINVAL;
    d = 2;
    if (type) {
        if (strlen(t) + 1 > tcap)
            return -EINVAL;
        memcpy(type, t, strlen(t) + 1);
    }
    if (!*p || !p[1])
        goto short_path;
    p++;
    uint16_t dom;
    if (component(&p, f, sizeof(f)) < 0 || xenbus_parse_domid(f, &dom))
        return -EINVAL;
    d = 3;
    if (fe)
        *fe = dom;
    if (!*p || !p[1])
        goto short_path;
    p++;
    if (component(&p, i, sizeof(i)) < 0 || !xenbus_id_valid(i))
        return -EINVAL;
    d = 4;
    if (id) {
        if (strlen(i) + 1 > icap)
            return -EINVAL;
        memcpy(id, i, strlen(i) + 1);
    }
    if (rest)
        *rest = p;
    if (depth)
        *depth = d;
    return 0;
short_path:
    if (depth)
        *depth = d;
    return -ENOENT;
}
