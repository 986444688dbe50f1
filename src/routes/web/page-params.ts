import type { FastifyRequest } from 'fastify';
import type { PageRequest } from '../../store/page.js';

export const PER_PAGE = 20;

/** A string query parameter (first of repeated ones), trimmed, at most 200 characters. */
export function queryString(request: FastifyRequest, name: string): string {
  const raw = (request.query as Record<string, unknown>)[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value.trim().slice(0, 200) : '';
}

export function pageNumber(request: FastifyRequest): number {
  const n = Number(queryString(request, 'page'));
  return Number.isSafeInteger(n) && n >= 1 && n <= 10_000 ? n : 1;
}

export function offsetPage(page: number, perPage = PER_PAGE): PageRequest {
  return { kind: 'offset', offset: (page - 1) * perPage, limit: perPage, countUpTo: null };
}
