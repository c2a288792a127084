/* Output files (see output.h). */
#include "kvmrun-config.h"

#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int output_close(FILE *f)
{
	int lost = 0;

	/* A write that failed earlier left its errno (EPIPE...) unless a
	 * call since changed it: it is the best account of the loss. */
	if (fflush(f) != 0 || ferror(f))
		lost = errno ? errno : EIO;
	if (fclose(f) != 0 && !lost)
		lost = errno;
	return lost;
}

FILE *output_tmpfile(void)
{
	const char *dir = getenv("TEST_TMPDIR");
	char *path;
	FILE *f;

	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		return tmpfile();
	if (asprintf(&path, "%s/kvmrun.XXXXXX", dir) < 0)
		return NULL;
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	if (fd < 0 || !(f = fdopen(fd, "w+"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	return f;
}
