import { describe, expect, it } from 'vitest';
import { OutboxSender, type SenderStore, type SenderTransport } from '../../src/ui/records/outbox-sender';

interface Message {
  seq: number;
}

/** An outbox in memory and a receiver that acknowledges what the test says. */
function harness(count: number, window: number) {
  const waiting = new Map(Array.from({ length: count }, (_, i) => [i + 1, { seq: i + 1 }]));
  const sent: number[] = [];
  const inFlight = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let connected = true;
  const transport: SenderTransport<Message> = {
    window,
    ready: () => connected,
    send: (m) =>
      new Promise<void>((resolve, reject) => {
        sent.push(m.seq);
        inFlight.set(m.seq, { resolve, reject });
      }),
  };
  const store: SenderStore<Message> = {
    after: async (afterSeq, limit) => [...waiting.values()].filter((m) => m.seq > afterSeq).slice(0, limit),
    acknowledge: async (seq) => void waiting.delete(seq),
  };
  const settle = () => new Promise((r) => setTimeout(r, 5));
  return {
    waiting,
    sent,
    inFlight,
    store,
    transport,
    setConnected: (c: boolean) => (connected = c),
    settle,
    async ackAll() {
      for (const [seq, p] of [...inFlight]) {
        inFlight.delete(seq);
        p.resolve();
      }
      await settle();
    },
  };
}

describe('OutboxSender', () => {
  it('hands messages over in order, at most a window at a time, each removed once acknowledged', async () => {
    const h = harness(5, 2);
    const sender = new OutboxSender(h.transport, h.store, 1);
    sender.pump();
    await h.settle();
    expect(h.sent).toEqual([1, 2]);
    await h.ackAll();
    await h.ackAll();
    await h.ackAll();
    expect(h.sent).toEqual([1, 2, 3, 4, 5]);
    expect(h.waiting.size).toBe(0);
    sender.stop();
  });

  it('sends nothing while the transport is not ready, and everything once it is', async () => {
    const h = harness(3, 8);
    h.setConnected(false);
    const sender = new OutboxSender(h.transport, h.store, 1);
    sender.pump();
    await h.settle();
    expect(h.sent).toEqual([]);
    h.setConnected(true);
    sender.pump();
    await h.settle();
    await h.ackAll();
    expect(h.sent).toEqual([1, 2, 3]);
    expect(h.waiting.size).toBe(0);
    sender.stop();
  });

  it('after a failure starts again from the oldest message not acknowledged, keeping the order', async () => {
    const h = harness(4, 4);
    const sender = new OutboxSender(h.transport, h.store, 10);
    sender.pump();
    await h.settle();
    expect(h.sent).toEqual([1, 2, 3, 4]);
    h.inFlight.get(1)!.resolve();
    h.inFlight.get(2)!.reject(new Error('connection closed'));
    h.inFlight.get(3)!.reject(new Error('connection closed'));
    h.inFlight.get(4)!.reject(new Error('connection closed'));
    h.inFlight.clear();
    await new Promise((r) => setTimeout(r, 30)); // the retry delay
    expect(h.sent).toEqual([1, 2, 3, 4, 2, 3, 4]);
    await h.ackAll();
    expect(h.waiting.size).toBe(0);
    sender.stop();
  });

  it('picks up messages queued while it runs', async () => {
    const h = harness(1, 4);
    const sender = new OutboxSender(h.transport, h.store, 1);
    sender.pump();
    await h.settle();
    h.waiting.set(2, { seq: 2 });
    sender.pump();
    await h.settle();
    await h.ackAll();
    expect(h.sent).toEqual([1, 2]);
    sender.stop();
  });
});
