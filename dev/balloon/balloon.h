#ifndef DEV_BALLOON_BALLOON_H
#define DEV_BALLOON_BALLOON_H
/* The balloon: follows memory/target by giving free frames back to Xen
 * (XENMEM_decrease_reservation) and taking frames back
 * (XENMEM_populate_physmap), in batches, never below a floor of pages in
 * use plus a reserve, never above the domain's maximum. */
#include <stdint.h>
#include <stdbool.h>

int balloon_init(void);
/* A target from the shell (KiB), in place of memory/target until the
 * toolstack writes a new one. -EINVAL above the maximum. */
int balloon_set_target_kib(uint64_t kib);

struct balloon_info {
    uint64_t current_kib;   /* what Xen says the domain holds */
    uint64_t target_kib;    /* what we aim for (toolstack or shell) */
    uint64_t floor_kib;     /* the lowest target we can meet now */
    uint64_t max_kib;       /* the domain's maximum */
    uint64_t out_pages;     /* frames given back and not taken again */
    int64_t slack_pages;    /* Xen's count minus the target at boot */
    uint64_t released, populated;   /* frames, since boot */
    uint64_t hypercalls;
    uint64_t last_ms;       /* duration of the last move to a target */
    bool busy;
};
void balloon_get_info(struct balloon_info *bi);
#endif
