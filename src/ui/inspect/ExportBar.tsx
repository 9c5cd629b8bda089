/** Export of the batch's results: CSV, JSON, and the overlays as PNGs in a zip. */
import { useState } from 'react';
import type { PartPackageData } from '../../../workers/inspector-api';
import type { BatchItem } from './batch-item';
import { useBatch } from './batch-store';
import { download } from './download';
import { exportFileName, exportRows, toCsv, toJson } from './export';
import { overlayZip } from './overlay-export';

interface ExportBarProps {
  items: BatchItem[];
  threshold: number;
  pkg: PartPackageData;
}

export function ExportBar({ items, threshold, pkg }: ExportBarProps) {
  const opacity = useBatch((s) => s.overlayOpacity);
  const [overlays, setOverlays] = useState<{ done: number; total: number } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const finished = items.some((i) => i.status === 'done' || i.status === 'error');
  const inspected = items.some((i) => i.result);

  const exportTable = (format: 'csv' | 'json') => {
    const rows = exportRows(items, threshold, pkg);
    const text = format === 'csv' ? toCsv(rows) : toJson(rows);
    download(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/json' }), exportFileName(pkg.manifest.part, format, new Date()));
  };

  const exportOverlays = async () => {
    setFailure(null);
    setOverlays({ done: 0, total: 0 });
    try {
      const zip = await overlayZip(items, pkg.manifest.thresholds.pixel, opacity, (done, total) => setOverlays({ done, total }));
      download(zip, exportFileName(pkg.manifest.part, 'overlays.zip', new Date()));
    } catch (e) {
      setFailure(`Overlays not exported: ${(e as Error).message}`);
    } finally {
      setOverlays(null);
    }
  };

  return (
    <div className="export-bar">
      <button type="button" onClick={() => exportTable('csv')} disabled={!finished}>
        Export CSV
      </button>
      <button type="button" onClick={() => exportTable('json')} disabled={!finished}>
        Export JSON
      </button>
      <button type="button" onClick={() => void exportOverlays()} disabled={!inspected || overlays !== null}>
        {overlays ? `Exporting overlays ${overlays.done} of ${overlays.total}…` : 'Export overlays'}
      </button>
      {failure && (
        <p role="alert" className="export-error">
          {failure}
        </p>
      )}
    </div>
  );
}
