/* fuzz_logindefs: the login.defs reader (lib/admin/logindefs.c).
 *
 * Checked: a successful read leaves every MIN at or below its MAX, the
 * counts non-zero and every value a 32-bit number; a failed one says why,
 * naming the file; and reading the same text again over the result
 * changes nothing (the last definition of a name wins). */
#include "fuzz_common.h"
#include "logindefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size, 0);
	struct unc_login_defs d, again;
	struct unc_error err;

	unc_login_defs_init(&d);
	unc_error_clear(&err);
	if (unc_login_defs_parse(buf, size, "login.defs", &d, &err) < 0) {
		FUZZ_CHECK(strncmp(err.msg, "login.defs", 10) == 0);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(d.uid_min <= d.uid_max);
	FUZZ_CHECK(d.sub[UNC_SUBUID].min <= d.sub[UNC_SUBUID].max &&
		   d.sub[UNC_SUBGID].min <= d.sub[UNC_SUBGID].max);
	FUZZ_CHECK(d.sub[UNC_SUBUID].count > 0 && d.sub[UNC_SUBGID].count > 0);
	FUZZ_CHECK(d.uid_max <= UINT32_MAX && d.sub[UNC_SUBUID].max <= UINT32_MAX &&
		   d.sub[UNC_SUBGID].max <= UINT32_MAX && d.sub[UNC_SUBUID].count <= UINT32_MAX &&
		   d.sub[UNC_SUBGID].count <= UINT32_MAX);
	again = d;
	FUZZ_CHECK(unc_login_defs_parse(buf, size, "login.defs", &again, &err) == 0);
	FUZZ_CHECK(memcmp(&again, &d, sizeof d) == 0);
	free(buf);
	return 0;
}
