/**
 * `jmap-push/testing`: a fake Web Push service for host applications' tests. It uses node:crypto and
 * node:https only, so importing it adds no dependency; nothing in the core imports it.
 */
export {
  FakePushService,
  type FakePushServiceOptions,
  type FakePushSubscription,
  type RecordedPush,
  type ScriptedAnswer,
} from './fake-push-service';
export { decryptAes128gcm, deriveContentKeys, type UserAgentKeys } from './rfc8291-decrypt';
export { verifyVapid, type VapidCheck, type VapidClaims } from './vapid-verify';
