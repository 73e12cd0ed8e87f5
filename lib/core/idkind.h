/* idkind.h: the two kinds of ID, UIDs and GIDs, each described once.
 *
 * What differs between the subuid and the subgid side (a file, an option,
 * login.defs keys, the words of messages) is a field of one descriptor,
 * and code passes the descriptor instead of asking `kind == UNC_SUBUID`
 * at every use, as shadow's subordinate_uid_db and subordinate_gid_db
 * share one subordinate_ops. */
#ifndef UNC_IDKIND_H
#define UNC_IDKIND_H

enum unc_subid_kind {
	UNC_SUBUID = 0,
	UNC_SUBGID = 1,
};

#define UNC_ID_KINDS 2

/* A set of kinds, as a bit mask: (1 << UNC_SUBUID) is the UIDs. */
#define UNC_KIND_BIT(kind) (1 << (kind))

struct unc_id_kind {
	enum unc_subid_kind kind;
	const char *name;	  /* "subuid": the file's name in etc/, check ids */
	const char *file;	  /* "/etc/subuid" */
	const char *id;		  /* "UID" */
	const char *ids;	  /* "UIDs" */
	const char *word;	  /* "uids": subidctl list's field and JSON key */
	const char *map_option;	  /* "--map-uid" */
	const char *file_option;  /* "--subuid-file" */
	const char *owner_word;	  /* "" ("group " for GIDs): before a real ID's owner */
	const char *libsubid_get; /* "subid_get_uid_ranges" */
	const char *defs_min;	  /* "SUB_UID_MIN": the login.defs keys */
	const char *defs_max;
	const char *defs_count;
	const char *defs_deterministic; /* "SUB_UID_DETERMINISTIC" */
	int groups; /* real IDs of this kind are users' and groups' (GIDs) */
};

extern const struct unc_id_kind unc_id_kinds[UNC_ID_KINDS];

static inline const struct unc_id_kind *unc_id_kind(enum unc_subid_kind kind)
{
	return &unc_id_kinds[kind];
}

#endif
