import { describe, expect, it } from 'vitest';
import { BROKER_SCHEMES, endpointProblem, inspectionMessage, reviewMessage, topicFor, topicLevel, topicPrefixProblem, WEBHOOK_SCHEMES } from '../../src/ui/records/message';
import { withOverride } from '../../src/ui/records/record';
import { record } from './records-fixtures';

describe('topics', () => {
  it('are <prefix>/<station>/<part>/<kind>, a level per name whatever the name holds', () => {
    expect(topicFor('plant/hall-2', 'line 7', 'bottle', 'inspection')).toBe('plant/hall-2/line 7/bottle/inspection');
    expect(topicFor('/plant//', 'a/b', 'c+#', 'review')).toBe('plant/a_b/c__/review');
    expect(topicLevel('  ')).toBe('_');
    expect(topicLevel('x\u0000y')).toBe('x_y');
  });

  it('refuse wildcards and reserved prefixes', () => {
    expect(topicPrefixProblem('plant/#')).toMatch(/wildcards/);
    expect(topicPrefixProblem('$SYS')).toMatch(/reserved/);
    expect(topicPrefixProblem('plant/hall-2')).toBeNull();
  });
});

describe('endpoints', () => {
  it('take the schemes of their transport and no credentials in the URL', () => {
    expect(endpointProblem('wss://broker.plant:8884/mqtt', BROKER_SCHEMES)).toBeNull();
    expect(endpointProblem('mqtt://broker', BROKER_SCHEMES)).toMatch(/ws:\/\/ or wss:\/\//);
    expect(endpointProblem('broker:1883', BROKER_SCHEMES)).toMatch(/start with/);
    expect(endpointProblem('not a url', BROKER_SCHEMES)).toMatch(/not a URL/);
    expect(endpointProblem('ws://user:secret@broker', BROKER_SCHEMES)).toMatch(/own fields/);
    expect(endpointProblem('https://mes/hook', WEBHOOK_SCHEMES)).toBeNull();
  });
});

describe('messages', () => {
  it('carry the record\'s fields, its id as the message id, and the final verdict', () => {
    const r = withOverride(record({ verdict: 'fail', score: 7.25, time: Date.UTC(2025, 5, 1, 6) }), 'pass', 0);
    const m = inspectionMessage(r);
    expect(m).toEqual({
      messageId: r.id,
      kind: 'inspection',
      time: '2025-06-01T06:00:00.000Z',
      station: 'line-1',
      part: 'bottle',
      modelId: r.modelId,
      modelVersion: r.modelVersion,
      file: r.file,
      source: 'photo',
      score: 7.25,
      threshold: 5,
      verdict: 'fail',
      finalVerdict: 'pass',
      width: 512,
      height: 512,
    });
    expect(inspectionMessage(r, 'AAAA').thumbnailJpeg).toBe('AAAA');
  });

  it('report a review against the inspection it is about', () => {
    const r = { ...withOverride(record({ verdict: 'fail' }), 'pass', 0), note: 'rework done' };
    expect(reviewMessage(r, 'm-2', Date.UTC(2025, 0, 1))).toEqual({
      messageId: 'm-2',
      kind: 'review',
      recordId: r.id,
      time: '2025-01-01T00:00:00.000Z',
      station: 'line-1',
      part: 'bottle',
      verdict: 'fail',
      override: 'pass',
      finalVerdict: 'pass',
      note: 'rework done',
    });
  });
});
