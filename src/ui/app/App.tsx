/**
 * The app's shell: the product's header (sections, part chooser, backend readout) over the sections.
 * Every section stays mounted while hidden, so a batch being inspected carries on behind the Library.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import { HistoryView } from '../history/HistoryView';
import { InterruptedBatches } from '../history/InterruptedBatches';
import { PlantReadout } from '../history/PlantReadout';
import { InspectView } from '../inspect/InspectView';
import { LibraryView } from '../library/LibraryView';
import { LiveView } from '../live/LiveView';
import { PartChooser } from '../library/PartChooser';
import { TeachView } from '../teach/TeachView';
import { BackendReadout } from './BackendReadout';
import { OfflineReadout } from './offline';
import { SECTIONS, useSection, type SectionId } from './navigation';
import { queryClient } from './query-client';

const VIEWS: Record<SectionId, ComponentType> = { inspect: InspectView, live: LiveView, teach: TeachView, history: HistoryView, library: LibraryView };

export function App() {
  const section = useSection();
  return (
    <QueryClientProvider client={queryClient}>
      <header className="app-header">
        <h1 className="brand">PatchFlow Inspect</h1>
        <nav aria-label="Sections" className="sections">
          {SECTIONS.map((s) => (
            <a key={s.id} href={`#${s.id}`} aria-current={s.id === section ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
        <div className="part-bar">
          <PartChooser />
          <BackendReadout />
          <OfflineReadout />
          <PlantReadout />
        </div>
      </header>
      <main className="app-main">
        <InterruptedBatches />
        {SECTIONS.map((s) => {
          const View = VIEWS[s.id];
          return (
            <section key={s.id} aria-label={s.label} hidden={s.id !== section}>
              <View />
            </section>
          );
        })}
      </main>
    </QueryClientProvider>
  );
}
