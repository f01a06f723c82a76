/* errno names, taken from Xen's own list so they cannot drift. */
#include "kern/errno.h"

struct errno_entry {
    int value;
    const char *name;
};

static const struct errno_entry errno_table[] = {
#define XEN_ERRNO(name, value) { value, #name },
#include <xen/errno.h>
};

const char *errno_name(int err)
{
    if (err < 0 && err > -100000)
        err = -err;
    for (unsigned i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
        if (errno_table[i].value == err)
            return errno_table[i].name;
    return "E?";
}
