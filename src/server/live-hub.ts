import type { DeliveredMessage } from '../protocol/index.js';
import { streamKey } from '../store/stream-key.js';
import type { NewMessage, StreamRef } from '../store/types.js';

/** Live subscribers receive a committed message as any subscriber does (PROTOCOL §6.1, §9). */
export type LiveListener = (message: DeliveredMessage) => void;
/** Sees every committed message this node hears of (its own and, on PostgreSQL, the other nodes'). */
export type HubTap = (message: NewMessage, seq: number, liveDeliveries: number) => void;

/**
 * Fans committed messages out to live connections of this node. Only what is already durable is
 * told (the store resolved first), so a live subscriber never sees a message that could be lost.
 */
export class LiveHub {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly streams = new Set<() => void>();
  private readonly taps = new Set<HubTap>();

  /** Adds a tap on every message (fleet activity); returns the function that removes it. */
  tap(tap: HubTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  /** Live streams open on this node (device and admin). */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Registers an open live stream's closer; returns the function that unregisters it. */
  track(close: () => void): () => void {
    this.streams.add(close);
    return () => this.streams.delete(close);
  }

  /** Ends every live stream (shutdown): clients reconnect to another node or later. */
  closeAll(): void {
    for (const close of [...this.streams]) close();
  }

  listen(ref: StreamRef, listener: LiveListener): () => void {
    const key = streamKey(ref);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  emit(message: NewMessage, seq: number): void {
    const set = this.listeners.size === 0 ? undefined : this.listeners.get(streamKey(message));
    if (this.taps.size > 0) for (const tap of this.taps) tap(message, seq, set?.size ?? 0);
    if (!set) return;
    const live: DeliveredMessage = {
      scope: message.scope,
      stream: message.stream,
      seq,
      value: message.value,
      from: message.writer,
      time: message.time,
    };
    for (const listener of set) listener(live);
  }

  get connections(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
