import { request } from 'undici';
import type { Alert } from '../queue/recordFailures.ts';

/** The webhook said no: graphile-worker retries the job with its backoff. */
export class AlertDeliveryError extends Error {
  readonly status: number;
  constructor(status: number, body: string) {
    super(`alert webhook answered HTTP ${status}: ${body.slice(0, 200)}`);
    this.name = 'AlertDeliveryError';
    this.status = status;
  }
}

/**
 * POSTs the alert as a Slack-compatible body (`{"text": ...}`, plus the alert's fields) to the webhook.
 * Throws on a non-2xx answer so the job is retried.
 */
export async function sendAlert(webhookUrl: string, alert: Alert, timeoutMs = 10_000): Promise<void> {
  const response = await request(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alert),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const body = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw new AlertDeliveryError(response.statusCode, body);
  }
}
