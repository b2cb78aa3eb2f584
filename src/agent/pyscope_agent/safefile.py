# Reading a file whose path a client gave (breakpoints, breakpointLocations): regular files only,
# of a bounded size, opened without blocking. A FIFO would block the agent for ever and /dev/zero
# never ends; both are refused with a message instead of being read.
from .runtime import os, stat
from .errors import Refusal

MAX_SOURCE_BYTES = 16 * 1024 * 1024

_FLAGS = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOCTTY', 0) | getattr(os, 'O_CLOEXEC', 0)


def _kind(mode):
    if stat.S_ISDIR(mode):
        return 'a directory'
    if stat.S_ISFIFO(mode):
        return 'a FIFO'
    if stat.S_ISCHR(mode):
        return 'a character device'
    if stat.S_ISBLK(mode):
        return 'a block device'
    if stat.S_ISSOCK(mode):
        return 'a socket'
    return 'not a regular file'


def check_regular(path, st):
    """Refusal unless st (of path) is a regular file of at most MAX_SOURCE_BYTES."""
    if not stat.S_ISREG(st.st_mode):
        raise Refusal('%s is %s, not a regular file: it is not read' % (path, _kind(st.st_mode)))
    if st.st_size > MAX_SOURCE_BYTES:
        raise Refusal('%s is larger than %d MiB: it is not read' % (path, MAX_SOURCE_BYTES // (1024 * 1024)))


def read_source(path):
    """The bytes of a regular file; Refusal for anything else, OSError if it cannot be opened."""
    # a look before opening, so that a device is not even opened; then the same check on the
    # descriptor actually opened, since the path may have changed in between
    check_regular(path, os.stat(path))
    fd = os.open(path, _FLAGS)
    try:
        check_regular(path, os.fstat(fd))
        chunks = []
        total = 0
        while True:
            b = os.read(fd, min(1 << 20, MAX_SOURCE_BYTES + 1 - total))
            if not b:
                break
            chunks.append(b)
            total += len(b)
            if total > MAX_SOURCE_BYTES:
                raise Refusal('%s grew past %d MiB while read: it is not read' % (path, MAX_SOURCE_BYTES // (1024 * 1024)))
        return b''.join(chunks)
    finally:
        os.close(fd)
