#include "xen/gnttab_check.h"
#include "kern/errno.h"

static const char *const status_names[] = GNTTABOP_error_msgs;

int gnttab_status_errno(int16_t status)
{
    switch (status) {
    case GNTST_okay:
        return 0;
    case GNTST_bad_domain:
        return -ENXIO;
    case GNTST_bad_gntref:
        return -ENOENT;
    case GNTST_bad_handle:
    case GNTST_bad_copy_arg:
        return -EINVAL;
    case GNTST_bad_virt_addr:
    case GNTST_bad_dev_addr:
    case GNTST_bad_page:
        return -EFAULT;
    case GNTST_no_device_space:
    case GNTST_no_space:
        return -ENOSPC;
    case GNTST_permission_denied:
        return -EPERM;
    case GNTST_address_too_big:
        return -ERANGE;
    case GNTST_eagain:
        return -EAGAIN;
    default:
        return -EIO;
    }
}

const char *gnttab_status_name(int16_t status)
{
    unsigned n = sizeof(status_names) / sizeof(status_names[0]);
    if (status > 0 || (unsigned)-status >= n)
        return "unknown status";
    return status_names[-status];
}

int gnttab_copy_check(uint32_t local_off, uint32_t foreign_off, uint32_t len)
{
    if (len == 0 || len > GNTTAB_PAGE_SIZE)
        return -EINVAL;
    if (local_off > GNTTAB_PAGE_SIZE - len || foreign_off > GNTTAB_PAGE_SIZE - len)
        return -EINVAL;
    return 0;
}

int gnttab_copy_prepare(struct gnttab_copy *op, uint64_t local_gfn, uint32_t local_off,
                        domid_t dom, grant_ref_t ref, uint32_t foreign_off, uint32_t len,
                        bool to_foreign)
{
    if (gnttab_copy_check(local_off, foreign_off, len) || dom >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    struct gnttab_copy_ptr local = { .domid = DOMID_SELF, .offset = (uint16_t)local_off };
    local.u.gmfn = (xen_pfn_t)local_gfn;
    struct gnttab_copy_ptr foreign = { .domid = dom, .offset = (uint16_t)foreign_off };
    foreign.u.ref = ref;
    op->source = to_foreign ? local : foreign;
    op->dest = to_foreign ? foreign : local;
    op->len = (uint16_t)len;
    op->flags = to_foreign ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
    op->status = GNTST_general_error; /* until Xen says otherwise */
    return 0;
}
