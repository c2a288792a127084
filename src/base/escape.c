/* Bytes shown as a C-like string. */
#include "kvmrun-config.h"

#include "escape.h"

#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "utf8.h"

const char *escape_bytes(char *buf, size_t size, const char *data, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && data; i++) {
		unsigned char c = (unsigned char)data[i];
		char tmp[8];
		if (c == '\n')
			strcpy(tmp, "\\n");
		else if (c == '\t')
			strcpy(tmp, "\\t");
		else if (c == '\r')
			strcpy(tmp, "\\r");
		else if (c == '"' || c == '\\')
			snprintf(tmp, sizeof tmp, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
		else
			snprintf(tmp, sizeof tmp, "%c", c);
		size_t t = strlen(tmp);
		if (n + t + 4 > size) {
			strcpy(buf + n, "...");
			return buf;
		}
		memcpy(buf + n, tmp, t);
		n += t;
	}
	buf[n] = '\0';
	return buf;
}

char *escape_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n = 0;
	char *out = malloc(4 * len + 1);

	if (!out)
		err(EXIT_USAGE, "malloc");
	for (size_t i = 0; i < len;) {
		size_t c = utf8_len(p + i, len - i);
		bool c1 = c == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0;
		if (p[i] == '\\') {
			memcpy(out + n, "\\\\", 2);
			n += 2;
			i++;
		} else if (!c || c1 || p[i] < 0x20 || p[i] == 0x7f) {
			n += (size_t)sprintf(out + n, "\\x%02x", p[i++]);
		} else {
			memcpy(out + n, p + i, c);
			n += c;
			i += c;
		}
	}
	out[n] = '\0';
	return out;
}
