import type { User } from '../store/users-repository.js';
import type { RenderContext } from './render-context.js';

/** API::Entities::UserBasic */
export function userBasicEntity(user: User, rc: RenderContext) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.state,
    locked: false,
    avatar_url: null,
    web_url: `${rc.externalUrl}/${user.username}`,
  };
}

/** API::Entities::User, what `GET /users/:id` shows anyone. */
export function userEntity(user: User, rc: RenderContext) {
  // Object.assign rather than a spread into a long literal: see entities/project.ts.
  return Object.assign(userBasicEntity(user, rc), {
    created_at: user.createdAt,
    bio: '',
    location: '',
    public_email: null,
    skype: '',
    linkedin: '',
    twitter: '',
    discord: '',
    website_url: '',
    organization: '',
    job_title: '',
    pronouns: null,
    bot: false,
    work_information: null,
    followers: 0,
    following: 0,
    local_time: null,
  });
}

/** API::Entities::UserPublic (+ is_admin for admins): `GET /user`, and users as an admin sees them. */
export function userPublicEntity(user: User, rc: RenderContext, viewerIsAdmin: boolean) {
  return Object.assign(userEntity(user, rc), {
    last_sign_in_at: null,
    confirmed_at: user.createdAt,
    last_activity_on: null,
    email: user.email,
    theme_id: 1,
    color_scheme_id: 1,
    projects_limit: 100000,
    current_sign_in_at: null,
    identities: [],
    can_create_group: true,
    can_create_project: true,
    two_factor_enabled: false,
    external: false,
    private_profile: false,
    commit_email: user.email,
    ...(viewerIsAdmin ? { is_admin: user.isAdmin } : {}),
  });
}
