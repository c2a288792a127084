/* An 8250-like UART (see dev_uart.h). */
#include "kvmrun-config.h"

#include "dev_uart.h"

#include <string.h>

#include "device.h"

/* A handler's state: the I/O stage allocates .state_size of it. */
struct uart_state {
	uint64_t value;
	struct {
		uint8_t regs[8];
		struct uart_input input;
	} uart;
};

/* Register offsets, and where their values live in regs[]. */
enum { THR_RBR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6,
       SCR = 7 };
/* With DLAB set, offsets 0 and 1 are the divisor; kept in regs[0] and
 * regs[2] (THR and FCR have nothing to keep). */
enum { DLL = 0, DLM = 2 };

#define LCR_DLAB 0x80
#define LSR_DR 0x01   /* data ready: a byte to receive */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LSR_TEMT 0x40 /* transmitter empty */
#define MSR_READY 0xb0 /* DCD, DSR, CTS: a line that is always there */
#define IIR_NONE 0x01  /* no interrupt pending */

void uart_reset(uint8_t regs[8])
{
	for (int i = 0; i < 8; i++)
		regs[i] = 0;
	regs[LCR] = 0x03; /* 8 data bits, as firmware leaves it */
	regs[DLL] = 0x01; /* 115200 baud */
}

uint8_t uart_read(uint8_t regs[8], unsigned offset, struct uart_input *in)
{
	bool dlab = regs[LCR] & LCR_DLAB;
	bool ready = in->pos < in->len;

	switch (offset) {
	case THR_RBR:
		if (dlab)
			return regs[DLL];
		return ready ? (uint8_t)in->data[in->pos++] : 0;
	case IER:
		return dlab ? regs[DLM] : regs[IER];
	case IIR_FCR:
		return IIR_NONE;
	case LSR:
		return LSR_THRE | LSR_TEMT | (ready ? LSR_DR : 0);
	case MSR:
		return MSR_READY;
	case LCR:
	case MCR:
	case SCR:
		return regs[offset];
	default:
		return 0xff;
	}
}

bool uart_write(uint8_t regs[8], unsigned offset, uint8_t byte)
{
	bool dlab = regs[LCR] & LCR_DLAB;

	switch (offset) {
	case THR_RBR:
		if (!dlab)
			return true;
		regs[DLL] = byte;
		return false;
	case IER:
		regs[dlab ? DLM : IER] = byte & (dlab ? 0xff : 0x0f);
		return false;
	case LCR:
	case MCR:
	case SCR:
		regs[offset] = byte;
		return false;
	default: /* FCR, and the read-only LSR and MSR */
		return false;
	}
}

/* ---- the handler ---- */

static void uart_handler_reset(void *state, uint64_t value,
			       const char *input, uint64_t size)
{
	struct uart_state *s = state;
	(void)size;
	memset(s, 0, sizeof *s);
	s->value = value;
	uart_reset(s->uart.regs);
	if (input)
		s->uart.input = (struct uart_input){ input, strlen(input), 0 };
}

static void uart_handler_read(void *state, const struct dev_env *env,
			      uint64_t offset, uint8_t *data, unsigned size,
			      size_t count)
{
	struct uart_state *s = state;
	(void)env;
	memset(data, 0, (size_t)size * count);
	for (size_t i = 0; i < count; i++)
		data[i * size] = uart_read(s->uart.regs, (unsigned)offset,
					   &s->uart.input);
}

/* What the guest transmits goes to the console; the other registers
 * keep what is written to them. */
static enum dev_action uart_handler_write(void *state,
					  const struct dev_env *env,
					  uint64_t offset, const uint8_t *data,
					  unsigned size, size_t count)
{
	struct uart_state *s = state;
	for (size_t i = 0; i < count; i++) {
		uint8_t byte = data[i * size];
		if (uart_write(s->uart.regs, (unsigned)offset, byte))
			env->console(env->ctx, (const char *)&byte, 1);
	}
	return DEV_CONTINUE;
}

const struct device dev_uart8250 = {
	.name = "uart8250",
	.state_size = sizeof(struct uart_state),
	.about = "uart8250: a 16550-like serial port; what the guest transmits "
		 "goes to the console, its status always says ready",
	.size = 8, /* an 8250 has eight registers */
	.input = true,
	.reset = uart_handler_reset, .read = uart_handler_read,
	.write = uart_handler_write,
};
