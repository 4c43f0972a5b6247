// The 国密 suites of bid_crypto in the browser (FORMAT.md §3.3): RFC 9180's key schedule
// with HKDF-SM3 and SM4-GCM over SM2-KEM, the same bytes as bid_crypto/smhpke.py.
// WebCrypto has no SM2/SM3/SM4: they come from the vendored sm-crypto-v2 (over @noble).
// A context has the shape the envelope writer uses for HPKE: enc, seal, open, export.
import { kdf, sm2, sm3, sm4 } from "../vendor/sm-crypto.js";
import { MlKem768 } from "../vendor/hpke.js";  // ML-KEM-768 (FIPS 203), for sm2mlkem

export const KEM_SM2 = 0xff30;
export const KEM_SM2_MLKEM768 = 0xff31;
export const KDF_HKDF_SM3 = 0xff32;
export const AEAD_SM4_GCM = 0xff33;
export const EXPORT_ONLY = 0xffff;
const NH = 32, NK = 16, NN = 12, NT = 16;
const VERSION_LABEL = utf8("HPKE-v1");
export const SM2_ENC_LEN = 65 + 32 + 32;
export const MLKEM_EK_LEN = 1184, MLKEM_CT_LEN = 1088;
export const HYBRID_PUBLIC_LEN = MLKEM_EK_LEN + 65, HYBRID_ENC_LEN = MLKEM_CT_LEN + SM2_ENC_LEN;
const HYBRID_LABEL = utf8("bid_crypto/v1 SM2+ML-KEM-768");
const MLKEM_SEED_LABEL = utf8("bid_crypto/v1 ML-KEM-768 seed");

export class GmError extends Error {}

function utf8(text) { return new TextEncoder().encode(text); }

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

export function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }

export function unhex(text) {
  if (text.length % 2 || /[^0-9a-fA-F]/.test(text)) throw new GmError("not hex");
  return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
}

