/**
 * Scores of good and of defective photos as two histograms on one axis, with the threshold line: where
 * they overlap, no threshold separates them. A click sets the threshold.
 */
import { useMemo } from 'react';
import { binCountFor, binCounts, type Domain } from './histogram';
import './components.css';

const WIDTH = 400;
const HEIGHT = 100;

interface ClassHistogramProps {
  good: readonly number[];
  defect: readonly number[];
  domain: Domain;
  threshold: number;
  label: string;
  onPick?: (value: number) => void;
  formatValue: (value: number) => string;
}

export function ClassHistogram({ good, defect, domain, threshold, label, onPick, formatValue }: ClassHistogramProps) {
  const bins = binCountFor(good.length + defect.length);
  const counts = useMemo(() => ({ good: binCounts(good, domain, bins), defect: binCounts(defect, domain, bins) }), [good, defect, domain, bins]);
  const tallest = Math.max(1, ...counts.good, ...counts.defect);
  const span = domain.max - domain.min;
  const binWidth = WIDTH / bins;
  const thresholdX = ((threshold - domain.min) / span) * WIDTH;
  const pick = (e: React.MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    onPick?.(domain.min + ((e.clientX - box.left) / box.width) * span);
  };
  const bars = (kind: 'good' | 'defect') =>
    counts[kind].map((n, i) =>
      n === 0 ? null : (
        <rect key={`${kind}-${i}`} className={`bin-${kind}`} x={i * binWidth + 0.5} width={binWidth - 1} y={HEIGHT - (n / tallest) * (HEIGHT - 4)} height={(n / tallest) * (HEIGHT - 4)}>
          <title>{`${n} ${kind} between ${formatValue(domain.min + i * (span / bins))} and ${formatValue(domain.min + (i + 1) * (span / bins))}`}</title>
        </rect>
      ),
    );
  return (
    <figure className="histogram class-histogram">
      <svg data-testid="class-histogram" role="img" aria-label={label} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" onClick={onPick && pick} className={onPick ? 'pickable' : undefined}>
        {bars('good')}
        {bars('defect')}
        {thresholdX >= 0 && thresholdX <= WIDTH && <line className="threshold-line" x1={thresholdX} x2={thresholdX} y1={0} y2={HEIGHT} vectorEffect="non-scaling-stroke" />}
      </svg>
      <figcaption>
        <span>{formatValue(domain.min)}</span>
        <span className="class-key-good">{good.length} good</span>
        <span className="class-key-defect">{defect.length} defect</span>
        <span>{formatValue(domain.max)}</span>
      </figcaption>
    </figure>
  );
}
