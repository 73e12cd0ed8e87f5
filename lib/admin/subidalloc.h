/* subidalloc.h: first-fit allocation of subordinate ID ranges.
 *
 * The IDs in use (every range in the file, every real UID or GID) are
 * collected as intervals, sorted once, and then handed out first fit
 * inside [min, max]: the lowest start at which count IDs touch nothing in
 * use, so gaps left by deleted users are reused. A run of allocations of
 * the same (or a growing) count continues from where the last one ended,
 * which makes handing out ranges to 50,000 users one sweep, not 50,000. */
#ifndef UNC_SUBIDALLOC_H
#define UNC_SUBIDALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct unc_id_interval {
	uint64_t start;
	uint64_t end; /* exclusive */
};

struct unc_subid_alloc {
	struct unc_id_interval *used; /* sorted by start after the first allocation */
	size_t n, cap;
	int sorted;
	/* the sweep: positions below pos were refused for last_count IDs */
	uint64_t pos;
	size_t idx;
	uint64_t last_count;
	uint64_t last_min;
	int pair_sweep; /* the sweep was made by unc_subid_alloc_first_fit_pair */
	/* allocations made since the sweep began, merged in on a restart */
	struct unc_id_interval *fresh;
	size_t nfresh, capfresh;
};

void unc_subid_alloc_init(struct unc_subid_alloc *a);

/* Mark [start, start+count) as in use. A count of 0 marks nothing;
 * intervals past 2^64 are clipped. */
int unc_subid_alloc_use(struct unc_subid_alloc *a, uint64_t start, uint64_t count,
			struct unc_error *err);

/* The lowest start in [min, max - count + 1] at which count IDs are all
 * free; the range is then in use. Returns 0, or -ENOSPC when no gap is
 * large enough ("no free range of N IDs in MIN-MAX"), -EINVAL for a zero
 * count or min > max. */
int unc_subid_alloc_first_fit(struct unc_subid_alloc *a, uint64_t min, uint64_t max, uint64_t count,
			      uint64_t *start, struct unc_error *err);

/* The lowest start in [min, max - count + 1] at which count IDs are free
 * in both a and b (subuid and subgid: a user's pair, as FreeIPA hands
 * them out); both then hold it. Errors as unc_subid_alloc_first_fit. A
 * run of pairs is one sweep, as a run of single allocations is. */
int unc_subid_alloc_first_fit_pair(struct unc_subid_alloc *a, struct unc_subid_alloc *b,
				   uint64_t min, uint64_t max, uint64_t count, uint64_t *start,
				   struct unc_error *err);

/* Is any of [start, start+count) in use? */
int unc_subid_alloc_overlaps(struct unc_subid_alloc *a, uint64_t start, uint64_t count);

void unc_subid_alloc_free(struct unc_subid_alloc *a);

#endif
