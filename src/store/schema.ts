import type { Generated } from 'kysely';

/**
 * Table shapes shared by both dialects. Timestamps are ISO-8601 UTC strings with milliseconds
 * and booleans are 0/1 integers, so rows read the same from SQLite and PostgreSQL
 * (see docs/architecture.md).
 */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  email: string;
  password_digest: string | null;
  is_admin: number;
  state: string;
  failed_sign_ins: Generated<number>;
  created_at: string;
}

export interface PersonalAccessTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_digest: string;
  scopes: string;
  expires_at: string | null;
  revoked: number;
  created_at: string;
  last_used_at: string | null;
}

export interface NamespacesTable {
  id: Generated<number>;
  name: string;
  path: string;
  full_path: string;
  kind: 'user' | 'group';
  parent_id: number | null;
  owner_id: number | null;
  visibility: string;
  description: string;
  created_at: string;
}

export interface MembersTable {
  id: Generated<number>;
  source_type: 'namespace' | 'project';
  source_id: number;
  user_id: number;
  access_level: number;
  expires_at: string | null;
  created_by_id: number | null;
  created_at: string;
}

export interface ProjectsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  path: string;
  full_path: string;
  description: string;
  visibility: string;
  default_branch: string | null;
  public_jobs: number;
  ci_config_path: string | null;
  creator_id: number | null;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
}

export interface Database {
  users: UsersTable;
  personal_access_tokens: PersonalAccessTokensTable;
  namespaces: NamespacesTable;
  members: MembersTable;
  projects: ProjectsTable;
}
