/**
 * What the export buttons write: one row per finished photo, as CSV or JSON, and the file names of the
 * overlay PNGs. Pure, so the formats are unit-tested.
 */
import type { PartManifest } from '../../engine/patchflow/manifest';
import { verdictOf, type BatchItem, type Verdict } from './batch-item';

export interface ExportRow {
  /** Path inside the chosen folder, else the file name. */
  file: string;
  /** Full precision; null when the photo could not be inspected. */
  score: number | null;
  /** At the threshold in force when exporting. */
  verdict: Verdict;
  threshold: number;
  modelId: string;
  modelVersion: string;
  /** When the photo was inspected (ISO 8601). */
  time: string;
  error: string | null;
}

export interface ExportedModel {
  id: string;
  manifest: Pick<PartManifest, 'revision' | 'training'>;
}

/** `r<revision> <training date>`: revision 1 is the model as trained; saved thresholds count up. */
export function modelVersion(manifest: ExportedModel['manifest']): string {
  return `r${manifest.revision ?? 1} ${manifest.training.date}`;
}

/** Rows for the finished photos (waiting ones are left out), in the order given. */
export function exportRows(items: readonly BatchItem[], threshold: number, model: ExportedModel): ExportRow[] {
  const version = modelVersion(model.manifest);
  const rows: ExportRow[] = [];
  for (const item of items) {
    const verdict = verdictOf(item, threshold);
    if (verdict === null) continue;
    rows.push({
      file: item.path,
      score: item.result?.score ?? null,
      verdict,
      threshold,
      modelId: model.id,
      modelVersion: version,
      time: item.finishedAt ?? '',
      error: item.error,
    });
  }
  return rows;
}

export const CSV_COLUMNS = ['file', 'score', 'verdict', 'threshold', 'model_id', 'model_version', 'time', 'error'] as const;

/** RFC 4180 quoting. */
function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text by a leading quote. */
export function csvText(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function toCsv(rows: readonly ExportRow[]): string {
  const lines = rows.map((r) =>
    [csvText(r.file), r.score === null ? '' : String(r.score), r.verdict, String(r.threshold), csvText(r.modelId), csvText(r.modelVersion), r.time, csvText(r.error ?? '')].join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

export function toJson(rows: readonly ExportRow[]): string {
  return JSON.stringify(rows, null, 2) + '\n';
}

/**
 * Names for the overlay PNGs in the zip: `<path without extension>.overlay.png`, folders flattened with
 * '_', and a ` (2)`, ` (3)` … where two photos would get the same name.
 */
export function overlayFileNames(paths: readonly string[]): string[] {
  const taken = new Set<string>();
  return paths.map((path) => {
    const base = path.replace(/\.[^./\\]*$/, '').replace(/[/\\]+/g, '_');
    let name = `${base}.overlay.png`;
    for (let n = 2; taken.has(name); n++) name = `${base} (${n}).overlay.png`;
    taken.add(name);
    return name;
  });
}

/** `inspection-<part>-<local time>.<extension>`, safe on every file system. */
export function exportFileName(part: string, extension: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}_${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `inspection-${part.replace(/[^\w.-]+/g, '_')}-${stamp}.${extension}`;
}
