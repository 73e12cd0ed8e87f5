/* fuzz_logindefs: the login.defs reader (lib/core/logindefs.c).
 *
 * Checked: reading never fails (bad values are warnings, as in shadow);
 * every number stays a 32-bit value and every boolean 0 or 1; each
 * warning names the file; the rule of each kind keeps its window inside
 * 32 bits; and reading the same text again over the result changes no
 * setting (the last definition of a name wins). */
#include "fuzz_common.h"
#include "logindefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size, 0);
	struct unc_login_defs d, again;
	struct unc_subid_rule r;
	struct unc_error err;
	size_t i;
	int k;

	unc_login_defs_init(&d);
	unc_error_clear(&err);
	FUZZ_CHECK(unc_login_defs_parse(buf, size, "login.defs", &d, &err) == 0);
	FUZZ_CHECK(d.uid_min <= UINT32_MAX && d.uid_max <= UINT32_MAX &&
		   d.sub[UNC_SUBUID].min <= UINT32_MAX && d.sub[UNC_SUBGID].min <= UINT32_MAX &&
		   d.sub[UNC_SUBUID].max <= UINT32_MAX && d.sub[UNC_SUBGID].max <= UINT32_MAX &&
		   d.sub[UNC_SUBUID].count <= UINT32_MAX && d.sub[UNC_SUBGID].count <= UINT32_MAX);
	for (i = 0; i < d.nwarnings && i < UNC_LOGIN_DEFS_WARN_MAX; i++)
		FUZZ_CHECK(strncmp(d.warnings[i], "login.defs:", 11) == 0 &&
			   memchr(d.warnings[i], '\n', strlen(d.warnings[i])) == NULL);
	for (k = 0; k < 2; k++) {
		FUZZ_CHECK(d.deterministic[k] <= 1 && d.unsafe_wrap[k] <= 1 &&
			   d.store_by_uid[k] <= 1);
		unc_login_defs_rule(&d, (enum unc_subid_kind)k, &r);
		FUZZ_CHECK(r.max <= UINT32_MAX && r.min <= UINT32_MAX && r.count <= UINT32_MAX);
		FUZZ_CHECK(!r.wrap || r.deterministic);
	}
	again = d;
	FUZZ_CHECK(unc_login_defs_parse(buf, size, "login.defs", &again, &err) == 0);
	FUZZ_CHECK(offsetof(struct unc_login_defs, nwarnings) > 0 &&
		   memcmp(&again, &d, offsetof(struct unc_login_defs, nwarnings)) == 0);
	free(buf);
	return 0;
}
