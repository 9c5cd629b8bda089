import { describe, expect, it } from 'vitest';
import { duplicates, orientationOutliers, photoAdvice, resolutionAdvice, sizeSummary, trainingOrder, uniqueName, type GoodPhoto } from '../../src/ui/teach/good-photos';

let id = 0;
function photo(name: string, o: Partial<GoodPhoto> = {}): GoodPhoto {
  return { id: ++id, name, file: new Blob(), status: 'ready', error: null, width: 640, height: 480, sha256: name, thumbnail: null, ...o };
}

const needs = { minimum: 20, recommended: 50 };

describe('photo advice', () => {
  it('says how many more are needed below the minimum', () => {
    expect(photoAdvice(0, needs)).toEqual({ level: 'short', text: expect.stringMatching(/^20 more good photos needed: training takes at least 20/) });
    expect(photoAdvice(19, needs).text).toMatch(/^1 more good photo needed/);
  });

  it('says it is enough, and how many would steady the threshold', () => {
    expect(photoAdvice(20, needs)).toEqual({ level: 'enough', text: expect.stringMatching(/Enough to train\. 30 more photos would give a steadier threshold/) });
    expect(photoAdvice(50, needs).level).toBe('good');
  });
});

describe('judging the photos', () => {
  it('finds photos whose content repeats an earlier one, naming the first', () => {
    const a = photo('a.jpg', { sha256: 'x' });
    const b = photo('b.jpg', { sha256: 'y' });
    const c = photo('c.jpg', { sha256: 'x' });
    const unread = photo('d.jpg', { sha256: '', status: 'error' });
    const again = photo('e.jpg', { sha256: '', status: 'error' });
    expect(duplicates([a, b, c, unread, again])).toEqual(new Map([[c.id, 'a.jpg']]));
  });

  it('points out photos taken the other way round than most', () => {
    const landscape = [photo('1.jpg'), photo('2.jpg'), photo('3.jpg')];
    const portrait = photo('4.jpg', { width: 480, height: 640 });
    expect(orientationOutliers([...landscape, portrait])).toEqual({ majority: 'landscape', outliers: [portrait.id] });
    expect(orientationOutliers(landscape)).toEqual({ majority: 'landscape', outliers: [] });
    expect(orientationOutliers([])).toEqual({ majority: null, outliers: [] });
  });

  it('warns when most photos are far larger than the preset reads, and points to the tiled preset', () => {
    const large = [photo('1.jpg', { width: 4000, height: 3000 }), photo('2.jpg', { width: 4000, height: 3000 }), photo('3.jpg')];
    expect(resolutionAdvice(large, 256, false)).toBe(
      "Most photos are 3000 px on their shorter side and this preset reads 256: each pixel it sees stands for 12 × 12 of the photo's, so the smallest defects may be lost. The 'tiled' preset reads each photo as 2 × 2 tiles, at about four times the time.",
    );
    expect(resolutionAdvice(large, 448, true)).toMatch(/reads 448: each pixel it sees stands for 7 × 7 of the photo's, so the smallest defects may be lost\.$/);
    // a drawn region is what is read; photos under three times the input say nothing
    expect(resolutionAdvice(large, 256, false, { width: 0.2, height: 0.2 })).toBeNull();
    expect(resolutionAdvice([photo('1.jpg'), photo('2.jpg', { width: 767, height: 767 })], 256, false)).toBeNull();
    expect(resolutionAdvice([], 256, false)).toBeNull();
  });

  it('summarises the sizes, most common first', () => {
    expect(sizeSummary([photo('1.jpg'), photo('2.jpg', { width: 512, height: 512 }), photo('3.jpg'), photo('4.jpg', { status: 'checking' })])).toBe('640×480 (2), 512×512 (1)');
  });
});

describe('names and order', () => {
  it('gives a repeated name a suffix before the extension', () => {
    expect(uniqueName('001.jpg', new Set())).toBe('001.jpg');
    expect(uniqueName('001.jpg', new Set(['001.jpg']))).toBe('001 (2).jpg');
    expect(uniqueName('001.jpg', new Set(['001.jpg', '001 (2).jpg']))).toBe('001 (3).jpg');
    expect(uniqueName('README', new Set(['README']))).toBe('README (2)');
  });

  it('trains on the usable photos sorted by name, as the command line reads a folder', () => {
    const order = trainingOrder([photo('b.jpg'), photo('a.jpg'), photo('c.jpg', { status: 'error' }), photo('B.jpg'), photo('a0.jpg', { status: 'checking' })]);
    expect(order.map((p) => p.name)).toEqual(['B.jpg', 'a.jpg', 'b.jpg']);
    expect(order.map((p) => p.name)).toEqual(['b.jpg', 'a.jpg', 'B.jpg'].sort());
  });
});
