import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The GitLab API level Conveyor speaks; clients gate features on it. */
export const GITLAB_COMPAT_VERSION = '17.11.0';
export const CONVEYOR_VERSION = pkg.version;
