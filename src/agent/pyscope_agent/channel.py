# Line-delimited JSON over two inherited file descriptors (the program's stdio stays its own).
from .runtime import os, json, allocate_lock


class Channel(object):
    """Writes are serialised by a lock of the agent's own: no thread of the program ever holds it
    while stopped (a stopped thread has finished sending its event)."""

    def __init__(self, fd_in, fd_out):
        self._in = os.fdopen(fd_in, 'rb', 0)
        self._out = os.fdopen(fd_out, 'wb', 0)
        self._lock = allocate_lock()
        self.closed = False

    def send(self, msg):
        data = (json.dumps(msg, default=str) + '\n').encode('utf-8')
        with self._lock:
            if self.closed:
                return
            try:
                self._out.write(data)
            except OSError:
                self.closed = True

    def event(self, name, body=None):
        self.send({'event': name, 'body': body or {}})

    def close(self):
        with self._lock:
            self.closed = True
        for f in (self._in, self._out):
            try:
                f.close()
            except OSError:
                pass

    def read_lines(self):
        buf = b''
        while True:
            try:
                chunk = self._in.read(65536)
            except OSError:
                chunk = b''
            if not chunk:
                return
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                if line.strip():
                    yield line
