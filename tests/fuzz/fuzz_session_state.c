/* fuzz_session_state: a session's state file (lib/launch/session.c),
 * which uncmap reads from a directory of the caller's own.
 *
 * Input: the file's text. Checked: the parser never reads past the text
 * or leaks; what it accepts has a holder PID above 0, a user namespace in
 * its flags and a valid session name, and formats back to a text that
 * parses to the same state (every option value survives the escaping). */
#include <errno.h>
#include <sched.h>

#include "fuzz_common.h"
#include "session.h"

static int same_state(const struct unc_session_state *a, const struct unc_session_state *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->holder != b->holder ||
	    a->holder_start != b->holder_start || a->keeper != b->keeper ||
	    a->keeper_start != b->keeper_start || a->userns_dev != b->userns_dev ||
	    a->userns_ino != b->userns_ino || a->pidns_ino != b->pidns_ino ||
	    a->created != b->created || a->nsflags != b->nsflags || a->idle_s != b->idle_s ||
	    strcmp(a->uid_map, b->uid_map) || strcmp(a->gid_map, b->gid_map) ||
	    a->nopts != b->nopts)
		return 0;
	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, b->opts[i].name) ||
		    strcmp(a->opts[i].value, b->opts[i].value))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unc_session_state st, back;
	char *text, *buf;
	int n;

	if (size > 16384)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (unc_session_state_parse(text, &st, NULL) == 0) {
		FUZZ_CHECK(st.holder > 0);
		FUZZ_CHECK(st.nsflags & CLONE_NEWUSER);
		FUZZ_CHECK(unc_session_name_check(st.name, NULL) == 0);
		buf = malloc(65536);
		FUZZ_CHECK(buf != NULL);
		n = unc_session_state_format(&st, buf, 65536);
		if (n >= 0) {
			FUZZ_CHECK(unc_session_state_parse(buf, &back, NULL) == 0);
			FUZZ_CHECK(same_state(&st, &back));
			unc_session_state_free(&back);
		}
		free(buf);
		unc_session_state_free(&st);
	}
	free(text);
	return 0;
}
