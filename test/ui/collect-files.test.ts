import { describe, expect, it } from 'vitest';
import { isSystemFile, photosFromInput } from '../../src/ui/inspect/collect-files';

const inFolder = (path: string) => Object.defineProperty(new File([], path.split('/').pop()!), 'webkitRelativePath', { value: path });

describe('collecting photos', () => {
  it('recognises files an operating system keeps in folders', () => {
    expect(isSystemFile('parts/.DS_Store')).toBe(true);
    expect(isSystemFile('parts/.thumbs/a.jpg')).toBe(true);
    expect(isSystemFile('parts/Thumbs.db')).toBe(true);
    expect(isSystemFile('parts/a.jpg')).toBe(false);
  });

  it('keeps files chosen one by one as chosen, whatever they are', () => {
    const files = [new File([], 'b.jpg'), new File([], '.hidden.jpg'), new File([], 'notes.txt')];
    expect(photosFromInput(files).map((p) => p.path)).toEqual(['b.jpg', '.hidden.jpg', 'notes.txt']);
  });

  it("sorts a folder's files by path and leaves out system files", () => {
    const files = [inFolder('lot/10.jpg'), inFolder('lot/.DS_Store'), inFolder('lot/2.jpg')];
    expect(photosFromInput(files).map((p) => [p.path, p.file.name])).toEqual([
      ['lot/2.jpg', '2.jpg'],
      ['lot/10.jpg', '10.jpg'],
    ]);
  });
});
