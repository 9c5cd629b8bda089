/**
 * MVTec-style folders on disk: `train/good/*`, `test/<type>/*` (`good` = normal, any other folder is a
 * defect type) and optional `ground_truth/<type>/<name>_mask.png`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const IMAGE_EXT = /\.(png|jpe?g|webp|avif|bmp|gif|tiff?)$/i;

export class DatasetError extends Error {}

export interface DatasetImage {
  path: string;
  /** Path relative to the dataset root, for reports. */
  name: string;
  /** Defect type, or 'good'. */
  type: string;
  label: 0 | 1;
  maskPath?: string;
}

function imagesIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => IMAGE_EXT.test(f)).sort().map((f) => path.join(dir, f));
}

function requireDir(dir: string, what: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError(`${what} not found: ${dir}`);
}

export function trainImages(root: string): DatasetImage[] {
  const dir = path.join(root, 'train', 'good');
  requireDir(dir, 'training folder (expected <data>/train/good)');
  const files = imagesIn(dir);
  if (!files.length) throw new DatasetError(`no PNG or JPEG images in ${dir}`);
  return files.map((p) => ({ path: p, name: path.relative(root, p), type: 'good', label: 0 }));
}

export function testImages(root: string): DatasetImage[] {
  const testDir = path.join(root, 'test');
  requireDir(testDir, 'test folder (expected <data>/test/<good|defect type>)');
  const types = readdirSync(testDir).filter((d) => statSync(path.join(testDir, d)).isDirectory()).sort();
  if (!types.includes('good')) throw new DatasetError(`${testDir} has no 'good' folder: AUROC needs good test images`);
  if (types.length < 2) throw new DatasetError(`${testDir} has only 'good': add at least one defect folder`);
  const out: DatasetImage[] = [];
  for (const type of types) {
    for (const p of imagesIn(path.join(testDir, type))) {
      const mask = path.join(root, 'ground_truth', type, `${path.basename(p).replace(IMAGE_EXT, '')}_mask.png`);
      out.push({ path: p, name: path.relative(root, p), type, label: type === 'good' ? 0 : 1, maskPath: type !== 'good' && existsSync(mask) ? mask : undefined });
    }
  }
  if (!out.some((i) => i.label === 1)) throw new DatasetError(`no defect images under ${testDir}`);
  return out;
}

export function readBytes(p: string): Uint8Array {
  return new Uint8Array(readFileSync(p));
}
