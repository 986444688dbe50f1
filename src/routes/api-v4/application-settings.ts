import type { FastifyInstance } from 'fastify';
import { applicationSettings } from '../../services/runners/application-settings.js';

export default async function applicationSettingsRoutes(app: FastifyInstance) {
  app.get('/api/v4/application/settings', { config: { auth: 'required' } }, async (request) => applicationSettings(app.ctx, request.actor));
}
