const PATH_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/;
const RESERVED = new Set(['-', 'api', 'users', 'groups', 'projects', 'admin', 'help', 'explore', 'dashboard', 'assets', 'uploads', 'health_check']);

/** GitLab's path rule for users, groups and projects; returns the problem, or null when the path is fine. */
export function validatePath(path: string): string | null {
  if (!path) return "can't be blank";
  if (path.length > 255) return 'is too long (maximum is 255 characters)';
  if (!PATH_PATTERN.test(path) || /\.(git|atom)$/i.test(path) || path.endsWith('.')) {
    return "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'";
  }
  if (RESERVED.has(path.toLowerCase())) return `${path} is a reserved name`;
  return null;
}

/** The path GitLab derives from a name when none is given ("My Project" → "my-project"). */
export function pathFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}
