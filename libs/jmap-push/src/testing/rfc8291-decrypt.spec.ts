import { createECDH } from 'node:crypto';
import { decryptAes128gcm, deriveContentKeys, type UserAgentKeys } from './rfc8291-decrypt';

const b64 = (value: string): Buffer => Buffer.from(value, 'base64url');

// RFC 8291 §5 and Appendix A ("Intermediate Values for Encryption"): the user agent's keys, the
// application server's key and salt, and the resulting body (shown base64url there; raw octets on the wire).
const RFC8291 = {
  plaintext: 'When I grow up, I want to be a watermelon',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  authSecret: 'BTBZMqHH6r4Tts7J_aSIgg',
  asPublic: 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  body:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_y' +
    'l95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};

const rfcKeys: UserAgentKeys = {
  privateKey: b64(RFC8291.uaPrivate),
  publicKey: b64(RFC8291.uaPublic),
  authSecret: b64(RFC8291.authSecret),
};

describe('decryptAes128gcm (RFC 8291, RFC 8188)', () => {
  it('decrypts the RFC 8291 Appendix A example to its plaintext', () => {
    expect(decryptAes128gcm(b64(RFC8291.body), rfcKeys).toString('utf8')).toBe(RFC8291.plaintext);
  });

  it('derives the content key and nonce the RFC 8291 Appendix A example names (CEK, NONCE)', () => {
    const { key, nonce } = deriveContentKeys(rfcKeys, b64(RFC8291.asPublic), b64(RFC8291.salt));
    expect(key.toString('base64url')).toBe('oIhVW04MRdy2XN9CiKLxTg');
    expect(nonce.toString('base64url')).toBe('4h_95klXJ5E_qnoN');
  });

  it('refuses a body whose tag does not verify (one flipped ciphertext octet)', () => {
    const body = b64(RFC8291.body);
    body[body.length - 20] ^= 0x01;
    expect(() => decryptAes128gcm(body, rfcKeys)).toThrow();
  });

  it('refuses the example under another user agent key (the ECDH secret is part of the key)', () => {
    const other = createECDH('prime256v1');
    other.generateKeys();
    const keys = { ...rfcKeys, privateKey: other.getPrivateKey(), publicKey: other.getPublicKey() };
    expect(() => decryptAes128gcm(b64(RFC8291.body), keys)).toThrow();
  });

  it('refuses a keyid that is not a 65-octet point (RFC 8291 §4)', () => {
    const body = b64(RFC8291.body);
    body[20] = 64;
    expect(() => decryptAes128gcm(body, rfcKeys)).toThrow(/65-octet/);
  });

  it('refuses a body longer than its one record (RFC 8291 §4: a single record)', () => {
    const body = b64(RFC8291.body);
    body.writeUInt32BE(18, 16);
    expect(() => decryptAes128gcm(body, rfcKeys)).toThrow(/one record|single record|more than one/);
  });
});
