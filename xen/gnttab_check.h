#ifndef XEN_GNTTAB_CHECK_H
#define XEN_GNTTAB_CHECK_H
/* Grant map and copy operations: what Xen's answers mean, and the checks
 * and encoding of a copy op before it goes to Xen. Pure. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#define GNTTAB_PAGE_SIZE 4096u

/* A GNTST_* status as a negative errno (0 for GNTST_okay); unknown
 * statuses are -EIO. */
int gnttab_status_errno(int16_t status);
/* Xen's own words for a GNTST_* status. */
const char *gnttab_status_name(int16_t status);

/* One page per op: 0 if len bytes at local_off of our frame and at
 * foreign_off of the peer's granted frame both stay inside one page
 * (len 1..4096), else -EINVAL. */
int gnttab_copy_check(uint32_t local_off, uint32_t foreign_off, uint32_t len);
/* Fills op for a copy between our frame local_gfn and the grant ref of
 * domain dom: to_foreign copies ours to theirs. 0 or -EINVAL (the check
 * above, or dom is DOMID_SELF or reserved). */
int gnttab_copy_prepare(struct gnttab_copy *op, uint64_t local_gfn, uint32_t local_off,
                        domid_t dom, grant_ref_t ref, uint32_t foreign_off, uint32_t len,
                        bool to_foreign);
#endif
