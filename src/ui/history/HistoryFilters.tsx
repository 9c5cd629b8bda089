/**
 * The History view's filter bar: a time span (quick spans or exact from/to), part, station and verdict;
 * how many records match; and the export of exactly those records as CSV or JSON.
 */
import { useState } from 'react';
import { download } from '../inspect/download';
import { exportFileName } from '../inspect/export';
import { errorMessage } from '../library/storage-errors';
import type { RecordFilter, VerdictFilter } from '../records/query';
import { scanRecords } from '../records/records-query';
import { usePlant } from '../records/plant-settings';
import { csvHeader, csvLines, JsonArrayWriter } from './export-records';
import { useHistory } from './history-filter';
import { useRecordCount, useRecordedNames } from './records-queries';
import { shiftAt } from './time-bins';

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms as an <input type="datetime-local"> value (local time). */
function localInput(time: number | null): string {
  if (time === null) return '';
  const d = new Date(time);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An <input type="datetime-local"> value as epoch ms (it names local time); null when empty. */
function fromLocalInput(value: string): number | null {
  const t = new Date(value).getTime();
  return value && Number.isFinite(t) ? t : null;
}

const HOUR = 3600_000;

export function HistoryFilters({ enabled }: { enabled: boolean }) {
  const filter = useHistory((s) => s.filter);
  const setFilter = useHistory((s) => s.setFilter);
  const shiftStarts = usePlant((s) => s.shiftStarts);
  const names = useRecordedNames(enabled).data;
  const count = useRecordCount(filter, enabled);

  const quick: [string, () => Partial<RecordFilter>][] = [
    ['This shift', () => ({ from: shiftAt(Date.now(), shiftStarts).start, to: null })],
    ['24 h', () => ({ from: Date.now() - 24 * HOUR, to: null })],
    ['7 days', () => ({ from: Date.now() - 7 * 24 * HOUR, to: null })],
    ['All time', () => ({ from: null, to: null })],
  ];

  return (
    <div className="history-filters">
      <fieldset className="filter-span">
        <legend className="visually-hidden">Time span</legend>
        {quick.map(([label, span]) => (
          <button key={label} type="button" onClick={() => setFilter(span())}>
            {label}
          </button>
        ))}
        <label>
          From <input type="datetime-local" value={localInput(filter.from)} onChange={(e) => setFilter({ from: fromLocalInput(e.target.value) })} />
        </label>
        <label>
          to <input type="datetime-local" value={localInput(filter.to)} onChange={(e) => setFilter({ to: fromLocalInput(e.target.value) })} />
        </label>
      </fieldset>
      <NameSelect label="Part filter" all="all parts" value={filter.part} names={names?.parts} onChange={(part) => setFilter({ part })} />
      <NameSelect label="Station filter" all="all stations" value={filter.station} names={names?.stations} onChange={(station) => setFilter({ station })} />
      <select aria-label="Verdict filter" value={filter.verdict ?? ''} onChange={(e) => setFilter({ verdict: (e.target.value || null) as VerdictFilter | null })}>
        <option value="">all verdicts</option>
        <option value="pass">PASS (model)</option>
        <option value="fail">FAIL (model)</option>
        <option value="overridden">overridden by the operator</option>
      </select>
      <output className="history-count" data-testid="history-count" data-value={count.data ?? undefined}>
        {count.data === undefined ? 'counting…' : `${count.data.toLocaleString('en')} record${count.data === 1 ? '' : 's'}`}
      </output>
      <ExportButtons filter={filter} />
    </div>
  );
}

function NameSelect({ label, all, value, names = [], onChange }: { label: string; all: string; value: string | null; names?: string[]; onChange: (v: string | null) => void }) {
  // a filter from a link may name something not recorded (yet): keep it choosable
  const options = value !== null && !names.includes(value) ? [value, ...names] : names;
  return (
    <select aria-label={label} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">{all}</option>
      {options.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}

function ExportButtons({ filter }: { filter: RecordFilter }) {
  const [progress, setProgress] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const run = async (format: 'csv' | 'json') => {
    setFailure(null);
    let written = 0;
    const csv: string[] = [csvHeader()];
    const json = new JsonArrayWriter();
    try {
      await scanRecords(filter, (chunk) => {
        if (format === 'csv') csv.push(csvLines(chunk));
        else json.add(chunk);
        written += chunk.length;
        setProgress(`Exporting ${written.toLocaleString('en')}…`);
      });
      const parts = format === 'csv' ? csv : json.close();
      download(new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/json' }), exportFileName(filter.part ?? 'history', format, new Date()));
    } catch (e) {
      setFailure(`Not exported: ${errorMessage(e)}`);
    } finally {
      setProgress(null);
    }
  };

  return (
    <span className="history-export">
      <button type="button" disabled={progress !== null} onClick={() => void run('csv')}>
        Export CSV
      </button>
      <button type="button" disabled={progress !== null} onClick={() => void run('json')}>
        Export JSON
      </button>
      {progress && <span className="hint">{progress}</span>}
      {failure && (
        <span role="alert" className="error">
          {failure}
        </span>
      )}
    </span>
  );
}
