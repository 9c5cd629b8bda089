/**
 * A part model as one file: a `.zip` holding `manifest.json` and its head (`head.onnx`). Read here from a
 * zip or from the two loose files, checked before anything is stored: sizes, format, the head's sha256
 * against the manifest. Pure (bytes in, bytes out) so the CLI, the worker and the page share it.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { sha256Hex } from '../backbone/provision';
import type { BackboneManifest } from '../backbone/manifest';
import { ManifestError, validateManifest, type PartManifest } from './manifest';
import { mib } from '../units';

/** A package, a head or a manifest larger than these is refused before it is unpacked or parsed. */
export const PACKAGE_LIMITS = { packageBytes: 256 * 2 ** 20, headBytes: 256 * 2 ** 20, manifestBytes: 2 ** 20 } as const;

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export interface PartPackage {
  manifest: PartManifest;
  head: Uint8Array;
  /** `<part>@<first 12 hex of the head's sha256>`: the same head is the same model wherever it came from. */
  id: string;
}

/** Reads a package from one `.zip`, or from `manifest.json` + its head file chosen together. */
export async function readPartPackage(files: NamedBytes[]): Promise<PartPackage> {
  const zip = files.find((f) => f.name.toLowerCase().endsWith('.zip'));
  if (zip) {
    if (zip.bytes.length > PACKAGE_LIMITS.packageBytes) throw new ManifestError(`${zip.name}: ${mib(zip.bytes.length)} is larger than a part model may be (${mib(PACKAGE_LIMITS.packageBytes)})`);
    let entries: Record<string, Uint8Array>;
    try {
      // sizes are checked from the central directory before anything is inflated
      entries = unzipSync(zip.bytes, {
        filter: (f) => {
          if (f.originalSize > PACKAGE_LIMITS.headBytes) throw new ManifestError(`${zip.name}: ${f.name} unpacks to ${mib(f.originalSize)}, more than a part model may hold`);
          return !f.name.endsWith('/');
        },
      });
    } catch (e) {
      if (e instanceof ManifestError) throw e;
      throw new ManifestError(`${zip.name}: not a readable .zip (${(e as Error).message})`);
    }
    const inner = Object.entries(entries).map(([name, bytes]) => ({ name: name.split('/').pop()!, bytes }));
    return fromFiles(inner, zip.name);
  }
  return fromFiles(files, files.map((f) => f.name).join(' + ') || 'nothing');
}

async function fromFiles(files: NamedBytes[], where: string): Promise<PartPackage> {
  const manifestFile = files.find((f) => f.name === 'manifest.json');
  if (!manifestFile) throw new ManifestError(`${where}: no manifest.json (a part model is a .zip, or manifest.json and head.onnx chosen together)`);
  if (manifestFile.bytes.length > PACKAGE_LIMITS.manifestBytes) throw new ManifestError(`${where}: manifest.json is ${mib(manifestFile.bytes.length)}, too large for a manifest`);
  let raw: unknown;
  try {
    raw = JSON.parse(strFromU8(manifestFile.bytes));
  } catch {
    throw new ManifestError(`${where}: manifest.json is not valid JSON`);
  }
  const manifest = validateManifest(raw, where);
  const headFile = files.find((f) => f.name === manifest.head);
  if (!headFile) throw new ManifestError(`${where}: the manifest names its head '${manifest.head}', which is missing`);
  if (headFile.bytes.length > PACKAGE_LIMITS.headBytes) throw new ManifestError(`${where}: ${manifest.head} is ${mib(headFile.bytes.length)}, more than a part model may hold`);
  const sha = await sha256Hex(headFile.bytes);
  if (manifest.headSha256 && manifest.headSha256 !== sha) {
    throw new ManifestError(`${where}: ${manifest.head} has sha256 ${sha.slice(0, 12)}…, but the manifest says ${manifest.headSha256.slice(0, 12)}…; the package is damaged`);
  }
  return { manifest: { ...manifest, headSha256: sha }, head: headFile.bytes, id: `${manifest.part}@${sha.slice(0, 12)}` };
}

/** Refuses a part model trained on another backbone than the one this app runs. */
export function checkBackbone(manifest: PartManifest, backbone: BackboneManifest): void {
  if (manifest.backbone.id !== backbone.id || manifest.backbone.sha256 !== backbone.sha256) {
    throw new ManifestError(
      `part model '${manifest.part}' was trained on backbone '${manifest.backbone.id}' (sha256 ${manifest.backbone.sha256.slice(0, 12)}…), ` +
        `but this app runs '${backbone.id}' (sha256 ${backbone.sha256.slice(0, 12)}…); retrain the part on this backbone`,
    );
  }
}

/** The `.zip` package of a part model (stored, not deflated: ONNX floats barely compress). */
export function packPartPackage(manifest: PartManifest, head: Uint8Array): Uint8Array {
  return zipSync({ 'manifest.json': strToU8(`${JSON.stringify(manifest, null, 2)}\n`), [manifest.head]: head }, { level: 0 });
}
