import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * What the server tells the hooks for one push, as environment variables (git gives a hook no other
 * way to ask). Pattern lists hold branch names or `*` wildcards, one per line; branch names cannot
 * contain a newline.
 */
export const HOOK_ENV = {
  /** Every protected branch pattern of the project. */
  protectedBranches: 'CONVEYOR_PROTECTED_BRANCHES',
  /** The protected patterns this pusher may push to. */
  pushAllowed: 'CONVEYOR_PUSH_ALLOWED',
  /** The protected patterns that allow force pushes. */
  forcePushAllowed: 'CONVEYOR_FORCE_PUSH_ALLOWED',
  /** The project's default branch, which no push may delete. */
  defaultBranch: 'CONVEYOR_DEFAULT_BRANCH',
  /** The file post-receive appends the accepted updates and push options to. */
  pushReport: 'CONVEYOR_PUSH_REPORT',
} as const;

// Runs without the server's variables (a push from elsewhere) change nothing: whoever can run
// receive-pack on these folders can write their refs directly anyway.
const PRE_RECEIVE = `#!/bin/sh
# Installed by Conveyor and rewritten when it changes: local edits are lost.
# Refuses ref updates the pusher may not make, with GitLab's words; the server decided who may
# change which protected branch and passed the patterns in the environment.
if [ -z "$${HOOK_ENV.protectedBranches}$${HOOK_ENV.defaultBranch}" ]; then cat >/dev/null; exit 0; fi
set -f
nl='
'
saved_ifs=$IFS
matches() {
  IFS=$nl
  for pattern in $2; do
    case "$1" in "refs/heads/"$pattern) IFS=$saved_ifs; return 0 ;; esac
  done
  IFS=$saved_ifs
  return 1
}
is_null() { case $1 in *[!0]*) return 1 ;; *) return 0 ;; esac; }
refuse() { printf 'GitLab: %s\\n' "$1" >&2; cat >/dev/null; exit 1; }
while read -r old new ref; do
  case $ref in refs/heads/*) ;; *) continue ;; esac
  if is_null "$new" && [ "\${ref#refs/heads/}" = "$${HOOK_ENV.defaultBranch}" ]; then
    refuse 'The default branch of a project cannot be deleted.'
  fi
  matches "$ref" "$${HOOK_ENV.protectedBranches}" || continue
  if is_null "$new"; then
    matches "$ref" "$${HOOK_ENV.pushAllowed}" && refuse 'You can only delete protected branches using the web interface.'
    refuse 'You are not allowed to delete protected branches from this project. Only a project maintainer or owner can delete a protected branch.'
  fi
  if ! is_null "$old" && ! git merge-base --is-ancestor "$old" "$new" 2>/dev/null && ! matches "$ref" "$${HOOK_ENV.forcePushAllowed}"; then
    refuse 'You are not allowed to force push code to a protected branch on this project.'
  fi
  if ! matches "$ref" "$${HOOK_ENV.pushAllowed}"; then
    is_null "$old" && refuse 'You are not allowed to create protected branches on this project.'
    refuse 'You are not allowed to push code to protected branches on this project.'
  fi
done
exit 0
`;

// git refuses push options containing a newline, so one record per line cannot be forged.
const POST_RECEIVE = `#!/bin/sh
# Installed by Conveyor and rewritten when it changes: local edits are lost.
# Reports the accepted ref updates and the push options to the server, which reads the file when
# receive-pack ends.
if [ -z "$${HOOK_ENV.pushReport}" ]; then cat >/dev/null; exit 0; fi
{
  i=0
  while [ "$i" -lt "\${GIT_PUSH_OPTION_COUNT:-0}" ]; do
    eval "printf 'option %s\\n' \\"\\$GIT_PUSH_OPTION_$i\\""
    i=$((i + 1))
  done
  while read -r old new ref; do printf 'update %s %s %s\\n' "$old" "$new" "$ref"; done
} >>"$${HOOK_ENV.pushReport}"
`;

export const HOOKS: Readonly<Record<string, string>> = { 'pre-receive': PRE_RECEIVE, 'post-receive': POST_RECEIVE };

/**
 * Writes the hooks unless they are already current. A rename replaces a hook atomically, so a push
 * running at that moment never executes a half-written file (or fails with ETXTBSY).
 */
export async function installHooks(repositoryPath: string): Promise<void> {
  const dir = path.join(repositoryPath, 'hooks');
  await fs.mkdir(dir, { recursive: true });
  for (const [name, script] of Object.entries(HOOKS)) {
    const file = path.join(dir, name);
    const current = await fs.readFile(file, 'utf8').catch(() => null);
    if (current === script) continue;
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temporary, script, { mode: 0o755 });
    await fs.rename(temporary, file);
  }
}
