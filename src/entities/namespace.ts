import type { Namespace } from '../store/namespaces-repository.js';
import type { RenderContext } from './render-context.js';

export function namespaceWebUrl(ns: Namespace, rc: RenderContext): string {
  return ns.kind === 'group' ? `${rc.externalUrl}/groups/${ns.fullPath}` : `${rc.externalUrl}/${ns.fullPath}`;
}

/** API::Entities::NamespaceBasic, as embedded in a project. */
export function namespaceBasicEntity(ns: Namespace, rc: RenderContext) {
  return {
    id: ns.id,
    name: ns.name,
    path: ns.path,
    kind: ns.kind,
    full_path: ns.fullPath,
    parent_id: ns.parentId,
    avatar_url: null,
    web_url: namespaceWebUrl(ns, rc),
  };
}
