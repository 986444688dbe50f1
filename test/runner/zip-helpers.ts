import yauzl from 'yauzl';
import yazl from 'yazl';

/** Reads every entry of a zip held in memory: name → content (symlinks: their target), plus modes. */
export async function readZip(data: Buffer): Promise<Map<string, { content: Buffer; mode: number }>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(data, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  const entries = new Map<string, { content: Buffer; mode: number }>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) {
        entries.set(entry.fileName, { content: Buffer.alloc(0), mode: entry.externalFileAttributes >>> 16 });
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, async (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        entries.set(entry.fileName, { content: Buffer.concat(chunks), mode: entry.externalFileAttributes >>> 16 });
        zip.readEntry();
      });
    });
    zip.readEntry();
  });
  return entries;
}

/** Builds a zip in memory; names may be renamed afterwards byte for byte (yazl refuses unsafe names itself). */
export async function makeZip(entries: Array<{ name: string; content: string; mode?: number }>, rename: Record<string, string> = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.content), e.name, { mode: e.mode ?? 0o100644 });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  let data = Buffer.concat(chunks);
  for (const [from, to] of Object.entries(rename)) {
    if (from.length !== to.length) throw new Error('renames must keep the length');
    let at = data.indexOf(from);
    while (at !== -1) {
      data.write(to, at, 'latin1');
      at = data.indexOf(from, at + 1);
    }
  }
  return data;
}

/** Splits a multipart/form-data body into its parts. */
export function parseMultipart(body: Buffer, contentType: string): Array<{ headers: string; content: Buffer }> {
  const boundary = /boundary=(.+)$/.exec(contentType)![1];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ headers: string; content: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    parts.push({ headers: part.subarray(0, split).toString(), content: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}
