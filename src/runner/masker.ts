export const MASK = '[MASKED]';

/** GitLab refuses to mask values shorter than this; masking shorter ones would shred ordinary output. */
export const MIN_MASKED_LENGTH = 8;

/** gitlab-runner masks `glpat-` tokens even when the server names no prefixes. */
export const DEFAULT_TOKEN_PREFIXES = ['glpat-'];

function isTokenChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 45 || code === 46 || code === 95 || code === 61 // - . _ =
  );
}

function escapeClass(ch: string): string {
  return ch.replace(/[\\\]^-]/g, '\\$&');
}

/**
 * Streaming secret masking for the job log. Phrases (masked variable values) become `[MASKED]`; a token
 * prefix such as `glpat-` keeps the prefix and masks the token characters after it, like gitlab-runner's
 * token sanitizer. Output can split a secret anywhere, so the tail that could still become a secret is
 * held back until more text (or the end) decides it.
 */
export class Masker {
  private readonly phrases: string[];
  private readonly prefixes: string[];
  private readonly candidates: RegExp | null;
  private pending = '';
  /** A prefix was just written; token characters that follow are the secret. */
  private afterPrefix = false;
  /** Inside a token's secret part: `[MASKED]` is already written, swallow the rest. */
  private swallowing = false;

  constructor(phrases: Iterable<string>, prefixes: Iterable<string> = DEFAULT_TOKEN_PREFIXES) {
    this.phrases = [...new Set([...phrases].filter((p) => p.length >= MIN_MASKED_LENGTH))].sort((a, b) => b.length - a.length);
    this.prefixes = [...new Set([...prefixes].map((p) => p.trim()).filter((p) => p !== ''))].sort((a, b) => b.length - a.length);
    const firsts = new Set([...this.phrases, ...this.prefixes].map((p) => p[0]));
    this.candidates = firsts.size === 0 ? null : new RegExp(`[${[...firsts].map(escapeClass).join('')}]`, 'g');
  }

  /** Masks `text`; returns what is safe to write now. */
  push(text: string): string {
    return this.process(this.pending + text, false);
  }

  /** The end of the log: releases what was held back. */
  end(): string {
    const out = this.process(this.pending, true);
    this.afterPrefix = false;
    this.swallowing = false;
    return out;
  }

  private process(s: string, final: boolean): string {
    this.pending = '';
    if (this.candidates === null) return s;
    let out = '';
    let i = 0;
    while (i < s.length) {
      if (this.afterPrefix || this.swallowing) {
        let j = i;
        while (j < s.length && isTokenChar(s.charCodeAt(j))) j++;
        if (j > i) {
          if (!this.swallowing) out += MASK;
          this.swallowing = true;
          this.afterPrefix = false;
        }
        i = j;
        if (j === s.length) break; // the token may go on in the next chunk
        this.afterPrefix = false;
        this.swallowing = false;
      }
      this.candidates.lastIndex = i;
      const found = this.candidates.exec(s);
      if (!found) {
        out += s.slice(i);
        break;
      }
      out += s.slice(i, found.index);
      i = found.index;
      const step = this.matchAt(s, i, final);
      if (step === 'hold') {
        this.pending = s.slice(i);
        break;
      }
      if (step === null) {
        out += s[i];
        i++;
      } else {
        out += step.emit;
        i += step.length;
      }
    }
    return out;
  }

  private matchAt(s: string, i: number, final: boolean): { emit: string; length: number } | 'hold' | null {
    const rest = s.length - i;
    let partial = false;
    const partialOf = (p: string) => !final && rest < p.length && p.startsWith(s.slice(i));
    for (const phrase of this.phrases) {
      if (s.startsWith(phrase, i)) return partial ? 'hold' : { emit: MASK, length: phrase.length };
      // A longer secret may still be arriving: masking a shorter one inside it now would leak its tail.
      if (partialOf(phrase)) partial = true;
    }
    for (const prefix of this.prefixes) {
      if (s.startsWith(prefix, i)) {
        if (partial) return 'hold';
        this.afterPrefix = true;
        return { emit: prefix, length: prefix.length };
      }
      if (partialOf(prefix)) partial = true;
    }
    return partial ? 'hold' : null;
  }
}
