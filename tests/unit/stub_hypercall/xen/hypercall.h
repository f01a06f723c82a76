#ifndef XEN_HYPERCALL_H
#define XEN_HYPERCALL_H
/* Host tests: the hypercalls a test needs, implemented by the test. */
long HYPERVISOR_grant_table_op(unsigned int cmd, void *arg, unsigned int count);
#endif
