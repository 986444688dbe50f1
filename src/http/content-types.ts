import path from 'node:path';

/** Go's `mime.TypeByExtension` table plus common extensions, which GitLab Workhorse uses for artifact files. */
const TYPES: Record<string, string> = {
  '.avif': 'image/avif', '.css': 'text/css; charset=utf-8', '.gif': 'image/gif', '.htm': 'text/html; charset=utf-8',
  '.html': 'text/html; charset=utf-8', '.jpeg': 'image/jpeg', '.jpg': 'image/jpeg', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.mjs': 'text/javascript; charset=utf-8', '.pdf': 'application/pdf', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.webp': 'image/webp', '.xml': 'text/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.zip': 'application/zip', '.gz': 'application/gzip', '.tgz': 'application/gzip',
  '.tar': 'application/x-tar', '.ico': 'image/vnd.microsoft.icon', '.bmp': 'image/bmp', '.mp4': 'video/mp4',
  '.webm': 'video/webm', '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.yml': 'application/yaml', '.yaml': 'application/yaml',
  '.xhtml': 'application/xhtml+xml', '.htc': 'text/x-component',
};

export function contentTypeOf(filename: string): string {
  return TYPES[path.posix.extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

/** Types a browser may show in place without running anything (never HTML, SVG, XML or scripts). */
const INLINE_SAFE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/vnd.microsoft.icon', 'text/plain; charset=utf-8', 'application/pdf', 'video/mp4', 'video/webm', 'audio/mpeg', 'audio/wav']);

export const isInlineSafe = (contentType: string): boolean => INLINE_SAFE.has(contentType);
