#include "subiddet.h"

#include <errno.h>
#include <inttypes.h>

int unc_subid_deterministic(const struct unc_subid_rule *r, enum unc_subid_kind kind, uint64_t uid,
			    int wrap_allowed, uint64_t *start, struct unc_error *err)
{
	const char *K = unc_id_kinds[kind].id;
	uint64_t space, slots, slot, s;

	if (r->wrap && !wrap_allowed)
		return unc_error_set(err, EPERM,
				     "UNSAFE_SUB_%s_DETERMINISTIC_WRAP is yes: ranges may overlap, "
				     "which lets one user's namespace own another's files",
				     K);
	if (uid < r->uid_min)
		return unc_error_set(err, ERANGE,
				     "UID %" PRIu64 " is less than UID_MIN %" PRIu64
				     ", cannot calculate deterministic subordinate %ss",
				     uid, r->uid_min, K);
	if (r->min > r->max || r->count == 0)
		return unc_error_set(err, EINVAL,
				     "Invalid configuration: SUB_%s_MIN (%" PRIu64 "), SUB_%s_MAX "
				     "(%" PRIu64 "), SUB_%s_COUNT (%" PRIu64 ")",
				     K, r->min, K, r->max, K, r->count);
	if (r->max - r->min == UINT64_MAX)
		return unc_error_set(err, ERANGE,
				     "SUB_%s range [%" PRIu64 ", %" PRIu64
				     "] is too large to represent",
				     K, r->min, r->max);
	space = r->max - r->min + 1;
	if (r->count > space)
		return unc_error_set(err, ERANGE,
				     "Not enough space for any subordinate %ss (SUB_%s_MIN=%" PRIu64
				     ", SUB_%s_MAX=%" PRIu64 ", SUB_%s_COUNT=%" PRIu64 ")",
				     K, K, r->min, K, r->max, K, r->count);
	slots = space / r->count;
	slot = uid - r->uid_min;
	if (slot >= slots) {
		if (!r->wrap)
			return unc_error_set(err, ERANGE,
					     "Deterministic subordinate %s range for UID %" PRIu64
					     " exceeds SUB_%s_MAX (%" PRIu64 ")",
					     K, uid, K, r->max);
		slot %= slots;
	}
	/* slot < slots = space / count: slot * count < space, no overflow */
	s = r->min + slot * r->count;
	if (s >= UNC_ID_LIMIT || UNC_ID_LIMIT - s < r->count)
		return unc_error_set(err, ERANGE,
				     "Deterministic subordinate %s range for UID %" PRIu64
				     " (%" PRIu64 "-%" PRIu64 ") contains 4294967295, which "
				     "newuidmap refuses",
				     K, uid, s, s + r->count - 1);
	*start = s;
	return 0;
}
