/**
 * GitLab's duration syntax (ChronicDuration): `30 mins`, `1 week`, `3 days 4 hrs`, `1h 30m`, `3600`,
 * `2.5 hours`. Returns seconds, or null when the text is not a duration.
 */
const UNIT_SECONDS: Array<[RegExp, number]> = [
  [/^(s|sec|secs|second|seconds)$/, 1],
  [/^(m|min|mins|minute|minutes)$/, 60],
  [/^(h|hr|hrs|hour|hours)$/, 3600],
  [/^(d|day|days)$/, 86_400],
  [/^(w|wk|wks|week|weeks)$/, 604_800],
  [/^(mo|mon|mos|month|months)$/, 2_629_746],
  [/^(y|yr|yrs|year|years)$/, 31_556_952],
];

export function parseDuration(text: string): number | null {
  const input = text.trim().toLowerCase().replace(/\band\b/g, ' ').replace(/,/g, ' ');
  if (input === '') return null;
  if (/^\d+(\.\d+)?$/.test(input)) return Math.round(Number(input));
  if (/^\d+:\d{1,2}(:\d{1,2})?$/.test(input)) {
    const parts = input.split(':').map(Number);
    return parts.length === 2 ? parts[0] * 60 + parts[1] : parts[0] * 3600 + parts[1] * 60 + parts[2];
  }
  const tokens = input.match(/\d+(?:\.\d+)?|[a-z]+/g);
  if (!tokens || input.replace(/[\d.a-z\s]/g, '') !== '') return null;
  let total = 0;
  let pending: number | null = null;
  for (const token of tokens) {
    if (/^\d/.test(token)) {
      if (pending !== null) return null;
      pending = Number(token);
      continue;
    }
    const unit = UNIT_SECONDS.find(([pattern]) => pattern.test(token));
    if (!unit || pending === null) return null;
    total += pending * unit[1];
    pending = null;
  }
  if (pending !== null) total += pending;
  return Math.round(total);
}

/** `never` is a valid artifacts expiry meaning no expiry. */
export function isNever(text: string): boolean {
  return text.trim().toLowerCase() === 'never';
}
