/** Load a part model, drop photos, read verdicts and heat maps. */
import { useInspectStore } from './store';
import { HeatmapOverlay } from './HeatmapOverlay';

export function InspectPage() {
  const { part, loadingPart, partError, photos, loadPart, inspect } = useInspectStore();
  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    void inspect([...e.dataTransfer.files]);
  };
  return (
    <main>
      <h1>PatchFlow Inspect</h1>
      <section className="part">
        <label>
          Part model (manifest.json + head.onnx):{' '}
          <input type="file" multiple accept=".json,.onnx" onChange={(e) => void loadPart([...(e.target.files ?? [])])} />
        </label>
        {loadingPart && <p>Loading part model…</p>}
        {partError && <p role="alert" className="error">{partError}</p>}
        {part && (
          <p>
            <strong>{part.part}</strong> on {part.runtime} — reject at score ≥ {part.threshold.toFixed(2)}
          </p>
        )}
      </section>
      <section className="drop" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <label>
          Drop part photos here, or choose them:{' '}
          <input type="file" multiple accept="image/jpeg,image/png" disabled={!part} onChange={(e) => void inspect([...(e.target.files ?? [])])} />
        </label>
      </section>
      <ul className="results">
        {photos.map((p) => (
          <li key={p.id} className={p.result?.verdict ?? (p.error ? 'error' : 'pending')}>
            {p.result && part ? <HeatmapOverlay url={p.url} result={p.result} pixelThreshold={part.pixelThreshold} /> : <img src={p.url} alt={p.name} />}
            <div>
              <div>{p.name}</div>
              {p.result && (
                <div className="verdict">
                  {p.result.verdict.toUpperCase()} · score {p.result.score.toFixed(2)} · {p.result.milliseconds.toFixed(0)} ms
                </div>
              )}
              {p.error && <div role="alert">{p.error}</div>}
              {!p.result && !p.error && <div>inspecting…</div>}
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}
