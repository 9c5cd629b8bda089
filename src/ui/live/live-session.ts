/**
 * The live session: the camera stream, the frames pumped to the inspection worker, the verdict with
 * hysteresis and the readouts.
 *
 * Each frame the camera presents is offered to the pump, which keeps one frame in the worker and the
 * newest one waiting, dropping staler ones. The waiting frame is taken from the video (as a VideoFrame:
 * the camera's buffer, no copy) only when the worker is free: it is then the freshest picture, and no
 * camera buffer is held while the model works (a camera has only a few; pinning them stalls the
 * picture). The frame is transferred to the worker, which crops the region of interest, reads it as it
 * reads a photo and hands back the picture it read with the map. Nothing here waits on inference.
 */
import { create } from 'zustand';
import type { FrameResult, PartPackageData } from '../../../workers/inspector-api';
import { useBatch } from '../inspect/batch-store';
import { inspector } from '../inspector-client';
import { useCurrentPart } from '../library/current-part';
import { CAMERA_ENDED, cameraProblem, listCameras, openCamera, type CameraInfo } from './camera';
import { captureFrame, captureName } from './capture';
import { beepFail, unlockSound } from './fail-sound';
import { FramePump } from './frame-pump';
import { becameFail, nextVerdict, UNDECIDED, type VerdictState } from './hysteresis';
import { appendTiming, NO_READOUTS, readoutsOf, type FrameTiming, type Readouts } from './readouts';
import { regionInFrame } from './roi';
import { useStation } from './station-settings';
import { keepScreenAwake, type WakeLockState } from './wake-lock';

export type LivePhase = 'off' | 'starting' | 'streaming';

/** The last frame inspected, with what it was judged by. */
export interface LiveFrame extends FrameResult {
  /** The camera picture's size when the frame was taken (the region is in its pixels). */
  frameWidth: number;
  frameHeight: number;
  /** The model's thresholds: image (verdict) and pixel (where the heat map starts). */
  thresholds: PartPackageData['manifest']['thresholds'];
}

export interface LiveState {
  phase: LivePhase;
  /** Why frames are not inspected while streaming (the tab or the Live view is hidden); null: they are. */
  paused: string | null;
  /** Why the camera is not streaming; shown with a way to try again. */
  problem: string | null;
  stream: MediaStream | null;
  /** The camera's picture size as it arrives (it changes when a tablet turns). */
  picture: { width: number; height: number } | null;
  /** Set when the picture turned between landscape and portrait while streaming. */
  turnedNote: string | null;
  cameras: CameraInfo[];
  latest: LiveFrame | null;
  verdict: VerdictState;
  timings: FrameTiming[];
  readouts: Readouts;
  /** Frames inspected and frames dropped (stale, never sent) since the camera started. */
  inspected: number;
  dropped: number;
  /** Frames per second the camera presents. */
  cameraFps: number;
  /** The last frame's failure (a crashed worker, a lost model); cleared by the next good frame. */
  frameError: string | null;
  /** The live model could not be loaded: frames are inspected by the chosen model meanwhile. */
  liveModelError: string | null;
  wakeLock: WakeLockState | null;
  /** The last capture's file name, or why it failed. */
  captureNote: string | null;
  start(): Promise<void>;
  stop(): void;
  capture(): Promise<void>;
  refreshCameras(): Promise<void>;
}

/** A frame the camera has presented, waiting for the worker: it is taken from `video` when sent. */
interface Offered {
  video: HTMLVideoElement;
  /** The session it belongs to: frames and answers of a stopped one are dropped. */
  session: number;
}

/** A frame taken from the video, and what it needs to be judged when it comes back. */
interface Grabbed {
  grabbedAt: number;
  width: number;
  height: number;
  session: number;
}

let session = 0;
/** Resolves when the worker has the models frames need (after a live model switch or a worker restart). */
let modelsReady: Promise<void> = Promise.resolve();
/** The live model the view asks for (the part's station setting), and the one the worker holds. */
let wantedLive: PartPackageData | null = null;
let heldLiveId: string | null = null;
let releaseWakeLock: (() => void) | null = null;
let viewShown = true;
/** Presentation times of the camera's recent frames, for its frame rate. */
let presented: number[] = [];
const CAMERA_FPS_FRAMES = 30;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

// a waiting frame holds nothing yet: dropping it costs nothing
const pump = new FramePump<Offered>(inspectNewest, () => undefined);
let droppedBefore = 0;

/** The package that scored a frame: the chosen one or the part's live model; null for a model no longer used. */
function judgeOf(modelId: string): PartPackageData | null {
  const chosen = useCurrentPart.getState().pkg;
  if (chosen?.id === modelId) return chosen;
  return wantedLive?.id === modelId ? wantedLive : null;
}

