#include "json.h"

#include <stdlib.h>

#include "error.h"

void cmd_json_string(FILE *out, const char *s, size_t len)
{
	char small[512], *buf = small;
	size_t size = len * 4 + 1; /* "\xNN" is the longest a byte becomes */
	const char *p;

	if (size > sizeof small)
		buf = malloc(size);
	if (!buf) { /* no memory for the text: an empty string is still JSON */
		fputs("\"\"", out);
		return;
	}
	unc_escape_bytes(s, len, buf, buf == small ? sizeof small : size);
	fputc('"', out);
	for (p = buf; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc('"', out);
	if (buf != small)
		free(buf);
}
