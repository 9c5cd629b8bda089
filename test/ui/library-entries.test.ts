import { describe, expect, it } from 'vitest';
import { chooserLabels, groupImportFiles, importFailure, mergeLibrary, startupChoice } from '../../src/ui/library/entries';
import { shippedPart, storedPart } from './library-fixtures';

const shipped = [shippedPart('bottle', 'aaaaaaaaaaaa'), shippedPart('casting', 'bbbbbbbbbbbb')];

describe('mergeLibrary', () => {
  it('lists shipped models first, then stored ones in the order they were added', () => {
    const stored = [storedPart('zebra@cccccccccccc', 'imported', '2025-02-01T00:00:00Z'), storedPart('apple@dddddddddddd', 'imported', '2025-03-01T00:00:00Z')];
    const ids = mergeLibrary(shipped, stored).map((e) => e.pkg.id);
    expect(ids).toEqual(['bottle@aaaaaaaaaaaa', 'casting@bbbbbbbbbbbb', 'zebra@cccccccccccc', 'apple@dddddddddddd']);
  });

  it('lets a stored model override the shipped one with its id, in its place, keeping the description', () => {
    const edit = storedPart('casting@bbbbbbbbbbbb', 'shipped-edited', '2025-02-01T00:00:00Z');
    const entries = mergeLibrary(shipped, [edit]);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ source: 'shipped-edited', description: 'casting demo', revertsToShipped: true, addedAt: edit.addedAt });
    expect(entries[1].pkg.manifest.revision).toBe(2);
    expect(entries[0]).toMatchObject({ source: 'shipped', revertsToShipped: false, addedAt: null });
  });

  it('treats an edit whose shipped model is gone as a model of its own', () => {
    const [entry] = mergeLibrary([], [storedPart('old@eeeeeeeeeeee', 'shipped-edited', '2025-02-01T00:00:00Z')]);
    expect(entry).toMatchObject({ description: null, revertsToShipped: false });
  });
});

describe('startupChoice', () => {
  const entries = mergeLibrary(shipped, []);

  it('takes the model chosen last time', () => {
    expect(startupChoice(entries, 'casting@bbbbbbbbbbbb')?.pkg.id).toBe('casting@bbbbbbbbbbbb');
  });

  it('takes the first model when none was remembered or the remembered one is gone', () => {
    expect(startupChoice(entries, null)?.pkg.id).toBe('bottle@aaaaaaaaaaaa');
    expect(startupChoice(entries, 'deleted@ffffffffffff')?.pkg.id).toBe('bottle@aaaaaaaaaaaa');
  });

  it('takes nothing from an empty library', () => {
    expect(startupChoice([], 'bottle@aaaaaaaaaaaa')).toBeUndefined();
  });
});

describe('chooserLabels', () => {
  it("names models by part, adding the head's hash only where parts repeat", () => {
    const entries = mergeLibrary(shipped, [storedPart('bottle@123456789abc', 'imported', '2025-02-01T00:00:00Z')]);
    expect([...chooserLabels(entries).values()]).toEqual(['bottle (aaaaaaaaaaaa)', 'casting', 'bottle (123456789abc)']);
  });
});

describe('groupImportFiles', () => {
  const named = (...names: string[]) => names.map((name) => ({ name }));

  it('makes each zip one package and the loose files one more', () => {
    expect(groupImportFiles(named('a.zip', 'manifest.json', 'B.ZIP', 'head.onnx'))).toEqual([named('a.zip'), named('B.ZIP'), named('manifest.json', 'head.onnx')]);
  });

  it('makes nothing of no files', () => {
    expect(groupImportFiles([])).toEqual([]);
  });
});

describe('importFailure', () => {
  it('names the files unless the message already starts with them', () => {
    const files = [{ name: 'manifest.json' }, { name: 'head.onnx' }];
    expect(importFailure(files, "part model 'x' was trained on backbone 'y'")).toBe("manifest.json + head.onnx: part model 'x' was trained on backbone 'y'");
    expect(importFailure(files, 'manifest.json + head.onnx: no manifest.json')).toBe('manifest.json + head.onnx: no manifest.json');
    expect(importFailure([{ name: 'p.zip' }], 'p.zip: not a readable .zip (bad)')).toBe('p.zip: not a readable .zip (bad)');
  });
});
