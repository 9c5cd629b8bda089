/**
 * The batch as a table, sortable by name, score and verdict. Every row carries the stable test hooks
 * (data-testid="result" once a photo is finished, "pending" before; data-file, data-score, data-verdict).
 * Up to WINDOW_FROM rows every row is in the page; beyond, only the rows in view are (the container's
 * data-total still gives the count), which keeps a 500-photo batch smooth.
 */
import { memo, useEffect, useRef } from 'react';
import { BitmapThumbnail } from '../components/BitmapThumbnail';
import { useWindowedRows } from '../components/useWindowedRows';
import { scrollToReveal } from '../components/windowing';
import { formatScore, verdictOf, type BatchItem } from './batch-item';
import { useBatch } from './batch-store';
import type { SortColumn } from './results-order';

/** Row and header heights in px; inspect.css sets the same, which windowing relies on. */
const ROW_HEIGHT = 48;
const HEADER_HEIGHT = 32;
const WINDOW_FROM = 200;

interface ResultsTableProps {
  /** The items in table order. */
  ordered: BatchItem[];
  threshold: number;
}

export function ResultsTable({ ordered, threshold }: ResultsTableProps) {
  const selectedId = useBatch((s) => s.selectedId);
  const select = useBatch((s) => s.select);
  const scroller = useRef<HTMLDivElement>(null);
  const windowed = ordered.length > WINDOW_FROM;
  const rows = useWindowedRows(scroller, ordered.length, ROW_HEIGHT, windowed, HEADER_HEIGHT);

  // bring a newly selected row into view (keyboard stepping); not on every list update
  const orderedNow = useRef(ordered);
  orderedNow.current = ordered;
  useEffect(() => {
    const el = scroller.current;
    const index = orderedNow.current.findIndex((i) => i.id === selectedId);
    if (el && index >= 0) el.scrollTop = scrollToReveal(index, ROW_HEIGHT, el.scrollTop, el.clientHeight - HEADER_HEIGHT);
  }, [selectedId]);

  return (
    <div ref={scroller} className="results-scroller" data-testid="results" data-total={ordered.length} data-windowed={windowed ? 'true' : 'false'}>
      <table className="results-table">
        <thead>
          <tr>
            <th scope="col" className="col-thumb">
              <span className="visually-hidden">Photo</span>
            </th>
            <SortHeader column="name">File</SortHeader>
            <SortHeader column="score">Score</SortHeader>
            <SortHeader column="verdict">Verdict</SortHeader>
          </tr>
        </thead>
        <tbody>
          {rows.padTop > 0 && <tr aria-hidden="true" style={{ height: rows.padTop }} />}
          {ordered.slice(rows.start, rows.end).map((item) => (
            <ResultRow key={item.id} item={item} threshold={threshold} selected={item.id === selectedId} onSelect={select} />
          ))}
          {rows.padBottom > 0 && <tr aria-hidden="true" style={{ height: rows.padBottom }} />}
        </tbody>
      </table>
      {ordered.length === 0 && <p className="results-empty">No photos yet: add photos or drop them here.</p>}
    </div>
  );
}

function SortHeader({ column, children }: { column: SortColumn; children: string }) {
  const sort = useBatch((s) => s.sort);
  const sortBy = useBatch((s) => s.sortBy);
  const direction = sort.column === column ? sort.direction : 'none';
  return (
    <th scope="col" aria-sort={direction} className={`col-${column}`}>
      <button type="button" onClick={() => sortBy(column)}>
        {children}
        <span aria-hidden="true">{direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}

interface ResultRowProps {
  item: BatchItem;
  threshold: number;
  selected: boolean;
  onSelect: (id: number) => void;
}

const ResultRow = memo(function ResultRow({ item, threshold, selected, onSelect }: ResultRowProps) {
  const verdict = verdictOf(item, threshold);
  const score = item.result?.score;
  return (
    <tr
      data-testid={verdict ? 'result' : 'pending'}
      data-file={item.name}
      data-score={score === undefined ? undefined : String(score)}
      data-verdict={verdict ?? undefined}
      className={`result-row${selected ? ' selected' : ''}`}
      aria-current={selected ? 'true' : undefined}
      tabIndex={0}
      onClick={() => onSelect(item.id)}
      onKeyDown={(e) => e.key === 'Enter' && onSelect(item.id)}
    >
      <td className="col-thumb">{item.result ? <BitmapThumbnail bitmap={item.result.thumbnail} /> : <span className="thumb-placeholder" />}</td>
      <td className="col-name">
        <span className="file-name" title={item.path}>
          {item.name}
        </span>
        {item.error && (
          <span role="alert" className="item-error" title={item.error}>
            {item.error}
          </span>
        )}
      </td>
      <td className="col-score">{score === undefined ? '—' : formatScore(score)}</td>
      <td className="col-verdict">
        <span className={`verdict verdict-${verdict ?? item.status}`}>{verdict ? verdict.toUpperCase() : item.status === 'inspecting' ? 'inspecting…' : 'queued'}</span>
      </td>
    </tr>
  );
});