function i2osp(value, length) {
  const out = new Uint8Array(length);
  for (let i = length - 1, v = BigInt(value); i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** SM3 (GB/T 32905). */
export function sm3Digest(data) { return unhex(sm3(data)); }

/** HMAC-SM3; an empty key is HMAC's all-zero key (RFC 2104 pads it anyway). */
export function hmacSm3(key, data) { return unhex(sm3(data, { key: key.length ? key : new Uint8Array(NH) })); }

/** HKDF-Expand (RFC 5869) with SM3. */
export function hkdfExpandSm3(prk, info, length) {
  const blocks = [];
  let previous = new Uint8Array(0);
  for (let i = 1, have = 0; have < length; i++) {
    previous = hmacSm3(prk, concat(previous, info, Uint8Array.of(i)));
    blocks.push(previous);
    have += previous.length;
  }
  return concat(...blocks).slice(0, length);
}

/** SM4-GCM as RFC 8998 uses it: 16-byte key, 12-byte nonce; ciphertext || 16-byte tag. */
export function sm4GcmSeal(key, nonce, aad, plaintext) {
  const { output, tag } = sm4.encrypt(plaintext, key, { mode: "gcm", iv: nonce, associatedData: aad,
    padding: "none", output: "array", outputTag: true });
  return concat(output, tag);
}

export function sm4GcmOpen(key, nonce, aad, sealed) {
  if (sealed.length < NT) throw new GmError("SM4-GCM ciphertext shorter than its tag");
  try {
    return sm4.decrypt(sealed.subarray(0, sealed.length - NT), key, { mode: "gcm", iv: nonce,
      associatedData: aad, tag: sealed.subarray(sealed.length - NT), padding: "none", output: "array" });
  } catch (error) {
    throw new GmError("SM4-GCM authentication failed");
  }
}

/** The uncompressed SM2 point 04 || x || y, checked to lie on sm2p256v1. */
export function checkPublic(publicKey) {
  if (publicKey.length !== 65 || publicKey[0] !== 4) throw new GmError("an SM2 public key is 65 bytes: 04 || x || y");
  try {
    sm2.precomputePublicKey(hex(publicKey));  // parses the point, refusing one off the curve
  } catch (error) {
    throw new GmError("not a point of the SM2 curve sm2p256v1");
  }
  return publicKey;
}

/** SM2 encryption (GB/T 32918.4): C1 (65) || C3 (32) || C2. */
export function sm2Encrypt(publicKey, message) {
  checkPublic(publicKey);
  return unhex("04" + sm2.doEncrypt(message, hex(publicKey), 1, { asn1: false }));
}

/** SM2 decryption; GmError if C1 is off the curve or C3 does not match. */
export function sm2Decrypt(privateKey, ciphertext) {
  if (ciphertext.length < 65 + 32 + 1 || ciphertext[0] !== 4) throw new GmError("SM2 ciphertext malformed");
  let plain;
  try {
    plain = sm2.doDecrypt(hex(ciphertext.subarray(1)), hex(privateKey), 1, { output: "array" });
  } catch (error) {
    plain = null;
  }
  if (!plain || plain.length !== ciphertext.length - 97) throw new GmError("SM2 decryption failed: altered ciphertext or wrong key");
  return Uint8Array.from(plain);
}

/** SM2 signature with SM3 and the GB/T 32918.2 signer ID; r || s (64 bytes). */
const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

export function sm2Verify(publicKey, message, signature, userId = "1234567812345678") {
  if (signature.length !== 64) return false;
  const r = BigInt("0x" + hex(signature.subarray(0, 32))), s = BigInt("0x" + hex(signature.subarray(32)));
  if (r < 1n || r >= SM2_N || s < 1n || s >= SM2_N) return false;  // sm-crypto-v2 does not check
  try {
    return sm2.doVerifySignature(message, hex(signature), hex(checkPublic(publicKey)), { hash: true, userId, der: false });
  } catch (error) {
    return false;
  }
}

export function sm2Sign(privateKey, publicKey, message, userId = "1234567812345678") {
  return unhex(sm2.doSignature(message, hex(privateKey), { hash: true, publicKey: hex(publicKey), userId, der: false }));
}

/** The public point d·G of an SM2 scalar d (1 <= d <= n-2, GB/T 32918.1), 65 bytes. */
export function sm2PublicKey(privateKey) {
  const d = privateKey.length === 32 ? BigInt("0x" + hex(privateKey)) : 0n;
  if (d < 1n || d > SM2_N - 2n) throw new GmError("an SM2 private key is a scalar in [1, n-2] (32 bytes)");
  return unhex(sm2.getPublicKeyFromPrivateKey(hex(privateKey)));
}

/** A fresh SM2 key pair: { privateKey (32 bytes), publicKey (65 bytes) }. */
export function sm2KeyPair() {
  const pair = sm2.generateKeyPairHex();
  return { privateKey: unhex(pair.privateKey.padStart(64, "0")), publicKey: unhex(pair.publicKey) };
}

/** GB/T 32918.4 §5.4.3 KDF (SM3 in counter mode). */
export function sm3Kdf(z, length) { return Uint8Array.from(kdf(z, length)); }

class Labels {
  constructor(suiteId) { this.suiteId = suiteId; }
  extract(salt, label, ikm) { return hmacSm3(salt, concat(VERSION_LABEL, this.suiteId, label, ikm)); }
  expand(prk, label, info, length) {
    return hkdfExpandSm3(prk, concat(i2osp(length, 2), VERSION_LABEL, this.suiteId, label, info), length);
  }
  extractAndExpand(ikm, kemContext) {
    return this.expand(this.extract(new Uint8Array(0), utf8("eae_prk"), ikm), utf8("shared_secret"), kemContext, NH);
  }
}

const SM2_KEM = new Labels(concat(utf8("KEM"), i2osp(KEM_SM2, 2)));

/** An HPKE context (RFC 9180 §5.2-5.3) with SM4-GCM; export-only when aead is false. */
export class Context {
  constructor(labels, aead, enc, key, baseNonce, exporterSecret) {
    Object.assign(this, { labels, aead, enc, key, baseNonce, exporterSecret, seq: 0 });
  }
  nonce() {
    if (!this.aead) throw new GmError("an export-only context cannot seal or open");
    const seq = i2osp(this.seq, NN);
    return this.baseNonce.map((b, i) => b ^ seq[i]);
  }
  seal(plaintext, aad) { const out = sm4GcmSeal(this.key, this.nonce(), aad, plaintext); this.seq++; return out; }
  open(sealed, aad) { const out = sm4GcmOpen(this.key, this.nonce(), aad, sealed); this.seq++; return out; }
  export(exporterContext, length) { return this.labels.expand(this.exporterSecret, utf8("sec"), exporterContext, length); }
}

/** RFC 9180 §5.1 KeySchedule; psk = { id, key } for mode_psk (dual custody). */
export function keySchedule(kemId, sharedSecret, enc, info, { psk = null, exportOnly = false } = {}) {
  const aeadId = exportOnly ? EXPORT_ONLY : AEAD_SM4_GCM;
  const labels = new Labels(concat(utf8("HPKE"), i2osp(kemId, 2), i2osp(KDF_HKDF_SM3, 2), i2osp(aeadId, 2)));
  const mode = psk ? 1 : 0;
  if (psk && (!psk.id.length || psk.key.length < 32)) throw new GmError("PSK mode needs a psk_id and a 32-byte psk");
  const context = concat(Uint8Array.of(mode), labels.extract(new Uint8Array(0), utf8("psk_id_hash"), psk ? psk.id : new Uint8Array(0)),
    labels.extract(new Uint8Array(0), utf8("info_hash"), info));
  const secret = labels.extract(sharedSecret, utf8("secret"), psk ? psk.key : new Uint8Array(0));
  const key = exportOnly ? null : labels.expand(secret, utf8("key"), context, NK);
  const baseNonce = exportOnly ? null : labels.expand(secret, utf8("base_nonce"), context, NN);
  return new Context(labels, !exportOnly, enc, key, baseNonce, labels.expand(secret, utf8("exp"), context, NH));
}

/** Sender side of the `sm2` suite: a context sealing to the project's opening key. */
export function sm2Sender(publicKey, info, options = {}) {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const enc = sm2Encrypt(publicKey, secret);
  return keySchedule(KEM_SM2, SM2_KEM.extractAndExpand(secret, concat(enc, publicKey)), enc, info, options);
}

/** Receiver side (a bidder's own sm2 key in dual custody: its decryption share). */
export function sm2Receiver(privateKey, publicKey, enc, info, options = {}) {
  if (enc.length !== SM2_ENC_LEN) throw new GmError(`SM2-KEM enc must be ${SM2_ENC_LEN} bytes`);
  const secret = sm2Decrypt(privateKey, enc);
  return keySchedule(KEM_SM2, SM2_KEM.extractAndExpand(secret, concat(enc, publicKey)), enc, info, options);
}

/** The national suites' hash (header binding, key ids, dual-share commitments). */
export function suiteDigest(data) { return sm3Digest(data); }

/** key_id = SM3(suite || 0x00 || public key), FORMAT.md §5.1. */
export function keyId(suite, publicKey) { return hex(sm3Digest(concat(utf8(suite), Uint8Array.of(0), publicKey))); }

// -- sm2mlkem: X-Wing's construction with SM2 in X25519's place, SM3 in SHA3-256's (§3.3) --

/** The ML-KEM-768 pair of a 32-byte seed s: d || z = KDF_SM3(label || s, 64). [ek, dk] */
export async function mlkemKeyPair(seed32) {
  if (seed32.length !== 32) throw new GmError("the ML-KEM seed is 32 bytes");
  return new MlKem768().deriveKeyPair(sm3Kdf(concat(MLKEM_SEED_LABEL, seed32), 64));
}

/** The sm2mlkem public key (ek || SM2 point) of a 64-byte secret (seed || SM2 scalar). */
export async function hybridPublicKey(secret) {
  if (secret.length !== 64) throw new GmError("an sm2mlkem private key is 64 bytes");
  const [ek] = await mlkemKeyPair(secret.subarray(0, 32));
  return concat(ek, sm2PublicKey(secret.subarray(32)));
}

function combine(ssMlkem, ssSm2, ctSm2, pkSm2) { return sm3Digest(concat(ssMlkem, ssSm2, ctSm2, pkSm2, HYBRID_LABEL)); }

/** Sender side of `sm2mlkem`. */
export async function hybridSender(publicKey, info, options = {}) {
  if (publicKey.length !== HYBRID_PUBLIC_LEN) throw new GmError(`an sm2mlkem public key is ${HYBRID_PUBLIC_LEN} bytes`);
  const ek = publicKey.subarray(0, MLKEM_EK_LEN), pkSm2 = publicKey.subarray(MLKEM_EK_LEN);
  const [ctMlkem, ssMlkem] = await new MlKem768().encap(ek);
  const ssSm2 = crypto.getRandomValues(new Uint8Array(32));
  const ctSm2 = sm2Encrypt(pkSm2, ssSm2);
  return keySchedule(KEM_SM2_MLKEM768, combine(ssMlkem, ssSm2, ctSm2, pkSm2), concat(ctMlkem, ctSm2), info, options);
}

/** Receiver side of `sm2mlkem`; ML-KEM rejects implicitly, an altered SM2 part throws. */
export async function hybridReceiver(secret, publicKey, enc, info, options = {}) {
  if (enc.length !== HYBRID_ENC_LEN) throw new GmError(`sm2mlkem enc must be ${HYBRID_ENC_LEN} bytes`);
  const ctMlkem = enc.subarray(0, MLKEM_CT_LEN), ctSm2 = enc.subarray(MLKEM_CT_LEN);
  const [, dk] = await mlkemKeyPair(secret.subarray(0, 32));
  const ssMlkem = await new MlKem768().decap(ctMlkem, dk);
  const ssSm2 = sm2Decrypt(secret.subarray(32), ctSm2);
  return keySchedule(KEM_SM2_MLKEM768, combine(ssMlkem, ssSm2, ctSm2, publicKey.subarray(MLKEM_EK_LEN)),
    enc, info, options);
}
