/* UTF-8, strictly. */
#include "kvmrun-config.h"

#include "utf8.h"

#include <string.h>

size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (c == 0xe0)
		lo = 0xa0; /* no overlong forms */
	else if (c == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f; /* nothing above U+10FFFF */
	if (n > left || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

size_t utf8_text_len(const unsigned char *p, size_t left)
{
	size_t n = utf8_len(p, left);

	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0;
	return n;
}

char *utf8_copy(char *dst, size_t size, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t len = strlen(src), n = 0;

	if (!size)
		return dst;
	while (n < len) {
		size_t k = utf8_len(p + n, len - n);
		if (n + (k ? k : 1) >= size)
			break;
		n += k ? k : 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	return dst;
}
