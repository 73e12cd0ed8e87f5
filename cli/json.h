/* json.h (cli/): JSON output for --json. */
#ifndef UNC_CLI_JSON_H
#define UNC_CLI_JSON_H

#include <stddef.h>
#include <stdio.h>

/* s[0..len) as a JSON string that is always valid UTF-8: the text as
 * unc_escape_bytes shows it on a terminal (control characters, C1
 * controls and bytes that are not UTF-8 as \n, \t, \r or \xNN, a
 * backslash doubled), then quotes and backslashes escaped for JSON. So a
 * name reads the same in the text and the JSON output, and every byte of
 * it can be recovered. */
void cmd_json_string(FILE *out, const char *s, size_t len);

#endif
