/* The park list of grants a peer still maps (gnttab_park.h). A fixed
 * array, so that parking works with interrupts off and without memory. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/mm.h"
#include "kern/spinlock.h"
#include "xen/gnttab.h"
#include "xen/gnttab_park.h"

#define PARK_MAX 256

struct parked {
    grant_ref_t ref;    /* 0: a free entry */
    void *page;
    void (*ended)(void *owner, void *what);
    void *owner, *what;
};

static struct parked park[PARK_MAX];
static struct spinlock park_lock = SPINLOCK_INIT("gnttab_park");
static unsigned parked_now;
static unsigned long long parked_ever, lost;

bool gnttab_end_or_park(grant_ref_t ref, void *page, void (*ended)(void *owner, void *what),
                        void *owner, void *what)
{
    if (!ref || gnttab_end_access(ref) != -EBUSY)
        return false;
    unsigned long f = spin_lock_irqsave(&park_lock);
    unsigned i = 0;
    while (i < PARK_MAX && park[i].ref)
        i++;
    if (i < PARK_MAX) {
        park[i] = (struct parked){ ref, page, ended, owner, what };
        parked_now++;
        parked_ever++;
    } else {
        lost++;
    }
    spin_unlock_irqrestore(&park_lock, f);
    if (i == PARK_MAX)
        printk("gnttab: grant %u still mapped by its peer and the park list is full: it and "
               "its page are kept forever", ref);
    return true;
}

bool gnttab_end_or_park_page(grant_ref_t *ref, void **page)
{
    bool p = gnttab_end_or_park(*ref, page ? *page : 0, 0, 0, 0);
    *ref = 0;
    if (p && page)
        *page = 0;
    return p;
}

unsigned gnttab_park_retry(void)
{
    unsigned left = 0;
    if (!__atomic_load_n(&parked_now, __ATOMIC_RELAXED))
        return 0;
    for (unsigned i = 0; i < PARK_MAX; i++) {
        unsigned long f = spin_lock_irqsave(&park_lock);
        struct parked e = park[i];
        bool done = e.ref && gnttab_end_access(e.ref) != -EBUSY;
        if (done) {
            park[i].ref = 0;
            parked_now--;
        }
        left += e.ref && !done;
        spin_unlock_irqrestore(&park_lock, f);
        if (!done)
            continue;
        if (e.page)
            pages_free(e.page, 1);
        if (e.ended)
            e.ended(e.owner, e.what);
    }
    return left;
}

void gnttab_park_get_stats(struct gnttab_park_stats *st)
{
    unsigned long f = spin_lock_irqsave(&park_lock);
    st->parked = parked_now;
    st->ever = parked_ever;
    st->lost = lost;
    spin_unlock_irqrestore(&park_lock, f);
}
