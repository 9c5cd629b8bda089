/**
 * The printable report of one part over one shift: counts, FAIL rate, the score histogram, and the worst
 * N records with their heat maps. The page's print style prints this report alone.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { heatScale } from '../components/colour-map';
import { drawInspection, prepareHeatLayer } from '../components/inspection-canvas';
import { Histogram } from '../components/Histogram';
import { histogramDomain } from '../components/histogram';
import { formatScore } from '../inspect/batch-item';
import { finalVerdict, type InspectionRecord } from '../records/record';
import { scanRecords } from '../records/records-query';
import { usePlant } from '../records/plant-settings';
import { failRate, HistoryDigest, WorstRecords } from './aggregate';
import { useHistory } from './history-filter';
import { SUMMARIES_KEY, useRecordedNames } from './records-queries';
import { clockLabel, dateLabel, shiftAt, shiftsOfDay } from './time-bins';
import { useRecordImages } from './useRecordImages';

const WORST_DEFAULT = 6;
const WORST_MAX = 48;

async function shiftFigures(part: string, from: number, to: number, worst: number) {
  const digest = new HistoryDigest();
  const worstRecords = new WorstRecords(worst);
  await scanRecords({ part, from, to, station: null, verdict: null }, (chunk) => {
    digest.add(chunk);
    worstRecords.add(chunk);
  });
  return { digest, worst: worstRecords.records };
}

export function ShiftReport({ enabled }: { enabled: boolean }) {
  const shiftStarts = usePlant((s) => s.shiftStarts);
  const station = usePlant((s) => s.station);
  const parts = useRecordedNames(enabled).data?.parts ?? [];
  const filterPart = useHistory((s) => s.filter.part);
  const [chosenPart, setPart] = useState<string | null>(null);
  const [day, setDay] = useState(() => dateLabel(shiftAt(Date.now(), shiftStarts).start));
  const [shiftIndex, setShiftIndex] = useState(() => {
    const now = shiftAt(Date.now(), shiftStarts);
    return Math.max(0, shiftsOfDay(new Date(now.start), shiftStarts).findIndex((s) => s.start === now.start));
  });
  const [worstCount, setWorstCount] = useState(WORST_DEFAULT);
  const part = chosenPart ?? filterPart ?? parts[0] ?? null;
  const [y, m, d] = day.split('-').map(Number);
  const shifts = shiftsOfDay(new Date(y, m - 1, d), shiftStarts);
  const shift = shifts[Math.min(shiftIndex, shifts.length - 1)];
  const figures = useQuery({
    queryKey: [...SUMMARIES_KEY, 'report', part, shift.start, shift.end, worstCount],
    queryFn: () => shiftFigures(part!, shift.start, shift.end, worstCount),
    enabled: enabled && part !== null,
  });

  return (
    <div className="shift-report-pane">
      <div className="report-controls">
        <select aria-label="Report part" value={part ?? ''} onChange={(e) => setPart(e.target.value)}>
          {parts.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <input type="date" aria-label="Report date" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} />
        <select aria-label="Report shift" value={shiftIndex} onChange={(e) => setShiftIndex(Number(e.target.value))}>
          {shifts.map((s, k) => (
            <option key={k} value={k}>
              shift {k + 1} ({clockLabel(s.start)}–{clockLabel(s.end)})
            </option>
          ))}
        </select>
        <label>
          worst{' '}
          <input type="number" min={1} max={WORST_MAX} value={worstCount} onChange={(e) => setWorstCount(Math.min(WORST_MAX, Math.max(1, Math.round(Number(e.target.value)) || 1)))} />
        </label>
        <button type="button" className="primary" onClick={() => window.print()} disabled={!figures.data}>
          Print report
        </button>
      </div>
      {part === null && <p className="results-empty">No records yet: a report needs inspections of a part.</p>}
      {figures.error && <p className="error">The history cannot be read: {figures.error.message}</p>}
      {part !== null && figures.data && (
        <article className="shift-report" data-testid="shift-report" data-total={figures.data.digest.counts.total}>
          <header>
            <h2>
              Inspection report · {part}
            </h2>
            <p>
              {shift.label} · station {station} · printed {dateLabel(Date.now())} {clockLabel(Date.now())}
            </p>
          </header>
          <ReportCounts digest={figures.data.digest} />
          {figures.data.digest.counts.total > 0 && (
            <>
              <Histogram
                values={figures.data.digest.scores}
                domain={histogramDomain(figures.data.digest.scores, figures.data.digest.thresholds.map((t) => t.threshold))}
                threshold={figures.data.digest.thresholds.at(-1)!.threshold}
                label={`Score histogram of ${part} in this shift`}
                formatValue={formatScore}
              />
              <h3>
                The {figures.data.worst.length} highest scores
              </h3>
              <div className="worst-grid">
                {figures.data.worst.map((r) => (
                  <WorstRecord key={r.id} record={r} />
                ))}
              </div>
            </>
          )}
        </article>
      )}
    </div>
  );
}

function ReportCounts({ digest }: { digest: HistoryDigest }) {
  const { total, pass, fail, modelFail, overridden } = digest.counts;
  const rate = failRate(digest.counts);
  return (
    <table className="report-counts">
      <tbody>
        <tr>
          <th scope="row">Inspected</th>
          <td data-testid="report-total">{total}</td>
        </tr>
        <tr>
          <th scope="row">PASS</th>
          <td>{pass}</td>
        </tr>
        <tr>
          <th scope="row">FAIL</th>
          <td data-testid="report-fail">{fail}</td>
        </tr>
        <tr>
          <th scope="row">FAIL rate</th>
          <td>{rate === null ? '—' : `${(rate * 100).toFixed(1)} %`}</td>
        </tr>
        <tr>
          <th scope="row">FAIL by the model</th>
          <td>{modelFail}</td>
        </tr>
        <tr>
          <th scope="row">Overridden by the operator</th>
          <td>{overridden}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** A record's photo with its heat map drawn once, as printed. */
function WorstRecord({ record }: { record: InspectionRecord }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const images = useRecordImages(record.images === 'stored' ? record.id : null);
  useEffect(() => {
    if (images.status !== 'ready' || !canvas.current) return;
    const { picture, heatMap } = images.images;
    drawInspection(canvas.current, picture, { width: picture.width, height: picture.height }, prepareHeatLayer(heatMap, heatScale(record.pixelThreshold)), 0.7);
  }, [images, record.pixelThreshold]);
  const final = finalVerdict(record);
  return (
    <figure className="worst-record" data-testid="worst-record" data-score={String(record.score)}>
      {images.status === 'ready' ? <canvas ref={canvas} role="img" aria-label={`${record.file} with its heat map`} /> : <div className="no-picture">picture {record.images === 'stored' ? 'loading' : record.images}</div>}
      <figcaption>
        <span className={`verdict verdict-${record.verdict}`}>{record.verdict.toUpperCase()}</span>
        {record.override && <span className={`override override-${final}`}>→ {final.toUpperCase()} (operator)</span>}
        {formatScore(record.score)} · {clockLabel(record.time)}
        <span className="file-name">{record.file}</span>
        {record.note && <span className="note">{record.note}</span>}
      </figcaption>
    </figure>
  );
}
