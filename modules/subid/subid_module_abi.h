/* subid_module_abi.h: the functions a libsubid module exports, as shadow
 * 4.13's lib/nss.c looks them up with dlsym() (shadow_subid_free only in
 * later versions), with the types of libsubid's <shadow/subid.h>. Shared
 * by libsubid_uncmap.so and the test module in tests/helpers/subidmodule. */
#ifndef UNC_SUBID_MODULE_ABI_H
#define UNC_SUBID_MODULE_ABI_H

#include <shadow/subid.h>
#include <stdbool.h>
#include <sys/types.h>

#define SUBID_MODULE_EXPORT __attribute__((visibility("default")))

SUBID_MODULE_EXPORT enum subid_status shadow_subid_has_range(const char *owner, unsigned long start,
							     unsigned long count,
							     enum subid_type idtype, bool *result);
SUBID_MODULE_EXPORT enum subid_status shadow_subid_list_owner_ranges(const char *owner,
								     enum subid_type id_type,
								     struct subid_range **ranges,
								     int *count);
SUBID_MODULE_EXPORT enum subid_status
shadow_subid_find_subid_owners(unsigned long id, enum subid_type id_type, uid_t **uids, int *count);
SUBID_MODULE_EXPORT void shadow_subid_free(void *ptr);

#endif
