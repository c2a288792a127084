/* Bytes shown as a C-like string, for messages about them. */
#ifndef KVMRUN_ESCAPE_H
#define KVMRUN_ESCAPE_H

#include <stddef.h>

/* (data) as a C-like string with escapes (\n, \t, \", \x00...), cut with
 * "..." to fit (size); returns (buf). */
const char *escape_bytes(char *buf, size_t size, const char *data,
			 size_t len);

/* (s), a file name or a pattern found or given, as a terminal may show
 * it: a control byte (C1 too), a byte of no UTF-8 character and a
 * backslash as \xNN and \\, as the shell's $'...' reads them; the
 * rest as it is. Returns a string to free. */
char *escape_name(const char *s);

#endif
