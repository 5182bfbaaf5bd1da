import { createDecipheriv, createECDH, hkdfSync } from 'node:crypto';

/** What a user agent keeps to read its push messages (RFC 8291 §2): its P-256 key pair and auth secret. */
export interface UserAgentKeys {
  /** The 32-octet P-256 private scalar. */
  readonly privateKey: Buffer;
  /** The 65-octet uncompressed P-256 point, as sent in `keys.p256dh`. */
  readonly publicKey: Buffer;
  /** The 16-octet auth secret, as sent in `keys.auth`. */
  readonly authSecret: Buffer;
}

// RFC 8188 §2.1: salt (16) + rs (uint32) + idlen (1); RFC 8291 §4 fixes the keyid to a 65-octet point.
const SALT_LENGTH = 16;
const HEADER_LENGTH = SALT_LENGTH + 4 + 1;
const POINT_LENGTH = 65;
const TAG_LENGTH = 16;
// RFC 8188 §2: "rs" below 18 cannot hold a tag and a delimiter.
const MIN_RECORD_SIZE = 18;
const LAST_RECORD_DELIMITER = 0x02;

/**
 * Decrypts an RFC 8291 push message body (RFC 8188 `aes128gcm`, one record) as a user agent would.
 * Throws an Error naming the first rule the body breaks, so a test sees why a sender is wrong.
 */
export function decryptAes128gcm(body: Buffer, keys: UserAgentKeys): Buffer {
  if (body.length < HEADER_LENGTH) throw new Error('aes128gcm: body shorter than the RFC 8188 header');
  const salt = body.subarray(0, SALT_LENGTH);
  const recordSize = body.readUInt32BE(SALT_LENGTH);
  const idLength = body[SALT_LENGTH + 4];
  if (recordSize < MIN_RECORD_SIZE) throw new Error(`aes128gcm: record size ${recordSize} is below 18`);
  if (idLength !== POINT_LENGTH) {
    throw new Error(`aes128gcm: keyid is ${idLength} octets, RFC 8291 §4 requires the 65-octet sender key`);
  }
  const senderPublicKey = body.subarray(HEADER_LENGTH, HEADER_LENGTH + POINT_LENGTH);
  const record = body.subarray(HEADER_LENGTH + POINT_LENGTH);
  if (record.length < TAG_LENGTH + 1) throw new Error('aes128gcm: record shorter than a tag and a delimiter');
  // RFC 8291 §4: "An application server MUST encrypt a push message with a single record."
  if (record.length > recordSize) throw new Error('aes128gcm: more than one record (RFC 8291 §4 allows one)');

  const { key, nonce } = deriveContentKeys(keys, senderPublicKey, salt);
  // The nonce of record 0 is the derived nonce itself (RFC 8188 §2.3: XOR with sequence number 0).
  const decipher = createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAuthTag(record.subarray(record.length - TAG_LENGTH));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_LENGTH)), decipher.final()]);
  return removePadding(padded);
}

/** RFC 8291 §3.3–3.4 then RFC 8188 §2.2–2.3: the content-encryption key and nonce of one message. */
export function deriveContentKeys(
  keys: UserAgentKeys,
  senderPublicKey: Buffer,
  salt: Buffer,
): { readonly key: Buffer; readonly nonce: Buffer } {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(keys.privateKey);
  const sharedSecret = ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.publicKey, senderPublicKey]);
  const inputKey = hkdf(keys.authSecret, sharedSecret, keyInfo, 32);
  return {
    key: hkdf(salt, inputKey, Buffer.from('Content-Encoding: aes128gcm\0'), 16),
    nonce: hkdf(salt, inputKey, Buffer.from('Content-Encoding: nonce\0'), 12),
  };
}

function hkdf(salt: Buffer, inputKey: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', inputKey, salt, info, length));
}

// RFC 8188 §2: zero octets may follow the delimiter; the last (here: only) record's delimiter is 0x02.
function removePadding(padded: Buffer): Buffer {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== LAST_RECORD_DELIMITER) {
    throw new Error('aes128gcm: the only record must end with the 0x02 padding delimiter');
  }
  return padded.subarray(0, end);
}
