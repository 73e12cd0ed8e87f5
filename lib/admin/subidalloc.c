#include "subidalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void unc_subid_alloc_init(struct unc_subid_alloc *a)
{
	memset(a, 0, sizeof *a);
}

static int push(struct unc_id_interval **v, size_t *n, size_t *cap, uint64_t start, uint64_t end)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct unc_id_interval *bigger = realloc(*v, c * sizeof *bigger);
		if (!bigger)
			return -ENOMEM;
		*v = bigger;
		*cap = c;
	}
	(*v)[*n].start = start;
	(*v)[*n].end = end;
	(*n)++;
	return 0;
}

int unc_subid_alloc_use(struct unc_subid_alloc *a, uint64_t start, uint64_t count,
			struct unc_error *err)
{
	uint64_t end;

	if (count == 0)
		return 0;
	end = UINT64_MAX - start < count ? UINT64_MAX : start + count;
	if (push(&a->used, &a->n, &a->cap, start, end) < 0)
		return unc_error_sys(err, ENOMEM, "cannot record the IDs in use");
	a->sorted = 0;
	return 0;
}

static int cmp_interval(const void *x, const void *y)
{
	const struct unc_id_interval *p = x, *q = y;

	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	if (p->end != q->end)
		return p->end < q->end ? -1 : 1;
	return 0;
}

/* Sort the intervals. They usually arrive as a few sorted runs (a file
 * whose lines were appended in order, then passwd's UIDs): such input is
 * merged run by run in O(n) per run; anything else is qsort()ed. */
static int sort_runs(struct unc_subid_alloc *a)
{
	struct unc_id_interval *tmp;
	size_t runs = 1, i;

	for (i = 1; i < a->n; i++)
		if (cmp_interval(&a->used[i - 1], &a->used[i]) > 0)
			runs++;
	if (runs == 1)
		return 0;
	if (runs > 8) {
		qsort(a->used, a->n, sizeof *a->used, cmp_interval);
		return 0;
	}
	tmp = malloc(a->n * sizeof *tmp);
	if (!tmp)
		return -ENOMEM;
	/* merge the first run with the next, again and again */
	for (;;) {
		size_t mid = 1, end, x, y, o = 0;
		while (mid < a->n && cmp_interval(&a->used[mid - 1], &a->used[mid]) <= 0)
			mid++;
		if (mid == a->n)
			break;
		end = mid + 1;
		while (end < a->n && cmp_interval(&a->used[end - 1], &a->used[end]) <= 0)
			end++;
		for (x = 0, y = mid; x < mid || y < end;) {
			if (y == end || (x < mid && cmp_interval(&a->used[x], &a->used[y]) <= 0))
				tmp[o++] = a->used[x++];
			else
				tmp[o++] = a->used[y++];
		}
		memcpy(a->used, tmp, end * sizeof *tmp);
	}
	free(tmp);
	return 0;
}

/* Fold the fresh allocations in, sort, merge touching or overlapping
 * intervals, and forget the sweep. */
static int normalise(struct unc_subid_alloc *a, struct unc_error *err)
{
	size_t i, out = 0;

	for (i = 0; i < a->nfresh; i++)
		if (push(&a->used, &a->n, &a->cap, a->fresh[i].start, a->fresh[i].end) < 0)
			return unc_error_sys(err, ENOMEM, "cannot record the IDs in use");
	a->nfresh = 0;
	if (sort_runs(a) < 0)
		return unc_error_sys(err, ENOMEM, "cannot sort the IDs in use");
	for (i = 0; i < a->n; i++) {
		if (out > 0 && a->used[i].start <= a->used[out - 1].end) {
			if (a->used[i].end > a->used[out - 1].end)
				a->used[out - 1].end = a->used[i].end;
			continue;
		}
		a->used[out++] = a->used[i];
	}
	a->n = out;
	a->sorted = 1;
	a->last_count = 0;
	return 0;
}

static int bad_request(uint64_t min, uint64_t max, uint64_t count, struct unc_error *err)
{
	if (count == 0)
		return unc_error_set(err, EINVAL, "cannot allocate 0 IDs");
	return unc_error_set(err, EINVAL, "empty ID window %" PRIu64 "-%" PRIu64, min, max);
}

