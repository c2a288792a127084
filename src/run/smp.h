/*
 * Several vCPUs: one thread each for the application processors (the
 * bootstrap processor runs in the calling thread). Exits are handled one
 * at a time under one lock, and the first vCPU to stop ends the run for
 * all: the others are kicked out of KVM_RUN.
 */
#ifndef KVMRUN_SMP_H
#define KVMRUN_SMP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "vm.h"

struct smp {
	struct vm *vm;
	pthread_mutex_t lock;  /* exits are handled one at a time */
	pthread_cond_t wake;   /* held threads wait for smp_go */
	size_t ready;          /* threads started and held */
	bool go, cancel;
	int ended;             /* atomic: a vCPU has stopped the run */
	pthread_t bsp;
	pthread_t *threads;    /* threads[i] runs vCPU i + 1 */
	size_t nthreads;
	void (*body)(void *ctx, unsigned id);
	void *ctx;
};

/*
 * Start a thread running (body)(ctx, id) for each vCPU of (vm) but the
 * first, held until smp_go; with one vCPU, none. Before the sandbox,
 * which then holds these threads too. 0, or -1 with (why).
 */
int smp_start(struct smp *s, struct vm *vm,
	      void (*body)(void *ctx, unsigned id), void *ctx,
	      char *why, size_t whylen);

/* Let the threads run. */
void smp_go(struct smp *s);

/* Exits are handled under this lock (nothing to lock with one vCPU). */
void smp_lock(struct smp *s);
void smp_unlock(struct smp *s);

/* Has a vCPU stopped the run? */
bool smp_ended(const struct smp *s);

/* Under the lock: vCPU (id) ends the run; kick every other one out of
 * KVM_RUN. */
void smp_end(struct smp *s, unsigned id);

/* End the run if no vCPU did, and wait for every thread. */
void smp_finish(struct smp *s);

#endif
