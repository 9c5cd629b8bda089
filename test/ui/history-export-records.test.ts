import { describe, expect, it } from 'vitest';
import { csvHeader, csvLines, JsonArrayWriter } from '../../src/ui/history/export-records';
import { withOverride } from '../../src/ui/records/record';
import { record } from './records-fixtures';

describe('record export', () => {
  const plain = record({ file: 'a,"b".jpg', score: 7.123456789012345, verdict: 'fail', time: Date.UTC(2025, 5, 1, 6) });
  const reviewed = { ...withOverride(record({ file: '=cmd.jpg', verdict: 'fail', time: Date.UTC(2025, 5, 1, 7) }), 'pass', Date.UTC(2025, 5, 1, 8)), note: 'ok\nafter rework' };

  it('writes CSV with quoting, full precision, formulas kept as text', () => {
    const lines = (csvHeader() + csvLines([plain, reviewed])).split('\n');
    expect(lines[0]).toBe('id,time,station,part,model_id,model_version,file,source,score,threshold,verdict,override,final_verdict,note,images');
    expect(lines[1]).toBe(`${plain.id},2025-06-01T06:00:00.000Z,line-1,bottle,bottle@0123456789ab,r1 2025-05-30T08:00:00.000Z,"a,""b"".jpg",photo,7.123456789012345,5,fail,,fail,,stored`);
    expect(lines[2]).toBe(`${reviewed.id},2025-06-01T07:00:00.000Z,line-1,bottle,bottle@0123456789ab,r1 2025-05-30T08:00:00.000Z,'=cmd.jpg,photo,1,5,fail,pass,pass,"ok`);
    expect(lines[3]).toBe('after rework",stored');
  });

  it('writes a JSON array in pieces that reads back whole, without the index helper', () => {
    const writer = new JsonArrayWriter();
    writer.add([plain]);
    writer.add([]);
    writer.add([reviewed]);
    const parsed = JSON.parse(writer.close().join(''));
    expect(parsed).toHaveLength(2);
    expect(parsed[1]).toMatchObject({ id: reviewed.id, verdict: 'fail', finalVerdict: 'pass', override: { verdict: 'pass', at: '2025-06-01T08:00:00.000Z' }, note: 'ok\nafter rework' });
    expect(parsed[1]).not.toHaveProperty('overridden');
    expect(JSON.parse(new JsonArrayWriter().close().join(''))).toEqual([]);
  });
});
