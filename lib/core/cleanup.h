/* cleanup.h: scope-bound ownership, in the style of systemd, crun and
 * bubblewrap. Hand ownership on with steal_pointer() / take_fd(). */
#ifndef UNC_CLEANUP_H
#define UNC_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void unc_freep(void *p)
{
	free(*(void **)p);
}

/* Never retry close() on EINTR: on Linux the descriptor is gone anyway
 * and a retry may close one another thread just opened. */
static inline void unc_closep(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
}

static inline void unc_fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}

#define _cleanup_free_	 __attribute__((cleanup(unc_freep)))
#define _cleanup_close_	 __attribute__((cleanup(unc_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(unc_fclosep)))

static inline void *unc_steal_pointer(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) unc_steal_pointer(pp)

static inline int take_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
