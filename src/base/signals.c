/* The stopping signals (see signals.h). */
#include "kvmrun-config.h"

#include "signals.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>

static const int stopping[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOPPING (sizeof stopping / sizeof *stopping)

static volatile sig_atomic_t ending;

void signals_note(int sig)
{
	if (!ending)
		ending = sig;
}

void signals_catch(bool restart)
{
	struct sigaction sa = { .sa_handler = signals_note,
				.sa_flags = restart ? SA_RESTART : 0 };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOPPING; i++)
		sigaction(stopping[i], &sa, NULL);
}

int signals_ending(void)
{
	return ending;
}

int signals_poll(int fd, short events, const struct timespec *timeout)
{
	struct pollfd p = { .fd = fd, .events = events };
	sigset_t block, old;
	int n;

	sigemptyset(&block);
	for (size_t i = 0; i < NSTOPPING; i++)
		sigaddset(&block, stopping[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	do /* ppoll is never restarted: a signal ends it with EINTR */
		n = ending ? -1 : ppoll(&p, 1, timeout, &old);
	while (n < 0 && errno == EINTR && !ending);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (n < 0 && ending)
		errno = EINTR;
	return n > 0 ? 1 : n;
}

void signals_end(void)
{
	int sig = ending;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}
