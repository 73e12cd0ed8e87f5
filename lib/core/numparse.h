/* numparse.h: numbers from users and files, parsed with explicit bounds. */
#ifndef UNC_NUMPARSE_H
#define UNC_NUMPARSE_H

#include <stdint.h>

#include "error.h"

/* Parse a decimal number in [min, max]. No sign, no blanks, no base
 * prefix, no trailing characters. what names the value in messages
 * ("--range"). Returns 0 or -EINVAL / -ERANGE with err filled. */
int unc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char *what,
		  struct unc_error *err);

#endif
