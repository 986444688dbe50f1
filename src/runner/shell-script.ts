import { ANSI } from './sections.js';

/** Bash ANSI-C quoting (`$'…'`), which keeps any byte intact, like gitlab-runner's ShellEscape. */
export function shellEscape(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  let out = "$'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/** The line gitlab-runner prints before running a command (only the first line of a multi-line one). */
export function commandEcho(command: string): string {
  const lines = command.split('\n');
  const shown = lines.length > 1 ? `$ ${lines[0]} # collapsed multi-line command` : `$ ${lines[0]}`;
  return `${ANSI.boldGreen}${shown}${ANSI.reset}`;
}

export interface ScriptOptions {
  /** Lines printed (as notices) before the commands, e.g. "Running after script...". */
  notices?: string[];
  /** CI_DEBUG_TRACE: bash's xtrace. */
  trace?: boolean;
}

/**
 * One bash program for a step: each command is echoed in green and then run, under errexit and
 * pipefail, so the first failing command ends the step with its exit code.
 */
export function buildScript(commands: string[], options: ScriptOptions = {}): string {
  const lines: string[] = [
    // A TERM from a cancel must end the script, not print it (bash 4 dumps the script otherwise).
    'trap exit 1 TERM',
    // One stream keeps stdout and stderr in the order they were written.
    'exec 2>&1',
    'if set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit',
    'set +o noclobber',
  ];
  if (options.trace) lines.push('set -o xtrace');
  for (const text of options.notices ?? []) lines.push(`echo ${shellEscape(`${ANSI.boldGreen}${text}${ANSI.reset}`)}`);
  for (const raw of commands) {
    const command = raw.trim();
    if (command === '') {
      lines.push('echo');
      continue;
    }
    lines.push(`echo ${shellEscape(commandEcho(command))}`);
    lines.push(command);
  }
  lines.push('exit 0');
  return lines.join('\n') + '\n';
}
