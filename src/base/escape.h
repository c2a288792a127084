/* Bytes shown as a C-like string, for messages about them. */
#ifndef KVMRUN_ESCAPE_H
#define KVMRUN_ESCAPE_H

#include <stddef.h>

/* (data) as a C-like string with escapes (\n, \t, \", \x00...), cut with
 * "..." to fit (size); returns (buf). */
const char *escape_bytes(char *buf, size_t size, const char *data,
			 size_t len);

#endif
