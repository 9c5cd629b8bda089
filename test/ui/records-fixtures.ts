/** Records for the history's pure functions. */
import type { InspectionRecord } from '../../src/ui/records/record';

let n = 0;

export function record(patch: Partial<InspectionRecord> = {}): InspectionRecord {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    time: Date.UTC(2025, 5, 1, 8, 0, n),
    station: 'line-1',
    part: 'bottle',
    modelId: 'bottle@0123456789ab',
    modelVersion: 'r1 2025-05-30T08:00:00.000Z',
    file: `${n}.jpg`,
    source: 'photo',
    score: 1,
    threshold: 5,
    pixelThreshold: 3,
    verdict: 'pass',
    override: null,
    note: '',
    width: 512,
    height: 512,
    images: 'stored',
    ...patch,
  };
}
