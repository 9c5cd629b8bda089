/**
 * The browser's inspection worker: a thin comlink façade over the engine. The page hands it bytes
 * (part model files, photos); it answers with scores and maps. All ONNX work stays off the UI thread.
 */
import * as Comlink from 'comlink';
import type { BackboneManifest, LoadedBackbone } from '../src/engine/backbone/manifest';
import { openBackbone } from '../src/engine/backbone/provision';
import { decodeImage } from '../src/engine/image/decode';
import { validateManifest } from '../src/engine/patchflow/manifest';
import { PartModel, type Inspection } from '../src/engine/patchflow/pipeline';
import type { Runtime } from '../src/engine/runtime';
import { webRuntime } from '../src/engine/runtime/web';

const BACKBONE_DIR = `${import.meta.env.BASE_URL}models/backbones/mobilenet_v2/`;

let runtime: Promise<Runtime> | undefined;
let backbone: Promise<LoadedBackbone> | undefined;
let model: PartModel | undefined;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} — is the backbone provisioned (npm run setup)?`);
  return new Uint8Array(await res.arrayBuffer());
}

async function loadBackbone(): Promise<LoadedBackbone> {
  const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(`${BACKBONE_DIR}manifest.json`))) as BackboneManifest;
  return openBackbone(manifest, await fetchBytes(BACKBONE_DIR + manifest.file), `${BACKBONE_DIR}manifest.json`);
}

const api = {
  /** Loads a part model from its two files; the previous model stays in use if this one fails. */
  async loadPart(manifestText: string, head: Uint8Array, source: string) {
    let raw: unknown;
    try {
      raw = JSON.parse(manifestText);
    } catch {
      throw new Error(`${source}: manifest.json is not valid JSON`);
    }
    const manifest = validateManifest(raw, source);
    runtime ??= webRuntime();
    backbone ??= loadBackbone();
    const next = await PartModel.load(await runtime, await backbone, manifest, head);
    const previous = model;
    model = next;
    await previous?.release();
    return { part: manifest.part, runtime: (await runtime).name, threshold: manifest.thresholds.image, pixelThreshold: manifest.thresholds.pixel };
  },

  async inspect(bytes: Uint8Array, name: string): Promise<Inspection> {
    if (!model) throw new Error('load a part model first');
    const result = await model.inspect(decodeImage(bytes, name));
    return Comlink.transfer(result, [result.anomalyMap.buffer, result.logLikelihood.buffer]);
  },
};

export type InspectorApi = typeof api;

Comlink.expose(api);
