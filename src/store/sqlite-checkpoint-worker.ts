/**
 * The worker thread of sqlite-checkpointer.ts: its own connection to the database, which copies the WAL
 * into the database file when asked (a PASSIVE checkpoint: it never blocks the server's reads or writes)
 * and answers how far it got.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';

const sqlite = new SqliteDatabase((workerData as { file: string }).file, { fileMustExist: true });
// The checkpoint syncs the WAL before copying and the database file after, as under any synchronous level but OFF.
sqlite.pragma('synchronous = FULL');
sqlite.pragma('wal_autocheckpoint = 0');

parentPort?.on('message', (message: 'checkpoint' | 'close') => {
  if (message === 'close') {
    sqlite.close();
    parentPort?.close();
    return;
  }
  try {
    const [result] = sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    parentPort?.postMessage({ log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort?.postMessage({ error: String(error) });
  }
});
