/** A histogram of scores (SVG) with the threshold line; bins at or above the threshold are drawn as rejects. */
import { useMemo, type MouseEvent } from 'react';
import { binCountFor, binCounts, type Domain } from './histogram';
import './components.css';

const WIDTH = 400;
const HEIGHT = 100;

interface HistogramProps {
  values: readonly number[];
  domain: Domain;
  threshold: number;
  /** Accessible name of the chart. */
  label: string;
  /** Called with the value under a click: lets the chart set the threshold. */
  onPick?: (value: number) => void;
  formatValue: (value: number) => string;
}

export function Histogram({ values, domain, threshold, label, onPick, formatValue }: HistogramProps) {
  const counts = useMemo(() => binCounts(values, domain, binCountFor(values.length)), [values, domain]);
  const tallest = Math.max(1, ...counts);
  const span = domain.max - domain.min;
  const binSpan = span / counts.length;
  const binWidth = WIDTH / counts.length;
  const thresholdX = ((threshold - domain.min) / span) * WIDTH;
  const pick = (e: MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    onPick?.(domain.min + ((e.clientX - box.left) / box.width) * span);
  };
  return (
    <figure className="histogram">
      <svg
        data-testid="histogram"
        role="img"
        aria-label={label}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        onClick={onPick && pick}
        className={onPick ? 'pickable' : undefined}
      >
        {counts.map((n, i) =>
          n === 0 ? null : (
            <rect
              key={i}
              className={domain.min + (i + 0.5) * binSpan >= threshold ? 'bin-reject' : 'bin-accept'}
              x={i * binWidth + 0.5}
              width={binWidth - 1}
              y={HEIGHT - (n / tallest) * (HEIGHT - 4)}
              height={(n / tallest) * (HEIGHT - 4)}
            >
              <title>{`${n} from ${formatValue(domain.min + i * binSpan)} to ${formatValue(domain.min + (i + 1) * binSpan)}`}</title>
            </rect>
          ),
        )}
        {thresholdX >= 0 && thresholdX <= WIDTH && <line data-testid="threshold-line" className="threshold-line" x1={thresholdX} x2={thresholdX} y1={0} y2={HEIGHT} vectorEffect="non-scaling-stroke" />}
      </svg>
      <figcaption>
        <span>{formatValue(domain.min)}</span>
        <span>{values.length} scored</span>
        <span>{formatValue(domain.max)}</span>
      </figcaption>
    </figure>
  );
}
