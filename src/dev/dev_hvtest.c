/* QEMU's hyperv-testdev (see dev_hvtest.h). */
#include "kvmrun-config.h"

#include "dev_hvtest.h"

#include <string.h>

#include "device.h"

/* A handler's state: the I/O stage allocates .state_size of it. */
struct hvtest_state {
	struct hv_testdev hvtest; /* first: io_port_state gives it */
};

/* The commands, in bits 16-23 of the word written; the vCPU is in bits
 * 8-15, the SINT in bits 0-7 (kvm-unit-tests' lib/x86 hyperv.c). */
enum { SINT_ROUTE_CREATE = 1, SINT_ROUTE_DESTROY, SINT_ROUTE_SET_SINT,
       MSG_CONN_CREATE, MSG_CONN_DESTROY, EVT_CONN_CREATE, EVT_CONN_DESTROY };

static void hvtest_reset(void *s, uint64_t value, const char *input,
			 uint64_t size)
{
	(void)value, (void)input, (void)size;
	memset(s, 0, sizeof *s);
}

/* The route to (vcpu, sint), or -1. */
static int find(const struct hv_testdev *d, uint8_t vcpu, uint8_t sint)
{
	for (int i = 0; i < HV_SINT_ROUTES; i++)
		if (d->route[i].used && d->route[i].vcpu == vcpu &&
		    d->route[i].sint == sint)
			return i;
	return -1;
}

static enum dev_action refuse(const struct dev_env *env, const char *why)
{
	env->refuse(env->ctx, why);
	return DEV_FAILED;
}

static enum dev_action command(struct hv_testdev *d, const struct dev_env *env,
			       uint32_t word)
{
	uint8_t sint = (uint8_t)word, vcpu = (uint8_t)(word >> 8);
	int i = find(d, vcpu, sint);

	switch ((word >> 16) & 0xff) {
	case SINT_ROUTE_CREATE:
		if (i >= 0)
			return DEV_CONTINUE;
		for (i = 0; i < HV_SINT_ROUTES && d->route[i].used; i++)
			;
		if (i == HV_SINT_ROUTES)
			return refuse(env, "hyperv-testdev: more than 32 SINT "
				      "routes at once");
		d->route[i] = (struct hv_sint_route){ true, vcpu, sint };
		break;
	case SINT_ROUTE_DESTROY:
		if (i < 0)
			return DEV_CONTINUE;
		d->route[i].used = false;
		break;
	case SINT_ROUTE_SET_SINT:
		if (i < 0)
			return DEV_CONTINUE; /* no route: nothing to raise */
		return env->irq_line(env->ctx, HV_SINT_GSI + (uint32_t)i, true) == 0
			? DEV_CONTINUE : DEV_FAILED;
	case MSG_CONN_CREATE: case MSG_CONN_DESTROY:
	case EVT_CONN_CREATE: case EVT_CONN_DESTROY:
		return refuse(env, "hyperv-testdev: its message and event "
			      "connections are not modelled");
	default:
		return DEV_CONTINUE;
	}
	return env->hv_routes(env->ctx, d->route, HV_SINT_ROUTES) == 0
		? DEV_CONTINUE : DEV_FAILED;
}

static enum dev_action hvtest_write(void *state, const struct dev_env *env,
				    uint64_t offset, const uint8_t *data,
				    unsigned size, size_t count)
{
	struct hvtest_state *s = state;
	(void)offset;
	for (size_t i = 0; i < count; i++) {
		enum dev_action a = command(&s->hvtest, env,
			(uint32_t)dev_last_value(data + i * size, size, 1));
		if (a != DEV_CONTINUE)
			return a;
	}
	return DEV_CONTINUE;
}

const struct device dev_hyperv_testdev = {
	.name = "hyperv-testdev",
	.state_size = sizeof(struct hvtest_state),
	.about = "hyperv-testdev: QEMU's Hyper-V test device: routes from "
		 "interrupt lines to SynIC SINTs, made, removed and raised",
	.size = 4, .max_size = 4,
	.needs_irqchip = true,
	.reset = hvtest_reset, .read = dev_read_zero, .write = hvtest_write,
};
