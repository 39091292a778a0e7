/*
 * libFuzzer target: the configuration loader (config.c's table-driven validation on top of
 * libconfig's parser) on arbitrary file contents. A config file is written by people on the
 * post's Raspberry Pi; whatever it holds, loading must end in a config or in FILE:LINE errors,
 * never a crash, a leak or undefined behaviour. Each input is written to a memfd and loaded
 * through its /proc path, as tiplined -n would load it. Run with -close_fd_mask=2 (the
 * loader's error lines go to stderr).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct config *c;

	if (fd < 0 && (fd = memfd_create("tipline-fuzz.conf", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	c = config_load(path);
	config_free(c); /* NULL after errors */
	return 0;
}
