/**
 * The charts a quality engineer reads at a glance, over the filtered records: score over time with the
 * threshold line, the FAIL rate per hour, shift or day, and the score histogram of each part.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Histogram } from '../components/Histogram';
import { histogramDomain } from '../components/histogram';
import { RateBars } from '../components/RateBars';
import { TimeColumnsChart } from '../components/TimeColumnsChart';
import { formatScore } from '../inspect/batch-item';
import type { RecordFilter } from '../records/query';
import { scanRecords } from '../records/records-query';
import { usePlant } from '../records/plant-settings';
import { failRate, HistoryDigest } from './aggregate';
import { useHistory } from './history-filter';
import { SUMMARIES_KEY } from './records-queries';
import { clockLabel, dateLabel, granularityFor, timeBins, type Granularity } from './time-bins';

/** Columns of the score chart: about one per 2 px of its width. */
const SCORE_COLUMNS = 280;

async function digest(filter: RecordFilter): Promise<HistoryDigest> {
  const d = new HistoryDigest();
  await scanRecords(filter, (chunk) => d.add(chunk));
  return d;
}

const GRANULARITY_WORDS: Record<Granularity, string> = { hour: 'hour', shift: 'shift', day: 'day' };

export function HistoryCharts() {
  const filter = useHistory((s) => s.filter);
  const shiftStarts = usePlant((s) => s.shiftStarts);
  const [chosen, setChosen] = useState<Granularity | null>(null);
  const query = useQuery({ queryKey: [...SUMMARIES_KEY, 'digest', filter], queryFn: () => digest(filter) });
  if (query.error) return <p className="error">The history cannot be read: {query.error.message}</p>;
  if (!query.data) return <p className="hint">Reading the records…</p>;
  const d = query.data;
  const extent = d.extent();
  if (!extent) return <p className="results-empty">No records match the filter.</p>;
  const from = filter.from ?? extent.from;
  const to = filter.to ?? Math.max(extent.to, Date.now());
  const granularity = chosen ?? granularityFor(to - from);
  const rates = d.failRates(timeBins(from, to, granularity, shiftStarts));
  const scoreDomain = histogramDomain(d.scores, d.thresholds.map((t) => t.threshold));
  const formatTime = (t: number) => (to - from > 2 * 24 * 3600_000 ? dateLabel(t) : `${dateLabel(t).slice(5)} ${clockLabel(t)}`);
  const overall = failRate(d.counts);

  return (
    <div className="history-charts" data-testid="history-charts" data-records={d.counts.total}>
      <p className="chart-summary">
        {d.counts.total.toLocaleString('en')} records · {d.counts.fail.toLocaleString('en')} FAIL ({overall === null ? '—' : `${(overall * 100).toFixed(1)} %`}) ·{' '}
        {d.counts.overridden.toLocaleString('en')} overridden by the operator
      </p>
      <figure>
        <figcaption>Score over time, with the model's threshold (dashed)</figcaption>
        <TimeColumnsChart
          columns={d.scoreColumns(from, to, SCORE_COLUMNS)}
          thresholds={d.thresholds}
          time={[from, to]}
          values={[scoreDomain.min, scoreDomain.max]}
          label="Score over time with the threshold line"
          formatTime={formatTime}
          formatValue={formatScore}
        />
      </figure>
      <figure>
        <figcaption>
          FAIL rate per{' '}
          <select aria-label="FAIL rate per" value={granularity} onChange={(e) => setChosen(e.target.value as Granularity)}>
            {(Object.keys(GRANULARITY_WORDS) as Granularity[]).map((g) => (
              <option key={g} value={g}>
                {GRANULARITY_WORDS[g]}
              </option>
            ))}
          </select>
        </figcaption>
        {rates.length > 2000 ? (
          <p className="hint">Too many bars for this span: choose a coarser one.</p>
        ) : (
          <RateBars label={`FAIL rate per ${granularity}`} bars={rates.map((r) => ({ label: r.label, rate: r.total ? r.fails / r.total : null, detail: `${r.fails} of ${r.total} rejected` }))} />
        )}
      </figure>
      <div className="part-histograms">
        {[...d.scoresByPart].map(([part, { scores, threshold }]) => (
          <figure key={part}>
            <figcaption>Scores of {part}</figcaption>
            <Histogram values={scores} domain={histogramDomain(scores, [threshold])} threshold={threshold} label={`Score histogram of ${part}`} formatValue={formatScore} />
          </figure>
        ))}
      </div>
    </div>
  );
}
