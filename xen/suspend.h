#ifndef XEN_SUSPEND_H
#define XEN_SUSPEND_H
/* Save, restore, migrate: the guest side. The toolstack asks through
 * control/shutdown = "suspend"; we quiesce, SCHEDOP_shutdown(suspend),
 * and when the call returns we are either in a new domain (restored or
 * migrated: everything Xen kept for us is gone and set up again) or in
 * the same one (the suspend was cancelled: the call returned 1). */
#include <stdbool.h>
#include <stdint.h>
#include "kern/list.h"

struct suspend_hook {
    const char *name;
    int (*suspend)(void);            /* may refuse with an error */
    void (*resume)(bool cancelled);
    struct list link;
};
void suspend_hook_add(struct suspend_hook *h);
/* 0 after a resume (either kind), or the error that stopped the suspend. */
int domain_suspend(void);

struct suspend_stats {
    unsigned suspends, cancelled, failed;
};
void suspend_get_stats(struct suspend_stats *st);
#endif
