/**
 * The rehearsal's world for one test file: the namespaces, the production stack in `server`, and
 * one Chromium per place, built before the file's tests and removed after them — also on Ctrl-C,
 * so no namespace, process or secret outlives a run. Each file names its world, so the services'
 * logs it keeps (artifacts/rehearsal-logs/<name>) are its own.
 */
import type { E2eBrowser, Person } from '../support/browser.ts';
import { launchBrowserIn } from './browser-in-namespace.ts';
import { setUpNetwork, tearDownNetwork, type Place } from './network.ts';
import { startServerStack, type ServerStack } from './server-stack.ts';

export interface RehearsalWorld {
  /** Set once the file's `before` has run. */
  stack: ServerStack | undefined;
  browsers: Partial<Record<Place, E2eBrowser>>;
  /** People the file opened: closed before their browsers go. */
  readonly people: Array<Person | undefined>;
}

/** Call inside `describe`: registers the hooks that build and remove the world. */
export function useRehearsalWorld(name: string, places: readonly Place[]): RehearsalWorld {
  const world: RehearsalWorld = { stack: undefined, browsers: {}, people: [] };
  const tearDown = async () => {
    for (const person of world.people) await person?.close().catch(() => undefined);
    for (const browser of Object.values(world.browsers)) await browser?.close();
    await world.stack?.stop();
    tearDownNetwork();
  };
  const onSignal = () => void tearDown().finally(() => process.exit(130));

  before(async function () {
    this.timeout(240_000);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    setUpNetwork(places);
    world.stack = await startServerStack(name);
    for (const place of places) world.browsers[place] = await launchBrowserIn(place, world.stack.workDir, world.stack.caRootPath);
  });

  after(async function () {
    this.timeout(60_000);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await tearDown();
  });
  return world;
}
