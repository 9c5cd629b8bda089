/** The heat map's key: the colour ramp with its values in good-σ units; below its start the photo shows clear. */
import { cssGradient, type HeatScale } from './colour-map';
import './components.css';

const sigma = (v: number) => `${v.toFixed(1)} σ`;

export function ColourLegend({ scale }: { scale: HeatScale }) {
  return (
    <div className="colour-legend" data-testid="colour-legend">
      <div className="colour-legend-bar" style={{ background: cssGradient() }} />
      <div className="colour-legend-ticks">
        <span>{sigma(scale.low)}</span>
        <span>{sigma((scale.low + scale.high) / 2)}</span>
        <span>≥ {sigma(scale.high)}</span>
      </div>
      <p className="colour-legend-note">good-σ units · clear at or below {sigma(scale.low)} (pixel threshold)</p>
    </div>
  );
}
