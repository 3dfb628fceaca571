import { PRIVATE_SCOPE, SCOPE_NAME, STREAM_NAME, StratusError } from '../protocol/index.js';

export const keyOf = (scope: string, stream: string): string => `${scope}/${stream}`;

/** Refuses a scope or stream name the server would refuse, before anything is stored or sent. */
export function checkNames(scope: string, stream: string): void {
  if (scope !== PRIVATE_SCOPE && !SCOPE_NAME.test(scope)) throw new StratusError('bad_request', `scope must be PRIVATE or match ${SCOPE_NAME}`);
  if (!STREAM_NAME.test(stream)) throw new StratusError('bad_request', `stream must match ${STREAM_NAME}`);
}
