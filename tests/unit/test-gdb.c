/* Unit tests of the gdb stub's pure parts: the remote protocol's framing
 * over a socket pair, the register tables and target descriptions, and
 * [HOST:]PORT addresses. */
#include "kvmrun-config.h"

#include <sys/socket.h>

#include "gdb_regs.h"
#include "hostport.h"
#include "gdb_rsp.h"
#include "unit.h"

static void put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		abort();
}

/* "$body#checksum", over the bytes as sent. */
static const char *packet(const char *body)
{
	static char buf[256];
	unsigned sum = 0;

	for (const char *p = body; *p; p++)
		sum += (unsigned char)*p;
	snprintf(buf, sizeof buf, "$%s#%02x", body, sum & 0xff);
	return buf;
}

/* What the other end received, NUL-terminated. */
static const char *got(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_framing(void)
{
	int sv[2];
	struct rsp r;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	rsp_init(&r, sv[0]);

	/* A good packet is acknowledged; acks and noise before it skipped. */
	put(sv[1], "+x");
	put(sv[1], packet("m100,4"));
	CHECK(rsp_read(&r) == 1);
	CHECK(strcmp(r.in, "m100,4") == 0);
	CHECK(strcmp(got(sv[1]), "+") == 0);

	/* A bad checksum is refused, and the resent packet taken. */
	put(sv[1], "$g#00$g#67");
	CHECK(rsp_read(&r) == 1);
	CHECK(strcmp(r.in, "g") == 0);
	CHECK(strcmp(got(sv[1]), "-+") == 0);

	/* Escaped bytes: }\x03 is '#'. */
	put(sv[1], packet("X0,1:}\x03"));
	CHECK(rsp_read(&r) == 1);
	CHECK_U64(r.in_len, 6);
	CHECK(r.in[5] == '#');
	got(sv[1]);

	/* Ctrl-C between packets. */
	put(sv[1], "\x03");
	CHECK(rsp_read(&r) == 0);
	CHECK(r.interrupted);

	/* Replies: checksummed, escaped, resent on '-'. */
	put(sv[1], "-+");
	CHECK(rsp_send_str(&r, "OK") == 0);
	CHECK(strcmp(got(sv[1]), "$OK#9a$OK#9a") == 0);
	put(sv[1], "+");
	CHECK(rsp_send(&r, "a#b", 3) == 0);
	CHECK(strcmp(got(sv[1]), packet("a}\x03" "b")) == 0);

	/* No acks after QStartNoAckMode. */
	r.no_ack = true;
	put(sv[1], packet("?"));
	CHECK(rsp_read(&r) == 1);
	CHECK(strcmp(got(sv[1]), "") == 0);

	/* A packet longer than we take reads as empty (an unknown command). */
	char *big = malloc(RSP_MAX + 64);
	unsigned sum = 0;
	big[0] = '$';
	for (int i = 1; i <= RSP_MAX + 10; i++) {
		big[i] = 'a';
		sum += 'a';
	}
	snprintf(big + RSP_MAX + 11, 8, "#%02x", sum & 0xff);
	if (fork() == 0) { /* more than the socket buffer may hold */
		put(sv[1], big);
		_exit(0);
	}
	CHECK(rsp_read(&r) == 1);
	CHECK_U64(r.in_len, 0);
	free(big);

	/* A closed connection ends the reading. */
	close(sv[1]);
	CHECK(rsp_read(&r) == -1);
	close(sv[0]);

	char hex[9];
	uint8_t back[4];
	rsp_hex(hex, "\x01\xab\x00\xff", 4);
	CHECK(strcmp(hex, "01ab00ff") == 0);
	CHECK(rsp_unhex(back, hex, 4) && memcmp(back, "\x01\xab\x00\xff", 4) == 0);
	CHECK(!rsp_unhex(back, "0g", 1));
}

static void test_registers(void)
{
	struct gdb_cpu cpu;
	char hex[2048], one[40];

	memset(&cpu, 0, sizeof cpu);
	cpu.regs.rax = 0x1122334455667788ULL;
	cpu.regs.rip = 0xffffffff80000038ULL;
	cpu.sregs.cs.selector = 8;
	cpu.sregs.efer = 0x500;
	cpu.sregs.cr0 = 0x80000011;

	CHECK(gdb_arch_of(&cpu.sregs) == GDB_AMD64);
	/* amd64: 16 + rip + eflags + 6 segments + 16 x87 + 17 SSE + 2
	 * bases + 5 system registers. */
	CHECK_U64(gdb_reg_count(GDB_AMD64), 64);
	CHECK(gdb_reg_get(GDB_AMD64, &cpu, 0, one) && strcmp(one, "8877665544332211") == 0);
	CHECK(gdb_reg_get(GDB_AMD64, &cpu, 16, one) && strcmp(one, "38000080ffffffff") == 0);
	CHECK(gdb_reg_get(GDB_AMD64, &cpu, 18, one) && strcmp(one, "08000000") == 0);
	CHECK(!gdb_reg_get(GDB_AMD64, &cpu, 64, one));
	gdb_regs_get(GDB_AMD64, &cpu, hex);
	CHECK_U64(strlen(hex) + 1, gdb_regs_hex_size(GDB_AMD64));
	/* Only general registers, rip and eflags can be written. */
	CHECK(gdb_reg_set(GDB_AMD64, &cpu, 1, "0100000000000000"));
	CHECK_U64(cpu.regs.rbx, 1);
	CHECK(!gdb_reg_set(GDB_AMD64, &cpu, 18, "00000000"));
	CHECK(!gdb_reg_set(GDB_AMD64, &cpu, 1, "01"));
	hex[0] = '0';
	hex[1] = '9';
	CHECK(gdb_regs_set(GDB_AMD64, &cpu, hex));
	CHECK_U64(cpu.regs.rax, 0x1122334455667709ULL);
	CHECK(!gdb_regs_set(GDB_AMD64, &cpu, "00"));

	/* i386: eax is the low half of rax; writing it keeps the rest. */
	cpu.sregs.efer = 0;
	CHECK(gdb_arch_of(&cpu.sregs) == GDB_I386);
	CHECK(gdb_reg_set(GDB_I386, &cpu, 0, "efbeadde"));
	CHECK_U64(cpu.regs.rax, 0x11223344deadbeefULL);
	CHECK(gdb_reg_get(GDB_I386, &cpu, 8, one) && strcmp(one, "38000080") == 0);
	cpu.sregs.cr0 = 0;
	CHECK(gdb_arch_of(&cpu.sregs) == GDB_I8086);

	/* Descriptions: the architecture, no feature without registers. */
	CHECK(strstr(gdb_target_xml(GDB_AMD64), "<architecture>i386:x86-64</architecture>"));
	CHECK(strstr(gdb_target_xml(GDB_AMD64), "name=\"fs_base\""));
	CHECK(strstr(gdb_target_xml(GDB_I8086), "<architecture>i8086</architecture>"));
	CHECK(!strstr(gdb_target_xml(GDB_I386), "segments"));
	CHECK(strstr(gdb_target_xml(GDB_I386), "<reg name=\"cr3\" bitsize=\"32\" type=\"uint32\"/>"));
	CHECK(strstr(gdb_target_xml(GDB_AMD64), "</target>"));
}

static void test_addresses(void)
{
	char host[64], port[8];
	const char *why;

	CHECK(hostport_parse("1234", host, sizeof host, port, sizeof port, &why));
	CHECK(strcmp(host, "127.0.0.1") == 0 && strcmp(port, "1234") == 0);
	CHECK(hostport_parse("0.0.0.0:0", host, sizeof host, port, sizeof port, &why));
	CHECK(strcmp(host, "0.0.0.0") == 0 && strcmp(port, "0") == 0);
	CHECK(hostport_parse("[::1]:99", host, sizeof host, port, sizeof port, &why));
	CHECK(strcmp(host, "::1") == 0);
	CHECK(hostport_parse("localhost:65535", host, sizeof host, port, sizeof port, &why));
	CHECK(!hostport_parse("65536", host, sizeof host, port, sizeof port, &why));
	CHECK(!hostport_parse("host:", host, sizeof host, port, sizeof port, &why));
	CHECK(!hostport_parse(":12", host, sizeof host, port, sizeof port, &why));
	CHECK(!hostport_parse("a:b", host, sizeof host, port, sizeof port, &why));
	CHECK(!hostport_parse("[::1:5", host, sizeof host, port, sizeof port, &why));
	CHECK(!hostport_parse("", host, sizeof host, port, sizeof port, &why));
}

int main(void)
{
	test_framing();
	test_registers();
	test_addresses();
	UNIT_DONE();
}
