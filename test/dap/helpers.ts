// Shared pieces of the DAP scenarios: fixture paths, transcript formatting and golden files.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { REPO_ROOT } from '../support/pythons.js';
import { IN_CI } from '../support/requirements.js';
import type { DapClient } from './client.js';

export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'dap');
export const fixture = (name: string): string => join(FIXTURES, name);

/** The agent's package folder, which a fixture that drives the agent directly puts on sys.path. */
export const AGENT_DIR = join(REPO_ROOT, 'src', 'agent');

/** Runs a fixture that drives the real agent in-process (`python FIXTURE AGENT_DIR ...args`) and
 * returns what it prints last: one JSON line. */
export async function agentFixture<T>(python: string, name: string, args: string[] = []): Promise<T> {
  const { stdout } = await promisify(execFile)(python, ['-W', 'ignore', fixture(name), AGENT_DIR, ...args], { encoding: 'utf8', timeout: 300_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as T;
}

/** Paths and ids change from run to run; transcripts keep only what a user sees. */
export function scrub(text: string): string {
  return text.split(REPO_ROOT).join('<repo>').replace(/ at 0x[0-9a-f]+/g, ' at 0x?');
}

/**
 * Compares with test/golden/dap/NAME.txt. A missing golden fails: a golden is written only off CI
 * and only when asked (RESET_GOLDEN=1), so that a renamed or lost file can never pass silently.
 */
export function golden(name: string, actual: string): void {
  const file = join(REPO_ROOT, 'test', 'golden', 'dap', `${name}.txt`);
  const text = scrub(actual);
  if (process.env.RESET_GOLDEN === '1') {
    if (IN_CI) assert.fail(`golden ${name}: RESET_GOLDEN=1 is refused in CI (CI=true); goldens are written on a developer's machine and committed`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) assert.fail(`golden ${name}: ${file.slice(REPO_ROOT.length + 1)} does not exist (RESET_GOLDEN=1 writes it off CI; then review and commit it)\nactual:\n${text}`);
  assert.equal(text, readFileSync(file, 'utf8'), `golden ${name} differs (RESET_GOLDEN=1 rewrites it)`);
}

export async function stackText(c: DapClient, threadId: number): Promise<string> {
  const st = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId });
  return st.stackFrames
    .map((f) => `${f.name} ${f.source?.path ?? `<ref ${f.source?.name}>`}:${f.line}${f.presentationHint ? ` (${f.presentationHint})` : ''}`)
    .join('\n');
}

/** Variables of a reference, expanded to `depth` levels, one per line. */
export async function variablesText(c: DapClient, ref: number, depth = 1, indent = ''): Promise<string> {
  const v = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ref });
  const lines: string[] = [];
  for (const x of v.variables) {
    const extra = x.indexedVariables !== undefined ? ` [${x.indexedVariables} indexed]` : '';
    const value = x.value.length > 60 ? `${x.value.slice(0, 60)}...` : x.value;
    lines.push(`${indent}${x.name}: ${x.type} = ${value}${extra}`);
    if (depth > 1 && x.variablesReference && x.indexedVariables === undefined) {
      const sub = await variablesText(c, x.variablesReference, depth - 1, `${indent}  `);
      if (sub) lines.push(sub);
    }
  }
  return lines.join('\n');
}

export async function topFrame(c: DapClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId, startFrame: 0, levels: 1 });
  const f = st.stackFrames[0];
  assert.ok(f, 'a stopped thread has a frame');
  return f;
}

export async function localsRef(c: DapClient, frameId: number): Promise<number> {
  const s = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId });
  return s.scopes[0]!.variablesReference;
}

export type Stopped = DebugProtocol.StoppedEvent;

/**
 * Sends a request that lets the program run and returns the stop it leads to (undefined: the
 * session ended first), checking that the response came before that stop, as DAP wants.
 */
export async function resume(c: DapClient, command: string, args?: unknown): Promise<Stopped | undefined> {
  const r = await c.raw(command, args);
  assert.equal(r.success, true, `${command} failed: ${r.message}`);
  const s = await c.nextStop();
  const next = s ?? c.events.find((e) => e.event === 'terminated');
  if (next) assert.ok(next.seq > r.seq, `the ${next.event} event (seq ${next.seq}) came before the response to ${command} (seq ${r.seq})`);
  return s;
}

/** Takes the steps from the first stop and writes one line per stop: where, and the return values its frame shows. */
export async function stepTrail(c: DapClient, steps: readonly string[]): Promise<string> {
  let s = await c.waitFor<Stopped>('stopped');
  const trail: string[] = [];
  const where = async (prefix: string): Promise<void> => {
    const f = await topFrame(c, s.body.threadId!);
    const v = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: await localsRef(c, f.id) });
    const returned = v.variables.filter((x) => x.name.startsWith('(return) ')).map((x) => `  ${x.name} = ${x.value}`);
    trail.push(`${prefix}${s.body.reason} ${f.name}:${f.line}`, ...returned);
  };
  await where('');
  for (const step of steps) {
    const next = await resume(c, step, { threadId: s.body.threadId });
    assert.ok(next, `the program ended instead of stopping after ${step}; trail so far:\n${trail.join('\n')}`);
    s = next;
    await where(`${step} -> `);
  }
  return trail.join('\n');
}
