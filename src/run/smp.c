/* Threads for the application processors (see smp.h). */
#include "kvmrun-config.h"

#include "smp.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kick: its only work is to make KVM_RUN return (EINTR); the
 * vCPU's immediate_exit, set first, covers a kick that comes before
 * KVM_RUN is entered. */
#define KICK_SIGNAL SIGUSR1

static void on_kick(int sig)
{
	(void)sig;
}

struct start {
	struct smp *s;
	unsigned id;
};

static void *thread_main(void *arg)
{
	struct smp *s = ((struct start *)arg)->s;
	unsigned id = ((struct start *)arg)->id;

	free(arg);
	pthread_mutex_lock(&s->lock);
	s->ready++;
	pthread_cond_broadcast(&s->wake);
	while (!s->go && !s->cancel)
		pthread_cond_wait(&s->wake, &s->lock);
	bool cancel = s->cancel;
	pthread_mutex_unlock(&s->lock);
	if (!cancel)
		s->body(s->ctx, id);
	return NULL;
}

int smp_start(struct smp *s, struct vm *vm,
	      void (*body)(void *ctx, unsigned id), void *ctx,
	      char *why, size_t whylen)
{
	*s = (struct smp){ .vm = vm, .body = body, .ctx = ctx,
			   .bsp = pthread_self() };
	if (vm->ncpus < 2)
		return 0;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	s->threads = calloc(vm->ncpus - 1, sizeof *s->threads);
	if (!s->threads) {
		snprintf(why, whylen, "calloc: %s", strerror(errno));
		return -1;
	}
	/* One malloc arena for all: the vCPU threads allocate little (the
	 * console, the trace), one at a time, and a new arena would map
	 * memory inside the sandbox. */
	mallopt(M_ARENA_MAX, 1);
	struct sigaction kick = { .sa_handler = on_kick };
	sigemptyset(&kick.sa_mask);
	sigaction(KICK_SIGNAL, &kick, NULL);
	/* The run's own signals (timeout, Ctrl-C, gdb) go to the
	 * bootstrap processor's thread: the others block them. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGIO);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = 0;
	for (unsigned id = 1; id < vm->ncpus && rc == 0; id++) {
		struct start *arg = malloc(sizeof *arg);
		if (arg)
			*arg = (struct start){ s, id };
		rc = arg ? pthread_create(&s->threads[id - 1], NULL, thread_main, arg)
			 : ENOMEM;
		if (rc == 0)
			s->nthreads++;
		else
			free(arg);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* Each thread makes calls of its own as it starts (robust futex
	 * list, rseq): let them be done before the sandbox. */
	pthread_mutex_lock(&s->lock);
	while (s->ready < s->nthreads)
		pthread_cond_wait(&s->wake, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (rc != 0) {
		snprintf(why, whylen, "cannot start a thread for vCPU %zu: %s",
			 s->nthreads + 1, strerror(rc));
		smp_finish(s);
		return -1;
	}
	return 0;
}

void smp_go(struct smp *s)
{
	if (!s->nthreads)
		return;
	pthread_mutex_lock(&s->lock);
	s->go = true;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void smp_lock(struct smp *s)
{
	if (s->nthreads)
		pthread_mutex_lock(&s->lock);
}

void smp_unlock(struct smp *s)
{
	if (s->nthreads)
		pthread_mutex_unlock(&s->lock);
}

bool smp_ended(const struct smp *s)
{
	return __atomic_load_n(&s->ended, __ATOMIC_ACQUIRE);
}

static void kick(struct smp *s, unsigned id)
{
	s->vm->cpus[id].run->immediate_exit = 1;
	pthread_kill(id ? s->threads[id - 1] : s->bsp, KICK_SIGNAL);
}

void smp_end(struct smp *s, unsigned id)
{
	__atomic_store_n(&s->ended, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i <= s->nthreads; i++)
		if (i != id)
			kick(s, i);
}

void smp_finish(struct smp *s)
{
	if (!s->threads)
		return;
	pthread_mutex_lock(&s->lock);
	s->cancel = true;
	pthread_cond_broadcast(&s->wake);
	if (!smp_ended(s))
		smp_end(s, 0);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	/* The kick's handler stays: a late kick must not kill kvmrun. */
	free(s->threads);
	s->threads = NULL;
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
}
