#ifndef KERN_ERRNO_H
#define KERN_ERRNO_H
/* Error numbers are Xen's (which are Linux's), named the POSIX way so that
 * xs_wire.h's error table and the host's libc agree with the kernel. */
#if __STDC_HOSTED__
#include <errno.h>
#else
#include <xen/errno.h>
#define EPERM     XEN_EPERM
#define ENOENT    XEN_ENOENT
#define EIO       XEN_EIO
#define E2BIG     XEN_E2BIG
#define ENOEXEC   XEN_ENOEXEC
#define EAGAIN    XEN_EAGAIN
#define ENOMEM    XEN_ENOMEM
#define EACCES    XEN_EACCES
#define EFAULT    XEN_EFAULT
#define EBUSY     XEN_EBUSY
#define EEXIST    XEN_EEXIST
#define ENODEV    XEN_ENODEV
#define EISDIR    XEN_EISDIR
#define EINVAL    XEN_EINVAL
#define ENOSPC    XEN_ENOSPC
#define EROFS     XEN_EROFS
#define ERANGE    XEN_ERANGE
#define ENOSYS    XEN_ENOSYS
#define ENOTEMPTY XEN_ENOTEMPTY
#define ENODATA   XEN_ENODATA
#define ETIME     XEN_ETIME
#define EBADMSG   XEN_EBADMSG
#define EOVERFLOW XEN_EOVERFLOW
#define EOPNOTSUPP XEN_EOPNOTSUPP
#define ENXIO     XEN_ENXIO
#define EISCONN   XEN_EISCONN
#define ENOTCONN  XEN_ENOTCONN
#define ETIMEDOUT XEN_ETIMEDOUT
#define EADDRINUSE XEN_EADDRINUSE
#define ENOBUFS   XEN_ENOBUFS
#define ECONNREFUSED XEN_ECONNREFUSED
#define ECONNRESET 104 /* Linux's; Xen's list has none (TCP resets) */
#endif
const char *errno_name(int err);
#endif
