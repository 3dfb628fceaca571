import type { SyncRequest, SyncResponse } from '../protocol/index.js';
import { ClientError } from './errors.js';
import type { Transport } from './transport.js';

/** `POST /v1/sync` (PROTOCOL §6.1), its answer checked for the fields the client reads. */
export async function syncCall(transport: Transport, base: string, request: SyncRequest): Promise<SyncResponse> {
  const answer = await transport.request(base, 'POST', '/v1/sync', JSON.stringify(request));
  let response: SyncResponse;
  try {
    response = JSON.parse(answer.text) as SyncResponse;
  } catch {
    throw new ClientError('bad_response', 'the sync answer is not JSON');
  }
  if (![response.accepted, response.rejected, response.messages, response.cursors].every(Array.isArray)) {
    throw new ClientError('bad_response', 'the sync answer lacks accepted, rejected, messages or cursors');
  }
  return response;
}
