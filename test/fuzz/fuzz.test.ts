// A short run of the API fuzzer (npm run fuzz runs the long one): no 5xx, and no refused request
// changes stored state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzServer } from './device-api-fuzz.js';

describe('API fuzzer, short run', () => {
  it('3,000 mutated device and admin requests: no 5xx, no state change from a refused one', async (t) => {
    const report = await fuzzServer({ requests: 3000, seed: 20261130 });
    t.diagnostic(`statuses ${JSON.stringify(report.byStatus)}, ${report.acceptedChanges} changes by accepted requests, ${report.registrations} registrations, ${report.seconds} s`);
    assert.deepEqual(report.failures, []);
    assert.ok(report.acceptedChanges > 50, 'the state watch sees the changes of accepted requests');
    const refused = Object.entries(report.byStatus).filter(([s]) => Number(s) >= 400).reduce((n, [, c]) => n + c, 0);
    const accepted = Object.entries(report.byStatus).filter(([s]) => Number(s) < 400).reduce((n, [, c]) => n + c, 0);
    assert.ok(refused > 300 && accepted > 300, 'the mutations reach both sides of validation');
  });
});
