/** The live call, as big as the view allows: readable from two metres, green PASS or red FAIL. */
import { formatScore } from '../inspect/batch-item';
import { useLive } from './live-session';
import { useStation } from './station-settings';

export function VerdictBanner() {
  const verdict = useLive((s) => s.verdict);
  const latest = useLive((s) => s.latest);
  const streaming = useLive((s) => s.phase === 'streaming');
  const paused = useLive((s) => s.paused);
  const failAfter = useStation((s) => s.failAfter);
  const passAfter = useStation((s) => s.passAfter);
  const call = verdict.verdict;
  const waiting = !streaming ? 'camera off' : paused ? 'paused' : call === null ? 'deciding…' : null;
  return (
    <div
      className={`live-verdict live-verdict-${call ?? 'none'}`}
      data-testid="live-verdict"
      data-verdict={call ?? undefined}
      data-score={latest ? String(latest.score) : undefined}
      data-threshold={latest ? String(latest.thresholds.image) : undefined}
      role="status"
      aria-live="polite"
    >
      <span className="live-verdict-call">{call ? call.toUpperCase() : '—'}</span>
      <span className="live-verdict-detail">
        {waiting ?? (latest && `score ${formatScore(latest.score)} · reject at ≥ ${formatScore(latest.thresholds.image)}`)}
        <br />
        FAIL after {failAfter} frames above · PASS after {passAfter} below
      </span>
    </div>
  );
}
