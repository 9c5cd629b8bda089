/** One part model in the library: use it, read its manifest, export it, delete (or revert) it. */
import { useState } from 'react';
import { useCurrentPart } from './current-part';
import type { LibraryEntry, PartSource } from './entries';
import { deletePartModel } from './library';
import { formatDate, formatScore, summarizeManifest } from './part-manifest';
import { mib } from '../../engine/units';
import { errorMessage } from './storage-errors';

const SOURCE_LABELS: Record<PartSource, string> = {
  shipped: 'shipped with the app',
  'shipped-edited': 'shipped, threshold edited',
  imported: 'imported',
  taught: 'taught in this browser',
};

/** Hands a zip to the browser as a download. */
function download(zip: Uint8Array<ArrayBuffer>, name: string): void {
  const url = URL.createObjectURL(new Blob([zip], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // the download has taken the blob by the time the click's task is done
  setTimeout(() => URL.revokeObjectURL(url));
}

async function exportPackage(entry: LibraryEntry): Promise<void> {
  // the package writer comes with the engine's zip code: loaded on the first export only
  const { packPartPackage } = await import('../../engine/patchflow/part-package');
  // fflate writes the zip into a fresh ArrayBuffer
  download(packPartPackage(entry.pkg.manifest, entry.pkg.head) as Uint8Array<ArrayBuffer>, `${entry.pkg.manifest.part}.zip`);
}

export function LibraryItem({ entry }: { entry: LibraryEntry }) {
  const { pkg, choosing, loading, choose } = useCurrentPart();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { id, manifest, head } = entry.pkg;
  const current = pkg?.id === id;
  const run = (action: () => Promise<void>) => {
    setError(null);
    action().catch((e: unknown) => setError(errorMessage(e)));
  };
  const remove = () => {
    setConfirming(false);
    run(() => deletePartModel(entry));
  };

  return (
    <li data-testid="library-item" data-id={id} data-part={manifest.part} data-source={entry.source} className={current ? 'library-item current' : 'library-item'}>
      <div className="item-title">
        <h3>{manifest.part}</h3>
        <span className={`badge ${entry.source}`}>{SOURCE_LABELS[entry.source]}</span>
        {current && <span className="badge in-use">in use</span>}
        {choosing === id && <span className="badge">loading…</span>}
      </div>
      {entry.description && <p className="description">{entry.description}</p>}
      <p className="facts">
        reject at score ≥ {formatScore(manifest.thresholds.image)} · head {mib(head.byteLength)}
        {manifest.training && <> · trained {formatDate(manifest.training.date)}</>} · <code>{id}</code>
      </p>
      <div className="actions">
        <button type="button" disabled={current || loading} onClick={() => void choose(entry.pkg)}>
          Use
        </button>
        <button type="button" onClick={() => run(() => exportPackage(entry))}>
          Export package
        </button>
        {entry.source !== 'shipped' &&
          (confirming ? (
            <span className="confirm">
              {entry.revertsToShipped
                ? 'Discard the saved threshold and go back to the shipped model?'
                : `Delete ${manifest.part} from this browser${current ? ' (it is the model in use)' : ''}?`}
              <button type="button" className="danger" onClick={remove}>
                {entry.revertsToShipped ? 'Yes, revert' : 'Yes, delete'}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Delete
            </button>
          ))}
      </div>
      <details>
        <summary>Manifest details</summary>
        <dl className="manifest">
          {summarizeManifest(manifest, head.byteLength).map((row) => (
            <div key={row.label}>
              <dt>{row.label}</dt>
              <dd>{row.value}</dd>
            </div>
          ))}
        </dl>
      </details>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </li>
  );
}
