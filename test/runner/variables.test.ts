import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandValue, VariableSet } from '../../src/runner/variables.js';

const lookup = (vars: Record<string, string>) => (name: string) => (name === '$' ? '$' : vars[name] ?? '');

describe('runner: variables', () => {
  it('expands like Go os.Expand', () => {
    const l = lookup({ A: 'alpha', B_2: 'beta' });
    assert.equal(expandValue('$A ${A} $B_2x ${B_2}x', l), 'alpha alpha  betax');
    assert.equal(expandValue('cost: $$5 and $', l), 'cost: $5 and $');
    assert.equal(expandValue('${}x ${A', l), 'x A'); // Go eats "${}" and the "${" of an unclosed brace
    assert.equal(expandValue('a $ b $-c', l), 'a $ b c');
    assert.equal(expandValue('${1}$1$*', l), '');
  });

  it('expands once against the whole set, last definition winning; raw values stay literal', () => {
    const set = new VariableSet(
      [
        { key: 'A', value: 'first' },
        { key: 'B', value: '$A/$C' },
        { key: 'C', value: 'c-$A' },
        { key: 'A', value: 'second' },
        { key: 'R', value: '$A', raw: true },
        { key: 'F', value: 'content', file: true },
        { key: 'G', value: 'path=$F' },
      ],
      '/builds/p.tmp',
    ).expanded();
    assert.equal(set.get('B'), 'second/c-$A');
    assert.equal(set.get('R'), '$A');
    assert.equal(set.get('F'), '/builds/p.tmp/F');
    assert.equal(set.get('G'), 'path=/builds/p.tmp/F');
    const env = set.environment({ PATH: '/bin', SECRET_OF_THE_SERVER: 'x' });
    assert.equal(env.PATH, '/bin');
    assert.equal(env.SECRET_OF_THE_SERVER, undefined);
    assert.equal(env.A, 'second');
    assert.equal(env.F, '/builds/p.tmp/F');
  });

  it('reads booleans the way gitlab-runner does', () => {
    const set = new VariableSet(
      [
        { key: 'T', value: 'TRUE' },
        { key: 'ONE', value: '1' },
        { key: 'TWO', value: '2' },
        { key: 'NO', value: 'false' },
        { key: 'JUNK', value: 'yes' },
      ],
      '/t',
    );
    assert.equal(set.bool('T', false), true);
    assert.equal(set.bool('ONE', false), true);
    assert.equal(set.bool('TWO', true), false);
    assert.equal(set.bool('NO', true), false);
    assert.equal(set.bool('JUNK', true), false);
    assert.equal(set.bool('UNSET', true), true);
  });
});
