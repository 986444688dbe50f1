import type { Kysely, Selectable } from 'kysely';
import type { Database, NamespacesTable } from './schema.js';
import { compiledLookup } from './compiled-lookup.js';
import { containsInsensitive } from './like.js';
import { fetchPage, type Page, type PageRequest } from './page.js';

export interface Namespace {
  id: number;
  name: string;
  path: string;
  fullPath: string;
  kind: 'user' | 'group';
  parentId: number | null;
  ownerId: number | null;
  visibility: string;
  description: string;
  createdAt: string;
}

export type NewNamespace = Omit<Namespace, 'id'>;

function toNamespace(row: Selectable<NamespacesTable>): Namespace {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    fullPath: row.full_path,
    kind: row.kind,
    parentId: row.parent_id,
    ownerId: row.owner_id,
    visibility: row.visibility,
    description: row.description,
    createdAt: row.created_at,
  };
}

export interface GroupFilter {
  search?: string;
  /** Only groups these ids (membership) or visibility levels (public/internal) allow; undefined = all (admin). */
  visibleTo?: { namespaceIds: number[]; visibilities: string[] };
  topLevelOnly?: boolean;
  parentId?: number;
}

export class NamespacesRepository {
  // Read for every job a runner takes (the project's namespace ancestry for its predefined variables).
  private readonly rowById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('namespaces').selectAll().where('id', '=', id));

  constructor(private readonly db: Kysely<Database>) {}

  async insert(ns: NewNamespace): Promise<Namespace> {
    const row = await this.db
      .insertInto('namespaces')
      .values({
        name: ns.name,
        path: ns.path,
        full_path: ns.fullPath,
        kind: ns.kind,
        parent_id: ns.parentId,
        owner_id: ns.ownerId,
        visibility: ns.visibility,
        description: ns.description,
        created_at: ns.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toNamespace(row);
  }

  async findById(id: number): Promise<Namespace | undefined> {
    const row = await this.rowById(id);
    return row && toNamespace(row);
  }

  async findByIds(ids: number[]): Promise<Map<number, Namespace>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('namespaces').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, toNamespace(r)]));
  }

  async findByFullPath(fullPath: string): Promise<Namespace | undefined> {
    const row = await this.db
      .selectFrom('namespaces')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['full_path']), '=', fullPath.toLowerCase()))
      .executeTakeFirst();
    return row && toNamespace(row);
  }

  async findUserNamespace(userId: number): Promise<Namespace | undefined> {
    const row = await this.db
      .selectFrom('namespaces')
      .selectAll()
      .where('kind', '=', 'user')
      .where('owner_id', '=', userId)
      .executeTakeFirst();
    return row && toNamespace(row);
  }

  /** The namespace and all its ancestors, nearest first. */
  async ancestry(id: number): Promise<Namespace[]> {
    const chain: Namespace[] = [];
    let next: number | null = id;
    while (next !== null && chain.length < 32) {
      const ns = await this.findById(next);
      if (!ns) break;
      chain.push(ns);
      next = ns.parentId;
    }
    return chain;
  }

  async listGroups(filter: GroupFilter, page: PageRequest): Promise<Page<Namespace>> {
    let q = this.db.selectFrom('namespaces').selectAll().where('kind', '=', 'group');
    if (filter.search) {
      const term = filter.search;
      q = q.where((eb) => eb.or([containsInsensitive('name', term), containsInsensitive('path', term)]));
    }
    if (filter.topLevelOnly) q = q.where('parent_id', 'is', null);
    if (filter.parentId !== undefined) q = q.where('parent_id', '=', filter.parentId);
    const visible = filter.visibleTo;
    if (visible) {
      q = q.where((eb) =>
        eb.or([
          visible.namespaceIds.length ? eb('id', 'in', visible.namespaceIds) : eb.lit(false),
          visible.visibilities.length ? eb('visibility', 'in', visible.visibilities) : eb.lit(false),
        ]),
      );
    }
    const result = await fetchPage(this.db, q, page, 'id', 'asc');
    return { ...result, rows: result.rows.map(toNamespace) };
  }

  /** Ids of every namespace below the given ones (not including them). */
  async descendantIds(rootIds: number[]): Promise<number[]> {
    const found: number[] = [];
    let frontier = [...new Set(rootIds)];
    while (frontier.length > 0) {
      const rows = await this.db.selectFrom('namespaces').select('id').where('parent_id', 'in', frontier).execute();
      frontier = rows.map((r) => r.id).filter((id) => !found.includes(id));
      found.push(...frontier);
    }
    return found;
  }

  async update(id: number, changes: Partial<Pick<Namespace, 'name' | 'description' | 'visibility'>>): Promise<void> {
    // Only these columns, whatever else the caller's object carries.
    const set: Record<string, string> = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.visibility !== undefined) set.visibility = changes.visibility;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('namespaces').set(set).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('namespaces').where('id', '=', id).execute();
  }
}
