/** Unix seconds. Injected so tests can move time (TTL, time window, presence). */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
