/* Output files (see output.h). */
#include "kvmrun-config.h"

#include "output.h"

#include <errno.h>

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
