/**
 * Running a teaching session: starting a run from the view's photos and settings, following its progress,
 * keeping its photos and checkpoints so a reload resumes from the last finished epoch, cancelling, going
 * on after a failure, and taking the taught model when it is done.
 */
import type { TaughtPart, TeachListener, TrainProgress, TrainingCheckpoint } from '../../../workers/teacher-api';
import { heldOutCount, minimumImages, trainDefaults } from '../../engine/train/defaults';
import { errorMessage } from '../library/storage-errors';
import { teacher } from '../teacher-client';
import { checkHeldOut } from './checks';
import { trainingOrder, type PhotoNeeds } from './good-photos';
import { addGoodPhotos } from './photo-intake';
import { dropSession, keepCheckpoint, keepSession, keepTaught, readSession, type StoredSession } from './session-storage';
import { modelSettingsOf, useTeachSettings } from './teach-settings';
import { patchRun, useTeach, type RunView, type TeachState } from './teach-store';
import { startTracking, track, type RunPlan } from './training-progress';

/** The options a run takes that the view does not change: batch, held-out share, synthetic anomalies. */
const RUN = trainDefaults();

/**
 * A run needs a full batch besides the held-out share; from 50 photos on, 8 or more are held out, which
 * is what the threshold is calibrated on.
 */
export const PHOTO_NEEDS: PhotoNeeds = { minimum: minimumImages(RUN), recommended: 50 };

function planFor(photos: number, epochs: number, resumedAfter: number): RunPlan {
  const heldOut = heldOutCount(photos, RUN.validationFraction);
  const validationSamples = heldOut * (1 + RUN.syntheticPerImage);
  return { cacheTotal: photos - heldOut + validationSamples, trainPhotos: photos - heldOut, batchSize: RUN.batchSize, validationSamples, epochs, resumedAfter };
}

/** The session of the run shown (in progress, failed or done). */
let active: StoredSession | null = null;

/** The settings of the run shown, for the view. */
export const activeSession = () => active;

const isShown = (runId: string) => useTeach.getState().run?.runId === runId;

/** Why the view's photos and name cannot be taught yet, or null. */
export function cannotTrain({ part, photos, run }: TeachState): string | null {
  if (run?.status === 'running') return 'A run is in progress.';
  if (!part.trim()) return 'Name the part first.';
  if (photos.some((p) => p.status === 'checking')) return 'Wait until every photo is checked.';
  const usable = photos.filter((p) => p.status === 'ready').length;
  if (usable < PHOTO_NEEDS.minimum) return `${usable} usable good photos: training needs at least ${PHOTO_NEEDS.minimum}.`;
  return null;
}

/** Starts a fresh run: its photos (in the command line's order) and settings are kept for resuming first. */
export async function startTraining(): Promise<void> {
  const why = cannotTrain(useTeach.getState());
  const { setNotice } = useTeach.getState();
  if (why) return setNotice({ text: why, tone: 'error' });
  const { part, photos, centerCrop, region, thinDefects } = useTeach.getState();
  const { preset, epochs, seed } = useTeachSettings.getState();
  const session: StoredSession = {
    runId: crypto.randomUUID(),
    part: part.trim(),
    preset,
    centerCrop,
    region,
    thinDefects,
    epochs,
    seed,
    photos: trainingOrder(photos).map((p) => ({ name: p.name, file: p.file })),
    taught: null,
  };
  let problem: string | null = null;
  try {
    await keepSession(session);
  } catch (e) {
    problem = `${errorMessage(e)} A reload will not resume this run.`;
  }
  useTeach.setState({ taught: null, checks: [], threshold: null, notice: null });
  run(session, null, problem);
}

function run(session: StoredSession, checkpoint: TrainingCheckpoint | null, checkpointProblem: string | null): void {
  active = session;
  const resumedAfter = checkpoint?.epoch ?? 0;
  const view: RunView = {
    runId: session.runId,
    status: 'running',
    tracker: startTracking(planFor(session.photos.length, session.epochs, resumedAfter)),
    startedAt: performance.now(),
    loss: null,
    stepLosses: [],
    lossCurve: checkpoint?.lossCurve ?? [],
    history: checkpoint?.history ?? [],
    bestEpoch: checkpoint?.best.epoch ?? null,
    resumedAfter,
    backend: null,
    backendNote: null,
    error: null,
    checkpointProblem,
  };
  useTeach.setState({ run: view });
  const request = {
    part: session.part,
    dataLabel: `${session.photos.length} good photos, taught in the browser`,
    settings: modelSettingsOf(session),
    epochs: session.epochs,
    seed: session.seed,
    photos: session.photos.map((p) => ({ name: p.name, photo: p.file })),
    resumeFrom: checkpoint,
  };
  teacher.teach(request, listenerFor(session.runId)).then(
    (taught) => void finish(session, taught),
    (e: unknown) => fail(session.runId, e),
  );
}

