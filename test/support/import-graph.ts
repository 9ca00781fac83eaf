/**
 * The import graph of the source tree and the rules the architecture check applies to it.
 * The rules are plain functions over paths, so test/unit/architecture.test.ts can also show
 * each one failing on a small fake graph.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

export interface SourceFile {
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

export function readSources(root: string, folder: string): SourceFile[] {
  return listTs(join(root, folder)).map((full) => {
    const text = readFileSync(full, 'utf8');
    const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gmu), ...text.matchAll(/import\('([^']+)'\)/gu)].map(([, spec]) =>
      spec!.startsWith('.') ? relative(root, resolve(dirname(full), spec!)) : spec!,
    );
    return { path: relative(root, full), imports };
  });
}

export function violations(files: SourceFile[], isForbidden: (file: SourceFile, imported: string) => boolean): string[] {
  return files.flatMap((file) => file.imports.filter((imported) => isForbidden(file, imported)).map((imported) => `${file.path} → ${imported}`));
}

/** The first folder under server/src of a path ('' for a file directly in it). */
export const serverFolderOf = (path: string): string => {
  const parts = path.split('/');
  return parts[0] === 'server' && parts[1] === 'src' && parts.length > 3 ? parts[2]! : '';
};

/**
 * Domain layering: `layers` lists the domain folders bottom first; a domain folder may import
 * only folders strictly below it (and itself). Imports of anything that is not a listed folder
 * are left to the other rules.
 */
export function layerViolations(files: SourceFile[], layers: readonly string[]): string[] {
  return violations(files, (file, imported) => {
    const from = layers.indexOf(serverFolderOf(file.path));
    const to = layers.indexOf(serverFolderOf(imported));
    return from >= 0 && to > from;
  });
}

/** File names used by more than one source file, minus the allowed ones: "name: path, path". */
export function duplicateNames(paths: readonly string[], allowed: ReadonlySet<string> = new Set()): string[] {
  const byName = new Map<string, string[]>();
  for (const path of paths) byName.set(basename(path), [...(byName.get(basename(path)) ?? []), path]);
  return [...byName]
    .filter(([name, holders]) => holders.length > 1 && !allowed.has(name))
    .map(([name, holders]) => `${name}: ${holders.sort().join(', ')}`)
    .sort();
}

/** Import cycles between files (Tarjan's strongly connected components of more than one file). */
export function importCycles(files: SourceFile[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const file of files) graph.set(file.path, file.imports.filter((i) => i.endsWith('.ts')));
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
  return cycles;
}
