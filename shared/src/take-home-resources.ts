/**
 * Resources to take home (issue 13, item 4): up to five titled https links the therapist adds
 * during a session. The list travels sealed from the console to each admitted client (the server
 * never reads it), so these checks run in the browsers: the console before sealing, each client
 * after opening, and both refuse what fails. Pure, no IO.
 */
export const TAKE_HOME_RESOURCES_MAX = 5;
export const RESOURCE_TITLE_MAX_CHARS = 120;
/** Long enough for a publisher's deep link, short enough that a list of five stays small once sealed. */
export const RESOURCE_URL_MAX_CHARS = 500;

export interface TakeHomeResource {
  title: string;
  url: string;
}

export type ResourceProblem = 'title-missing' | 'title-too-long' | 'url-invalid' | 'url-not-https' | 'url-has-credentials' | 'url-too-long' | 'too-many';

export type ResourceCheck = { ok: true; resource: TakeHomeResource } | { ok: false; problem: ResourceProblem };

// Controls, bidi overrides and zero-width characters: a title is shown as text, but these can
// still make it lie about what it says.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const HAS_INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

export function normaliseResourceTitle(raw: string): string {
  return raw.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
}

/** The link as the client will open it, or why not: https only, a host, no user or password, capped. */
export function checkResourceUrl(raw: string): { ok: true; url: string } | { ok: false; problem: ResourceProblem } {
  const text = raw.trim();
  if (text.length > RESOURCE_URL_MAX_CHARS) return { ok: false, problem: 'url-too-long' };
  if (HAS_INVISIBLE.test(text) || /\s/u.test(text)) return { ok: false, problem: 'url-invalid' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: 'url-invalid' };
  }
  if (url.protocol !== 'https:') return { ok: false, problem: 'url-not-https' };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'url-has-credentials' };
  if (url.hostname === '') return { ok: false, problem: 'url-invalid' };
  // The serialised form is what gets sealed and opened, so its length is the one capped.
  if (url.href.length > RESOURCE_URL_MAX_CHARS) return { ok: false, problem: 'url-too-long' };
  return { ok: true, url: url.href };
}

export function checkResource(title: string, url: string): ResourceCheck {
  const cleanTitle = normaliseResourceTitle(title);
  if (cleanTitle === '') return { ok: false, problem: 'title-missing' };
  if ([...cleanTitle].length > RESOURCE_TITLE_MAX_CHARS) return { ok: false, problem: 'title-too-long' };
  const link = checkResourceUrl(url);
  if (!link.ok) return link;
  return { ok: true, resource: { title: cleanTitle, url: link.url } };
}

/**
 * A whole list as opened from an envelope: exactly `{ v: 1, resources: [{ title, url }…] }`, at most
 * five, each passing `checkResource` unchanged. Anything else is refused whole (null), never trimmed.
 */
export function parseResourceList(value: unknown): TakeHomeResource[] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (Object.keys(record).sort().join() !== 'resources,v' || record.v !== 1 || !Array.isArray(record.resources)) return null;
  if (record.resources.length > TAKE_HOME_RESOURCES_MAX) return null;
  const list: TakeHomeResource[] = [];
  for (const item of record.resources as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
    const entry = item as Record<string, unknown>;
    if (Object.keys(entry).sort().join() !== 'title,url' || typeof entry.title !== 'string' || typeof entry.url !== 'string') return null;
    const checked = checkResource(entry.title, entry.url);
    if (!checked.ok || checked.resource.title !== entry.title || checked.resource.url !== entry.url) return null;
    list.push(checked.resource);
  }
  return list;
}

/** The plain-text file a client saves: made in the browser, one resource per block. */
export function resourceListAsText(heading: string, resources: readonly TakeHomeResource[]): string {
  return [heading, '', ...resources.flatMap((r) => [r.title, r.url, ''])].join('\n');
}
