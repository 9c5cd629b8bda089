import { describe, expect, it } from 'vitest';
import { cameraProblem, videoConstraints } from '../../src/ui/live/camera';
import { captureName } from '../../src/ui/live/capture';
import { runLength } from '../../src/ui/live/station-settings';

describe('runLength', () => {
  it('takes whole numbers from 1 to 100 and nothing else', () => {
    expect(runLength('3')).toBe(3);
    expect(runLength('100')).toBe(100);
    for (const bad of ['0', '101', '2.5', '', 'x', '-1']) expect(runLength(bad)).toBeNull();
  });
});

describe('videoConstraints', () => {
  it('asks for a resolution without demanding it, and for the chosen camera exactly', () => {
    expect(videoConstraints(null, 'default')).toEqual({});
    expect(videoConstraints('cam-1', '2160p')).toEqual({ deviceId: { exact: 'cam-1' }, width: { ideal: 3840 }, height: { ideal: 2160 } });
  });
});

describe('cameraProblem', () => {
  const named = (name: string) => new DOMException('browser text', name);
  it('says what to do for each way a camera is refused', () => {
    expect(cameraProblem(named('NotAllowedError'), false)).toMatch(/permission was denied.*try again/);
    expect(cameraProblem(named('NotFoundError'), false)).toMatch(/No camera found/);
    expect(cameraProblem(named('NotReadableError'), false)).toMatch(/another tab or application/);
    expect(cameraProblem(named('OverconstrainedError'), true)).toMatch(/chosen camera is not connected/);
    expect(cameraProblem(named('NotSupportedError'), false)).toMatch(/https/);
    expect(cameraProblem(new Error('odd'), false)).toMatch(/could not be started: odd/);
  });
});

describe('captureName', () => {
  it('names a capture by part and local time, safe as a file name', () => {
    expect(captureName('bottle', new Date(2025, 0, 2, 3, 4, 5, 6))).toBe('live-bottle-20250102-030405-006.png');
    expect(captureName('cast/ing 7', new Date(2025, 0, 2, 3, 4, 5, 6))).toBe('live-cast_ing_7-20250102-030405-006.png');
  });
});
