/**
 * Cutting time into the spans a quality engineer counts by: hours, shifts (the station's shift start
 * times, local time, the last shift running past midnight) and days. Pure; local time throughout, so a
 * shift is the one on the wall clock, summer time included.
 */

export interface TimeBin {
  start: number;
  /** Exclusive. */
  end: number;
  label: string;
}

export type Granularity = 'hour' | 'shift' | 'day';

const pad = (n: number) => String(n).padStart(2, '0');
const HOUR = 3600_000;

/** "06:00" → minutes after midnight; null for anything else. */
export function parseClock(text: string): number | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Shift starts as typed ("06:00, 14:00, 22:00"): sorted minutes, or a message saying what is wrong. */
export function parseShiftStarts(typed: string): { starts: string[] } | { problem: string } {
  const parts = typed.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { problem: 'give at least one shift start, e.g. 06:00' };
  const minutes = parts.map(parseClock);
  const bad = parts.find((_, i) => minutes[i] === null);
  if (bad !== undefined) return { problem: `'${bad}' is not a time of day (HH:MM)` };
  const sorted = [...new Set(minutes as number[])].sort((a, b) => a - b);
  return { starts: sorted.map((m) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`) };
}

function at(day: Date, minutes: number): number {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), Math.floor(minutes / 60), minutes % 60).getTime();
}

const dayOf = (time: number) => {
  const d = new Date(time);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
};
const nextDay = (day: Date) => new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);

export const dateLabel = (time: number) => {
  const d = new Date(time);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
export const clockLabel = (time: number) => {
  const d = new Date(time);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** The shifts of one calendar day (each starting that day), in order. */
export function shiftsOfDay(day: Date, shiftStarts: readonly string[]): TimeBin[] {
  const starts = shiftStarts.map((s) => parseClock(s)!);
  const next = nextDay(day);
  return starts.map((m, k) => {
    const start = at(day, m);
    const end = k + 1 < starts.length ? at(day, starts[k + 1]) : at(next, starts[0]);
    return { start, end, label: `${dateLabel(start)} shift ${k + 1} (${clockLabel(start)}–${clockLabel(end)})` };
  });
}

/** The shift a moment falls in. */
export function shiftAt(time: number, shiftStarts: readonly string[]): TimeBin {
  const day = dayOf(time);
  const previous = new Date(day.getFullYear(), day.getMonth(), day.getDate() - 1);
  // the night shift that started yesterday may still run
  return [...shiftsOfDay(previous, shiftStarts), ...shiftsOfDay(day, shiftStarts)].find((s) => time >= s.start && time < s.end)!;
}

/** The bins covering [from, to): whole hours, shifts or days. */
export function timeBins(from: number, to: number, granularity: Granularity, shiftStarts: readonly string[]): TimeBin[] {
  const bins: TimeBin[] = [];
  if (granularity === 'hour') {
    const first = new Date(from);
    first.setMinutes(0, 0, 0);
    for (let t = first.getTime(); t < to; t += HOUR) bins.push({ start: t, end: t + HOUR, label: `${dateLabel(t)} ${clockLabel(t)}` });
    return bins;
  }
  if (granularity === 'day') {
    for (let day = dayOf(from); day.getTime() < to; day = nextDay(day)) bins.push({ start: day.getTime(), end: nextDay(day).getTime(), label: dateLabel(day.getTime()) });
    return bins;
  }
  for (let shift = shiftAt(from, shiftStarts); shift.start < to; shift = shiftAt(shift.end, shiftStarts)) bins.push(shift);
  return bins;
}

/** Hours for up to four days, shifts for up to a quarter, days beyond: a chart of a readable number of bars. */
export function granularityFor(span: number): Granularity {
  if (span <= 4 * 24 * HOUR) return 'hour';
  return span <= 92 * 24 * HOUR ? 'shift' : 'day';
}
