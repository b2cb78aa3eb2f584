// What the adapter tells the client it can do (the initialize response). Data only.
import type { DebugProtocol } from '@vscode/debugprotocol';

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'raised', label: 'Raised Exceptions', default: false, description: 'Stop where any exception is raised in your code' },
  { filter: 'uncaught', label: 'Uncaught Exceptions', default: true, description: 'Stop on exceptions nothing catches' },
  { filter: 'userUnhandled', label: 'User Uncaught Exceptions', default: false, description: 'Stop when an exception leaves your code into library code' },
];

export function capabilities(): DebugProtocol.Capabilities {
  return {
    supportsConfigurationDoneRequest: true,
    supportsConditionalBreakpoints: true,
    supportsHitConditionalBreakpoints: true,
    supportsLogPoints: true,
    supportsFunctionBreakpoints: true,
    supportsBreakpointLocationsRequest: true,
    supportsEvaluateForHovers: true,
    supportsSetVariable: true,
    supportsSetExpression: true,
    supportsCompletionsRequest: true,
    completionTriggerCharacters: ['.', '['],
    supportsExceptionInfoRequest: true,
    supportsClipboardContext: true,
    supportsRestartRequest: true,
    supportsTerminateRequest: true,
    supportTerminateDebuggee: true,
    supportsDelayedStackTraceLoading: true,
    supportsValueFormattingOptions: false,
    exceptionBreakpointFilters: EXCEPTION_FILTERS,
  };
}
