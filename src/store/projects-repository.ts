import type { Kysely, Selectable } from 'kysely';
import type { Database, ProjectsTable } from './schema.js';
import { containsInsensitive } from './like.js';
import { fetchPage, type Page, type PageRequest } from './page.js';
import { compiledLookup } from './compiled-lookup.js';

export interface Project {
  id: number;
  namespaceId: number;
  name: string;
  path: string;
  fullPath: string;
  description: string;
  visibility: 'private' | 'internal' | 'public';
  defaultBranch: string | null;
  publicJobs: boolean;
  ciConfigPath: string | null;
  creatorId: number | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  /** Seconds a job may run (GitLab's project `build_timeout`, default one hour). */
  buildTimeout: number;
  /** GitLab's "auto-cancel redundant pipelines", on by default. */
  autoCancelPendingPipelines: boolean;
}

export type NewProject = Omit<Project, 'id' | 'buildTimeout' | 'autoCancelPendingPipelines'>;
export type ProjectChanges = Partial<
  Pick<Project, 'name' | 'path' | 'fullPath' | 'description' | 'visibility' | 'defaultBranch' | 'publicJobs' | 'ciConfigPath' | 'updatedAt' | 'buildTimeout' | 'autoCancelPendingPipelines'>
>;

/** Which projects a caller may see: those reachable by membership, or by visibility level. Undefined = every project (admin). */
export interface ProjectVisibility {
  projectIds: number[];
  namespaceIds: number[];
  visibilities: string[];
}

export interface ProjectFilter {
  search?: string;
  visibility?: string;
  namespaceIds?: number[];
  visibleTo?: ProjectVisibility;
  /** Only projects the caller is a member of (directly or through a group). */
  memberOf?: { projectIds: number[]; namespaceIds: number[] };
  /** GitLab's `id_after` / `id_before` filters. */
  idAfter?: number;
  idBefore?: number;
}

function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    namespaceId: row.namespace_id,
    name: row.name,
    path: row.path,
    fullPath: row.full_path,
    description: row.description,
    visibility: row.visibility as Project['visibility'],
    defaultBranch: row.default_branch,
    publicJobs: row.public_jobs === 1,
    ciConfigPath: row.ci_config_path,
    creatorId: row.creator_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastActivityAt: row.last_activity_at,
    buildTimeout: row.build_timeout,
    autoCancelPendingPipelines: row.auto_cancel_pending_pipelines !== 0,
  };
}

export class ProjectsRepository {
  private readonly rowById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('projects').selectAll().where('id', '=', id));

  constructor(private readonly db: Kysely<Database>) {}

  async insert(p: NewProject): Promise<Project> {
    const row = await this.db
      .insertInto('projects')
      .values({
        namespace_id: p.namespaceId,
        name: p.name,
        path: p.path,
        full_path: p.fullPath,
        description: p.description,
        visibility: p.visibility,
        default_branch: p.defaultBranch,
        public_jobs: p.publicJobs ? 1 : 0,
        ci_config_path: p.ciConfigPath,
        creator_id: p.creatorId,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        last_activity_at: p.lastActivityAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProject(row);
  }

  async findById(id: number): Promise<Project | undefined> {
    const row = await this.rowById(id);
    return row && toProject(row);
  }

  async findByIds(ids: number[]): Promise<Map<number, Project>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('projects').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, toProject(r)]));
  }

  async findByFullPath(fullPath: string): Promise<Project | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['full_path']), '=', fullPath.toLowerCase()))
      .executeTakeFirst();
    return row && toProject(row);
  }

  async list(filter: ProjectFilter, page: PageRequest): Promise<Page<Project>> {
    let q = this.db.selectFrom('projects').selectAll();
    if (filter.search) {
      const term = filter.search;
      q = q.where((eb) => eb.or([containsInsensitive('name', term), containsInsensitive('path', term), containsInsensitive('description', term)]));
    }
    if (filter.visibility) q = q.where('visibility', '=', filter.visibility);
    if (filter.idAfter !== undefined) q = q.where('id', '>', filter.idAfter);
    if (filter.idBefore !== undefined) q = q.where('id', '<', filter.idBefore);
    if (filter.namespaceIds) q = q.where('namespace_id', 'in', filter.namespaceIds.length ? filter.namespaceIds : [-1]);
    const visible = filter.visibleTo;
    if (visible) {
      q = q.where((eb) =>
        eb.or([
          eb('id', 'in', visible.projectIds.length ? visible.projectIds : [-1]),
          eb('namespace_id', 'in', visible.namespaceIds.length ? visible.namespaceIds : [-1]),
          eb('visibility', 'in', visible.visibilities.length ? visible.visibilities : ['-']),
        ]),
      );
    }
    const member = filter.memberOf;
    if (member) {
      q = q.where((eb) =>
        eb.or([
          eb('id', 'in', member.projectIds.length ? member.projectIds : [-1]),
          eb('namespace_id', 'in', member.namespaceIds.length ? member.namespaceIds : [-1]),
        ]),
      );
    }
    const result = await fetchPage(this.db, q, page, 'id', 'desc');
    return { ...result, rows: result.rows.map(toProject) };
  }

  async idsInNamespaces(namespaceIds: number[]): Promise<number[]> {
    if (namespaceIds.length === 0) return [];
    const rows = await this.db.selectFrom('projects').select('id').where('namespace_id', 'in', namespaceIds).execute();
    return rows.map((r) => r.id);
  }

  async update(id: number, changes: ProjectChanges): Promise<void> {
    const set: Record<string, unknown> = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.path !== undefined) set.path = changes.path;
    if (changes.fullPath !== undefined) set.full_path = changes.fullPath;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.visibility !== undefined) set.visibility = changes.visibility;
    if (changes.defaultBranch !== undefined) set.default_branch = changes.defaultBranch;
    if (changes.publicJobs !== undefined) set.public_jobs = changes.publicJobs ? 1 : 0;
    if (changes.ciConfigPath !== undefined) set.ci_config_path = changes.ciConfigPath;
    if (changes.updatedAt !== undefined) set.updated_at = changes.updatedAt;
    if (changes.buildTimeout !== undefined) set.build_timeout = changes.buildTimeout;
    if (changes.autoCancelPendingPipelines !== undefined) set.auto_cancel_pending_pipelines = changes.autoCancelPendingPipelines ? 1 : 0;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('projects').set(set).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('members').where('source_type', '=', 'project').where('source_id', '=', id).execute();
    await this.db.deleteFrom('projects').where('id', '=', id).execute();
  }
}
