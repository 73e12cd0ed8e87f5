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

void unc_escape_text(const char *in, char *out, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return;
	for (; *in && used + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;
		char esc[5];
		size_t n;
		if (c >= 0x20 && c != 0x7f && c != '\\') {
			out[used++] = (char)c;
			continue;
		}
		if (c == '\\')
			n = (size_t)snprintf(esc, sizeof esc, "\\\\");
		else if (c == '\n')
			n = (size_t)snprintf(esc, sizeof esc, "\\n");
		else if (c == '\t')
			n = (size_t)snprintf(esc, sizeof esc, "\\t");
		else if (c == '\r')
			n = (size_t)snprintf(esc, sizeof esc, "\\r");
		else
			n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
		if (used + n + 1 > size)
			break;
		memcpy(out + used, esc, n);
		used += n;
	}
	out[used] = '\0';
}

void unc_error_clear(struct unc_error *err)
{
	if (err) {
		err->errnum = 0;
		err->msg[0] = '\0';
		err->hint[0] = '\0';
	}
}
