// The arguments of every DAP request the adapter answers, checked before any handler sees them:
// a request with a missing or wrongly typed field is refused with a message that names it
// (`setBreakpoints: source.path must be a string`). A check holds the fields the adapter uses and
// those the protocol requires; others are allowed and ignored. Where the adapter needs more than
// the protocol promises (setBreakpoints needs source.path), the check asks for it. Launch
// arguments depend on the runtime: each session brings its own check. Browser-safe.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { array, boolean, integer, literal, object, optional, string, type Check, type Checked } from '../common/shape.js';

const threadOnly = object({ threadId: integer() });
/** Lines count from 1: the adapter works with linesStartAt1 only, as the clients it serves send them. */
const line = integer(1);
const sourceWithPath = object({ path: string(), name: optional(string()) });

export const dapArguments = {
  initialize: object({ adapterID: string(), supportsStartDebuggingRequest: optional(boolean) }),
  configurationDone: object({}),
  setBreakpoints: object({
    source: sourceWithPath,
    breakpoints: optional(
      array(
        object({
          line,
          condition: optional(string()),
          hitCondition: optional(string()),
          logMessage: optional(string()),
        }),
      ),
    ),
    lines: optional(array(line)),
  }),
  breakpointLocations: object({ source: sourceWithPath, line, endLine: optional(line) }),
  setFunctionBreakpoints: object({
    breakpoints: array(object({ name: string(), condition: optional(string()), hitCondition: optional(string()) })),
  }),
  setExceptionBreakpoints: object({
    filters: array(string()),
    filterOptions: optional(array(object({ filterId: string() }))),
  }),
  exceptionInfo: threadOnly,
  threads: object({}),
  continue: threadOnly,
  next: threadOnly,
  stepIn: threadOnly,
  stepOut: threadOnly,
  pause: threadOnly,
  stackTrace: object({ threadId: integer(), startFrame: optional(integer(0)), levels: optional(integer(0)) }),
  scopes: object({ frameId: integer() }),
  variables: object({
    variablesReference: integer(),
    filter: optional(literal('indexed', 'named')),
    start: optional(integer(0)),
    count: optional(integer(0)),
  }),
  evaluate: object({ expression: string(), frameId: optional(integer()), context: optional(string()) }),
  setVariable: object({ variablesReference: integer(), name: string(), value: string() }),
  setExpression: object({ expression: string(), value: string(), frameId: optional(integer()) }),
  completions: object({ text: string(), column: integer(), frameId: optional(integer()) }),
  source: object({ sourceReference: integer(), source: optional(object({ sourceReference: optional(integer()) })) }),
  disconnect: object({ terminateDebuggee: optional(boolean) }),
  terminate: object({}),
};

export type DapCommand = keyof typeof dapArguments;
export type DapArguments<K extends DapCommand> = Checked<(typeof dapArguments)[K]>;

// What each check accepts fits the protocol's own type of those arguments: the compiler holds
// the checks to @vscode/debugprotocol, so a check cannot drift from the protocol unseen.
const fitsProtocol: {
  initialize: Check<DebugProtocol.InitializeRequestArguments>;
  configurationDone: Check<DebugProtocol.ConfigurationDoneArguments>;
  setBreakpoints: Check<DebugProtocol.SetBreakpointsArguments>;
  breakpointLocations: Check<DebugProtocol.BreakpointLocationsArguments>;
  setFunctionBreakpoints: Check<DebugProtocol.SetFunctionBreakpointsArguments>;
  setExceptionBreakpoints: Check<DebugProtocol.SetExceptionBreakpointsArguments>;
  exceptionInfo: Check<DebugProtocol.ExceptionInfoArguments>;
  threads: Check<Record<string, never>>;
  continue: Check<DebugProtocol.ContinueArguments>;
  next: Check<DebugProtocol.NextArguments>;
  stepIn: Check<DebugProtocol.StepInArguments>;
  stepOut: Check<DebugProtocol.StepOutArguments>;
  pause: Check<DebugProtocol.PauseArguments>;
  stackTrace: Check<DebugProtocol.StackTraceArguments>;
  scopes: Check<DebugProtocol.ScopesArguments>;
  variables: Check<DebugProtocol.VariablesArguments>;
  evaluate: Check<DebugProtocol.EvaluateArguments>;
  setVariable: Check<DebugProtocol.SetVariableArguments>;
  setExpression: Check<DebugProtocol.SetExpressionArguments>;
  completions: Check<DebugProtocol.CompletionsArguments>;
  source: Check<DebugProtocol.SourceArguments>;
  disconnect: Check<DebugProtocol.DisconnectArguments>;
  terminate: Check<DebugProtocol.TerminateArguments>;
} = dapArguments;
void fitsProtocol;
