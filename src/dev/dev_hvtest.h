/*
 * QEMU's hyperv-testdev (port 0x3000), which kvm-unit-tests' Hyper-V
 * tests drive: a 32-bit write names a command, a vCPU and a SynIC
 * interrupt source (SINT). It makes and removes routes from an interrupt
 * line to a vCPU's SINT, and raises one, as QEMU does with KVM's
 * KVM_IRQ_ROUTING_HV_SINT routes; the message and event connections of
 * its other commands are not modelled.
 */
#ifndef KVMRUN_DEV_HVTEST_H
#define KVMRUN_DEV_HVTEST_H

#include <stdbool.h>
#include <stdint.h>

#define HV_SINT_ROUTES 32  /* routes at once */
#define HV_SINT_GSI 24     /* the first line after the IOAPIC's pins */

/* A route from line HV_SINT_GSI + its index to SINT (sint) of the vCPU
 * whose Hyper-V VP index is (vcpu). */
struct hv_sint_route {
	bool used;
	uint8_t vcpu, sint;
};

struct hv_testdev {
	struct hv_sint_route route[HV_SINT_ROUTES];
};

#endif
