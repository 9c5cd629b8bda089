/** Shares (0…1) per time bin as SVG bars, e.g. the FAIL rate per hour or shift; empty bins drawn as gaps. */
import { ChartGrid } from './ChartGrid';
import { linearScale } from './chart-scale';
import './components.css';

export interface RateBar {
  label: string;
  /** Null where nothing was counted. */
  rate: number | null;
  /** Spoken and shown on hover ("12 of 240 rejected"). */
  detail: string;
}

const WIDTH = 600;
const HEIGHT = 160;
const LEFT = 40;
const BOTTOM = 18;
const TOP = 6;

const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)} %`;

export function RateBars({ bars, label }: { bars: readonly RateBar[]; label: string }) {
  const highest = Math.max(0.01, ...bars.map((b) => b.rate ?? 0));
  const y = linearScale([0, highest * 1.1], [HEIGHT - BOTTOM, TOP]);
  const slot = (WIDTH - LEFT - 4) / Math.max(1, bars.length);
  return (
    <svg className="chart rate-bars" role="img" aria-label={label} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} data-testid="rate-chart" data-bars={bars.length}>
      <ChartGrid y={y} left={LEFT} right={WIDTH - 4} format={percent} />
      {bars.map((b, i) =>
        b.rate === null ? null : (
          <rect key={i} className="rate-bar" x={LEFT + i * slot + slot * 0.1} width={Math.max(1, slot * 0.8)} y={y(b.rate)} height={Math.max(b.rate > 0 ? 1 : 0, y(0) - y(b.rate))}>
            <title>{`${b.label}: ${percent(b.rate)} (${b.detail})`}</title>
          </rect>
        ),
      )}
      {bars.length > 0 && (
        <>
          <text className="chart-axis" x={LEFT} y={HEIGHT - 4}>
            {bars[0].label}
          </text>
          <text className="chart-axis" x={WIDTH - 4} y={HEIGHT - 4} textAnchor="end">
            {bars[bars.length - 1].label}
          </text>
        </>
      )}
    </svg>
  );
}
