/* The ELF notes the Xen domain builder reads. PHYS32_ENTRY alone makes
 * this a PVH kernel; the others name the guest in Xen's logs. */
#include <xen/elfnote.h>

#define ELFNOTE(type, desctype, descdata)       \
    .pushsection .note.Xen, "a", @note;         \
    .balign 4;                                  \
    .long 2f - 1f;                              \
    .long 4f - 3f;                              \
    .long type;                                 \
1:  .asciz "Xen";                               \
2:  .balign 4;                                  \
3:  desctype descdata;                          \
4:  .balign 4;                                  \
    .popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "domu")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz, "0.1")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
ELFNOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long, pvh_start32)
