/* libFuzzer: image bytes -> ELF or raw loader -> placed segments, in
 * long or protected mode (the first byte chooses). */
#include "kvmrun-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan_text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char image_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(image_path, sizeof image_path, "/tmp/kvmrun-fuzz-%d.img",
		 (int)getpid());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const modes[] = { "long", "protected", "real", "paged32" };
	char text[512];

	if (size < 1)
		return 0;
	FILE *f = fopen(image_path, "wb");
	if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f))
		abort();
	snprintf(text, sizeof text,
		 "memory: [ { base: 0, size: 4M }, { base: 0xfff00000, size: 1M, readonly: true } ]\n"
		 "cpu: { mode: %s }\n"
		 "load: [ { %s: %s%s } ]\n",
		 modes[data[0] & 3], data[0] & 4 ? "raw" : "elf", image_path,
		 data[0] & 4 ? (data[0] & 8 ? ", at: 0xfff00000" : ", at: 0x7c00") : "");
	plan_text("fuzz.yaml", text, strlen(text));
	return 0;
}
