/*
 * An 8250/16550-like UART as guests drive it: a transmit register whose
 * bytes go to the console, a line status that always says "ready to
 * send", the divisor latch (DLAB) so that divisor bytes never reach the
 * console, and the other registers kept as written; what it receives
 * comes from a string given in the config. No interrupts. (regs) is the
 * device's state, eight bytes.
 */
#ifndef KVMRUN_DEV_UART_H
#define KVMRUN_DEV_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the guest receives, byte by byte. */
struct uart_input {
	const char *data;
	size_t len, pos;
};

void uart_reset(uint8_t regs[8]);

/* The byte read at register (offset); reading the receive buffer takes
 * the next byte of (in). */
uint8_t uart_read(uint8_t regs[8], unsigned offset, struct uart_input *in);

/* Write (byte) at register (offset); true if it is a byte transmitted. */
bool uart_write(uint8_t regs[8], unsigned offset, uint8_t byte);

#endif
