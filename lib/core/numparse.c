#include "numparse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value to quote in a message: long ones are cut, saying how long. */
static const char *quoted(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s);

	if (len <= 48)
		snprintf(buf, size, "'%s'", s);
	else
		snprintf(buf, size, "'%.32s...' (%zu characters)", s, len);
	return buf;
}

int unc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char *what,
		  struct unc_error *err)
{
	unsigned long long v;
	char *end = NULL;
	char q[96];

	if (!s || *s == '\0')
		return unc_error_set(err, EINVAL, "%s: empty value, expected a number", what);
	if (!isdigit((unsigned char)s[0]))
		return unc_error_set(err, EINVAL, "%s: %s is not a non-negative decimal number",
				     what, quoted(s, q, sizeof q));
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return unc_error_set(err, EINVAL, "%s: %s is not a non-negative decimal number",
				     what, quoted(s, q, sizeof q));
	if (errno == ERANGE || v > max || v < min)
		return unc_error_set(err, ERANGE, "%s: %s is out of range (%llu-%llu)", what,
				     strlen(s) > 48 ? quoted(s, q, sizeof q) : s,
				     (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}
