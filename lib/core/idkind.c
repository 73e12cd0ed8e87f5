#include "idkind.h"

/* The two kinds differ in one letter everywhere but in the owner's word:
 * ID_KIND("u", "U", ...) spells "subuid", "/etc/subuid", "UID", "UIDs",
 * "uids", "--map-uid", "--subuid-file", "subid_get_uid_ranges" and
 * "SUB_UID_MIN", "SUB_UID_MAX", "SUB_UID_COUNT", "SUB_UID_DETERMINISTIC". */
#define ID_KIND(k, lower, upper, owner, are_groups)                                                \
	{                                                                                          \
		.kind = (k), .name = "sub" lower "id", .file = "/etc/sub" lower "id",              \
		.id = upper "ID", .ids = upper "IDs", .word = lower "ids",                         \
		.map_option = "--map-" lower "id", .file_option = "--sub" lower "id-file",         \
		.owner_word = (owner), .libsubid_get = "subid_get_" lower "id_ranges",             \
		.defs_min = "SUB_" upper "ID_MIN", .defs_max = "SUB_" upper "ID_MAX",              \
		.defs_count = "SUB_" upper "ID_COUNT",                                             \
		.defs_deterministic = "SUB_" upper "ID_DETERMINISTIC", .groups = (are_groups),     \
	}

const struct unc_id_kind unc_id_kinds[UNC_ID_KINDS] = {
    [UNC_SUBUID] = ID_KIND(UNC_SUBUID, "u", "U", "", 0),
    [UNC_SUBGID] = ID_KIND(UNC_SUBGID, "g", "G", "group ", 1),
};
