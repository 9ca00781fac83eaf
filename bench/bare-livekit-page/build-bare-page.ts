/**
 * Bundles the bare livekit-client page from node_modules (esbuild, the one tsx already brings;
 * nothing is downloaded) into a fresh temporary folder: index.html, the page script and
 * livekit-client's own E2EE worker, unchanged.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./page-entry.ts', import.meta.url));

const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bare livekit-client</title></head>
<body><script type="module" src="./page.js"></script></body></html>
`;

/** Returns the folder holding index.html, page.js and e2ee.worker.mjs. */
export async function buildBarePage(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'alcove-bare-page-'));
  await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    outfile: join(dir, 'page.js'),
    logLevel: 'error',
  });
  const require = createRequire(import.meta.url);
  const esm = require.resolve('livekit-client');
  copyFileSync(join(esm, '..', 'livekit-client.e2ee.worker.mjs'), join(dir, 'e2ee.worker.mjs'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  return dir;
}
