/**
 * The station's settings beside the live picture: the overlay (as the Inspect view draws it), the
 * verdict's hysteresis, what happens on FAIL, and the part's live model. All kept in this browser.
 */
import { useId, useState } from 'react';
import type { PartPackageData } from '../../../workers/inspector-api';
import { chooserLabels } from '../library/entries';
import { useLibrary } from '../library/library';
import { RUN_LIMITS, runLength, useStation, usePartStation, type StationSettings } from './station-settings';
import { describeInput } from '../library/part-manifest';

export function StationPanel({ chosen }: { chosen: PartPackageData | null }) {
  const station = useStation();
  return (
    <section className="live-panel" aria-label="Station settings">
      <h2 className="panel-title">Overlay</h2>
      <label className="live-check">
        <input type="checkbox" checked={station.showHeatMap} onChange={(e) => station.set({ showHeatMap: e.target.checked })} /> Live heat map
      </label>
      <label className="live-field">
        Overlay opacity
        <input type="range" min={0} max={1} step={0.05} value={station.overlayOpacity} disabled={!station.showHeatMap} onChange={(e) => station.set({ overlayOpacity: Number(e.target.value) })} />
      </label>
      <label className="live-check">
        <input type="checkbox" checked={station.showContour} disabled={!station.showHeatMap} onChange={(e) => station.set({ showContour: e.target.checked })} /> Outline above the pixel threshold
      </label>
      <label className="live-check" title="the live picture runs ahead of the map by the latency; this shows what the map was measured on">
        <input type="checkbox" checked={station.showInspectedFrame} onChange={(e) => station.set({ showInspectedFrame: e.target.checked })} /> Inspected frame under the map
      </label>

      <h2 className="panel-title">Verdict</h2>
      <RunField label="FAIL after (frames above)" setting="failAfter" />
      <RunField label="PASS after (frames below)" setting="passAfter" />
      <label className="live-check">
        <input type="checkbox" checked={station.soundOnFail} onChange={(e) => station.set({ soundOnFail: e.target.checked })} /> Sound on FAIL
      </label>
      <label className="live-check">
        <input type="checkbox" checked={station.autoCapture} onChange={(e) => station.set({ autoCapture: e.target.checked })} /> Capture every FAIL
      </label>

      {chosen && <LiveModelChooser chosen={chosen} />}
    </section>
  );
}

/** A run length (N or M): a whole number within bounds; anything else is flagged on the field and not taken. */
function RunField({ label, setting }: { label: string; setting: keyof Pick<StationSettings, 'failAfter' | 'passAfter'> }) {
  const value = useStation((s) => s[setting]);
  const set = useStation((s) => s.set);
  const [text, setText] = useState<string | null>(null);
  const errorId = useId();
  const invalid = text !== null && runLength(text) === null;
  return (
    <label className="live-field">
      {label}
      <input
        type="number"
        min={RUN_LIMITS.min}
        max={RUN_LIMITS.max}
        step={1}
        value={text ?? value}
        aria-invalid={invalid}
        aria-describedby={invalid ? errorId : undefined}
        onChange={(e) => {
          const n = runLength(e.target.value);
          setText(n === null ? e.target.value : null);
          if (n !== null) set({ [setting]: n });
        }}
        onBlur={() => setText(null)}
      />
      {invalid && (
        <span id={errorId} className="live-field-error">
          a whole number from {RUN_LIMITS.min} to {RUN_LIMITS.max}; {value} is kept
        </span>
      )}
    </label>
  );
}

/** The model that inspects this part's camera frames: the chosen one, or another model of the same part (e.g. trained with the live preset). */
function LiveModelChooser({ chosen }: { chosen: PartPackageData }) {
  const part = chosen.manifest.part;
  const { liveModelId } = usePartStation(part);
  const setPart = useStation((s) => s.setPart);
  const library = useLibrary();
  const entries = library.data?.entries ?? [];
  const labels = chooserLabels(entries);
  const sameModel = entries.filter((e) => e.pkg.manifest.part === part && e.pkg.id !== chosen.id);
  const missing = liveModelId !== null && !sameModel.some((e) => e.pkg.id === liveModelId);
  const id = useId();
  const describe = (pkg: PartPackageData) => `${labels.get(pkg.id) ?? pkg.manifest.part} · ${describeInput(pkg.manifest.settings.features, pkg.manifest.settings.tiles)}`;
  return (
    <>
      <h2 className="panel-title">Live model for {part}</h2>
      <select id={id} aria-label="Live model" value={missing ? '' : (liveModelId ?? '')} onChange={(e) => setPart(part, { liveModelId: e.target.value || null })}>
        <option value="">the chosen model ({describe(chosen)})</option>
        {sameModel.map((e) => (
          <option key={e.pkg.id} value={e.pkg.id}>
            {describe(e.pkg)}
          </option>
        ))}
      </select>
      {missing && <p className="live-field-error">The live model set for {part} is no longer in the library: frames are inspected by the chosen model.</p>}
      {sameModel.length === 0 && <p className="hint">Import a model of {part} trained with the live preset (npm run train -- --preset live) to inspect frames faster.</p>}
    </>
  );
}
