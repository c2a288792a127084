/* UTF-8, strictly: what configs, reports and JSON may carry. */
#ifndef KVMRUN_UTF8_H
#define KVMRUN_UTF8_H

#include <stddef.h>

/* Bytes in the UTF-8 character at (p), of (left) bytes; 0 if it is not
 * one (overlong forms, surrogates and broken sequences are not). */
size_t utf8_len(const unsigned char *p, size_t left);

#endif
