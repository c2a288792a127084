/* "[HOST:]PORT" as --gdb and debug.gdb take it. */
#ifndef KVMRUN_HOSTPORT_H
#define KVMRUN_HOSTPORT_H

#include <stdbool.h>
#include <stddef.h>

/* The host used when none is given: loopback only. */
#define HOSTPORT_DEFAULT_HOST "127.0.0.1"

/* Split (s) into (host) (an IPv6 address in brackets loses them) and a
 * port from 0 to 65535; false with (why) if it is not that. */
bool hostport_parse(const char *s, char *host, size_t hostlen, char *port,
		    size_t portlen, const char **why);

#endif
