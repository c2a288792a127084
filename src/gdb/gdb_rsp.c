/* GDB remote serial protocol framing (see gdb_rsp.h). */
#include "kvmrun-config.h"

#include "gdb_rsp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void rsp_init(struct rsp *r, int fd)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
}

/* The next byte from the socket, or -1 when it is closed or broken. */
static int next_byte(struct rsp *r)
{
	if (r->buf_at == r->buf_len) {
		ssize_t n;
		do
			n = read(r->fd, r->buf, sizeof r->buf);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		r->buf_at = 0;
		r->buf_len = (size_t)n;
	}
	return (unsigned char)r->buf[r->buf_at++];
}

bool rsp_pending(const struct rsp *r)
{
	return r->buf_at < r->buf_len;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rsp_read(struct rsp *r)
{
	for (;;) {
		int c = next_byte(r);
		if (c < 0)
			return -1;
		if (c == 0x03) {
			r->interrupted = true;
			return 0;
		}
		if (c != '$')
			continue; /* acks, and noise between packets */
		unsigned sum = 0;
		bool escaped = false, too_long = false;
		r->in_len = 0;
		while ((c = next_byte(r)) >= 0 && c != '#') {
			sum += (unsigned)c;
			if (c == '}' && !escaped) {
				escaped = true;
				continue;
			}
			if (escaped)
				c ^= 0x20;
			escaped = false;
			if (r->in_len < RSP_MAX)
				r->in[r->in_len++] = (char)c;
			else
				too_long = true;
		}
		int hi = c < 0 ? -1 : hexval(next_byte(r));
		int lo = hi < 0 ? -1 : hexval(next_byte(r));
		if (c < 0)
			return -1;
		r->in[r->in_len] = '\0';
		bool good = lo >= 0 && (unsigned)(hi << 4 | lo) == (sum & 0xff) &&
			    !too_long;
		if (!r->no_ack && write_all(r->fd, good ? "+" : "-", 1) < 0)
			return -1;
		if (too_long) { /* answered as an unknown command */
			r->in_len = 0;
			r->in[0] = '\0';
		}
		if (good || r->no_ack)
			return 1;
	}
}

int rsp_send(struct rsp *r, const char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char out[2 * RSP_MAX + 8];
	size_t n = 0;
	unsigned sum = 0;

	out[n++] = '$';
	for (size_t i = 0; i < len && n < sizeof out - 4; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c == '$' || c == '#' || c == '}' || c == '*') {
			out[n++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[n++] = (char)c;
		sum += c;
	}
	out[n++] = '#';
	out[n++] = digits[(sum >> 4) & 0xf];
	out[n++] = digits[sum & 0xf];
	for (int tries = 0; tries < 3; tries++) {
		if (write_all(r->fd, out, n) < 0)
			return -1;
		if (r->no_ack)
			return 0;
		int c;
		while ((c = next_byte(r)) >= 0 && c != '+' && c != '-')
			if (c == 0x03)
				r->interrupted = true;
		if (c < 0)
			return -1;
		if (c == '+')
			return 0;
	}
	return -1;
}

int rsp_send_str(struct rsp *r, const char *s)
{
	return rsp_send(r, s, strlen(s));
}

void rsp_hex(char *dst, const void *src, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = src;

	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = digits[p[i] >> 4];
		dst[2 * i + 1] = digits[p[i] & 0xf];
	}
	dst[2 * n] = '\0';
}

bool rsp_unhex(void *dst, const char *src, size_t n)
{
	unsigned char *p = dst;

	for (size_t i = 0; i < n; i++) {
		int hi = hexval(src[2 * i]), lo = hi < 0 ? -1 : hexval(src[2 * i + 1]);
		if (lo < 0)
			return false;
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}
