// TEMPORARY STUB (wt-delivery): replaced by wt-sender's PushSender when it lands.
import { request } from 'node:https';
import * as webPush from 'web-push';
import type { PushOutcome } from './push-outcome';
import type { PushKeys } from './push-subscription';
import type { PushUrgency } from './web-push-options.interface';
import type { WebPushSettings } from './web-push-settings';

export class PushSender {
  constructor(private readonly settings: WebPushSettings) {}

  send(
    target: { url: string; keys: PushKeys | null },
    body: object,
    headers: { urgency: PushUrgency; topic?: string },
  ): Promise<PushOutcome> {
    const details = webPush.generateRequestDetails(
      { endpoint: target.url, keys: target.keys as { p256dh: string; auth: string } },
      JSON.stringify(body),
      {
        TTL: this.settings.ttlSeconds,
        contentEncoding: 'aes128gcm',
        vapidDetails: this.settings.vapid,
        topic: headers.topic,
        urgency: headers.urgency,
      },
    );
    return new Promise((resolve) => {
      const req = request(
        details.endpoint,
        {
          method: 'POST',
          headers: details.headers,
          ca: this.settings.ca as string,
          timeout: this.settings.requestTimeoutMs,
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          const retryAfter = res.headers['retry-after'];
          if (status >= 200 && status < 300) resolve({ kind: 'delivered', status });
          else if (status === 404 || status === 410) resolve({ kind: 'gone', status });
          else if (status === 429 || status >= 500)
            resolve({
              kind: 'retry',
              status,
              reason: `status ${status}`,
              ...(retryAfter === undefined ? {} : { retryAfterMs: Number(retryAfter) * 1000 }),
            });
          else resolve({ kind: 'rejected', status });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ kind: 'retry', reason: error.message }));
      req.end(details.body);
    });
  }

  async close(): Promise<void> {}
}
