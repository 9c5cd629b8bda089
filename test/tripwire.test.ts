import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Tripwire } from '../src/engine/tripwire';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('Tripwire', () => {
  it('lets guarded work settle as it does, until tripped', async () => {
    const wire = new Tripwire();
    await expect(wire.guard(Promise.resolve(7))).resolves.toBe(7);
    await expect(wire.guard(Promise.reject(new Error('own failure')))).rejects.toThrow('own failure');
  });

  it('rejects the work waiting and all later work with the first reason', async () => {
    const wire = new Tripwire();
    const waiting = wire.guard(new Promise<number>(() => undefined));
    wire.trip(new Error('GPU lost'));
    wire.trip(new Error('second'));
    await expect(waiting).rejects.toThrow('GPU lost');
    await expect(wire.guard(Promise.resolve(1))).rejects.toThrow('GPU lost');
  });

  it('keeps no result of the work it guarded (a race with a pending promise keeps every one)', async () => {
    const wire = new Tripwire();
    let result: { bytes: Uint8Array } | null = { bytes: new Uint8Array(1 << 20) };
    const kept = new WeakRef(result);
    await wire.guard(Promise.resolve(result));
    result = null;
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(kept.deref()).toBeUndefined();
  });
});
