/**
 * Work that must stop waiting when something else fails (a lost GPU, a worker that died): `guard(work)`
 * settles as `work` does, or rejects with the reason once `trip(reason)` is called.
 *
 * Not `Promise.race([work, failed])` with a promise that rarely settles: each race leaves a reaction on
 * that promise which holds the race's own promise, and with it the result, for as long as it is pending.
 * Every run's outputs, every photo's map, would be kept.
 */
export class Tripwire {
  private reason: { error: Error } | null = null;
  private readonly waiting = new Set<(error: Error) => void>();

  /** Rejects the work waiting now and all work guarded from now on with `error` (the first trip counts). */
  trip(error: Error): void {
    if (this.reason) return;
    this.reason = { error };
    for (const reject of this.waiting) reject(error);
    this.waiting.clear();
  }

  guard<T>(work: Promise<T>): Promise<T> {
    if (this.reason) {
      work.catch(() => undefined);
      return Promise.reject(this.reason.error);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      work.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }
}
