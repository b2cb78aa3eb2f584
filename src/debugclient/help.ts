// The help text of each command, in pdb's words where pdb has the command. Data only.

export const HELP_TOPICS: Record<string, string> = {
  help: 'h(elp) [command]: list the commands, or show the help of one',
  where: 'w(here) | bt: print the stack, most recent frame last; ">" marks the current frame',
  up: 'u(p) [count]: move the current frame count (default 1) levels up (to older frames)',
  down: 'd(own) [count]: move the current frame count (default 1) levels down (to newer frames)',
  break: 'b(reak) [([filename:]lineno | function) [, condition]]: set a breakpoint; without argument, list them',
  tbreak: 'tbreak [([filename:]lineno | function) [, condition]]: a breakpoint removed when first hit',
  clear: 'cl(ear) [bpnumber ...] | filename:lineno: delete breakpoints (all of them after a confirmation when none is given)',
  enable: 'enable bpnumber ...: enable breakpoints',
  disable: 'disable bpnumber ...: disable breakpoints (they stay listed)',
  ignore: 'ignore bpnumber [count]: ignore the next count hits of a breakpoint',
  condition: 'condition bpnumber [condition]: set the condition of a breakpoint; without one, remove it',
  step: 's(tep): run the current line, stopping in the first function it calls (your code only, see jmc)',
  next: 'n(ext): run until the next line of the current function',
  return: 'r(eturn): run until the current function returns; stop in the caller on the line of the call, showing the value returned',
  continue: 'c(ont(inue)): run until a breakpoint or an exception stops the program',
  list: 'l(ist) [first[, last] | .]: list source: around the current line, continuing, or a range',
  longlist: 'll | longlist: list all the source of the current function',
  p: 'p expression: print the value of the expression',
  pp: 'pp expression: pretty-print the value of the expression',
  display: 'display [expression]: show the expression when its value changes at each stop; without one, list them',
  undisplay: 'undisplay [expression]: stop showing the expression (all of them without one)',
  exec: '! statement: run a Python statement in the current frame; a line that is no command is run too',
  interact: 'interact: a Python console in the current frame (end it with Ctrl-D)',
  quit: 'q(uit) | exit: end the program and the debugger',
  threads: 'threads: list the threads; "*" marks the current one',
  thread: 'thread N: make thread N the current one',
  catch: 'catch [raised] [uncaught] [userUnhandled] | off: where exceptions stop the program; without argument, show',
  jmc: 'jmc on|off: just my code: hide and step over library and runtime frames (on by default)',
};

export function helpText(topic?: string): string {
  if (topic !== undefined) {
    const text = HELP_TOPICS[topic] ?? HELP_TOPICS[aliasOf(topic)];
    return text ?? `*** no help on "${topic}"`;
  }
  const names = ['b', 'tbreak', 'cl', 'disable', 'enable', 'condition', 'ignore', 'c', 'n', 's', 'r', 'u', 'd', 'w', 'l', 'll', 'p', 'pp', 'display', 'undisplay', '!', 'interact', 'catch', 'threads', 'thread', 'jmc', 'h', 'q'];
  return `Documented commands (type help <topic>):\n${names.join('  ')}\nA line that is not a command runs as Python in the current frame. Enter repeats the last command.`;
}

const SHORT: Record<string, string> = {
  h: 'help', w: 'where', bt: 'where', u: 'up', d: 'down', b: 'break', cl: 'clear', s: 'step', n: 'next',
  r: 'return', c: 'continue', cont: 'continue', l: 'list', ll: 'longlist', q: 'quit', exit: 'quit', '!': 'exec',
};

function aliasOf(name: string): string {
  return SHORT[name] ?? name;
}
