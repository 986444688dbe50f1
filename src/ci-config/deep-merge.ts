export type Hash = Record<string, unknown>;

export function isHash(value: unknown): value is Hash {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** Assignment that keeps a `__proto__` key an ordinary key (config keys are user data). */
export function setKey(hash: Hash, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(hash, key, { value, enumerable: true, writable: true, configurable: true });
  else hash[key] = value;
}

/** GitLab's deep_merge: hashes merge key by key, anything else (arrays included) is replaced by `over`. */
export function deepMerge(base: Hash, over: Hash): Hash {
  const out: Hash = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    setKey(out, key, isHash(current) && isHash(value) ? deepMerge(current, value) : value);
  }
  return out;
}
