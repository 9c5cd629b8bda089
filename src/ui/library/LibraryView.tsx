/** The Library section: the part models this browser has (shipped and imported), and importing more. */
import { useId, useState } from 'react';
import { useCurrentPart } from './current-part';
import { importPartModels, useLibrary } from './library';
import { LibraryItem } from './LibraryItem';

function EmptyLibrary() {
  return (
    <p className="empty">
      No part models yet. Train one with <code>npm run train -- --data DIR --out DIR</code> (writes <code>DIR/part.zip</code>), or run{' '}
      <code>npm run setup</code> beside <code>../shared</code> to build the demo models, then import it here.
    </p>
  );
}

export function LibraryView() {
  const inputId = useId();
  const library = useLibrary();
  const [importing, setImporting] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  const onImport = async (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = ''; // the same files can be chosen again
    if (!files.length) return;
    setImporting(true);
    setFailures([]);
    setNotice(null);
    try {
      const { imported, failures } = await importPartModels(files);
      setFailures(failures);
      if (imported.length) setNotice(`Imported ${imported.map((p) => p.manifest.part).join(', ')}.`);
      // the first model of an empty choice is ready to inspect with
      const current = useCurrentPart.getState();
      if (imported.length && !current.pkg && !current.loading) void current.choose(imported[0]);
    } finally {
      setImporting(false);
    }
  };

  const entries = library.data?.entries ?? [];
  return (
    <div className="library">
      <h2>Part models</h2>
      <div className="import">
        <label htmlFor={inputId}>Import part model</label>
        <input id={inputId} type="file" multiple accept=".zip,.json,.onnx" disabled={importing} onChange={(e) => void onImport(e.currentTarget)} />
        <span className="hint">a .zip, or manifest.json and head.onnx together</span>
        {importing && <span role="status">importing…</span>}
        {notice && <span role="status">{notice}</span>}
      </div>
      {failures.length > 0 && (
        <div role="alert" className="error">
          <p>Not imported:</p>
          <ul>
            {failures.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
      {library.data?.problems.map((p) => (
        <p key={p} className="warning">
          {p}
        </p>
      ))}
      {library.isPending ? (
        <p>reading the library…</p>
      ) : entries.length ? (
        <ul className="library-list">
          {entries.map((entry) => (
            <LibraryItem key={entry.pkg.id} entry={entry} />
          ))}
        </ul>
      ) : (
        <EmptyLibrary />
      )}
    </div>
  );
}
