#ifndef HARDWAY_CSYSTEMSHIMS_H
#define HARDWAY_CSYSTEMSHIMS_H

/// syncfs(2) flushes one file system in a single call; glibc only declares it with _GNU_SOURCE,
/// which Swift's Glibc module does not set.
int hardway_syncfs(int fd);

#endif
