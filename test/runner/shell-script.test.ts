import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { buildScript, shellEscape } from '../../src/runner/shell-script.js';

function bash(script: string): { stdout: string; status: number | null } {
  const result = spawnSync('bash', ['--noprofile', '--norc', '-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { stdout: result.stdout, status: result.status };
}

describe('runner: shell scripts', () => {
  it('escapes any string so bash gives it back byte for byte', () => {
    for (const value of ['plain', '', "it's", 'a "b" $HOME `x` \\ \n\t\r end', '\x1b[32;1m$ echo\x1b[0;m', 'ünïcödé ✓', '\x01\x7f9']) {
      assert.equal(bash(`printf '%s' ${shellEscape(value)}`).stdout, value, JSON.stringify(value));
    }
  });

  it('echoes each command in green before running it, stopping at the first failure', () => {
    const script = buildScript(['echo one', '', 'echo "two" | tr a-z A-Z', 'true | cat', 'echo three; exit 4', 'echo never']);
    const { stdout, status } = bash(script);
    assert.equal(status, 4);
    assert.equal(
      stdout,
      '\x1b[32;1m$ echo one\x1b[0;m\none\n\n\x1b[32;1m$ echo "two" | tr a-z A-Z\x1b[0;m\nTWO\n\x1b[32;1m$ true | cat\x1b[0;m\n\x1b[32;1m$ echo three; exit 4\x1b[0;m\nthree\n',
    );
  });

  it('uses pipefail and shows the first line of a multi-line command', () => {
    const { stdout, status } = bash(buildScript(['if true; then\n  echo inside\nfi', 'false | cat', 'echo never']));
    assert.equal(status, 1);
    assert.match(stdout, /\$ if true; then # collapsed multi-line command/);
    assert.match(stdout, /inside/);
    assert.ok(!stdout.includes('never'));
  });
});
