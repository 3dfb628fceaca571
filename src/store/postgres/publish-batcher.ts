import type { NewMessage, PublishOutcome } from '../types.js';

type PublishCall = (messages: NewMessage[], streamIds: number[], now: number) => Promise<PublishOutcome[]>;

interface Waiting {
  messages: readonly NewMessage[];
  streamIds: readonly number[];
  now: number;
  resolve: (outcomes: PublishOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** A call's size limit: a batch of batches stays one quick statement. */
const MAX_MESSAGES_PER_CALL = 2000;

/**
 * Group commit for PostgreSQL publishes: a publish that finds `maxInFlight` calls already running
 * waits, and the publishes that wait together go in the next call, one statement and one commit.
 * A stream's publishes commit one at a time (its row lock is held through the commit), so without
 * this one stream could take only as many publishes a second as commits; with it, each commit
 * carries all that arrived meanwhile. Outcomes are handed back in order, as if the publishes had
 * run one after the other (a key repeated across them is a duplicate of its first copy).
 */
export class PublishBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly call: PublishCall,
    private readonly maxInFlight: number,
  ) {}

  publish(messages: readonly NewMessage[], streamIds: readonly number[], now: number): Promise<PublishOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, streamIds, now, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    let count = 1;
    let size = (this.queue[0] as Waiting).messages.length;
    while (count < this.queue.length && size + (this.queue[count] as Waiting).messages.length <= MAX_MESSAGES_PER_CALL) {
      size += (this.queue[count] as Waiting).messages.length;
      count++;
    }
    const batch = this.queue.splice(0, count);
    this.inFlight++;
    const now = Math.max(...batch.map((w) => w.now));
    this.call(batch.flatMap((w) => w.messages), batch.flatMap((w) => w.streamIds), now)
      .then(
        (outcomes) => {
          let at = 0;
          for (const w of batch) w.resolve(outcomes.slice(at, (at += w.messages.length)));
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.next();
      });
  }
}
