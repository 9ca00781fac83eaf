/**
 * The architecture, checked on the import graph: dependencies point inward, and point down
 * between domain folders. Reads the source files only (no services). A failure names the
 * offending import. Each rule is also shown failing on a small fake graph, so none can pass
 * by being unable to fail.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { duplicateNames, importCycles, layerViolations, readSources, serverFolderOf, violations, type SourceFile } from '../support/import-graph.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The domain folders of the server, bottom first (docs/architecture.md, "Domain layering"): each
 * imports only folders before it in this list. They talk to the world only through interfaces
 * they own.
 */
const DOMAIN_LAYERS = ['identifiers', 'rate-limits', 'therapists', 'auth', 'presence', 'sessions', 'encryption', 'waiting-room', 'tokens', 'webhooks'];
/** Packages only adapters, transports and the composition root may use. */
const INFRASTRUCTURE_PACKAGES = [/^express/u, /^prom-client$/u, /^socket\.io/u, /^@socket\.io\//u, /^redis$/u, /^@redis\//u, /^livekit-server-sdk$/u, /^@livekit\//u, /^helmet$/u, /^proxy-addr$/u, /^node:(http|https|net|fs|child_process)$/u];
/**
 * File names that may appear twice across server/src and client/src. `main.ts` is each
 * program's entry point (server/src/main.ts, client/src/main.ts), which is where a reader looks
 * for it; issue 11 item 6 ("no two files with one name") settles the rest.
 */
const SHARED_FILE_NAMES = new Set(['main.ts']);

const server = readSources(ROOT, 'server/src');
const shared = readSources(ROOT, 'shared/src');
const client = readSources(ROOT, 'client/src');
const domain = server.filter((f) => DOMAIN_LAYERS.includes(serverFolderOf(f.path)));

const fake = (edges: Record<string, string[]>): SourceFile[] => Object.entries(edges).map(([path, imports]) => ({ path, imports }));

describe('architecture (the import graph)', () => {
  it('keeps the server domain free of Express, Socket.io, Redis, LiveKit and raw IO', () => {
    expect(domain.length).to.be.greaterThan(20);
    expect(violations(domain, (_f, imported) => INFRASTRUCTURE_PACKAGES.some((p) => p.test(imported)))).to.deep.equal([]);
  });

  it('lets no domain module import an adapter, a transport or the composition root', () => {
    expect(
      violations(domain, (_f, imported) => /^server\/src\/(adapters|transport)\//u.test(imported) || /^server\/src\/(app|main|cli)\.ts$/u.test(imported)),
    ).to.deep.equal([]);
  });

  it('lists every domain folder in the layering order', () => {
    const unlisted = server
      .map((f) => serverFolderOf(f.path))
      .filter((folder) => folder && !['adapters', 'transport', 'observability', 'operations', ...DOMAIN_LAYERS].includes(folder));
    expect([...new Set(unlisted)], 'a new server folder belongs in DOMAIN_LAYERS (and docs/architecture.md) or is infrastructure').to.deep.equal([]);
  });

  it('lets a domain folder import only the folders below it in the layering order', () => {
    expect(layerViolations(domain, DOMAIN_LAYERS)).to.deep.equal([]);
  });

  it('fails the layering rule on an import upwards, never on one downwards or within a folder', () => {
    const graph = fake({
      'server/src/auth/a.ts': ['server/src/therapists/t.ts', 'server/src/auth/b.ts', 'server/src/observability/logger.ts', '@alcove/shared'],
      'server/src/therapists/t.ts': ['server/src/auth/a.ts'],
      'server/src/sessions/s.ts': ['server/src/webhooks/w.ts'],
    });
    expect(layerViolations(graph, ['therapists', 'auth', 'sessions', 'webhooks'])).to.deep.equal([
      'server/src/therapists/t.ts → server/src/auth/a.ts',
      'server/src/sessions/s.ts → server/src/webhooks/w.ts',
    ]);
  });

  it('keeps adapters and transports apart (both know the domain, neither the other)', () => {
    const adapters = server.filter((f) => f.path.startsWith('server/src/adapters/'));
    const transports = server.filter((f) => f.path.startsWith('server/src/transport/'));
    expect(violations(adapters, (_f, imported) => imported.startsWith('server/src/transport/'))).to.deep.equal([]);
    expect(violations(transports, (_f, imported) => imported.startsWith('server/src/adapters/') && !imported.endsWith('redis-client.ts'))).to.deep.equal([]);
  });

  it('keeps the shared contract free of IO and of the server and browser code', () => {
    expect(
      violations(shared, (_f, imported) => /^(server|client)\//u.test(imported) || INFRASTRUCTURE_PACKAGES.some((p) => p.test(imported)) || imported.startsWith('node:')),
    ).to.deep.equal([]);
  });

  it('never lets the browser app import server code', () => {
    expect(violations(client, (_f, imported) => imported.startsWith('server/'))).to.deep.equal([]);
  });

  it('has no two source files with the same name in server/src, shared/src and client/src', () => {
    expect(duplicateNames([...server, ...shared, ...client].map((f) => f.path), SHARED_FILE_NAMES)).to.deep.equal([]);
  });

  it('fails the file-name rule on two files of one name, except an allowed one', () => {
    const paths = ['server/src/sessions/media-rooms.ts', 'server/src/adapters/livekit/media-rooms.ts', 'server/src/main.ts', 'client/src/main.ts', 'client/src/app.ts'];
    expect(duplicateNames(paths, SHARED_FILE_NAMES)).to.deep.equal(['media-rooms.ts: server/src/adapters/livekit/media-rooms.ts, server/src/sessions/media-rooms.ts']);
    expect(duplicateNames(paths)).to.have.length(2);
  });

  it('has no import cycles between files', () => {
    expect(importCycles([...server, ...shared, ...client])).to.deep.equal([]);
  });

  it('finds a cycle through type-only imports as well, and none in a chain', () => {
    expect(importCycles(fake({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] }))).to.deep.equal([['a.ts', 'b.ts', 'c.ts']]);
    expect(importCycles(fake({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }))).to.deep.equal([]);
  });
});
