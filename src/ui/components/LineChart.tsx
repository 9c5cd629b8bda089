/** A small SVG line chart: a few series over a shared x axis, drawn as they grow (a training curve). */
import { useMemo } from 'react';
import { histogramDomain, type Domain } from './histogram';
import './components.css';

export interface ChartSeries {
  label: string;
  points: readonly { x: number; y: number }[];
  /** 'main' is drawn bold with dots, 'second' in another colour, 'faint' thin behind them. */
  tone: 'main' | 'second' | 'faint';
}

interface LineChartProps {
  series: readonly ChartSeries[];
  x: Domain;
  /** The y range; by default every point's, padded. */
  y?: Domain;
  /** Accessible name of the chart. */
  label: string;
  xLabel: string;
  formatY: (value: number) => string;
  testId?: string;
}

const WIDTH = 400;
const HEIGHT = 150;
const LEFT = 44;
const BOTTOM = 18;
const TOP = 6;
const RIGHT = 8;

export function LineChart({ series, x, y, label, xLabel, formatY, testId }: LineChartProps) {
  const yDomain = useMemo(() => y ?? histogramDomain(series.flatMap((s) => s.points.map((p) => p.y))), [series, y]);
  const px = (v: number) => LEFT + ((v - x.min) / (x.max - x.min || 1)) * (WIDTH - LEFT - RIGHT);
  const py = (v: number) => HEIGHT - BOTTOM - ((v - yDomain.min) / (yDomain.max - yDomain.min || 1)) * (HEIGHT - BOTTOM - TOP);
  const yTicks = [yDomain.min, (yDomain.min + yDomain.max) / 2, yDomain.max];
  const xTicks = Array.from({ length: Math.floor(x.max) - Math.ceil(x.min) + 1 }, (_, i) => Math.ceil(x.min) + i).filter((v, _, all) => all.length <= 12 || v % Math.ceil(all.length / 10) === 0);
  const main = series.find((s) => s.tone === 'main');
  return (
    <figure className="line-chart">
      <svg role="img" aria-label={label} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} data-testid={testId} data-points={main?.points.length ?? 0}>
        {yTicks.map((v) => (
          <g key={v} className="line-chart-grid">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={py(v)} y2={py(v)} />
            <text x={LEFT - 4} y={py(v) + 3} textAnchor="end">
              {formatY(v)}
            </text>
          </g>
        ))}
        {xTicks.map((v) => (
          <text key={v} className="line-chart-tick" x={px(v)} y={HEIGHT - 4} textAnchor="middle">
            {v}
          </text>
        ))}
        {series.map((s) => (
          <g key={s.label} className={`line-chart-series tone-${s.tone}`}>
            {s.points.length > 1 && <polyline points={s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')} />}
            {s.tone !== 'faint' &&
              s.points.map((p) => (
                <circle key={p.x} cx={px(p.x)} cy={py(p.y)} r={2.5}>
                  <title>{`${s.label} at ${xLabel} ${p.x}: ${formatY(p.y)}`}</title>
                </circle>
              ))}
          </g>
        ))}
      </svg>
      <figcaption>
        {series.map((s) => (
          <span key={s.label} className={`line-chart-key tone-${s.tone}`}>
            {s.label}
          </span>
        ))}
        <span className="line-chart-axis">{xLabel} →</span>
      </figcaption>
    </figure>
  );
}
