import { describe, expect, it } from 'vitest';
import { exportFileName, exportRows, modelVersion, overlayFileNames, toCsv, toJson } from '../../src/ui/inspect/export';
import { item } from './batch-items';

const model = { id: 'bottle@0123456789ab', manifest: { revision: 2, training: { date: '2025-05-30T08:00:00.000Z' } } as never };

describe('export', () => {
  const items = [item('good.jpg', 1.25), item('dents/bad.jpg', 7.123456789012345), item('notes.jpg', 'notes.jpg: not a JPEG or PNG'), item('later.jpg', null)];

  it('writes one row per finished photo, judged at the given threshold, full precision', () => {
    const rows = exportRows(items, 5, model);
    expect(rows.map((r) => [r.file, r.score, r.verdict])).toEqual([
      ['good.jpg', 1.25, 'pass'],
      ['dents/bad.jpg', 7.123456789012345, 'fail'],
      ['notes.jpg', null, 'error'],
    ]);
    expect(rows[0]).toMatchObject({ threshold: 5, modelId: 'bottle@0123456789ab', modelVersion: 'r2 2025-05-30T08:00:00.000Z', time: '2025-06-01T10:00:00.000Z', error: null });
    expect(exportRows(items, 1, model).map((r) => r.verdict)).toEqual(['fail', 'fail', 'error']);
  });

  it('counts an untouched model as revision 1', () => {
    expect(modelVersion({ training: { date: 'd' } } as never)).toBe('r1 d');
  });

  it('writes CSV with a header, quoting, and formulas kept as text', () => {
    const rows = exportRows([item('a,"b".jpg', 2), item('=cmd.jpg', 'bad\nfile'), item('c.jpg', 9)], 5, model);
    const lines = toCsv(rows).split('\n');
    expect(lines[0]).toBe('file,score,verdict,threshold,model_id,model_version,time,error');
    expect(lines[1]).toBe('"a,""b"".jpg",2,pass,5,bottle@0123456789ab,r2 2025-05-30T08:00:00.000Z,2025-06-01T10:00:00.000Z,');
    expect(lines[2]).toBe(`'=cmd.jpg,,error,5,bottle@0123456789ab,r2 2025-05-30T08:00:00.000Z,2025-06-01T10:00:00.000Z,"bad`);
    expect(lines[3]).toBe('file"');
    expect(lines[4]).toMatch(/^c\.jpg,9,fail,/);
  });

  it('writes JSON that reads back as the rows', () => {
    const rows = exportRows(items, 5, model);
    expect(JSON.parse(toJson(rows))).toEqual(rows);
  });

  it('names overlay PNGs uniquely, folders flattened', () => {
    expect(overlayFileNames(['a/000.jpg', 'b/000.jpg', '000.png', '000.jpg', 'x'])).toEqual([
      'a_000.overlay.png',
      'b_000.overlay.png',
      '000.overlay.png',
      '000 (2).overlay.png',
      'x.overlay.png',
    ]);
  });

  it('names export files by part and local time', () => {
    expect(exportFileName('metal nut/2', 'csv', new Date(2025, 0, 2, 3, 4, 5))).toBe('inspection-metal_nut_2-2025-01-02_030405.csv');
  });
});
