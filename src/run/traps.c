/* kvmrun's own exits and the exceptions it delivers (see traps.h). */
#include "kvmrun-config.h"

#include "traps.h"

#include "idt.h"
#include "run.h"
#include "vcpu.h"
#include "x86_trap.h"

/* The guest's first touch of RAM that KVM maps lazily (mem.c), now
 * given: a data access (its MMIO exit completed from the host mapping)
 * or a code fetch (an emulation failure). That exit is kvmrun's, not the
 * guest's: not counted, traced or limited. */
static enum hook_verdict first_touch(struct run *r, struct vcpu *c)
{
	const struct kvm_run *run = c->run;
	bool mine;

	if (run->exit_reason == KVM_EXIT_MMIO)
		mine = mem_complete_mmio(&r->vm->mem, c->run);
	else
		mine = run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
		       vm_fault_code(r->vm, c);
	return mine ? HOOK_UNSEEN : HOOK_PASS;
}

/* KVM could not emulate int3, int n, into or ud0-ud2 (kvm-pvm): the
 * guest gets the exception as hardware would have raised it. The exit's
 * record tells which (c->delivered). */
static enum hook_verdict deliver_trap(struct run *r, struct vcpu *c)
{
	struct x86_trap t;

	c->delivered = -1;
	if (!vm_deliver_trap(r->vm, c, &t))
		return HOOK_PASS;
	c->delivered = t.kind == X86_TRAP_NOTHING ? -1 : t.vector;
	c->delivered_by = t.insn;
	return HOOK_CONTINUE;
}

/* A stub of the diagnostic IDT reporting an exception the guest had no
 * handler for: the port is the IDT's and the vCPU is in one of its stubs
 * (RIP at the OUT or past it). It would have been a triple fault: the
 * stop stays what it was without the IDT. */
static enum hook_verdict caught_exception(struct run *r, struct vcpu *c)
{
	const struct plan *p = r->plan;
	const struct kvm_run *run = c->run;
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (run->io.port != p->idt_port ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1)
		return HOOK_PASS;
	if (vm_get_regs(c, &regs) != 0 || vm_get_sregs(c, &sregs) != 0 ||
	    sregs.idt.base != p->idt_base ||
	    idt_stub_vector(p->idt_base, sregs.cs.base + regs.rip) < 0)
		return HOOK_PASS;
	r->res->stop = STOPPED_SHUTDOWN;
	r->res->exception.caught = true;
	return HOOK_STOP;
}

void traps_register(struct run_hooks *h, const struct vm *vm,
		    const struct plan *p)
{
	if (vm->mem.lazy) {
		hook_exit(h, KVM_EXIT_MMIO, first_touch);
		hook_exit(h, KVM_EXIT_INTERNAL_ERROR, first_touch);
	}
	hook_exit(h, KVM_EXIT_INTERNAL_ERROR, deliver_trap);
	if (p->has_idt)
		hook_exit(h, KVM_EXIT_IO, caught_exception);
}
