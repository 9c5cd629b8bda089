/**
 * Back-pressure between a camera and a model slower than it: at most one frame in flight and one
 * waiting. A newer frame replaces the waiting one (which is discarded, never queued), so the model
 * always gets the freshest picture and nothing piles up when it falls behind. Pure: the caller says how
 * to send and how to discard a frame.
 */

export interface PumpCounts {
  /** Frames sent to the model. */
  sent: number;
  /** Frames discarded unsent: replaced while waiting by a newer one, or waiting when the pump stopped. */
  dropped: number;
}

export class FramePump<F> {
  private inFlight = false;
  private waiting: F | null = null;
  private counts: PumpCounts = { sent: 0, dropped: 0 };

  /**
   * `send` hands a frame to the model; the next one goes when its promise settles, either way (`send`
   * reports its own failures). `discard` releases a frame that will never be sent.
   */
  constructor(
    private readonly send: (frame: F) => Promise<unknown>,
    private readonly discard: (frame: F) => void,
  ) {}

  /** Takes the newest frame: sent at once when the model is free, else it waits in place of a staler one. */
  offer(frame: F): void {
    if (!this.inFlight) return void this.dispatch(frame);
    if (this.waiting !== null) this.drop(this.waiting);
    this.waiting = frame;
  }

  /** Discards the waiting frame (streaming paused or stopped); the one in flight finishes. */
  clear(): void {
    if (this.waiting !== null) this.drop(this.waiting);
    this.waiting = null;
  }

  get busy(): boolean {
    return this.inFlight;
  }

  get stats(): PumpCounts {
    return { ...this.counts };
  }

  private drop(frame: F): void {
    this.counts.dropped++;
    this.discard(frame);
  }

  private async dispatch(frame: F): Promise<void> {
    this.inFlight = true;
    this.counts.sent++;
    try {
      await this.send(frame);
    } catch {
      // a failed frame is reported by `send`; the pump goes on with the next
    }
    this.inFlight = false;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting !== null) void this.dispatch(waiting);
  }
}