/** The run's view after one progress event. */
function progressed(run: RunView, p: TrainProgress): Partial<RunView> {
  const tracker = track(run.tracker, p, performance.now());
  if (p.phase === 'train') return { tracker, loss: p.loss, stepLosses: [...run.stepLosses, { x: p.epoch - 1 + p.step / p.steps, y: p.loss }] };
  if (p.phase === 'validate') {
    const { epoch, imageAuroc, pixelAuroc, goodScoreMean } = p;
    return { tracker, lossCurve: [...run.lossCurve, p.loss], history: [...run.history, { epoch, imageAuroc, pixelAuroc, goodScoreMean }], bestEpoch: p.best ? epoch : run.bestEpoch };
  }
  return { tracker };
}

function listenerFor(runId: string): TeachListener {
  return {
    progress: (p) => isShown(runId) && patchRun((r) => progressed(r, p)),
    checkpoint: async (c) => {
      try {
        await keepCheckpoint(runId, c);
      } catch (e) {
        // training goes on; only resuming after a reload is lost
        if (isShown(runId)) patchRun(() => ({ checkpointProblem: `${errorMessage(e)} A reload will start this run over.` }));
      }
    },
    backend: (backend, note) => isShown(runId) && patchRun(() => ({ backend, backendNote: note })),
  };
}

async function finish(session: StoredSession, taught: TaughtPart): Promise<void> {
  if (!isShown(session.runId)) return;
  patchRun(() => ({ status: 'done' }));
  useTeach.setState({ taught, threshold: null });
  active = { ...session, taught };
  try {
    await keepTaught(session, taught);
  } catch (e) {
    useTeach.getState().setNotice({ text: `${errorMessage(e)} The taught part is not kept for a reload: save it to the library or export it.`, tone: 'error' });
  }
  checkHeldOut(session.photos, taught.heldOut);
}

function fail(runId: string, e: unknown): void {
  // a cancelled run has already said so
  if (!isShown(runId) || useTeach.getState().run?.status !== 'running') return;
  patchRun(() => ({ status: 'failed', error: errorMessage(e) }));
}

/** Stops the run at once and forgets it (its checkpoint too); the photos stay, to train again. */
export function cancelTraining(): void {
  patchRun(() => ({ status: 'cancelled' }));
  teacher.stop('training cancelled');
  void dropSession().catch(() => undefined);
}

/** Goes on with a failed run from its last kept checkpoint. */
export async function resumeTraining(): Promise<void> {
  const stored = await readSession().catch(() => null);
  if (!active || stored?.session.runId !== active.runId) {
    return useTeach.getState().setNotice({ text: 'This run was not kept in the browser; train again.', tone: 'error' });
  }
  run(stored.session, stored.checkpoint, null);
}

/** Forgets the taught part and the run (after it is saved, or to teach another part). */
export function forgetRun(): void {
  active = null;
  useTeach.setState({ run: null, taught: null, checks: [], threshold: null });
  void dropSession().catch(() => undefined);
}

let restored = false;

/**
 * Once per page: a session kept before a reload comes back. A run in progress goes on from its last
 * finished epoch; a part taught but not saved is shown again.
 */
export async function restoreSession(): Promise<void> {
  if (restored) return;
  restored = true;
  const stored = await readSession().catch(() => null);
  if (!stored) return;
  const { session, checkpoint } = stored;
  useTeach.setState({ part: session.part, centerCrop: session.centerCrop, region: session.region ?? null, thinDefects: session.thinDefects ?? false });
  addGoodPhotos(session.photos);
  const { setNotice } = useTeach.getState();
  if (session.taught) {
    active = session;
    useTeach.setState({ taught: session.taught });
    setNotice({ text: `'${session.part}' was taught before the page was reloaded: check it, then save it to the library.`, tone: 'note' });
    try {
      await teacher.adopt(session.taught.pkg, session.taught.backend);
      checkHeldOut(session.photos, session.taught.heldOut);
    } catch (e) {
      setNotice({ text: `The part taught before the reload could not be loaded: ${errorMessage(e)}`, tone: 'error' });
    }
    return;
  }
  run(session, checkpoint, null);
  setNotice({ text: checkpoint ? `Training resumed after the reload from epoch ${checkpoint.epoch + 1}.` : 'Training restarted after the reload (no epoch had finished).', tone: 'note' });
}
