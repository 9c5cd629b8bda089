/** The page's handle on the inspection worker (one worker per tab). */
import * as Comlink from 'comlink';
import type { InspectorApi } from '../../workers/inspector.worker';

export const inspector = Comlink.wrap<InspectorApi>(
  new Worker(new URL('../../workers/inspector.worker.ts', import.meta.url), { type: 'module' }),
);
