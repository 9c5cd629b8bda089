/** The header's part chooser: every model in the library; the last choice comes back after a reload. */
import { useEffect, useId } from 'react';
import { useCurrentPart } from './current-part';
import { chooserLabels } from './entries';
import { useLibrary } from './library';
import { chooseAtStartup, rememberChoices } from './remembered-part';

export function PartChooser() {
  const id = useId();
  const library = useLibrary();
  const { pkg, choosing, loading, choose } = useCurrentPart();
  useEffect(() => rememberChoices(), []);
  useEffect(() => {
    if (library.data) chooseAtStartup(library.data.entries);
  }, [library.data]);

  const entries = library.data?.entries ?? [];
  const labels = chooserLabels(entries);
  // while a new choice loads, show it rather than the one still running
  const value = choosing ?? pkg?.id ?? '';
  const placeholder = library.isPending ? 'reading the library…' : entries.length ? 'choose a part model' : 'none yet: import one in the Library';
  return (
    <div className="part-chooser">
      <label htmlFor={id}>Part</label>
      <select id={id} value={value} disabled={loading || !entries.length} onChange={(e) => {
        const entry = entries.find((x) => x.pkg.id === e.target.value);
        if (entry) void choose(entry.pkg);
      }}>
        {!labels.has(value) && <option value={value}>{placeholder}</option>}
        {entries.map((e) => (
          <option key={e.pkg.id} value={e.pkg.id}>
            {labels.get(e.pkg.id)}
          </option>
        ))}
      </select>
    </div>
  );
}
