import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { routeNotFound } from '../../errors/api-error.js';

/** web/assets at the repository root (this file runs from dist/src/routes/web/). */
export const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../web/assets');

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

export interface AssetUrls {
  /** `/-/assets/<name>?v=<content hash>`: cached for a year, a new hash after every change. */
  url(name: string): string;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/**
 * anser (the ANSI parser the job log uses) ships as CommonJS; browsers load ES modules. It has no imports,
 * so wrapping it in a module scope is the whole "build".
 */
function anserModule(): Buffer {
  const source = fs.readFileSync(createRequire(import.meta.url).resolve('anser'), 'utf8');
  return Buffer.from(`const module = { exports: {} };\n${source}\nexport default module.exports;\n`);
}

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (name: string, body: Buffer) => {
    assets.set(name, { body, type: TYPES[path.extname(name)] ?? 'application/octet-stream', hash: crypto.createHash('sha256').update(body).digest('hex').slice(0, 12) });
  };
  for (const name of fs.readdirSync(ASSETS_DIR)) add(name, fs.readFileSync(path.join(ASSETS_DIR, name)));
  add('anser.js', anserModule());
  return assets;
}

/** Serves the UI's static files from memory with long-lived caching; pages link them by content hash. */
export function registerAssets(app: FastifyInstance): AssetUrls {
  const assets = loadAssets();
  app.get<{ Params: { name: string } }>('/-/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) throw routeNotFound();
    const query = request.query as Record<string, unknown>;
    const cache = query.v === asset.hash ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply
      .header('cache-control', cache)
      .header('etag', `"${asset.hash}"`)
      .header('x-content-type-options', 'nosniff')
      .type(asset.type)
      .send(asset.body);
  });
  return {
    url(name) {
      const asset = assets.get(name);
      return asset ? `/-/assets/${name}?v=${asset.hash}` : `/-/assets/${name}`;
    },
  };
}
