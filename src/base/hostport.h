/* "[HOST:]PORT" as --gdb and debug.gdb take it. */
#ifndef KVMRUN_HOSTPORT_H
#define KVMRUN_HOSTPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The host used when none is given: loopback only. */
#define HOSTPORT_DEFAULT_HOST "127.0.0.1"

/* Split (s) into (host) (an IPv6 address in brackets loses them) and a
 * port from 0 to 65535; false with (why) if it is not that. */
bool hostport_parse(const char *s, char *host, size_t hostlen, char *port,
		    size_t portlen, const char **why);

/* The socket address of (host) and (port) as hostport_parse gave them:
 * (host) must be an IPv4 or IPv6 address, or localhost. Other names are
 * not looked up: that is glibc's NSS, which a static kvmrun cannot load. */
bool hostport_sockaddr(const char *host, const char *port,
		       struct sockaddr_storage *sa, socklen_t *len);

/* What hostport_sockaddr wants, for error messages. */
#define HOSTPORT_WANTED_HOST "wanted an IPv4 or IPv6 address or localhost as HOST"

#endif
