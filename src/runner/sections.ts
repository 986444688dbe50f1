/** gitlab-runner's log decorations: GitLab's job page folds sections and colours these lines. */

export const ANSI = {
  reset: '\x1b[0;m',
  boldGreen: '\x1b[32;1m',
  boldRed: '\x1b[31;1m',
  boldCyan: '\x1b[36;1m',
  yellow: '\x1b[0;33m',
  clear: '\x1b[0K',
} as const;

function now(): number {
  return Math.floor(Date.now() / 1000);
}

export function sectionStart(name: string, header: string, at = now()): string {
  return `section_start:${at}:${name}\r${ANSI.clear}${ANSI.boldCyan}${header}${ANSI.reset}\n`;
}

export function sectionEnd(name: string, at = now()): string {
  return `section_end:${at}:${name}\r${ANSI.clear}\n`;
}

export function notice(text: string): string {
  return `${ANSI.boldGreen}${text}${ANSI.reset}\n`;
}

export function warning(text: string): string {
  return `${ANSI.yellow}WARNING: ${text}${ANSI.reset}\n`;
}

export function errorLine(text: string): string {
  return `${ANSI.boldRed}ERROR: ${text}${ANSI.reset}\n`;
}

export function plain(text: string): string {
  return `${text}\n`;
}
