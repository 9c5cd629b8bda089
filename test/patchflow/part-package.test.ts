/** Part-model packages: one .zip or the two loose files, checked before anything is stored. */
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { PART_FORMAT, presetSettings, type PartManifest } from '../../src/engine/patchflow/manifest';
import { checkBackbone, packPartPackage, readPartPackage } from '../../src/engine/patchflow/part-package';
import type { BackboneManifest } from '../../src/engine/backbone/manifest';

const manifest = (): PartManifest =>
  ({
    format: PART_FORMAT,
    part: 'impeller',
    backbone: { id: 'mobilenet_v2', sha256: 'aa'.repeat(32) },
    settings: presetSettings('fast'),
    thresholds: { image: 5, pixel: 9, rule: 'test' },
    mapStatistics: { flow: { mean: 0, std: 1 }, gaussians: [] },
    goodScores: { count: 1, mean: 0, std: 1, min: 0, max: 0, quantiles: {} },
    training: {} as PartManifest['training'],
    head: 'head.onnx',
  }) as PartManifest;
const head = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
const bytes = (text: string) => new TextEncoder().encode(text);

describe('part-model packages', () => {
  it('a .zip and the two loose files give the same model, identified by part and head', async () => {
    const fromZip = await readPartPackage([{ name: 'impeller.zip', bytes: packPartPackage(manifest(), head) }]);
    const loose = await readPartPackage([
      { name: 'manifest.json', bytes: bytes(JSON.stringify(manifest())) },
      { name: 'head.onnx', bytes: head },
    ]);
    expect(fromZip.id).toBe(loose.id);
    expect(fromZip.id).toMatch(/^impeller@[0-9a-f]{12}$/);
    expect(Array.from(fromZip.head)).toEqual(Array.from(head));
    expect(fromZip.manifest.headSha256).toHaveLength(64);
  });

  it('refuses damaged, foreign, incomplete and oversized packages with the reason', async () => {
    const packed = await readPartPackage([{ name: 'a.zip', bytes: packPartPackage(manifest(), head) }]);
    const tampered = head.slice();
    tampered[3] ^= 1;
    await expect(readPartPackage([{ name: 'b.zip', bytes: packPartPackage(packed.manifest, tampered) }])).rejects.toThrow(/b\.zip: head\.onnx has sha256 .*damaged/);
    await expect(readPartPackage([{ name: 'c.zip', bytes: bytes('no zip') }])).rejects.toThrow(/c\.zip: not a readable \.zip/);
    await expect(readPartPackage([{ name: 'manifest.json', bytes: bytes(JSON.stringify(manifest())) }])).rejects.toThrow(/names its head 'head\.onnx', which is missing/);
    await expect(readPartPackage([{ name: 'manifest.json', bytes: bytes('{') }, { name: 'head.onnx', bytes: head }])).rejects.toThrow(/not valid JSON/);
    await expect(readPartPackage([{ name: 'head.onnx', bytes: head }])).rejects.toThrow(/no manifest\.json/);
    const bomb = zipSync({ 'manifest.json': bytes(JSON.stringify(manifest())), 'head.onnx': new Uint8Array(257 * 2 ** 20) }, { level: 1 });
    await expect(readPartPackage([{ name: 'bomb.zip', bytes: bomb }])).rejects.toThrow(/unpacks to 257\.0 MiB, more than a part model may hold/);
  });

  it('refuses a model trained on another backbone, naming both', () => {
    const ours = { id: 'mobilenet_v2', sha256: 'bb'.repeat(32) } as BackboneManifest;
    expect(() => checkBackbone(manifest(), ours)).toThrow(/trained on backbone 'mobilenet_v2' \(sha256 aaaaaaaaaaaa…\), but this app runs 'mobilenet_v2' \(sha256 bbbbbbbbbbbb…\)/);
    expect(() => checkBackbone(manifest(), { ...ours, sha256: 'aa'.repeat(32) })).not.toThrow();
  });
});
