#ifndef XEN_GNTTAB_H
#define XEN_GNTTAB_H
/* Grant tables (v1): let another domain map or copy our pages. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

int gnttab_init(void);
/* Grants domid access to our frame gfn. A reference, or -ENOSPC. */
int64_t gnttab_grant_access(domid_t domid, uint64_t gfn, bool readonly);
/* Ends a grant. -EBUSY if the peer still has it mapped: the reference
 * then stays allocated and the caller must try again later. */
int gnttab_end_access(grant_ref_t ref);
/* After a restore the table frames must be mapped again. Grants made
 * before are gone from the table; their owners grant again. */
int gnttab_resume(bool cancelled);
struct gnttab_stats {
    uint32_t frames, max_frames;
    uint32_t refs, free, in_use;
};
void gnttab_get_stats(struct gnttab_stats *st);
#endif
