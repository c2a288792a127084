/*
 * Real-mode hello world: prints on port 0xE9, stores 42 at 0x400 and
 * halts with 42 in ax. Linked at 0x7c00 like a boot sector; kvmrun starts
 * it at CS:IP 0000:7c00 with DS = CS.
 */
	.code16
	.section .text.start, "ax"
	.globl _start
_start:
	mov	$msg, %si
	mov	$0xe9, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	movw	$42, 0x400
	mov	$42, %ax
3:	hlt
	jmp	3b

	.section .rodata
msg:	.asciz	"Hello, world!\n"
