import { describe, expect, it } from 'vitest';
import { crashReason } from '../../src/ui/worker-handle';

describe('crashReason', () => {
  it("keeps why a worker died, not the browser's 'Uncaught …Error:' before it", () => {
    expect(crashReason('Uncaught GpuLostError: the GPU was lost (destroyed)')).toBe('the GPU was lost (destroyed)');
    expect(crashReason('Uncaught Error: crash requested for testing')).toBe('crash requested for testing');
    expect(crashReason('Uncaught RangeError: Array buffer allocation failed')).toBe('Array buffer allocation failed');
    expect(crashReason('Uncaught DOMException: out of memory')).toBe('out of memory');
  });

  it('leaves other texts as they are and names an empty one', () => {
    expect(crashReason('Uncaught out of memory')).toBe('out of memory');
    expect(crashReason('script error')).toBe('script error');
    expect(crashReason('')).toBe('uncaught error');
  });
});
