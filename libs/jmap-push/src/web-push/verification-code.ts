import { randomBytes } from 'node:crypto';
import { constantTimeEquals } from '../auth/constant-time-equals';

/** 256 bits: RFC 8620 section 7.2.2 wants "sufficient entropy to avoid ... guess[ing] the code via brute force". */
const CODE_OCTETS = 32;

/** A fresh PushVerification code: 32 random octets, base64url (43 characters). */
export function newVerificationCode(): string {
  return randomBytes(CODE_OCTETS).toString('base64url');
}

/** Whether the client sent the code the PushVerification carried; in constant time. */
export function isVerificationCode(expected: string, given: string): boolean {
  return constantTimeEquals(expected, given);
}
