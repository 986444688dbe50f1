import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MASK, Masker } from '../../src/runner/masker.js';

/** Feeds `text` to a fresh masker cut at the given points and returns everything it let out. */
function maskSplit(text: string, cuts: number[], phrases: string[], prefixes?: string[]): string {
  const masker = new Masker(phrases, prefixes);
  let out = '';
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out += masker.push(text.slice(at, cut));
    at = cut;
  }
  return out + masker.push(text.slice(at)) + masker.end();
}

describe('runner: masker', () => {
  it('masks variable values of 8 or more characters and leaves shorter ones', () => {
    assert.equal(maskSplit('a supersecret b short c', [], ['supersecret', 'short']), `a ${MASK} b short c`);
  });

  it('masks a secret split across every possible chunk boundary', () => {
    const text = 'start:supersecret:middle:supersecret:end\n';
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        assert.equal(maskSplit(text, [i, j], ['supersecret']), `start:${MASK}:middle:${MASK}:end\n`, `cuts ${i},${j}`);
      }
    }
  });

  it('masks the longer of two overlapping secrets even when the shorter completes first', () => {
    const text = 'x password1234 y';
    for (let i = 0; i <= text.length; i++) assert.equal(maskSplit(text, [i], ['password', 'password1234']), `x ${MASK} y`, `cut ${i}`);
  });

  it('keeps token prefixes and masks what follows, across chunks', () => {
    const text = 'use glpat-AbC_12.3=x-y now and glcbt-zz, not glpat- alone';
    const expected = `use glpat-${MASK} now and glcbt-${MASK}, not glpat- alone`;
    for (let i = 0; i <= text.length; i++) assert.equal(maskSplit(text, [i], [], ['glpat-', 'glcbt-']), expected, `cut ${i}`);
  });

  it('holds back only what could still become a secret', () => {
    const masker = new Masker(['supersecret']);
    assert.equal(masker.push('line one\nsuper'), 'line one\n');
    assert.equal(masker.push('man\n'), 'superman\n');
    assert.equal(masker.push('tail supers'), 'tail ');
    assert.equal(masker.end(), 'supers');
  });

  it('never lets a secret through, whatever the text and the cuts (property)', () => {
    const secret = 'S3cr3tValue';
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(secret), fc.string({ maxLength: 6 }), fc.constant('S3cr')), { maxLength: 12 }), fc.array(fc.nat(80), { maxLength: 5 }), (parts, cuts) => {
        const text = parts.join('');
        const out = maskSplit(text, cuts.map((c) => Math.min(c, text.length)), [secret]);
        assert.ok(!out.includes(secret));
        assert.equal(out, maskSplit(text, [], [secret]), 'chunking does not change the result');
      }),
    );
  });
});
