#ifndef LIB_BARRIER_H
#define LIB_BARRIER_H
/* Memory ordering for rings shared with another domain. x86 is TSO, so the
 * read and write barriers only stop the compiler; the full barrier fences.
 * The same definitions serve the kernel and the host unit tests. */
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
/* Read a field the peer may change exactly once. */
#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#endif
