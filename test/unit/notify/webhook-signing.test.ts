import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS, retryDelayMs } from '../../../src/notify/retry-schedule.js';
import { isValidWebhookSecret, newWebhookSecret, signatureHeaders } from '../../../src/notify/sign.js';

const HOUR = 3_600_000;

describe('Standard Webhooks signing', () => {
  it('signs exactly as the reference implementation does', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'request.granted', data: { requestId: 'r1', note: 'ünïcødé' } });
    const headers = signatureHeaders(secret, 'msg_1', 1_700_000_000, body);
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign('msg_1', new Date(1_700_000_000_000), body));
    expect(headers).toMatchObject({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000' });
  });

  it.each([
    // [secret, valid, what the row proves]
    [newWebhookSecret(), true, 'generated secrets are valid'],
    [`whsec_${Buffer.alloc(64, 1).toString('base64')}`, true, '64 bytes is the most'],
    [`whsec_${Buffer.alloc(16, 1).toString('base64')}`, false, 'too short to be a key'],
    [`whsec_${Buffer.alloc(65, 1).toString('base64')}`, false, 'too long'],
    [Buffer.alloc(32, 1).toString('base64'), false, 'the prefix is required'],
    ['whsec_not base64!', false, 'must be base64'],
  ])('secret %# is %s (%s)', (secret, valid) => {
    expect(isValidWebhookSecret(secret as string)).toBe(valid);
  });
});

describe('retry schedule', () => {
  it('grows, spans more than 24 hours even without jitter, then stops', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1, 0)!);
    expect(delays).toEqual(RETRY_DELAYS_MS);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * HOUR);
    expect(retryDelayMs(MAX_ATTEMPTS, 0)).toBeNull();
  });

  it('adds up to a fifth of jitter, never less than the base delay', () => {
    expect(retryDelayMs(2, 0.999)).toBeLessThanOrEqual(Math.round(RETRY_DELAYS_MS[1]! * 1.2));
    expect(retryDelayMs(2, 0.5)).toBe(Math.round(RETRY_DELAYS_MS[1]! * 1.1));
  });
});
