#ifndef HARDWAY_CSYSTEMSHIMS_H
#define HARDWAY_CSYSTEMSHIMS_H

/// syncfs(2) flushes one file system in a single call; glibc only declares it with _GNU_SOURCE,
/// which Swift's Glibc module does not set.
int hardway_syncfs(int fd);

/// Starts `path` in a session of its own (POSIX_SPAWN_SETSID, also _GNU_SOURCE only), stdin from
/// /dev/null, stdout and stderr appended to `log_path`: a program that outlives hardway and that a
/// Ctrl-C at the terminal does not reach. Returns the process id, or -errno.
int hardway_spawn_session(const char *path, char *const argv[], char *const envp[], const char *log_path);

#endif
