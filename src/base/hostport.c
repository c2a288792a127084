/* "[HOST:]PORT" (see hostport.h). */
#include "kvmrun-config.h"

#include "hostport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool hostport_parse(const char *s, char *host, size_t hostlen, char *port,
		    size_t portlen, const char **why)
{
	const char *colon = strrchr(s, ':'), *p = colon ? colon + 1 : s;
	size_t hlen = colon ? (size_t)(colon - s) : 0;
	unsigned long n = 0;

	if (colon && s[0] == '[') { /* [v6 address]:port */
		if (hlen < 2 || s[hlen - 1] != ']') {
			*why = "wanted [IPv6 address]:PORT";
			return false;
		}
		s++;
		hlen -= 2;
	}
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5 ||
	    (n = strtoul(p, NULL, 10)) > 65535) {
		*why = "wanted a port from 0 to 65535, as PORT or HOST:PORT";
		return false;
	}
	if (colon && hlen == 0) {
		*why = "wanted a host before ':'";
		return false;
	}
	if (hlen >= hostlen) {
		*why = "the host name is too long";
		return false;
	}
	if (colon) {
		memcpy(host, s, hlen);
		host[hlen] = '\0';
	} else {
		snprintf(host, hostlen, "%s", HOSTPORT_DEFAULT_HOST);
	}
	snprintf(port, portlen, "%lu", n);
	return true;
}

bool hostport_sockaddr(const char *host, const char *port,
		       struct sockaddr_storage *sa, socklen_t *len)
{
	uint16_t p = htons((uint16_t)strtoul(port, NULL, 10));
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

	memset(sa, 0, sizeof *sa);
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = p;
		*len = sizeof *in;
		return true;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = p;
		*len = sizeof *in6;
		return true;
	}
	return false;
}
