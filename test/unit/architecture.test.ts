/**
 * The architecture, checked on the import graph: dependencies point inward. Reads the
 * source files only (no services). A failure names the offending import.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Domain folders of the server: they talk to the world only through interfaces they own. */
const DOMAIN = ['auth', 'encryption', 'presence', 'sessions', 'therapists', 'tokens', 'waiting-room', 'webhooks'];
/** Packages only adapters, transports and the composition root may use. */
const INFRASTRUCTURE_PACKAGES = [/^express/u, /^socket\.io/u, /^@socket\.io\//u, /^redis$/u, /^@redis\//u, /^livekit-server-sdk$/u, /^@livekit\//u, /^helmet$/u, /^proxy-addr$/u, /^node:(http|https|net|fs|child_process)$/u];

interface SourceFile {
  path: string; // relative to the repository root
  imports: string[]; // resolved relative paths for local imports, package names otherwise
}

function listTs(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    const full = join(folder, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function readSources(folder: string): SourceFile[] {
  return listTs(join(ROOT, folder)).map((full) => {
    const text = readFileSync(full, 'utf8');
    const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gmu), ...text.matchAll(/import\('([^']+)'\)/gu)].map(([, spec]) =>
      spec!.startsWith('.') ? relative(ROOT, resolve(dirname(full), spec!)) : spec!,
    );
    return { path: relative(ROOT, full), imports };
  });
}

const server = readSources('server/src');
const shared = readSources('shared/src');
const client = readSources('client/src');

function violations(files: SourceFile[], isForbidden: (file: SourceFile, imported: string) => boolean): string[] {
  return files.flatMap((file) => file.imports.filter((imported) => isForbidden(file, imported)).map((imported) => `${file.path} → ${imported}`));
}

const folderOf = (path: string) => path.split('/')[2] ?? '';

describe('architecture (the import graph)', () => {
  it('keeps the server domain free of Express, Socket.io, Redis, LiveKit and raw IO', () => {
    const domain = server.filter((f) => DOMAIN.includes(folderOf(f.path)));
    expect(domain.length).to.be.greaterThan(20);
    expect(violations(domain, (_f, imported) => INFRASTRUCTURE_PACKAGES.some((p) => p.test(imported)))).to.deep.equal([]);
  });

  it('lets no domain module import an adapter, a transport or the composition root', () => {
    const domain = server.filter((f) => DOMAIN.includes(folderOf(f.path)));
    expect(
      violations(domain, (_f, imported) => /^server\/src\/(adapters|transport)\//u.test(imported) || /^server\/src\/(app|main|cli)\.ts$/u.test(imported)),
    ).to.deep.equal([]);
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

  it('has no import cycles between files', () => {
    const graph = new Map<string, string[]>();
    for (const file of [...server, ...shared, ...client]) graph.set(file.path, file.imports.filter((i) => i.endsWith('.ts')));
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (node: string) => {
      indices.set(node, index);
      low.set(node, index);
      index += 1;
      stack.push(node);
      onStack.add(node);
      for (const next of graph.get(node) ?? []) {
        if (!graph.has(next)) continue;
        if (!indices.has(next)) {
          visit(next);
          low.set(node, Math.min(low.get(node)!, low.get(next)!));
        } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
      if (low.get(node) === indices.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const node of graph.keys()) if (!indices.has(node)) visit(node);
    expect(cycles).to.deep.equal([]);
  });
});
