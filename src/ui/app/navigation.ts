/**
 * The app's sections and which one shows: the URL's hash (#library), so a reload or a shared link keeps
 * the section. Live, Teach and History join SECTIONS as they are built.
 */
import { useSyncExternalStore } from 'react';

export const SECTIONS = [
  { id: 'inspect', label: 'Inspect' },
  { id: 'live', label: 'Live' },
  { id: 'teach', label: 'Teach' },
  { id: 'history', label: 'History' },
  { id: 'library', label: 'Library' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

/** The section a hash names (a query after it, as in #history?part=bottle, is the section's own); the first section for an empty or unknown hash. */
export function sectionOf(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '').split('?')[0];
  return SECTIONS.find((s) => s.id === id)?.id ?? SECTIONS[0].id;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useSection(): SectionId {
  return useSyncExternalStore(subscribe, () => sectionOf(window.location.hash));
}
