#ifndef DEV_BALLOON_BALLOON_PLAN_H
#define DEV_BALLOON_BALLOON_PLAN_H
/* The balloon's pure logic: which frames are out (given back to Xen), and
 * how far the next step may go. No hypercalls, no globals. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* One bit per guest frame below max_pfn: set = ballooned out. */
struct balloon_map {
    uint64_t *bits;
    uint64_t max_pfn;
    uint64_t out;     /* frames set */
    uint64_t cursor;  /* where the next search for out frames starts */
};

size_t balloon_map_bytes(uint64_t max_pfn);
void balloon_map_init(struct balloon_map *m, uint64_t *bits, uint64_t max_pfn);
/* -EINVAL if pfn is beyond the map or already in the wanted state: a
 * frame is never given back (or taken) twice. */
int balloon_map_set_out(struct balloon_map *m, uint64_t pfn);
int balloon_map_set_in(struct balloon_map *m, uint64_t pfn);
bool balloon_map_is_out(const struct balloon_map *m, uint64_t pfn);
/* Up to max out frames (lowest first from the cursor, wrapping) into
 * pfns; the number found. The frames stay marked out. */
size_t balloon_map_find_out(struct balloon_map *m, uint64_t *pfns, size_t max);

/* Up to max aligned runs of 2^order frames (order >= 6: whole bitmap
 * words) that are all out, lowest first: their first frames. */
size_t balloon_map_find_out_runs(const struct balloon_map *m, unsigned order, uint64_t *starts,
                                 size_t max);

/* What the domain should hold, in pages, for a memory/target in KiB:
 * the target plus the slack seen at boot (pages Xen counts that are not
 * ours to give, e.g. special pages), never above the maximum. */
uint64_t balloon_desired_pages(uint64_t target_kib, int64_t slack, uint64_t max_pages);

struct balloon_step {
    int64_t pages;   /* > 0 give back, < 0 take back, 0 nothing to do */
    bool at_floor;   /* wanted to give more but only the reserve is left */
    bool at_max;     /* wanted to take more but nothing is out */
};
/* The next step from current (pages held) to desired: at most batch
 * pages; giving back at most releasable (free pages minus a reserve),
 * taking back at most the frames that are out. */
struct balloon_step balloon_next_step(uint64_t current, uint64_t desired, uint64_t releasable,
                                      uint64_t out, uint64_t batch);
#endif
