import type { Member } from '../store/members-repository.js';
import type { User } from '../store/users-repository.js';
import type { RenderContext } from './render-context.js';
import { userBasicEntity } from './user.js';

/** API::Entities::Member */
export function memberEntity({ member, user }: { member: Member; user: User }, createdBy: User | undefined, rc: RenderContext) {
  return {
    ...userBasicEntity(user, rc),
    access_level: member.accessLevel,
    created_at: member.createdAt,
    created_by: createdBy ? userBasicEntity(createdBy, rc) : null,
    expires_at: member.expiresAt,
    membership_state: 'active',
  };
}
