/**
 * A page of records, newest first, with paging that costs the same on page 1 and page 1 000. Rows carry
 * the stable hooks: data-testid="history-row", data-verdict (the model's), data-score (full precision),
 * and data-file, data-final-verdict.
 */
import { memo } from 'react';
import { formatScore } from '../inspect/batch-item';
import { finalVerdict, type InspectionRecord } from '../records/record';
import { useHistory } from './history-filter';
import { PAGE_SIZE, useRecordPage } from './records-queries';
import { clockLabel, dateLabel } from './time-bins';
import { useThumbnailUrl } from './useRecordImages';

export function RecordsTable({ enabled }: { enabled: boolean }) {
  const { filter, pages, selectedId, select, older, newer, newest } = useHistory();
  const page = useRecordPage(filter, pages.at(-1) ?? null, enabled);
  const records = page.data?.records ?? [];
  const next = page.data?.next ?? null;
  return (
    <div className="history-records">
      <div className="history-paging">
        <button type="button" onClick={newest} disabled={pages.length === 0}>
          ⏮ Newest
        </button>
        <button type="button" onClick={newer} disabled={pages.length === 0}>
          ◀ Newer
        </button>
        <span>
          page {pages.length + 1} · {PAGE_SIZE} per page
        </span>
        <button type="button" onClick={() => next && older(next)} disabled={!next}>
          Older ▶
        </button>
        {page.isFetching && <span className="hint">reading…</span>}
      </div>
      {page.error && (
        <p role="alert" className="error">
          The history cannot be read: {page.error.message}
        </p>
      )}
      <div className="history-scroller">
        <table className="history-table" data-testid="history-table" data-rows={records.length}>
          <thead>
            <tr>
              <th scope="col" className="col-thumb">
                <span className="visually-hidden">Photo</span>
              </th>
              <th scope="col">Time</th>
              <th scope="col">Part</th>
              <th scope="col">Station</th>
              <th scope="col">File</th>
              <th scope="col" className="col-score">
                Score
              </th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <HistoryRow key={r.id} record={r} selected={r.id === selectedId} onSelect={select} />
            ))}
          </tbody>
        </table>
        {page.isSuccess && records.length === 0 && <p className="results-empty">No records match: inspections appear here as they finish.</p>}
      </div>
    </div>
  );
}

const HistoryRow = memo(function HistoryRow({ record, selected, onSelect }: { record: InspectionRecord; selected: boolean; onSelect: (id: string) => void }) {
  const thumbnail = useThumbnailUrl(record.id, record.images === 'stored');
  const final = finalVerdict(record);
  return (
    <tr
      data-testid="history-row"
      data-verdict={record.verdict}
      data-score={String(record.score)}
      data-file={record.file}
      data-final-verdict={final}
      className={`result-row${selected ? ' selected' : ''}`}
      aria-current={selected ? 'true' : undefined}
      tabIndex={0}
      onClick={() => onSelect(record.id)}
      onKeyDown={(e) => e.key === 'Enter' && onSelect(record.id)}
    >
      <td className="col-thumb">{thumbnail ? <img src={thumbnail} alt="" className="bitmap-thumbnail" /> : <span className="thumb-placeholder" />}</td>
      <td className="col-time">
        {dateLabel(record.time)} {clockLabel(record.time)}
      </td>
      <td>{record.part}</td>
      <td>{record.station}</td>
      <td className="col-name" title={record.file}>
        {record.file}
        {record.note && (
          <span className="note-mark" title={record.note}>
            {' '}
            ✎
          </span>
        )}
      </td>
      <td className="col-score">{formatScore(record.score)}</td>
      <td className="col-verdict">
        <span className={`verdict verdict-${record.verdict}`}>{record.verdict.toUpperCase()}</span>
        {record.override && <span className={`override override-${final}`}> → {final.toUpperCase()} (operator)</span>}
      </td>
    </tr>
  );
});
