/*
 * The VM stage's door for a running VM: every KVM call made after
 * vm_set_cpu (the exit loop, S3, gdb, the failure report, handlers that
 * raise interrupts) is one of these, and no file outside src/vm/ calls
 * ioctl on a KVM descriptor (tests/kvm-door.sh). They are made under the
 * sandbox: each request here is one the seccomp filter allows
 * (src/mkfilter.c), on the descriptor it allows it on.
 *
 * Static inline, so that KVM_RUN and the per-exit reads cost what a bare
 * ioctl costs. Each returns as ioctl does (0, or -1 with errno), vm_run
 * included: the exit loop decides what EINTR and EAGAIN mean.
 */
#ifndef KVMRUN_VCPU_H
#define KVMRUN_VCPU_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "vm.h"

/* ---- on a vCPU's descriptor ---- */

static inline int vm_run(const struct vcpu *c)
{
	return ioctl(c->fd, KVM_RUN, 0);
}

static inline int vm_get_regs(const struct vcpu *c, struct kvm_regs *r)
{
	return ioctl(c->fd, KVM_GET_REGS, r);
}

static inline int vm_set_regs(const struct vcpu *c, const struct kvm_regs *r)
{
	return ioctl(c->fd, KVM_SET_REGS, r);
}

static inline int vm_get_sregs(const struct vcpu *c, struct kvm_sregs *s)
{
	return ioctl(c->fd, KVM_GET_SREGS, s);
}

static inline int vm_set_sregs(const struct vcpu *c, const struct kvm_sregs *s)
{
	return ioctl(c->fd, KVM_SET_SREGS, s);
}

static inline int vm_get_fpu(const struct vcpu *c, struct kvm_fpu *f)
{
	return ioctl(c->fd, KVM_GET_FPU, f);
}

static inline int vm_get_mp_state(const struct vcpu *c, struct kvm_mp_state *m)
{
	return ioctl(c->fd, KVM_GET_MP_STATE, m);
}

static inline int vm_get_events(const struct vcpu *c, struct kvm_vcpu_events *e)
{
	return ioctl(c->fd, KVM_GET_VCPU_EVENTS, e);
}

static inline int vm_set_events(const struct vcpu *c,
				const struct kvm_vcpu_events *e)
{
	return ioctl(c->fd, KVM_SET_VCPU_EVENTS, e);
}

static inline int vm_set_guest_debug(const struct vcpu *c,
				     const struct kvm_guest_debug *d)
{
	return ioctl(c->fd, KVM_SET_GUEST_DEBUG, d);
}

/* ---- on the VM's descriptor (vm->fd; the I/O table keeps a copy, -1
 * where no VM runs, as in unit tests and fuzzers: EBADF) ---- */

static inline int vm_irq_line(int vm_fd, uint32_t irq, bool level)
{
	struct kvm_irq_level line = { .irq = irq, .level = level };

	return ioctl(vm_fd, KVM_IRQ_LINE, &line);
}

static inline int vm_set_gsi_routing(int vm_fd, const struct kvm_irq_routing *r)
{
	return ioctl(vm_fd, KVM_SET_GSI_ROUTING, r);
}

#endif
