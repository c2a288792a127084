/* SIGINT, SIGTERM and SIGHUP: kvmrun finishes what it reports, then
 * ends by the first of them that came. */
#ifndef KVMRUN_SIGNALS_H
#define KVMRUN_SIGNALS_H

#include <stdbool.h>
#include <time.h>

/* From now on record the stopping signals instead of dying of them.
 * (restart): interrupted system calls resume (SA_RESTART), so that a
 * report being written is not cut; without it they fail with EINTR, so
 * that a wait ends. */
void signals_catch(bool restart);

/* Record (sig) as if it had been caught (async-signal-safe): for a
 * handler of its own that also stops something. */
void signals_note(int sig);

/* The first stopping signal that came, or 0. */
int signals_ending(void);

/* Wait until (fd) has one of (events) for poll(2), at most (timeout)
 * (NULL: no end): 1, 0 at the timeout, or -1 with errno EINTR when a
 * stopping signal came first or had come (no race: it is blocked until
 * the wait starts). */
int signals_poll(int fd, short events, const struct timespec *timeout);

/* End as signalled programs end (130 for SIGINT), when a stopping
 * signal came; return otherwise. */
void signals_end(void);

#endif
