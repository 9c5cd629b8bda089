import { describe, expect, it } from 'vitest';
import { FramePump } from '../../src/ui/live/frame-pump';

/** A pump over numbered frames whose sends finish when the test says so. */
function harness() {
  const sent: number[] = [];
  const discarded: number[] = [];
  const finish: (() => void)[] = [];
  const pump = new FramePump<number>(
    (frame) => {
      sent.push(frame);
      return new Promise<void>((resolve) => finish.push(resolve));
    },
    (frame) => discarded.push(frame),
  );
  /** Completes the frame in flight and lets the pump send the next. */
  const complete = async () => {
    finish.shift()!();
    await new Promise((r) => setTimeout(r));
  };
  return { pump, sent, discarded, complete };
}

const settle = () => new Promise((r) => setTimeout(r));

describe('FramePump', () => {
  it('sends a frame at once when nothing is in flight', async () => {
    const { pump, sent } = harness();
    pump.offer(1);
    await settle();
    expect(sent).toEqual([1]);
    expect(pump.busy).toBe(true);
  });

  it('keeps one frame waiting and drops staler ones, never queueing', async () => {
    const { pump, sent, discarded, complete } = harness();
    for (const f of [1, 2, 3, 4, 5]) pump.offer(f);
    await settle();
    expect(sent).toEqual([1]);
    expect(discarded).toEqual([2, 3, 4]);
    await complete();
    expect(sent).toEqual([1, 5]);
    await complete();
    expect(pump.busy).toBe(false);
    expect(pump.stats).toEqual({ sent: 2, dropped: 3 });
  });

  it('goes on after a send that fails', async () => {
    let calls = 0;
    const pump = new FramePump<number>(
      () => (++calls === 1 ? Promise.reject(new Error('worker crashed')) : Promise.resolve()),
      () => undefined,
    );
    pump.offer(1);
    pump.offer(2);
    await settle();
    await settle();
    expect(calls).toBe(2);
    expect(pump.busy).toBe(false);
  });

  it('clear discards the waiting frame and lets the one in flight finish', async () => {
    const { pump, sent, discarded, complete } = harness();
    pump.offer(1);
    pump.offer(2);
    pump.clear();
    expect(discarded).toEqual([2]);
    await complete();
    expect(sent).toEqual([1]);
    expect(pump.busy).toBe(false);
  });
});
