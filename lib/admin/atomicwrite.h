/* atomicwrite.h: replace a file so that a crash at any moment leaves
 * either the old file or the new one, whole.
 *
 * The new bytes go to FILE+ (created afresh, never through a symlink),
 * with the old file's mode and owner, and are fsync()ed; the old bytes are
 * kept as FILE- the same way (a copy, never a hard link: shadow rewrites
 * FILE- in place and would otherwise truncate FILE itself), written before
 * FILE+ but not synced on its own: the backup is not what a crash must
 * preserve, and the directory's fsync, which commits both renames, writes
 * its data first on ext4's default data=ordered; then FILE+ is rename()d
 * over FILE and the directory is fsync()ed. On any error before
 * the rename, FILE is untouched and FILE+ is removed. */
#ifndef UNC_ATOMICWRITE_H
#define UNC_ATOMICWRITE_H

#include <stddef.h>

#include "error.h"

/* old may be NULL when the file does not exist yet (no backup is made;
 * the new file gets new_mode, owned by the caller). *replaced says
 * whether the new file is in place, which on an error is so only when
 * the directory could not be synced afterwards. */
int unc_atomic_replace(const char *path, const char *data, size_t len, const char *old,
		       size_t old_len, unsigned new_mode, int *replaced, struct unc_error *err);

/* The same, leaving the directory's fsync to the caller (who replaces
 * several files in one directory and syncs it once, with
 * unc_fsync_dir_of()). */
int unc_atomic_replace_nodirsync(const char *path, const char *data, size_t len, const char *old,
				 size_t old_len, unsigned new_mode, int *replaced,
				 struct unc_error *err);

/* fsync() the directory that holds path. */
int unc_fsync_dir_of(const char *path, struct unc_error *err);

#endif