/** The video's current picture: a VideoFrame shares the camera's buffer; browsers without one copy it into a bitmap. */
const takeFrame = (video: HTMLVideoElement): Promise<VideoFrame | ImageBitmap> => (typeof VideoFrame === 'function' ? Promise.resolve().then(() => new VideoFrame(video)) : createImageBitmap(video));

async function inspectNewest({ video, session: of }: Offered): Promise<void> {
  await modelsReady;
  const part = useCurrentPart.getState().pkg?.manifest.part;
  if (of !== session || !part || video.videoWidth === 0) return;
  const roi = useStation.getState().parts[part]?.roi ?? null;
  const g: Grabbed = { grabbedAt: performance.now(), width: video.videoWidth, height: video.videoHeight, session: of };
  try {
    const frame = await takeFrame(video);
    apply(g, await inspector.inspectFrame(frame, regionInFrame(roi, g.width, g.height)));
  } catch (e) {
    if (of === session) useLive.setState({ frameError: message(e) });
  }
}

function apply(g: Grabbed, result: FrameResult): void {
  const judge = judgeOf(result.modelId);
  if (g.session !== session || !judge) return result.picture.close();
  const s = useLive.getState();
  const station = useStation.getState();
  const doneAt = performance.now();
  const verdict = nextVerdict(s.verdict, result.score, judge.manifest.thresholds.image, station);
  const timings = appendTiming(s.timings, { grabbedAt: g.grabbedAt, doneAt, readMs: result.readMs, modelMs: result.inferenceMs });
  s.latest?.picture.close();
  const latest: LiveFrame = { ...result, frameWidth: g.width, frameHeight: g.height, thresholds: judge.manifest.thresholds };
  useLive.setState({ latest, verdict, timings, readouts: readoutsOf(timings), inspected: s.inspected + 1, dropped: pump.stats.dropped - droppedBefore, frameError: null });
  if (result.backendNote && judge === useCurrentPart.getState().pkg) useCurrentPart.getState().noteBackend(result.backend, result.backendNote);
  if (becameFail(s.verdict, verdict)) {
    if (station.soundOnFail) beepFail();
    if (station.autoCapture) void useLive.getState().capture();
  }
}

/** Loads the wanted live model into the worker while streaming, and frees it otherwise. */
function syncLiveModel(): void {
  const want = useLive.getState().phase === 'off' ? null : wantedLive;
  if ((want?.id ?? null) === heldLiveId) return;
  heldLiveId = want?.id ?? null;
  // one switch after the other, so the worker ends with the last one asked for
  modelsReady = modelsReady.then(() =>
    inspector.loadLivePart(want).then(
      () => useLive.setState({ liveModelError: null }),
      async (e: unknown) => {
        // the worker kept the live model it had: go back to the chosen one rather than judge by that
        heldLiveId = null;
        await inspector.loadLivePart(null).catch(() => undefined);
        useLive.setState({ liveModelError: `The part's live model could not be loaded (${message(e)}); frames are inspected by the chosen model.` });
      },
    ),
  );
}

/** The part's live model, as the station settings name it (null: the chosen model inspects frames too). */
export function setLiveModel(pkg: PartPackageData | null): void {
  wantedLive = pkg;
  syncLiveModel();
}

function updatePaused(): void {
  const paused = document.hidden ? 'Paused: the tab is hidden.' : viewShown ? null : 'Paused: the Live view is not shown.';
  if (paused === useLive.getState().paused) return;
  pump.clear();
  // the rate and latency start again: a pause is not slowness
  useLive.setState({ paused, timings: [], readouts: NO_READOUTS });
}

/** Whether the Live view is the section shown: frames are only inspected where someone can see them. */
export function setLiveViewShown(shown: boolean): void {
  viewShown = shown;
  updatePaused();
}

/** The camera has just presented a frame (at `presentedAt`, performance.now() time). */
export function offerFrame(video: HTMLVideoElement, presentedAt: number): void {
  presented = [...presented.slice(1 - CAMERA_FPS_FRAMES), presentedAt];
  const s = useLive.getState();
  if (s.phase === 'streaming' && !s.paused && useCurrentPart.getState().pkg) pump.offer({ video, session });
}

/** The picture's size as the video element reports it (at start, and whenever the camera changes it). */
export function notePictureSize(width: number, height: number): void {
  const before = useLive.getState().picture;
  if (width === 0 || height === 0 || (before?.width === width && before.height === height)) return;
  const turned = before !== null && before.width > before.height !== width > height;
  const orientation = width >= height ? 'landscape' : 'portrait';
  useLive.setState({
    picture: { width, height },
    ...(turned && { turnedNote: `The picture turned to ${orientation} (${width} × ${height}): check that the region of interest still frames the part.` }),
  });
}

