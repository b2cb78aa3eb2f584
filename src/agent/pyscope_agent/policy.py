# Which code is the user's: where stepping and exception filters may stop, and which frames the
# adapter shows (Just-My-Code), from the library roots the adapter sends.
#
# Code without a real file (`<string>`, `<frozen ...>`, `<...>`) is library code unless the user's
# own exec/eval made it: namedtuple's generated methods and the user's exec'd string share the
# name `<string>`, so this is decided per code object. When module-level code compiled from a
# string starts, the frame that called exec/eval on it is its caller; if that is the user's code,
# the code object and every one nested in it are the user's (note_exec, called by the engines).
from .runtime import os, types, weakref, PACKAGE_DIR

_BY_CODE = 2  # cache value: no real file, the code object decides


class CodePolicy(object):
    """Mixed into Agent; its state (caches, roots, exec_made, entry_file) lives there."""

    def canon(self, filename):
        c = self.canon_cache.get(filename)
        if c is None:
            if filename.startswith('<'):
                c = filename
            else:
                c = os.path.normcase(os.path.realpath(filename))
            self.canon_cache[filename] = c
        return c

    def is_agent_file(self, filename):
        c = self.canon(filename)
        return c in self.agent_files or c.startswith(PACKAGE_DIR + os.sep)

    def _never_user(self, filename):
        return self.is_agent_file(filename) or filename.startswith('<frozen') or self.canon(filename).endswith(os.sep + 'runpy.py')

    def code_is_library(self, code):
        """Library code by the adapter's roots, whatever justMyCode says (frames show it dimmed)."""
        fn = code.co_filename
        u = self.library_cache.get(fn)
        if u is None:
            if self._never_user(fn):
                u = True
            elif fn.startswith('<'):
                u = _BY_CODE
            else:
                c = self.canon(fn)
                u = any(c.startswith(r) for r in self.library_roots)
            self.library_cache[fn] = u
        if u is _BY_CODE:
            return code not in self.exec_made
        return u

    def code_is_user(self, code):
        """Where stepping and exception filters may stop."""
        fn = code.co_filename
        u = self.user_cache.get(fn)
        if u is None:
            if self._never_user(fn):
                u = False
            elif not self.just_my_code:
                u = True
            elif fn.startswith('<'):
                u = _BY_CODE
            else:
                u = not self.code_is_library(code)
            self.user_cache[fn] = u
        if u is _BY_CODE:
            return code in self.exec_made
        return u

    def is_entry_code(self, code):
        """The top-level code of the module that `-m` runs: its first line is the entry stop."""
        return self.entry_file is not None and code.co_name == '<module>' and self.canon(code.co_filename) == self.entry_file

    def wants_lines(self, code):
        return self.pause_any or self.code_is_user(code) or self.is_entry_code(code)

    def note_exec(self, frame):
        """Module-level code compiled from a string starts in `frame` (engines call this)."""
        back = frame.f_back
        if back is None or self.code_is_library(back.f_code):
            return
        stack = [frame.f_code]
        while stack:
            c = stack.pop()
            self.exec_made.add(c)
            for k in c.co_consts:
                if isinstance(k, types.CodeType):
                    stack.append(k)

    def forget_policy(self):
        self.user_cache.clear()
        self.library_cache.clear()


def new_exec_made():
    # weak: a program that execs in a loop must not keep every code object alive
    return weakref.WeakSet()


def is_string_module(code):
    """Module-level code compiled from a string (exec, eval, compile), not from a file."""
    return code.co_name == '<module>' and code.co_filename[:1] == '<' and not code.co_filename.startswith('<frozen')
