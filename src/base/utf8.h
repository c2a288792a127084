/* UTF-8, strictly: what configs, reports and JSON may carry. */
#ifndef KVMRUN_UTF8_H
#define KVMRUN_UTF8_H

#include <stddef.h>

/* Bytes in the UTF-8 character at (p), of (left) bytes; 0 if it is not
 * one (overlong forms, surrogates and broken sequences are not). */
size_t utf8_len(const unsigned char *p, size_t left);

/* As utf8_len, but 0 also for U+FFFE and U+FFFF, which are not
 * characters that XML 1.0 or YAML may hold. */
size_t utf8_text_len(const unsigned char *p, size_t left);

/* (src) copied into (dst) of (size) bytes and NUL-terminated, cut
 * between characters when it does not fit, never inside one (a byte
 * that is not UTF-8 counts as one character); returns (dst). */
char *utf8_copy(char *dst, size_t size, const char *src);

#endif
