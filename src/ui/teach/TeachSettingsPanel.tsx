/**
 * How the part is taught: the preset, an optional region of interest (a box dragged on the first photo,
 * and/or the centred square of each photo, shown over the first photo) and, for the curious, epochs and
 * seed.
 */
import { useEffect, useMemo, useRef } from 'react';
import { PRESETS, type PresetName } from '../../engine/patchflow/manifest';
import { cropRect, type Region } from '../../engine/patchflow/preprocess';
import { pixelsRead } from '../../engine/patchflow/tiling';
import { resolutionAdvice } from './good-photos';
import { RegionLayer } from '../components/RegionLayer';
import { isPreset, PRESET_NOTES, useTeachSettings } from './teach-settings';
import { useTeach } from './teach-store';

const DEFAULT_CROP = 0.8;

export function TeachSettingsPanel({ locked }: { locked: boolean }) {
  const { preset, epochs, seed, setPreset, setEpochs, setSeed } = useTeachSettings();
  const centerCrop = useTeach((s) => s.centerCrop);
  const setCenterCrop = useTeach((s) => s.setCenterCrop);
  const region = useTeach((s) => s.region);
  const setRegion = useTeach((s) => s.setRegion);
  const thinDefects = useTeach((s) => s.thinDefects);
  const setThinDefects = useTeach((s) => s.setThinDefects);
  const sample = useTeach((s) => s.photos.find((p) => p.thumbnail)?.thumbnail ?? null);
  const photos = useTeach((s) => s.photos);
  const { features, tiles } = PRESETS[preset]();
  const [read, tiled] = [pixelsRead(features.inputSize, tiles), tiles !== undefined];
  const resolution = useMemo(() => resolutionAdvice(photos, read, tiled, region), [photos, read, tiled, region]);
  return (
    <section className="teach-panel" aria-labelledby="teach-settings-title">
      <h2 id="teach-settings-title" className="teach-panel-title">
        2 · How to teach it
      </h2>
      <label className="teach-field">
        Preset
        <select aria-label="Preset" value={preset} disabled={locked} onChange={(e) => isPreset(e.target.value) && setPreset(e.target.value)}>
          {(Object.keys(PRESETS) as PresetName[]).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">
        {PRESET_NOTES[preset] ?? preset} ({features.inputSize} px on the shorter side{tiles ? ` of each of ${tiles.columns} × ${tiles.rows} tiles` : ''}; the longer follows the photos)
      </p>
      {resolution && (
        <p className="teach-warning" role="status" data-testid="teach-resolution">
          {resolution}
        </p>
      )}
      <fieldset className="teach-roi" disabled={locked}>
        <legend>Region of interest</legend>
        <label>
          <input type="checkbox" checked={centerCrop !== null} onChange={(e) => setCenterCrop(e.target.checked ? DEFAULT_CROP : null)} /> Only the centre of each photo
        </label>
        {centerCrop !== null && (
          <label className="teach-field">
            Centre square: {Math.round(centerCrop * 100)} % of the shorter side
            <input type="range" min={0.3} max={1} step={0.05} value={centerCrop} onChange={(e) => setCenterCrop(Number(e.target.value))} />
          </label>
        )}
        {sample && (
          <div className="teach-roi-stage">
            <RoiPreview photo={sample} fraction={centerCrop} region={region} />
            <RegionLayer roi={region} showRoi={false} drawing={!locked} onDrawn={setRegion} label="Region of interest on the first photo" testId="teach-roi" />
          </div>
        )}
        {sample && (
          <p className="hint">
            {region ? 'Only the box is inspected. ' : 'Drag on the photo (or use the arrow keys, Shift to resize, Enter to keep) to inspect only a box of every photo. '}
            {region && (
              <button type="button" onClick={() => setRegion(null)}>
                Whole photo
              </button>
            )}
          </p>
        )}
        <p className="hint">The part model keeps the region: photos inspected with it are cut the same way.</p>
      </fieldset>
      <fieldset className="teach-defects" disabled={locked}>
        <legend>Defects</legend>
        <label>
          <input type="checkbox" checked={thinDefects} onChange={(e) => setThinDefects(e.target.checked)} /> Thin defects (cracks, scratches)
        </label>
        <p className="hint">
          {thinDefects
            ? 'The heat map comes from all three maps: it covers a thin crack along its length. The most local map reads twice the channels, to tell a faint crack from fine texture; the part model is about twice the size.'
            : 'The heat map comes from the most local map: the sharpest outline of spots, dents and missing pieces.'}
        </p>
      </fieldset>
      <details className="teach-advanced">
        <summary>Advanced</summary>
        <label className="teach-field">
          Epochs
          <input type="number" min={1} max={100} value={epochs} disabled={locked} onChange={(e) => Number.isFinite(e.target.valueAsNumber) && setEpochs(e.target.valueAsNumber)} />
        </label>
        <label className="teach-field">
          Seed
          <input type="number" value={seed} disabled={locked} onChange={(e) => Number.isFinite(e.target.valueAsNumber) && setSeed(e.target.valueAsNumber)} />
        </label>
        <p className="hint">The same photos, preset, epochs and seed teach the same model here and with npm run train.</p>
      </details>
    </section>
  );
}

/** The first photo with the kept pixels outlined (the rest dimmed): the engine's own crop, at thumbnail scale. */
function RoiPreview({ photo, fraction, region }: { photo: ImageBitmap; fraction: number | null; region: Region | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    c.width = photo.width;
    c.height = photo.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(photo, 0, 0);
    if (fraction === null && region === null) return;
    const { x, y, width, height } = cropRect(photo, { centerCrop: fraction, ...(region && { region }) });
    ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.fillRect(0, 0, photo.width, y);
    ctx.fillRect(0, y + height, photo.width, photo.height - y - height);
    ctx.fillRect(0, y, x, height);
    ctx.fillRect(x + width, y, photo.width - x - width, height);
    ctx.strokeStyle = '#ffd54a';
    ctx.lineWidth = 2;
    ctx.strokeRect(x, y, width, height);
  }, [photo, fraction, region]);
  const kept = region ? `${region.x},${region.y},${region.width},${region.height}` : undefined;
  return <canvas ref={canvas} className="teach-roi-preview" role="img" aria-label="Region of interest on the first photo" data-region={kept} />;
}
