/* fuzz_subidmodule: what libsubid_uncmap.so serves (modules/subid/
 * subidmodule.c), from any login.defs text, UID and ID.
 *
 * Input: 4 bytes UID, 4 bytes ID, then the login.defs text. Checked: a
 * served rule is deterministic and never wraps; a UID's range lies in
 * [min, max], holds count IDs, never 4294967295, and is exactly the
 * formula; every ID of it (first, last, the fuzzed one) names that UID as
 * its one owner; an owner found for any ID holds it; and the next UID's
 * range starts where this one ends (no overlap, no gap). */
#include "fuzz_common.h"
#include "subidmodule.h"

static void check_kind(const char *defs, size_t len, enum unc_subid_kind k, uint64_t uid,
		       uint64_t id)
{
	struct unc_subid_rule r;
	uint64_t start, next, owner;
	int served = unc_module_rule(defs, len, k, &r);

	FUZZ_CHECK(served >= -1 && served <= 1);
	if (served != 1)
		return;
	FUZZ_CHECK(r.deterministic && !r.wrap && r.count > 0 && r.min <= r.max);
	if (unc_module_range(&r, k, uid, &start) == 0) {
		FUZZ_CHECK(uid >= r.uid_min);
		FUZZ_CHECK(start == r.min + (uid - r.uid_min) * r.count);
		FUZZ_CHECK(start >= r.min && start + r.count - 1 <= r.max);
		FUZZ_CHECK(start + r.count - 1 < UNC_ID_LIMIT);
		FUZZ_CHECK(unc_module_owner(&r, k, start, &owner) == 0 && owner == uid);
		FUZZ_CHECK(unc_module_owner(&r, k, start + r.count - 1, &owner) == 0 &&
			   owner == uid);
		if (id >= start && id - start < r.count)
			FUZZ_CHECK(unc_module_owner(&r, k, id, &owner) == 0 && owner == uid);
		if (unc_module_range(&r, k, uid + 1, &next) == 0)
			FUZZ_CHECK(next == start + r.count);
	}
	if (unc_module_owner(&r, k, id, &owner) == 0) {
		FUZZ_CHECK(unc_module_range(&r, k, owner, &start) == 0);
		FUZZ_CHECK(id >= start && id - start < r.count);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	uint64_t uid = fuzz_take(&in, 4), id = fuzz_take(&in, 4);
	char *defs = fuzz_copy(in.p, in.left, 0);

	check_kind(defs, in.left, UNC_SUBUID, uid, id);
	check_kind(defs, in.left, UNC_SUBGID, uid, id);
	free(defs);
	return 0;
}
