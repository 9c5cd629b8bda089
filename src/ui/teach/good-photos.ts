/**
 * The good photos of a teaching session, judged before training: how many more are needed, which are
 * duplicates, which were taken the other way round. Pure, so it is tested without a browser.
 */

export interface GoodPhoto {
  id: number;
  /** Unique within the session (a repeated file name gets a suffix). */
  name: string;
  file: Blob;
  status: 'checking' | 'ready' | 'error';
  /** Why it cannot be used (it does not decode, it is too large). */
  error: string | null;
  width: number;
  height: number;
  /** sha256 of the file's bytes: the same photo added twice has the same. */
  sha256: string;
  thumbnail: ImageBitmap | null;
}

/** Photos a run needs, and from how many the held-out share is large enough to set a threshold that holds. */
export interface PhotoNeeds {
  minimum: number;
  recommended: number;
}

export interface Advice {
  level: 'short' | 'enough' | 'good';
  text: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the counter says under the photos. */
export function photoAdvice(usable: number, needs: PhotoNeeds): Advice {
  if (usable < needs.minimum) {
    return { level: 'short', text: `${plural(needs.minimum - usable, 'more good photo')} needed: training takes at least ${needs.minimum} (${needs.recommended} or more give a steadier threshold).` };
  }
  if (usable < needs.recommended) {
    return { level: 'enough', text: `Enough to train. ${plural(needs.recommended - usable, 'more photo')} would give a steadier threshold: each one a different good part, as the line sees them.` };
  }
  return { level: 'good', text: `${usable} good photos: a sound basis. More still help where good parts vary (lighting, position, surface).` };
}

/** Ids of photos whose content repeats an earlier photo's, each with the name of the first one. */
export function duplicates(photos: readonly GoodPhoto[]): Map<number, string> {
  const first = new Map<string, string>();
  const repeats = new Map<number, string>();
  for (const p of photos) {
    if (p.status !== 'ready') continue;
    const earlier = first.get(p.sha256);
    if (earlier === undefined) first.set(p.sha256, p.name);
    else repeats.set(p.id, earlier);
  }
  return repeats;
}

export type Orientation = 'landscape' | 'portrait' | 'square';

export const orientationOf = (width: number, height: number): Orientation => (width > height ? 'landscape' : width < height ? 'portrait' : 'square');

/**
 * Ids of photos in another orientation than most: the model's input takes most photos' shape, and a
 * part photographed the other way round is shrunk to fit it, padded, and looks like a different part.
 */
export function orientationOutliers(photos: readonly GoodPhoto[]): { majority: Orientation | null; outliers: number[] } {
  const ready = photos.filter((p) => p.status === 'ready');
  const counts = new Map<Orientation, number>();
  for (const p of ready) counts.set(orientationOf(p.width, p.height), (counts.get(orientationOf(p.width, p.height)) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length < 2) return { majority: ranked[0]?.[0] ?? null, outliers: [] };
  const majority = ranked[0][0];
  return { majority, outliers: ready.filter((p) => orientationOf(p.width, p.height) !== majority).map((p) => p.id) };
}

/** The distinct sizes among the photos, most common first ("1024×768 (40), 768×1024 (3)"). */
export function sizeSummary(photos: readonly GoodPhoto[]): string {
  const counts = new Map<string, number>();
  for (const p of photos) if (p.status === 'ready') counts.set(`${p.width}×${p.height}`, (counts.get(`${p.width}×${p.height}`) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([size, n]) => `${size} (${n})`).join(', ');
}

/** Photos at least this many times larger than what a preset reads lose the detail small defects need. */
const OVERSIZE = 3;

/**
 * Advice when most photos (their region, if one is drawn) are far larger than a preset reads them
 * (`read` pixels on the shorter side): each pixel the model sees then stands for many of the photo's.
 */
export function resolutionAdvice(photos: readonly GoodPhoto[], read: number, tiled: boolean, region?: { width: number; height: number } | null): string | null {
  const sides = photos
    .filter((p) => p.status === 'ready')
    .map((p) => Math.round(Math.min(p.width * (region?.width ?? 1), p.height * (region?.height ?? 1))))
    .sort((a, b) => a - b);
  if (!sides.length) return null;
  const side = sides[Math.floor(sides.length / 2)];
  if (side < OVERSIZE * read) return null;
  const k = Math.round(side / read);
  const choose = tiled ? '' : " The 'tiled' preset reads each photo as 2 × 2 tiles, at about four times the time.";
  return `Most photos are ${side} px on their shorter side and this preset reads ${read}: each pixel it sees stands for ${k} × ${k} of the photo's, so the smallest defects may be lost.${choose}`;
}

/** A name not yet taken: "001.jpg", then "001 (2).jpg", "001 (3).jpg". */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 2; ; i++) if (!taken.has(`${stem} (${i})${ext}`)) return `${stem} (${i})${ext}`;
}

/** The photos a run trains on, in the order the command line takes a folder's: sorted by name. */
export function trainingOrder(photos: readonly GoodPhoto[]): GoodPhoto[] {
  return photos.filter((p) => p.status === 'ready').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
