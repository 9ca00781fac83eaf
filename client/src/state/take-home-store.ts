/**
 * The take-home list this tab was last sent (already opened and checked, `client-keys.ts`): held
 * in memory, and in this tab's sessionStorage only so the exit page still has it after a reload
 * at the very end. Wiped when the person leaves the exit page ("Done", closing the tab) or the
 * journey ends any other way; never sent anywhere.
 */
import { parseResourceList, type TakeHomeResource } from '@alcove/shared';

const RESOURCES_KEY = 'alcove.take-home';

let memory: TakeHomeResource[] = [];

export function keepResources(resources: readonly TakeHomeResource[]): void {
  memory = resources.map(({ title, url }) => ({ title, url }));
  try {
    if (memory.length === 0) sessionStorage.removeItem(RESOURCES_KEY);
    else sessionStorage.setItem(RESOURCES_KEY, JSON.stringify({ v: 1, resources: memory }));
  } catch {
    // storage unavailable: memory is enough for this page
  }
}

/** The latest list; what is read back from storage is checked again, as if it had just been opened. */
export function keptResources(): TakeHomeResource[] {
  if (memory.length > 0) return memory;
  try {
    const raw = sessionStorage.getItem(RESOURCES_KEY);
    if (raw) memory = parseResourceList(JSON.parse(raw)) ?? [];
  } catch {
    memory = [];
  }
  return memory;
}

export function wipeResources(): void {
  memory = [];
  try {
    sessionStorage.removeItem(RESOURCES_KEY);
  } catch {
    // nothing stored
  }
}
