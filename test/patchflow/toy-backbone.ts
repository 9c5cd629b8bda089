import type { BackboneManifest, BackboneTap } from '../../src/engine/backbone/manifest';

/** A stand-in backbone manifest with the given taps (name, stride, channels), for layout tests. */
export function toyBackbone(...taps: [string, number, number][]): BackboneManifest {
  const list: BackboneTap[] = taps.map(([name, stride, channels]) => ({ name, output: name, stride, channels }));
  return { id: 'toy', taps: list } as unknown as BackboneManifest;
}