int unc_subid_alloc_first_fit(struct unc_subid_alloc *a, uint64_t min, uint64_t max, uint64_t count,
			      uint64_t *start, struct unc_error *err)
{
	uint64_t pos;
	size_t idx;
	int r;

	if (count == 0 || min > max)
		return bad_request(min, max, count, err);
	/* Positions below the sweep were refused for last_count IDs, so they
	 * are refused for as many or more: go on from there. Otherwise start
	 * again from min. */
	if (!a->sorted || a->last_count == 0 || count < a->last_count || min != a->last_min ||
	    a->pair_sweep) {
		r = normalise(a, err);
		if (r < 0)
			return r;
		a->pos = min;
		a->idx = 0;
		a->last_min = min;
		a->pair_sweep = 0;
	}
	pos = a->pos;
	idx = a->idx;
	for (;;) {
		while (idx < a->n && a->used[idx].end <= pos)
			idx++;
		if (pos > max || max - pos < count - 1) {
			a->pos = pos;
			a->idx = idx;
			a->last_count = count;
			return unc_error_set(
			    err, ENOSPC, "no free range of %" PRIu64 " IDs in %" PRIu64 "-%" PRIu64,
			    count, min, max);
		}
		if (idx < a->n && a->used[idx].start < pos + count) {
			pos = a->used[idx].end;
			idx++;
			continue;
		}
		break;
	}
	if (push(&a->fresh, &a->nfresh, &a->capfresh, pos, pos + count) < 0)
		return unc_error_sys(err, ENOMEM, "cannot record the IDs in use");
	*start = pos;
	a->pos = pos + count;
	a->idx = idx;
	a->last_count = count;
	return 0;
}

/* Where a (single or paired) sweep stops: the run ends here. */
static void sweep_save(struct unc_subid_alloc *a, uint64_t pos, size_t idx, uint64_t count,
		       int pair)
{
	a->pos = pos;
	a->idx = idx;
	a->last_count = count;
	a->pair_sweep = pair;
}

int unc_subid_alloc_first_fit_pair(struct unc_subid_alloc *a, struct unc_subid_alloc *b,
				   uint64_t min, uint64_t max, uint64_t count, uint64_t *start,
				   struct unc_error *err)
{
	struct unc_subid_alloc *both[2] = {a, b};
	size_t idx[2];
	uint64_t pos;
	int i;

	if (count == 0 || min > max)
		return bad_request(min, max, count, err);
	/* Below a common pair sweep, every position was refused in a or in
	 * b for as few IDs or taken by a pair: go on from there. */
	for (i = 0; i < 2; i++) {
		struct unc_subid_alloc *x = both[i];
		if (!x->sorted || x->last_count == 0 || count < x->last_count ||
		    min != x->last_min || !x->pair_sweep || a->pos != b->pos)
			break;
	}
	if (i < 2) {
		for (i = 0; i < 2; i++) {
			int r = normalise(both[i], err);
			if (r < 0)
				return r;
			both[i]->pos = min;
			both[i]->idx = 0;
			both[i]->last_min = min;
		}
	}
	pos = a->pos;
	idx[0] = a->idx;
	idx[1] = b->idx;
	for (;;) {
		int moved = 0;
		if (pos > max || max - pos < count - 1) {
			for (i = 0; i < 2; i++)
				sweep_save(both[i], pos, idx[i], count, 1);
			return unc_error_set(err, ENOSPC,
					     "no range of %" PRIu64
					     " IDs free in both files in %" PRIu64 "-%" PRIu64,
					     count, min, max);
		}
		for (i = 0; i < 2; i++) {
			struct unc_subid_alloc *x = both[i];
			while (idx[i] < x->n && x->used[idx[i]].end <= pos)
				idx[i]++;
			if (idx[i] < x->n && x->used[idx[i]].start < pos + count) {
				pos = x->used[idx[i]].end;
				idx[i]++;
				moved = 1;
				break;
			}
		}
		if (!moved)
			break;
	}
	for (i = 0; i < 2; i++) {
		struct unc_subid_alloc *x = both[i];
		if (push(&x->fresh, &x->nfresh, &x->capfresh, pos, pos + count) < 0)
			return unc_error_sys(err, ENOMEM, "cannot record the IDs in use");
		sweep_save(x, pos + count, idx[i], count, 1);
	}
	*start = pos;
	return 0;
}

int unc_subid_alloc_overlaps(struct unc_subid_alloc *a, uint64_t start, uint64_t count)
{
	uint64_t end;
	size_t lo = 0, hi;

	if (count == 0)
		return 0;
	if (!a->sorted || a->nfresh > 0) {
		if (normalise(a, NULL) < 0)
			return 1; /* cannot tell: say taken */
	}
	end = UINT64_MAX - start < count ? UINT64_MAX : start + count;
	/* first interval that ends after start */
	hi = a->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a->used[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->used[lo].start < end;
}

void unc_subid_alloc_free(struct unc_subid_alloc *a)
{
	free(a->used);
	free(a->fresh);
	memset(a, 0, sizeof *a);
}
