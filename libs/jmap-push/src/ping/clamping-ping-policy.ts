import type { PingPolicy } from './ping-policy.interface';

/** The default policy: `ping=0` means none; anything else is clamped to `[min, max]` seconds. */
export class ClampingPingPolicy implements PingPolicy {
  constructor(
    private readonly minSeconds: number,
    private readonly maxSeconds: number,
  ) {}

  intervalFor(requestedSeconds: number): number {
    if (requestedSeconds === 0) return 0;
    return Math.min(this.maxSeconds, Math.max(this.minSeconds, requestedSeconds));
  }
}
