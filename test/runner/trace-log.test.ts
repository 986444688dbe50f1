import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, crc32Checksum, crc32Portable } from '../../src/runner/crc32.js';
import { Masker } from '../../src/runner/masker.js';
import { TraceLog } from '../../src/runner/trace-log.js';

describe('runner: trace log', () => {
  it('computes IEEE CRC-32 incrementally, natively and portably alike', () => {
    const data = Buffer.from('123456789');
    assert.equal(crc32Checksum(crc32(data)), 'crc32:cbf43926');
    assert.equal(crc32Portable(data, 0), 0xcbf43926);
    assert.equal(crc32(data.subarray(4), crc32(data.subarray(0, 4))), 0xcbf43926);
    assert.equal(crc32Portable(data.subarray(4), crc32Portable(data.subarray(0, 4), 0)), 0xcbf43926);
    assert.equal(crc32Checksum(0x1234), 'crc32:00001234');
  });

  it('keeps masked bytes with their checksum and slices by byte offsets', () => {
    const log = new TraceLog(new Masker(['hunter2hunter2']));
    log.write('pw=hunter2');
    log.write('hunter2 ✓\n');
    log.finish();
    const text = 'pw=[MASKED] ✓\n';
    assert.equal(log.slice(0, log.size).toString(), text);
    assert.equal(log.size, Buffer.byteLength(text));
    assert.equal(log.checksum, crc32Checksum(crc32(Buffer.from(text))));
    assert.equal(log.slice(3, 11).toString(), '[MASKED]');
  });

  it('stops at the output limit with a notice, but keeps the closing line', () => {
    const log = new TraceLog(new Masker([]), 100);
    for (let i = 0; i < 20; i++) log.write('0123456789');
    log.write('Job succeeded\n', true);
    const text = log.slice(0, log.size).toString();
    assert.ok(text.startsWith('0123456789'.repeat(10)));
    assert.match(text, /Job's log exceeded limit of 100 bytes\./);
    assert.ok(text.endsWith('Job succeeded\n'));
  });
});
