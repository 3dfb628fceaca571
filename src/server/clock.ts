/** Unix seconds. Injected so tests can move time (TTL, time window, presence). */
export type Clock = () => number;

/** Milliseconds, for what lives shorter than a second or is measured finer: caches, rate limits. */
export type MillisClock = () => number;

export const systemMillisClock: MillisClock = () => Date.now();

export const systemClock: Clock = () => Math.floor(systemMillisClock() / 1000);
