/* error.h: the error object every fallible libuncmap function fills.
 *
 * A function that can fail returns a negative int and, when given a
 * non-NULL struct unc_error, records errno and a message there. Callers
 * add context with unc_error_prefix(). lib/ never prints: cmd/ and
 * helpers/ turn these into messages and exit codes. */
#ifndef UNC_ERROR_H
#define UNC_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define UNC_ERROR_MSG_MAX  1024
#define UNC_ERROR_HINT_MAX 512

struct unc_error {
	int errnum;		       /* errno value, 0 when not a system error */
	char msg[UNC_ERROR_MSG_MAX];   /* what failed, and why */
	char hint[UNC_ERROR_HINT_MAX]; /* what to do about it, may be empty */
};

/* Record an error. Returns -1 (or -errnum when errnum > 0) so callers can
 * write `return unc_error_set(err, errno, "...")`. err may be NULL. */
int unc_error_set(struct unc_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like unc_error_set, with the text of errnum appended as ": strerror". */
int unc_error_sys(struct unc_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put "context: " in front of the message already recorded. */
void unc_error_prefix(struct unc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set the hint line (what the user should do). */
void unc_error_hint(struct unc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void unc_error_clear(struct unc_error *err);

/* Copy text into out (always NUL-terminated), writing control characters
 * as \n, \t, \r or \xNN and a backslash as \\, so that a message naming a
 * hostile argument stays on one line and reads back unambiguously. Valid
 * UTF-8 passes as it is; C1 controls (terminal escapes too) and bytes that
 * are not UTF-8 become \xNN, so the result is always valid UTF-8. */
void unc_escape_text(const char *in, char *out, size_t size);

/* The same for len bytes that may hold NULs (a name read from a file). */
void unc_escape_bytes(const char *in, size_t len, char *out, size_t size);

#endif
