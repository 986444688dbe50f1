import type { FastifyInstance } from 'fastify';
import { CONVEYOR_VERSION, GITLAB_COMPAT_VERSION } from '../../version.js';

export default async function metadataRoutes(app: FastifyInstance) {
  const revision = `conveyor-${CONVEYOR_VERSION}`;
  app.get('/api/v4/version', { config: { auth: 'required' } }, async () => ({ version: GITLAB_COMPAT_VERSION, revision }));
  app.get('/api/v4/metadata', { config: { auth: 'required' } }, async () => ({
    version: GITLAB_COMPAT_VERSION,
    revision,
    kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null },
    enterprise: false,
  }));
}
