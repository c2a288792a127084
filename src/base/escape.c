/* Bytes shown as a C-like string. */
#include "kvmrun-config.h"

#include "escape.h"

#include <stdio.h>
#include <string.h>

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