/** The camera's frame rate over its last frames; refreshed once a second by the view. */
export function sampleCameraFps(): void {
  const n = presented.length;
  const fps = n > 1 && performance.now() - presented[n - 1] < 1000 ? ((n - 1) * 1000) / (presented[n - 1] - presented[0]) : 0;
  if (Math.abs(fps - useLive.getState().cameraFps) > 0.05) useLive.setState({ cameraFps: fps });
}

function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** Ends streaming (the Stop button, or a camera that went away: then `problem` says so). */
function halt(problem: string | null): void {
  const { stream, latest } = useLive.getState();
  session++;
  stopTracks(stream);
  pump.clear();
  releaseWakeLock?.();
  releaseWakeLock = null;
  latest?.picture.close();
  presented = [];
  useLive.setState({ phase: 'off', stream: null, picture: null, turnedNote: null, latest: null, verdict: UNDECIDED, problem, wakeLock: null, cameraFps: 0, frameError: null });
  syncLiveModel();
}

export const useLive = create<LiveState>((set, get) => ({
  phase: 'off',
  paused: null,
  problem: null,
  stream: null,
  picture: null,
  turnedNote: null,
  cameras: [],
  latest: null,
  verdict: UNDECIDED,
  timings: [],
  readouts: NO_READOUTS,
  inspected: 0,
  dropped: 0,
  cameraFps: 0,
  frameError: null,
  liveModelError: null,
  wakeLock: null,
  captureNote: null,

  async start() {
    if (get().phase !== 'off') return;
    unlockSound(); // this runs in the Start tap: the one moment a page may unlock audio
    const opening = ++session;
    set({ phase: 'starting', problem: null, captureNote: null });
    const { cameraId, resolution } = useStation.getState();
    let stream: MediaStream;
    try {
      stream = await openCamera(cameraId, resolution);
    } catch (e) {
      if (opening === session) set({ phase: 'off', problem: cameraProblem(e, cameraId !== null) });
      void get().refreshCameras();
      return;
    }
    if (opening !== session) return stopTracks(stream); // stopped while the camera opened
    droppedBefore = pump.stats.dropped;
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => get().stream === stream && halt(CAMERA_ENDED));
    set({ phase: 'streaming', stream, verdict: UNDECIDED, timings: [], readouts: NO_READOUTS, inspected: 0, dropped: 0, frameError: null });
    releaseWakeLock = keepScreenAwake((wakeLock) => get().stream === stream && set({ wakeLock }));
    syncLiveModel();
    updatePaused();
    void get().refreshCameras(); // names are given once the camera is allowed
  },

  stop() {
    if (get().phase === 'streaming') return halt(null);
    session++; // a camera still opening is closed when it answers
    set({ phase: 'off' });
  },

  async capture() {
    const latest = get().latest;
    const chosen = useCurrentPart.getState().loaded;
    if (!latest || !chosen) return;
    const name = captureName(chosen.part, new Date());
    try {
      const { file, result } = await captureFrame(latest, name);
      if (latest.modelId === chosen.id) useBatch.getState().addCapturedResult(file, result, chosen.id);
      else {
        // a live model's score is not judged by the chosen model's threshold: the chosen model scores the capture
        result.thumbnail.close();
        useBatch.getState().add([{ file, path: name }], chosen.id);
      }
      set({ captureNote: `Captured ${name} into the Inspect results.` });
    } catch (e) {
      set({ captureNote: `The frame could not be captured: ${message(e)}` });
    }
  },

  async refreshCameras() {
    try {
      set({ cameras: await listCameras() });
    } catch {
      set({ cameras: [] });
    }
  },
}));

// frames for a new part model are judged afresh; frames of the previous one are dropped as they come
useCurrentPart.subscribe((now, before) => {
  if (now.pkg?.id === before.pkg?.id) return;
  const { latest } = useLive.getState();
  latest?.picture.close();
  useLive.setState({ latest: null, verdict: UNDECIDED, timings: [], readouts: NO_READOUTS });
});

// a restarted worker reloads the models (the live one too) before frames are inspected again
inspector.onRestart((_why, reload) => {
  if (!reload) return;
  const reloaded = reload.then(
    () => undefined,
    () => undefined,
  );
  modelsReady = modelsReady.then(() => reloaded);
});

if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', updatePaused);
  navigator.mediaDevices?.addEventListener('devicechange', () => void useLive.getState().refreshCameras());
}
