#include "numparse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int unc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char *what,
		  struct unc_error *err)
{
	unsigned long long v;
	char *end = NULL;

	if (!s || *s == '\0')
		return unc_error_set(err, EINVAL, "%s: empty value, expected a number", what);
	if (!isdigit((unsigned char)s[0]))
		return unc_error_set(err, EINVAL, "%s: '%s' is not a non-negative decimal number",
				     what, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return unc_error_set(err, EINVAL, "%s: '%s' is not a non-negative decimal number",
				     what, s);
	if (errno == ERANGE || v > max || v < min)
		return unc_error_set(err, ERANGE, "%s: %s is out of range (%llu-%llu)", what, s,
				     (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}
