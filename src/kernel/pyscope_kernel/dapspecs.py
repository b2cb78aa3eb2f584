# DAP -> agent protocol for what the TypeScript adapter (src/debugger/breakpoints.ts) parses
# before the agent sees it: hit conditions and log messages; and the capabilities the kernel's
# `initialize` answers with. Data and parsing only.
import re

EXCEPTION_FILTERS = [
    {'filter': 'raised', 'label': 'Raised Exceptions', 'default': False, 'description': 'Stop where any exception is raised in your code'},
    {'filter': 'uncaught', 'label': 'Uncaught Exceptions', 'default': True, 'description': 'Stop on exceptions that leave the cell'},
]

CAPABILITIES = {
    'supportsConfigurationDoneRequest': True,
    'supportsConditionalBreakpoints': True,
    'supportsHitConditionalBreakpoints': True,
    'supportsLogPoints': True,
    'supportsFunctionBreakpoints': True,
    'supportsBreakpointLocationsRequest': True,
    'supportsEvaluateForHovers': True,
    'supportsSetVariable': True,
    'supportsSetExpression': True,
    'supportsCompletionsRequest': True,
    'completionTriggerCharacters': ['.', '['],
    'supportsExceptionInfoRequest': True,
    'supportsClipboardContext': True,
    'supportsModulesRequest': True,
    'supportsDelayedStackTraceLoading': True,
    'supportsValueFormattingOptions': False,
    'exceptionBreakpointFilters': EXCEPTION_FILTERS,
}

_HIT = re.compile(r'^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$')


def parse_hit_condition(text):
    m = _HIT.match(text)
    if m is None:
        raise ValueError('invalid hit condition "%s": use N, == N, >= N, > N, < N, <= N or %% N' % text)
    return {'op': m.group(1) or '==', 'n': int(m.group(2))}


def parse_log_message(text):
    """"x is {x}, {{literal}}" -> [['text', 'x is '], ['expr', 'x'], ['text', ', {literal}']]."""
    parts = []
    literal = ''
    i = 0
    while i < len(text):
        c = text[i]
        if c in '{}' and text[i + 1:i + 2] == c:
            literal += c
            i += 2
            continue
        if c == '{':
            depth = 1
            j = i + 1
            while j < len(text) and depth > 0:
                if text[j] == '{':
                    depth += 1
                elif text[j] == '}':
                    depth -= 1
                j += 1
            if depth > 0:
                literal += text[i:]
                break
            if literal:
                parts.append(['text', literal])
            literal = ''
            parts.append(['expr', text[i + 1:j - 1]])
            i = j
            continue
        literal += c
        i += 1
    if literal:
        parts.append(['text', literal])
    return parts
