/**
 * A rotated copy of an MVTec-layout data set, for measuring parts that arrive at any rotation: every
 * photo (train and test) and its mask turned by its own seeded random angle about the centre, the
 * corners filled with the photo's corner colour, the size kept. Never committed: it is made from the
 * shared data sets.
 *   npx tsx scripts/rotated-set.ts SOURCE TARGET [SEED]
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createRng } from '../src/engine/random';

const [source, target, seedText = '7'] = process.argv.slice(2);
if (!source || !target) throw new Error('usage: npx tsx scripts/rotated-set.ts SOURCE TARGET [SEED]');
const rng = createRng(Number(seedText));

function photos(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? photos(file) : /\.(png|jpe?g|bmp)$/i.test(name) ? [file] : [];
  });
}

async function rotate(file: string, out: string, angle: number, mask: boolean): Promise<void> {
  const image = sharp(file);
  const { width, height } = await image.metadata();
  const corner = mask ? { r: 0, g: 0, b: 0 } : await sharp(file).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer().then((p) => ({ r: p[0], g: p[1] ?? p[0], b: p[2] ?? p[0] }));
  const turned = await image.rotate(angle, { background: corner }).toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = turned.info;
  mkdirSync(path.dirname(out), { recursive: true });
  await sharp(turned.data)
    .extract({ left: Math.floor((w - width!) / 2), top: Math.floor((h - height!) / 2), width: width!, height: height! })
    .toFile(out);
}

for (const file of photos(path.join(source, 'train')).concat(photos(path.join(source, 'test')))) {
  const relative = path.relative(source, file);
  const angle = Math.floor(rng() * 360);
  await rotate(file, path.join(target, relative), angle, false);
  const [, type, name] = relative.split(path.sep);
  const mask = path.join(source, 'ground_truth', type ?? '', (name ?? '').replace(/\.\w+$/, '_mask.png'));
  if (relative.startsWith('test') && type !== 'good' && statSync(mask, { throwIfNoEntry: false })) await rotate(mask, path.join(target, 'ground_truth', type, path.basename(mask)), angle, true);
}
console.log(`rotated ${source} into ${target}`);
