# The exceptions the agent's parts raise to one another.


class Refusal(Exception):
    """A request the agent declines; its message goes to the user as is."""


class BadArgument(Refusal):
    """A request argument that is missing or of the wrong type; the message names it."""


class Timeout(Exception):
    """A repr or an evaluation overran its time limit (raised in the caller, or inline on Pyodide)."""


class EvalTimeout(BaseException):
    """Raised inside a condition or log-point expression that overran its time limit.

    A BaseException, so that the program's own `except Exception` does not swallow it."""
