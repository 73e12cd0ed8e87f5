/* subidfile.h: a subuid/subgid file held line by line, for editing.
 *
 * The file's bytes are kept as read; each line points into them. Lines
 * can be deleted and new ones appended; serialising writes every line
 * that was not deleted exactly as it was (comments, odd spacing, CRLF,
 * lines shadow skips), in its place, so an edit changes only the lines
 * it meant to. The one forced change: when lines are appended after a
 * last line that had no final newline, that line gets one. */
#ifndef UNC_SUBIDFILE_H
#define UNC_SUBIDFILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "subid.h"

/* Longest owner name subidctl writes (LOGIN_NAME_MAX without the NUL). */
#define UNC_SUBID_OWNER_MAX 255

struct unc_subid_line {
	const char *text; /* the line's bytes, without its newline */
	size_t len;
	size_t lineno; /* 1-based line number as read; 0 for an added line */
	unsigned has_newline : 1;
	unsigned parsed : 1;	      /* shadow 4.13 reads it as owner:start:count */
	unsigned deleted : 1;	      /* left out when serialised */
	unsigned added : 1;	      /* appended by an edit; text is owned */
	unsigned nul : 1;	      /* holds a NUL byte: shadow reads it cut there */
	unsigned swallowed : 1;	      /* read by shadow onto an earlier line (joined) */
	size_t joined;		      /* lines after this one shadow reads onto it */
	size_t onto;		      /* swallowed: the line it is read onto */
	char *shadow_text;	      /* what shadow parses, when stitched (owned) */
	struct unc_subid_entry entry; /* valid when parsed; owner points into text
					 or shadow_text */
};

struct unc_subid_file {
	char *buf; /* the bytes as read (owned) */
	size_t len;
	struct unc_subid_line *lines;
	size_t n;      /* lines, read and added */
	size_t n_read; /* how many of them were read from the file */
	size_t cap;
	int changed;	    /* a line was deleted or added */
	size_t unreadable;  /* shadow fails to read the file at this line (0: it reads it) */
	int unreadable_nul; /* ... because of a NUL byte (else the buffer's edge) */
	int misread;	    /* a NUL byte makes shadow read lines other than as written */
	int symlink;	    /* the path is a symbolic link (newuidmap refuses it) */
};

/* Take ownership of buf (malloc'd, len bytes, may hold any bytes) and
 * split it into lines, each marked parsed as shadow's reader sees it
 * (unc_subid_reader_next: a NUL byte cuts a line and joins the next one
 * to it). Returns 0 or -ENOMEM with err filled. */
int unc_subid_file_parse(struct unc_subid_file *f, char *buf, size_t len, struct unc_error *err);

/* Read path and parse it. A missing file is an empty one (*exists = 0).
 * A symbolic link is read through, and f->symlink set. */
int unc_subid_file_load(struct unc_subid_file *f, const char *path, int *exists,
			struct unc_error *err);

/* Append the line "owner:start:count\n". owner must satisfy
 * unc_subid_owner_valid(). */
int unc_subid_file_append(struct unc_subid_file *f, const char *owner, uint64_t start,
			  uint64_t count, struct unc_error *err);

/* Leave line i out of the file. */
void unc_subid_file_delete(struct unc_subid_file *f, size_t i);

/* The file as it now stands, in one malloc'd buffer. */
int unc_subid_file_serialise(const struct unc_subid_file *f, char **out, size_t *out_len,
			     struct unc_error *err);

/* The change as a unified diff without context lines (patch(1) applies
 * it), labelled with path; empty when nothing changed. */
int unc_subid_file_diff(const struct unc_subid_file *f, const char *path, char **out,
			size_t *out_len, struct unc_error *err);

void unc_subid_file_free(struct unc_subid_file *f);

/* Can name be written as an owner? Returns 0, or -EINVAL with a reason in
 * err ("contains ':'", "is empty", ...). */
int unc_subid_owner_valid(const char *name, struct unc_error *err);

#endif
