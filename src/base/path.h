/* File names of configs and images. */
#ifndef KVMRUN_PATH_H
#define KVMRUN_PATH_H

/* The folder of (file), "." when it has none. Caller frees. */
char *path_dirname(const char *file);

/*
 * Where the image named (name) in a config from folder (dir) is: (name)
 * itself when absolute, else (dir)/(name); if that does not exist, the
 * first existing (d)/(name) for each folder d of the colon-separated
 * (search) list (KVMRUN_PATH). Caller frees.
 */
char *path_resolve(const char *dir, const char *name, const char *search);

#endif
