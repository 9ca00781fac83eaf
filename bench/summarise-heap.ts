/**
 * Where the app's heap per connected client goes: reads two V8 heap snapshots
 * (from `npm run bench -- --heap-snapshot`, taken after full GCs before and after
 * the surge) and prints, by what V8 calls each object (its constructor, or the
 * kind of a string, array, closure or native object), how many more there are
 * and how many more bytes they hold, per connected client.
 *
 *   npx tsx bench/summarise-heap.ts <before.heapsnapshot> <after.heapsnapshot> --per <clients> [--top 30] [--holders 1]
 *
 * Self sizes only: what an object holds itself, not what it keeps alive, so the
 * rows add up to the heap's growth. Snapshots hold everything on the heap; they
 * stay in the bench's temporary folder and are never committed. Nameless nodes
 * (V8's internal arrays, anonymous closures and contexts, plain objects) are named
 * after the chain of what first holds them, `--holders` links deep.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Tally {
  count: number;
  bytes: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { per: { type: 'string' }, top: { type: 'string', default: '30' }, holders: { type: 'string', default: '1' } } });
const [beforeFile, afterFile] = positionals;
const per = Number(values.per);
const top = Number(values.top);
const holders = Number(values.holders);
if (!beforeFile || !afterFile || !Number.isInteger(per) || per <= 0 || !Number.isInteger(top) || top <= 0 || !Number.isInteger(holders) || holders < 0) {
  process.stderr.write('usage: tsx bench/summarise-heap.ts <before.heapsnapshot> <after.heapsnapshot> --per <clients> [--top N] [--holders N]\n');
  process.exit(64);
}

/** A string's or a number's own name says nothing about who holds it: such nodes are told apart by kind only. */
const NAMED_BY_KIND = new Set(['string', 'concatenated string', 'sliced string', 'number', 'code', 'hidden', 'array']);
/** Nameless on their own (V8's internal arrays, anonymous closures, contexts): named after what first holds them. */
const NAMED_BY_OWNER = new Set(['array', 'closure', 'object']);

function tallyByName(file: string, depth: number): Map<string, Tally> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const { node_fields: fields, node_types: nodeTypes, edge_fields: edgeFields, edge_types: edgeTypes } = heap.snapshot.meta;
  const types = nodeTypes[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => fields.indexOf(f)) as [number, number, number, number];
  const edgeWidth = edgeFields.length;
  const [edgeTypeAt, edgeNameAt, edgeToAt] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const weak = edgeTypes[0].indexOf('weak');
  const nodeType = (at: number) => types[heap.nodes[at + typeAt]!] ?? 'unknown';
  const nodeName = (at: number) => heap.strings[heap.nodes[at + nameAt]!] ?? '?';

  // The first strong holder of each node, by the node's offset in `nodes`.
  const ownerOf = new Map<number, number>();
  for (let at = 0, edge = 0; at < heap.nodes.length; at += width) {
    const end = edge + heap.nodes[at + edgeCountAt]! * edgeWidth;
    for (; edge < end; edge += edgeWidth) {
      if (heap.edges[edge + edgeTypeAt] === weak) continue;
      const to = heap.edges[edge + edgeToAt]!;
      if (!ownerOf.has(to)) ownerOf.set(to, at);
    }
  }
  const ownerLabel = (at: number, depth: number): string => {
    const owner = ownerOf.get(at);
    if (owner === undefined || depth === 0) return '';
    const name = nodeName(owner);
    return ` in ${name === '' ? `(${nodeType(owner)})` : name}${ownerLabel(owner, depth - 1)}`;
  };

  const tallies = new Map<string, Tally>();
  for (let at = 0; at < heap.nodes.length; at += width) {
    const type = nodeType(at);
    const own = nodeName(at);
    const nameless = NAMED_BY_OWNER.has(type) && (type === 'array' || own === '' || own === 'Object' || own === 'system / Context');
    const label = NAMED_BY_KIND.has(type) && !nameless ? `(${type})` : `${type === 'array' ? '(array)' : `${own || '(anonymous)'} [${type}]`}`;
    const name = nameless ? `${label}${ownerLabel(at, depth)}` : label;
    const tally = tallies.get(name) ?? { count: 0, bytes: 0 };
    tally.count += 1;
    tally.bytes += heap.nodes[at + sizeAt]!;
    tallies.set(name, tally);
  }
  return tallies;
}

const before = tallyByName(beforeFile, holders);
const after = tallyByName(afterFile, holders);
const rows = [...after.entries()].map(([name, grown]) => {
  const was = before.get(name) ?? { count: 0, bytes: 0 };
  return { name, count: grown.count - was.count, bytes: grown.bytes - was.bytes };
});
const total = rows.reduce((sum, row) => sum + row.bytes, 0);
const fixed = (n: number, digits = 1) => n.toFixed(digits).padStart(8);

process.stdout.write(`heap grew ${(total / 1024 / 1024).toFixed(1)} MiB: ${(total / per / 1024).toFixed(2)} KB per client over ${per} clients (self sizes)\n\n`);
process.stdout.write('  bytes/client  objects/client  share  what\n');
for (const row of rows.sort((a, b) => b.bytes - a.bytes).slice(0, top)) {
  process.stdout.write(`  ${fixed(row.bytes / per, 0)}      ${fixed(row.count / per, 2)}    ${fixed((100 * row.bytes) / total, 1)}%  ${row.name}\n`);
}
