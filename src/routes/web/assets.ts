import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { routeNotFound } from '../../errors/api-error.js';

/** Vite's output (web/vite.config.js): dist/web, beside dist/src where this file runs (dist/src/routes/web/). */
export const BUILT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
const MANIFEST = path.join(BUILT_WEB_DIR, '.vite/manifest.json');
const URL_PREFIX = '/-/';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

interface Asset {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
}

export interface AssetUrls {
  /** The hashed URL of an entry, named by its file under web/src (`app.css`, `job-log.js`). */
  url(entry: string): string;
  /** Stylesheets and shared chunks an entry imports, for the page head. */
  imports(entry: string): { css: string[]; modules: string[] };
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.map', '.svg']);

function readManifest(): Record<string, ManifestChunk> | null {
  try {
    return JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Record<string, ManifestChunk>;
  } catch {
    return null;
  }
}

/** Every built file, gzipped once at start: the files are small and never change while the server runs. */
function loadFiles(chunks: Record<string, ManifestChunk>): Map<string, Asset> {
  const files = new Map<string, Asset>();
  const dir = path.join(BUILT_WEB_DIR, 'assets');
  const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  for (const name of names) {
    const body = fs.readFileSync(path.join(dir, name));
    const ext = path.extname(name);
    const gzipped = COMPRESSIBLE.has(ext) && body.length > 512 ? zlib.gzipSync(body, { level: 9 }) : null;
    files.set(name, { body, gzipped, type: TYPES[ext] ?? 'application/octet-stream' });
  }
  for (const chunk of Object.values(chunks)) {
    if (!files.has(path.basename(chunk.file))) throw new Error(`web UI build is incomplete: ${chunk.file} is in the manifest but not in ${dir}`);
  }
  return files;
}

function urlsFrom(chunks: Record<string, ManifestChunk>): AssetUrls {
  const key = (entry: string) => `src/${entry}`;
  const href = (file: string) => URL_PREFIX + file;
  return {
    url(entry) {
      const chunk = chunks[key(entry)];
      // Unbuilt: the page still renders on the server; its scripts and styles are missing until `npm run build`.
      return chunk ? href(chunk.file) : `${URL_PREFIX}assets/unbuilt-${entry}`;
    },
    imports(entry) {
      const css = new Set<string>();
      const modules = new Set<string>();
      const visit = (name: string, top: boolean) => {
        const chunk = chunks[name];
        if (!chunk) return;
        if (!top) {
          if (modules.has(href(chunk.file))) return;
          modules.add(href(chunk.file));
        }
        for (const file of chunk.css ?? []) css.add(href(file));
        for (const imported of chunk.imports ?? []) visit(imported, false);
      };
      visit(key(entry), true);
      return { css: [...css], modules: [...modules] };
    },
  };
}

/**
 * Serves the UI's built files (`npm run build` runs Vite) from memory. Their names carry a content hash,
 * so they are cached for a year and a new build gets new URLs; pages find those URLs in Vite's manifest.
 */
export function registerAssets(app: FastifyInstance): AssetUrls {
  const chunks = readManifest();
  if (!chunks) app.log.warn(`web UI not built (no ${MANIFEST}): pages render without scripts and styles; run npm run build`);
  const files = loadFiles(chunks ?? {});
  app.get<{ Params: { name: string } }>('/-/assets/:name', async (request, reply) => {
    const file = files.get(request.params.name);
    if (!file) throw routeNotFound();
    const gzip = file.gzipped !== null && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'accept-encoding')
      .type(file.type);
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? file.gzipped : file.body);
  });
  return urlsFrom(chunks ?? {});
}
