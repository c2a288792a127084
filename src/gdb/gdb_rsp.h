/*
 * The GDB remote serial protocol's framing on a connected socket:
 * $packet#checksum, acknowledgements until QStartNoAckMode, escapes in
 * binary data, and the lone 0x03 byte that asks a running target to stop.
 */
#ifndef KVMRUN_GDB_RSP_H
#define KVMRUN_GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>

#define RSP_MAX 16384 /* packet bytes we take (PacketSize, hex) */

struct rsp {
	int fd;
	bool no_ack;
	bool interrupted; /* a 0x03 arrived */
	char in[RSP_MAX + 1];
	size_t in_len;
	char buf[4096]; /* bytes read, not yet taken */
	size_t buf_at, buf_len;
};

void rsp_init(struct rsp *r, int fd);

/* Read the next packet into (r->in), NUL-terminated, unescaped. Bad
 * checksums are answered '-' and read again; a 0x03 between packets sets
 * (r->interrupted) and returns 0. Returns 1 for a packet, 0 for an
 * interrupt, -1 when the connection is closed or broken. */
int rsp_read(struct rsp *r);

/* True if bytes are waiting (nothing is read). */
bool rsp_pending(const struct rsp *r);

/* Send (len) bytes as one packet, escaping what must be. 0 or -1. */
int rsp_send(struct rsp *r, const char *data, size_t len);
int rsp_send_str(struct rsp *r, const char *s);

/* Hex helpers: (n) bytes of (src) as 2n hex digits; and back (false on a
 * bad digit). */
void rsp_hex(char *dst, const void *src, size_t n);
bool rsp_unhex(void *dst, const char *src, size_t n);

#endif
