/**
 * Sends the outbox in order: hands the oldest waiting messages to the transport (up to its window at
 * once), removes each when the receiver acknowledges it, and after a failure starts again from the
 * oldest one not acknowledged. Knows nothing of MQTT or HTTP: transports and storage come in, so the
 * ordering rules are tested on their own.
 */

export interface Sendable {
  seq: number;
}

export interface SenderTransport<M extends Sendable> {
  /** Whether messages can be handed over now (connected). */
  ready(): boolean;
  /** Resolves when the receiver acknowledged the message; rejects when it must be sent again. */
  send(message: M): Promise<void>;
  /** How many messages may wait for acknowledgement at once (1: strictly one after the other). */
  window: number;
}

export interface SenderStore<M extends Sendable> {
  /** The oldest `limit` messages after `afterSeq`, in order. */
  after(afterSeq: number, limit: number): Promise<M[]>;
  /** Removes an acknowledged message. */
  acknowledge(seq: number): Promise<void>;
}

export class OutboxSender<M extends Sendable> {
  /** Messages handed over and not acknowledged yet. */
  private readonly handed = new Set<number>();
  /** The newest message handed over; the next one comes after it. */
  private lastHanded = 0;
  private pumping = false;
  private again = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The wait before the next try: doubles with each failure in a row, up to maxRetryMs. */
  private retryMs: number;

  constructor(
    private readonly transport: SenderTransport<M>,
    private readonly store: SenderStore<M>,
    /** How long to wait after a first failure before handing messages over again. */
    private readonly firstRetryMs: number,
    private readonly maxRetryMs = 60_000,
  ) {
    this.retryMs = firstRetryMs;
  }

  /** Hands over what waits, as far as the transport's window allows; call when something changed. */
  pump(): void {
    if (this.stopped || this.retryTimer) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill().catch(() => this.retryLater()).finally(() => {
      this.pumping = false;
      if (this.again) {
        this.again = false;
        this.pump();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.transport.ready() && this.handed.size < this.transport.window) {
      const next = await this.store.after(this.lastHanded, this.transport.window - this.handed.size);
      if (next.length === 0 || this.stopped || this.retryTimer) return;
      for (const message of next) {
        this.handed.add(message.seq);
        this.lastHanded = message.seq;
        this.transport.send(message).then(
          () => this.acknowledged(message.seq),
          () => this.failed(message.seq),
        );
      }
    }
  }

  private async acknowledged(seq: number): Promise<void> {
    try {
      await this.store.acknowledge(seq);
    } catch {
      return this.failed(seq);
    }
    this.handed.delete(seq);
    this.retryMs = this.firstRetryMs;
    this.pump();
  }

  private failed(seq: number): void {
    if (this.stopped) return;
    // start again from the oldest message not acknowledged: later ones handed over go again too (the
    // receiver drops repeats by message id), so the order holds
    this.handed.clear();
    this.lastHanded = Math.min(this.lastHanded, seq - 1);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.retryMs);
    this.retryMs = Math.min(this.maxRetryMs, this.retryMs * 2);
  }
}
