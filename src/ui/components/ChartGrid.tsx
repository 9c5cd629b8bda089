/** Horizontal grid lines of an SVG chart at round values of its y scale, each labelled at the left. */
import { niceTicks, type Scale } from './chart-scale';

interface ChartGridProps {
  y: Scale;
  /** x of the plot's left edge (labels end there) and right edge. */
  left: number;
  right: number;
  format: (v: number) => string;
}

const TICKS = 4;

export function ChartGrid({ y, left, right, format }: ChartGridProps) {
  return niceTicks(y.domain[0], y.domain[1], TICKS).map((v) => (
    <g key={v} className="chart-grid">
      <line x1={left} x2={right} y1={y(v)} y2={y(v)} />
      <text x={left - 4} y={y(v) + 3} textAnchor="end">
        {format(v)}
      </text>
    </g>
  ));
}
