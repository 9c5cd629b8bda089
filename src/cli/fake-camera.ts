/**
 * A camera made of real photos, for Chromium's fake capture device
 * (`--use-file-for-fake-video-capture=FILE.y4m`, which loops the file): each photo in turn for a few
 * seconds, as parts going by a station. Written by ffmpeg (apt-get install ffmpeg).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface FakeCameraOptions {
  /** Seconds each photo stays in front of the camera. */
  secondsEach: number;
  fps: number;
  /** Width and height of the picture (photos are scaled to it). */
  width: number;
  height: number;
}

/** Chromium's fake capture device launch flags for a y4m file (the fake UI grants the camera). */
export const fakeCameraArgs = (y4m: string) => ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`];

/** Writes `out` (.y4m) showing `photos` in order; returns `out`. */
export function writeFakeCameraVideo(photos: string[], out: string, { secondsEach, fps, width, height }: FakeCameraOptions): string {
  // the concat demuxer shows each file for its duration; the last file is listed twice, as it asks
  const list = path.join(path.dirname(out), `${path.basename(out)}.txt`);
  const quote = (f: string) => `file '${path.resolve(f).replace(/'/g, "'\\''")}'`;
  writeFileSync(list, [...photos.flatMap((f) => [quote(f), `duration ${secondsEach}`]), quote(photos[photos.length - 1])].join('\n') + '\n');
  try {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-vf', `fps=${fps},scale=${width}:${height},format=yuv420p`, '-f', 'yuv4mpegpipe', out]);
  } catch (e) {
    throw new Error(`ffmpeg could not write the fake camera video (apt-get install ffmpeg): ${(e as Error).message}`);
  }
  return out;
}
