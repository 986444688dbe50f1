import fs from 'node:fs';
import path from 'node:path';
import type { ServiceContext } from '../context.js';
import { authenticateRunner } from './runner-authentication.js';
import { createInstanceRunner } from './runner-registration.js';

/** What `conveyor up` keeps about its own runner: the token is shown nowhere else, so it lives in a 0600 file. */
export interface BuiltInRunnerCredentials {
  id: number;
  token: string;
  systemId: string;
}

const FILE = 'built-in-runner.json';

function read(file: string): BuiltInRunnerCredentials | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BuiltInRunnerCredentials>;
    return typeof parsed.id === 'number' && typeof parsed.token === 'string' && typeof parsed.systemId === 'string' ? (parsed as BuiltInRunnerCredentials) : null;
  } catch {
    return null;
  }
}

/**
 * The instance runner `conveyor up` starts beside the server: registered on first start (untagged jobs,
 * any project), reused afterwards; registered again if an admin deleted it.
 */
export async function ensureBuiltInRunner(ctx: ServiceContext, systemId: string): Promise<BuiltInRunnerCredentials> {
  const file = path.join(ctx.dataDir, FILE);
  const known = read(file);
  if (known && (await authenticateRunner(ctx, known.token))) return known;
  const created = await createInstanceRunner(ctx, { description: 'Conveyor built-in runner', run_untagged: true });
  const credentials = { id: created.id, token: created.token, systemId: known?.systemId ?? systemId };
  fs.writeFileSync(file, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return credentials;
}
