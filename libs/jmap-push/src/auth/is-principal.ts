import type { Principal } from './principal.interface';

/** An authenticator's answer is trusted only when it has the right shape: anything else is a refusal. */
export function isPrincipal(value: unknown): value is Principal {
  const candidate = value as Principal | null | undefined;
  return (
    typeof candidate?.id === 'string' &&
    Array.isArray(candidate.accountIds) &&
    candidate.accountIds.every((id) => typeof id === 'string')
  );
}
