/** A commit as GitLab's Commit entity names its facts. Dates keep the commit's own offset. */
export interface CommitInfo {
  id: string;
  short_id: string;
  parent_ids: string[];
  title: string;
  message: string;
  author_name: string;
  author_email: string;
  authored_date: string;
  committer_name: string;
  committer_email: string;
  committed_date: string;
}

interface Ident {
  name: string;
  email: string;
  date: string;
}

/**
 * `1450972274 +0100` → `2015-12-24T16:51:14.000+01:00`: the wall-clock time where the commit was made,
 * as GitLab shows it, rather than the server's zone.
 */
export function formatGitDate(seconds: number, offset: string): string {
  const match = /^([+-])(\d\d)(\d\d)$/.exec(offset);
  const sign = match?.[1] === '-' ? -1 : 1;
  const minutes = match ? sign * (Number(match[2]) * 60 + Number(match[3])) : 0;
  const shifted = new Date((seconds + minutes * 60) * 1000);
  if (Number.isNaN(shifted.getTime())) return new Date(0).toISOString();
  const suffix = match ? `${match[1] === '-' && minutes !== 0 ? '-' : '+'}${match[2]}:${match[3]}` : '+00:00';
  return shifted.toISOString().replace(/Z$/, suffix);
}

/** `Name <email> 1450972274 +0100`; tolerant of the odd identities old tools wrote. */
function parseIdent(value: string): Ident {
  const open = value.indexOf('<');
  const close = value.lastIndexOf('>');
  if (open === -1 || close < open) return { name: value.trim(), email: '', date: formatGitDate(0, '+0000') };
  const [seconds = '0', offset = '+0000'] = value.slice(close + 1).trim().split(/\s+/);
  return {
    name: value.slice(0, open).trim(),
    email: value.slice(open + 1, close),
    date: formatGitDate(Number.parseInt(seconds, 10) || 0, offset),
  };
}

/** GitLab's Commit#title: the first line, cut at a word boundary with an ellipsis when 100 characters or longer. */
export function commitTitle(message: string): string {
  const full = message.trim() === '' ? 'No commit message' : message.split(/[\r\n]/, 1)[0];
  const chars = [...full];
  if (chars.length < 100) return full;
  // ActiveSupport's truncate(81, separator: ' ', omission: '…'): the last space at or before index 80.
  const head = chars.slice(0, 81).join('');
  const space = head.lastIndexOf(' ');
  return `${space >= 0 ? head.slice(0, space) : chars.slice(0, 80).join('')}…`;
}

/** Parses the raw text of a commit object (`git cat-file commit`). */
export function parseCommitObject(id: string, raw: Buffer): CommitInfo {
  const text = raw.toString('utf8');
  const split = text.indexOf('\n\n');
  const headerText = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? '' : text.slice(split + 2);
  const parents: string[] = [];
  let author: Ident = { name: '', email: '', date: formatGitDate(0, '+0000') };
  let committer = author;
  for (const line of headerText.split('\n')) {
    // Continuation lines (a signature's body) start with a space and never hold the fields we read.
    if (line.startsWith(' ')) continue;
    const space = line.indexOf(' ');
    const key = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? '' : line.slice(space + 1);
    if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseIdent(value);
    else if (key === 'committer') committer = parseIdent(value);
  }
  return {
    id,
    short_id: id.slice(0, 8),
    parent_ids: parents,
    title: commitTitle(message),
    message,
    author_name: author.name,
    author_email: author.email,
    authored_date: author.date,
    committer_name: committer.name,
    committer_email: committer.email,
    committed_date: committer.date,
  };
}
