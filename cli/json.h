/* json.h (cli/): JSON output for --json. */
#ifndef UNC_CLI_JSON_H
#define UNC_CLI_JSON_H

#include <stddef.h>
#include <stdio.h>

/* s[0..len) as a JSON string: quotes and backslashes escaped, \n \r \t
 * as such, other control characters (and DEL) as \u00XX; bytes above
 * 0x7f pass as they are. */
void cmd_json_string(FILE *out, const char *s, size_t len);

#endif
