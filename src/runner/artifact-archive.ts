import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import yazl from 'yazl';
import type { ArtifactFile } from './artifact-files.js';

/** The uploaded file's name: the artifact's name plus what its format adds (gitlab-runner's rule). */
export function archiveFilename(name: string | undefined, format: string): string {
  const base = name && name.trim() !== '' ? name : 'artifacts';
  if (format === 'gzip') return `${base}.gz`;
  if (format === 'raw') return base;
  return `${base}.zip`;
}

/** A zip of the files, produced while it is read: its size is never known up front and never all in memory. */
export function zipStream(files: ArtifactFile[]): Readable {
  const zip = new yazl.ZipFile();
  const out = new PassThrough();
  (zip.outputStream as Readable).pipe(out);
  void (async () => {
    try {
      for (const file of files) {
        const stat = await fs.lstat(file.abs);
        if (file.kind === 'dir') zip.addEmptyDirectory(file.name, { mtime: stat.mtime, mode: stat.mode });
        else if (file.kind === 'symlink') {
          zip.addBuffer(Buffer.from(await fs.readlink(file.abs)), file.name, { mtime: stat.mtime, mode: stat.mode, compress: false });
        } else zip.addFile(file.abs, file.name, { mtime: stat.mtime, mode: stat.mode });
      }
      zip.end();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}

/** gzip format: one gzip member per file, concatenated (reports are a single file in practice). */
export function gzipStream(files: ArtifactFile[]): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      for (const file of files.filter((f) => f.kind === 'file')) {
        await pipeline(createReadStream(file.abs), createGzip(), out, { end: false });
      }
      out.end();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}

export function rawStream(files: ArtifactFile[]): Readable {
  const regular = files.filter((f) => f.kind === 'file');
  if (regular.length !== 1) throw new Error(`raw artifacts need exactly one file, found ${regular.length}`);
  return createReadStream(regular[0].abs);
}

export function archiveStream(files: ArtifactFile[], format: string): Readable {
  if (format === 'gzip') return gzipStream(files);
  if (format === 'raw') return rawStream(files);
  if (format !== 'zip' && format !== '') throw new Error(`unsupported artifact format ${JSON.stringify(format)}`);
  return zipStream(files);
}
