import type { JmapUser } from '../auth/jmap-user';
import { JmapProblem, ProblemDetailsException } from '../http/problem-details.exception';
import { CORE_LIMITS } from './capabilities';
import type { ConcurrencyLimiter } from './concurrency-limiter';

/**
 * Takes one of the user's `maxConcurrentRequests` API slots, shared by HTTP and WebSocket requests
 * (RFC 8620 section 2 counts requests to the API, whatever carries them); returns its release, or
 * throws the `limit` problem.
 */
export function acquireApiSlot(limiter: ConcurrencyLimiter, user: JmapUser): () => void {
  const release = limiter.acquire(`api:${user.id}`, CORE_LIMITS.maxConcurrentRequests);
  if (!release) throw limitProblem(429, 'maxConcurrentRequests', 'Too many requests in flight for this user.');
  return release;
}

export function limitProblem(status: number, limit: string, detail: string): ProblemDetailsException {
  return new ProblemDetailsException({ type: JmapProblem.limit, status, limit, detail });
}
