#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int error_return(int errnum)
{
	return errnum > 0 ? -errnum : -1;
}

int unc_error_set(struct unc_error *err, int errnum, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->errnum = errnum;
		err->hint[0] = '\0';
	}
	return error_return(errnum);
}

int unc_error_sys(struct unc_error *err, int errnum, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		size_t len;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(errnum));
		err->errnum = errnum;
		err->hint[0] = '\0';
	}
	return error_return(errnum);
}

void unc_error_prefix(struct unc_error *err, const char *fmt, ...)
{
	char prefix[UNC_ERROR_MSG_MAX];
	char old[UNC_ERROR_MSG_MAX];
	va_list ap;
	size_t plen;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);

	memcpy(old, err->msg, sizeof old);
	plen = strnlen(prefix, sizeof prefix - 1);
	if (plen + 2 >= sizeof err->msg)
		plen = sizeof err->msg - 3;
	memcpy(err->msg, prefix, plen);
	memcpy(err->msg + plen, ": ", 2);
	memcpy(err->msg + plen + 2, old, sizeof err->msg - plen - 3);
	err->msg[sizeof err->msg - 1] = '\0';
}

void unc_error_hint(struct unc_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof err->hint, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (at most len bytes) that is no
 * control character (C1 controls, U+0080-U+009F, are terminal escapes
 * too), or 0. */
static size_t utf8_printable(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xc2 || s[0] == 0xe0)
		lo = 0xa0; /* C2 80-9F: the C1 controls; E0: no overlong forms */
	else if (s[0] == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void unc_escape_bytes(const char *in, size_t len, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t used = 0, i = 0;

	if (size == 0)
		return;
	while (i < len) {
		size_t n = utf8_printable(p + i, len - i), take = n ? n : 1;
		char esc[5];
		const char *piece = esc;
		if (n > 0 && p[i] != '\\')
			piece = (const char *)p + i;
		else if (p[i] == '\\')
			n = (size_t)snprintf(esc, sizeof esc, "\\\\");
		else if (p[i] == '\n')
			n = (size_t)snprintf(esc, sizeof esc, "\\n");
		else if (p[i] == '\t')
			n = (size_t)snprintf(esc, sizeof esc, "\\t");
		else if (p[i] == '\r')
			n = (size_t)snprintf(esc, sizeof esc, "\\r");
		else
			n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", p[i]);
		if (used + n + 1 > size)
			break; /* never half an escape or half a character */
		memcpy(out + used, piece, n);
		used += n;
		i += take;
	}
	out[used] = '\0';
}

void unc_escape_text(const char *in, char *out, size_t size)
{
	unc_escape_bytes(in, strlen(in), out, size);
}

void unc_error_clear(struct unc_error *err)
{
	if (err) {
		err->errnum = 0;
		err->msg[0] = '\0';
		err->hint[0] = '\0';
	}
}
