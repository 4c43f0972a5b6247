// bid_crypto's formats (bid_crypto/FORMAT.md, version 1) in the browser: envelope header,
// chunked HPKE payload, dual custody, bid package, offer.json, key files, decryption
// shares. A port of the Python library, byte for byte: an envelope sealed here opens with
// `python -m bid_crypto open`, and this reader refuses what the Python reader refuses, with
// the same error classes (tests/browser/test_tbid_interop.py proves both).
//
// HPKE (RFC 9180) comes from hpke-js (@hpke/core over WebCrypto: X25519, HKDF-SHA-256,
// AES-256-GCM; @hpke/hybridkem-x-wing for X-Wing), vendored in ../vendor/hpke.js. The
// national suite `sm2` (国密, FORMAT.md §3.3: the same key schedule over SM2, SM3 and
// SM4-GCM) comes from ../gm/gm-suite.js over the vendored sm-crypto-v2.
// Everything streams: a document is read from its File one 1 MiB segment at a time and
// sealed chunk by chunk; the sealed bytes go to a caller's async sink.

import {
  Aes256Gcm,
  CipherSuite,
  DhkemX25519HkdfSha256,
  ExportOnly,
  HkdfSha256,
  XWing,
} from "../vendor/hpke.js";
import * as gm from "../gm/gm-suite.js";

// -- errors: the class names and hierarchy of bid_crypto/errors.py ----------------------

function errorClass(name, base) {
  const cls = class extends base {};
  Object.defineProperty(cls, "name", { value: name });
  Object.defineProperty(cls.prototype, "name", { value: name });
  return cls;
}

export const BidCryptoError = errorClass("BidCryptoError", Error);
export const InvalidHeader = errorClass("InvalidHeader", BidCryptoError);
export const EnvelopeError = errorClass("EnvelopeError", BidCryptoError);
export const UnsupportedEnvelope = errorClass("UnsupportedEnvelope", EnvelopeError);
export const TamperedEnvelope = errorClass("TamperedEnvelope", EnvelopeError);
export const TruncatedEnvelope = errorClass("TruncatedEnvelope", EnvelopeError);
export const WrongKey = errorClass("WrongKey", BidCryptoError);
export const DecryptionShareError = errorClass("DecryptionShareError", WrongKey);
export const HeaderMismatch = errorClass("HeaderMismatch", BidCryptoError);
export const WrongProject = errorClass("WrongProject", HeaderMismatch);
export const InvalidOffer = errorClass("InvalidOffer", BidCryptoError);
export const InvalidPackage = errorClass("InvalidPackage", BidCryptoError);
export const KeyFormatError = errorClass("KeyFormatError", BidCryptoError);

// -- bytes ----------------------------------------------------------------------------------

const encoder = new TextEncoder();
export const utf8 = (text) => encoder.encode(text);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function toHex(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const byte of view) out += byte.toString(16).padStart(2, "0");
  return out;
}

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** Lowercase hex of an exact byte length (null: any), else `error`. */
export function fromHex(field, value, length, error) {
  if (typeof value !== "string" || !HEX_RE.test(value)) {
    throw new error(`${field} must be lowercase hex`);
  }
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(value.substr(i * 2, 2), 16);
  if (length !== null && out.length !== length) {
    throw new error(`${field} must be ${length} bytes, got ${out.length}`);
  }
  return out;
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let position = 0;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}

function u16(n) { return new Uint8Array([(n >>> 8) & 0xff, n & 0xff]); }
function u32(n) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n); return b; }
function u64(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i];
  return diff === 0;
}

// -- canonical JSON and the strict JSON reader (FORMAT.md §1) -----------------------------

function codePointCompare(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

function canonicalText(value) {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) {
      throw new BidCryptoError("floating-point numbers are not allowed in canonical JSON");
    }
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(codePointCompare);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText(value[k])}`).join(",")}}`;
  }
  throw new BidCryptoError(`cannot encode ${typeof value} as JSON`);
}

/** Sorted keys, no whitespace, UTF-8, integers only: one byte string per value. */
export function canonicalJson(value) {
  return utf8(canonicalText(value));
}

/** JSON.stringify with sorted keys, as Python's json.dumps(sort_keys=True, indent=...). */
export function sortedJson(value, indent = 2) {
  const sort = (v) => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.keys(v).sort(codePointCompare).map((k) => [k, sort(v[k])]));
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}

const INT_RE = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * Parse JSON refusing duplicate keys, floats and NaN/Infinity (bid_crypto's loads_strict).
 * `data` is bytes (UTF-8) or a string. Integers beyond 2^53 - 1 come back as BigInt so a
 * range check refuses them instead of silently rounding.
 */
export function parseStrict(data, what, error) {
  let text;
  try {
    text = typeof data === "string" ? data : strictUtf8.decode(data);
    return new StrictParser(text).document();
  } catch (caught) {
    if (caught instanceof BidCryptoError) throw caught;
    throw new error(`${what} is not valid JSON: ${caught.message}`);
  }
}

class StrictParser {
  constructor(text) {
    this.text = text;
    this.at = 0;
  }

  document() {
    // Python's json.loads skips a leading BOM-free whitespace run only.
    const value = this.value();
    this.space();
    if (this.at !== this.text.length) this.fail("extra data");
    return value;
  }

  fail(message) { throw new SyntaxError(`${message} at ${this.at}`); }

  space() {
    while (this.at < this.text.length && " \t\n\r".includes(this.text[this.at])) this.at += 1;
  }

  value() {
    this.space();
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]]) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.number();
  }

  object() {
    this.at += 1;
    const out = {};
    const seen = new Set();
    this.space();
    if (this.text[this.at] === "}") {
      this.at += 1;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail("expected a key");
      const key = this.string();
      if (seen.has(key)) this.fail("duplicate key");
      seen.add(key);
      this.space();
      if (this.text[this.at] !== ":") this.fail("expected ':'");
      this.at += 1;
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true,
        configurable: true });
      this.space();
      const c = this.text[this.at++];
      if (c === "}") return out;
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }

  array() {
    this.at += 1;
    const out = [];
    this.space();
    if (this.text[this.at] === "]") {
      this.at += 1;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.text[this.at++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }

  string() {
    this.at += 1;
    let out = "";
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) this.fail("unterminated string");
      if (c === '"') {
        this.at += 1;
        return out;
      }
      if (c < " ") this.fail("control character in string");
      if (c === "\\") {
        const e = this.text[this.at + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e in simple) {
          out += simple[e];
          this.at += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.substr(this.at + 2, 4))) {
          out += String.fromCharCode(parseInt(this.text.substr(this.at + 2, 4), 16));
          this.at += 6;
        } else {
          this.fail("invalid escape");
        }
      } else {
        out += c;
        this.at += 1;
      }
    }
  }

  number() {
    const match = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at));
    if (!match) this.fail("expected a value");
    this.at += match[0].length;
    if (!INT_RE.test(match[0])) {
      throw new SyntaxError(`non-integer number ${match[0]} (amounts are integer fen)`);
    }
    const n = Number(match[0]);
    return Number.isSafeInteger(n) ? n : BigInt(match[0]);
  }
}

// -- identifiers and timestamps ---------------------------------------------------------------

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;

export function checkId(field, value, error) {
  if (typeof value !== "string" || !ID_RE.test(value)) {
    throw new error(`${field} must be 1-128 characters of A-Z a-z 0-9 . _ : @ + - ` +
      `starting with a letter or digit, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkTimestamp(field, value, error) {
  const m = typeof value === "string" ? TIMESTAMP_RE.exec(value) : null;
  if (!m) throw new error(`${field} must look like 2025-03-01T08:30:00.123Z`);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days || hour > 23 ||
      minute > 59 || second > 59) {
    throw new error(`${field} is not a real date and time: ${value}`);
  }
  return value;
}

export function formatTimestamp(date) {
  return date.toISOString(); // always UTC with exactly three fractional digits and Z
}

// -- suites and keys (FORMAT.md §3.1, §5) -----------------------------------------------------

const KDF = new HkdfSha256();

// A suite seals with sender(publicKey, info, {psk, exportOnly}) and opens with
// receiver(privateKey, enc, info, {psk, exportOnly}); both return a context with enc,
// seal(pt, aad), open(ct, aad) and export(ctx, L). digest is its H (FORMAT.md §2, §5.1).
function hpkeSuite(name, code, publicLen, encLen, kem) {
  return {
    name, code, publicLen, encLen, kem, national: false, digest: sha256,
    async sender(publicKey, info, { psk = null, exportOnly = false } = {}) {
      const params = { recipientPublicKey: await publicKey.hpkeKey(), info };
      if (psk) params.psk = psk;
      return cipherSuite(this, exportOnly ? new ExportOnly() : undefined).createSenderContext(params);
    },
    async receiver(privateKey, enc, info, { psk = null, exportOnly = false } = {}) {
      const params = { recipientKey: await privateKey.hpkeKey(), enc, info };
      if (psk) params.psk = psk;
      return cipherSuite(this, exportOnly ? new ExportOnly() : undefined).createRecipientContext(params);
    },
  };
}

const SM2_SUITE = {
  name: "sm2", code: 3, publicLen: 65, encLen: gm.SM2_ENC_LEN, national: true,
  digest: async (bytes) => gm.sm3Digest(bytes),
  async sender(publicKey, info, options = {}) { return gm.sm2Sender(publicKey.raw, info, options); },
  async receiver(privateKey, enc, info, options = {}) {
    return gm.sm2Receiver(privateKey.secret, privateKey.publicKey.raw, enc, info, options);
  },
};

// SM2 + ML-KEM-768; the private key is 64 bytes: ML-KEM seed || SM2 scalar (FORMAT.md §5.2).
const SM2MLKEM_SUITE = {
  name: "sm2mlkem", code: 4, publicLen: gm.HYBRID_PUBLIC_LEN, encLen: gm.HYBRID_ENC_LEN, secretLen: 64,
  national: true, digest: SM2_SUITE.digest,
  async sender(publicKey, info, options = {}) { return gm.hybridSender(publicKey.raw, info, options); },
  async receiver(privateKey, enc, info, options = {}) {
    return gm.hybridReceiver(privateKey.secret, privateKey.publicKey.raw, enc, info, options);
  },
};

export const SUITES = {
  x25519: hpkeSuite("x25519", 1, 32, 32, () => new DhkemX25519HkdfSha256()),
  xwing: hpkeSuite("xwing", 2, 1216, 1120, () => new XWing()),
  sm2: SM2_SUITE,
  sm2mlkem: SM2MLKEM_SUITE,
};

export function getSuite(name) {
  if (typeof name === "string" && Object.hasOwn(SUITES, name)) return SUITES[name];
  throw new UnsupportedEnvelope(`unknown suite ${JSON.stringify(name)} (known: ${Object.keys(SUITES).join(", ")})`);
}

function cipherSuite(suite, aead = new Aes256Gcm()) {
  return new CipherSuite({ kem: suite.kem(), kdf: KDF, aead });
}

/** key_id = H(suite name || 0x00 || serialised public key), hex (H: SHA-256, SM3 for sm2). */
export async function keyId(suiteName, publicBytes) {
  return toHex(await getSuite(suiteName).digest(concat(utf8(suiteName), new Uint8Array([0]), publicBytes)));
}

const PKCS8_X25519 = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03,
  0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

function base64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

async function publicFromSecret(suiteName, secret) {
  const suite = getSuite(suiteName);
  if (suite.national) {
    try {
      return suite.name === "sm2" ? gm.sm2PublicKey(secret) : await gm.hybridPublicKey(secret);
    } catch (error) {
      throw new KeyFormatError(`invalid ${suite.name} private key: ${error.message}`);
    }
  }
  if (suite.name === "x25519") {
    const key = await crypto.subtle.importKey("pkcs8", concat(PKCS8_X25519, secret),
      { name: "X25519" }, true, ["deriveBits"]);
    return base64url((await crypto.subtle.exportKey("jwk", key)).x);
  }
  const kem = suite.kem();
  const pair = await kem.generateKeyPairDerand(secret);
  return new Uint8Array(await kem.serializePublicKey(pair.publicKey));
}

export class PublicKey {
  constructor(suite, raw, id) {
    this.suite = suite;
    this.raw = raw;
    this.keyId = id;
  }

  static async create(suiteName, raw) {
    const suite = getSuite(suiteName);
    if (raw.length !== suite.publicLen) {
      throw new KeyFormatError(`${suite.name} public keys are ${suite.publicLen} bytes`);
    }
    if (suite.national) {
      try {
        gm.checkPublic(raw.subarray(raw.length - 65));
      } catch (error) {
        throw new KeyFormatError(`invalid ${suite.name} public key: ${error.message}`);
      }
    }
    return new PublicKey(suite.name, raw, await keyId(suite.name, raw));
  }

  async hpkeKey() {
    return getSuite(this.suite).kem().deserializePublicKey(this.raw);
  }

  toJson() {
    return `${JSON.stringify({ kind: PUBLIC_KIND, version: 1, suite: this.suite, key_id: this.keyId,
      public: toHex(this.raw) }, null, 2)}\n`;
  }

  static async fromJson(data) {
    const doc = parseKeyFile(data, PUBLIC_KIND, ["kind", "version", "suite", "key_id", "public"]);
    const key = await PublicKey.create(doc.suite, fromHex("public", doc.public, null, KeyFormatError));
    checkKeyId(doc, key.keyId);
    return key;
  }
}

export class PrivateKey {
  constructor(suite, secret, publicKey) {
    this.suite = suite;
    this.secret = secret;
    this.publicKey = publicKey;
    this.keyId = publicKey.keyId;
  }

  /** A national key travels with its public key (FORMAT.md §5.2): `given` must match d·G. */
  static async create(suiteName, secret, given = null) {
    const suite = getSuite(suiteName);
    const secretLen = suite.secretLen || 32;
    if (secret.length !== secretLen) throw new KeyFormatError(`${suite.name} private key secrets are ${secretLen} bytes`);
    const publicKey = await PublicKey.create(suite.name, await publicFromSecret(suite.name, secret));
    if (given !== null && !equalBytes(given, publicKey.raw)) {
      throw new KeyFormatError(`the ${suite.name} public key does not belong to the private key`);
    }
    return new PrivateKey(suite.name, secret, publicKey);
  }

  static async generate(suiteName = "x25519") {
    if (suiteName === "sm2") return PrivateKey.create(suiteName, gm.sm2KeyPair().privateKey);
    if (suiteName === "sm2mlkem") {
      return PrivateKey.create(suiteName, concat(crypto.getRandomValues(new Uint8Array(32)), gm.sm2KeyPair().privateKey));
    }
    return PrivateKey.create(suiteName, crypto.getRandomValues(new Uint8Array(32)));
  }

  async hpkeKey() {
    const kem = getSuite(this.suite).kem();
    if (this.suite === "x25519") return kem.deserializePrivateKey(this.secret);
    return (await kem.generateKeyPairDerand(this.secret)).privateKey;
  }

  toJson() {
    const doc = { kind: PRIVATE_KIND, version: 1, suite: this.suite, key_id: this.keyId,
      secret: toHex(this.secret) };
    if (getSuite(this.suite).national) doc.public = toHex(this.publicKey.raw);
    return `${JSON.stringify(doc, null, 2)}\n`;
  }

  static async fromJson(data) {
    const doc = parseKeyFile(data, PRIVATE_KIND, ["kind", "version", "suite", "key_id", "secret"], true);
    const given = getSuite(doc.suite).national ? fromHex("public", doc.public, null, KeyFormatError) : null;
    const key = await PrivateKey.create(doc.suite, fromHex("secret", doc.secret, null, KeyFormatError), given);
    checkKeyId(doc, key.keyId);
    return key;
  }
}

const PUBLIC_KIND = "bid_crypto.public_key";
const PRIVATE_KIND = "bid_crypto.private_key";

/** `withPublic`: a national suite's private key file also carries "public" (§5.3). */
function parseKeyFile(data, kind, keys, withPublic = false) {
  const doc = parseStrict(data, "key file", KeyFormatError);
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || doc.kind !== kind) {
    throw new KeyFormatError(`not a ${kind} file`);
  }
  if (typeof doc.suite !== "string" || !Object.hasOwn(SUITES, doc.suite)) {
    throw new KeyFormatError(`unknown suite ${JSON.stringify(doc.suite)}`);
  }
  const fields = withPublic && SUITES[doc.suite].national ? [...keys, "public"] : keys;
  if (Object.keys(doc).sort().join() !== [...fields].sort().join()) {
    throw new KeyFormatError(`not a ${kind} file`);
  }
  if (doc.version !== 1) throw new KeyFormatError("unsupported key file version");
  return doc;
}

function checkKeyId(doc, actual) {
  if (doc.key_id !== actual) {
    throw new KeyFormatError("key_id does not match the key material (corrupt key file)");
  }
}

// -- the envelope header (FORMAT.md §2) ---------------------------------------------------------

export const MAGIC = new Uint8Array([0x89, 0x54, 0x42, 0x44, 0x0d, 0x0a, 0x1a, 0x0a]);
export const FORMAT_VERSION = 1;
export const MAX_HEADER_JSON = 64 * 1024;
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
export const MIN_CHUNK_SIZE = 64;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
export const TAG_LEN = 16;
const CUSTODY_MODES = ["auto", "custodians", "dual"];
const REQUIRED = ["suite", "project", "lot", "bidder", "recipient", "enc", "chunk_size", "custody"];
const OPTIONAL = ["created_at", "dual"];
const DUAL_KEYS = ["check", "enc", "key", "suite"];
const INFO = utf8("bid_crypto/v1 envelope");
const DUAL_INFO = utf8("bid_crypto/v1 dual share");
const EXPORT_CONTEXT = utf8("psk");
const CHECK_LABEL = utf8("bid_crypto/v1 dual share check");

function validateHeader(h) {
  const suite = getSuite(h.suite);
  for (const name of ["project", "lot", "bidder"]) checkId(name, h[name], InvalidHeader);
  fromHex("recipient", h.recipient, 32, InvalidHeader);
  if (!(h.enc instanceof Uint8Array) || h.enc.length !== suite.encLen) {
    throw new InvalidHeader(`enc must be ${suite.encLen} bytes`);
  }
  if (typeof h.chunk_size !== "number" || !Number.isInteger(h.chunk_size) ||
      h.chunk_size < MIN_CHUNK_SIZE || h.chunk_size > MAX_CHUNK_SIZE) {
    throw new InvalidHeader(`chunk_size must be an integer in [${MIN_CHUNK_SIZE}, ${MAX_CHUNK_SIZE}]`);
  }
  if (!CUSTODY_MODES.includes(h.custody)) throw new InvalidHeader(`unknown custody mode ${h.custody}`);
  if ((h.custody === "dual") !== (h.dual !== null)) {
    throw new InvalidHeader("custody 'dual' and the dual fields must come together");
  }
  if (h.created_at !== null) checkTimestamp("created_at", h.created_at, InvalidHeader);
  if (h.dual !== null) {
    const dualSuite = getSuite(h.dual.suite);
    fromHex("dual.key", h.dual.key, 32, InvalidHeader);
    if (h.dual.enc.length !== dualSuite.encLen) throw new InvalidHeader(`dual.enc must be ${dualSuite.encLen} bytes`);
    if (h.dual.check.length !== 32) throw new InvalidHeader("dual.check must be 32 bytes");
  }
}

export class EnvelopeHeader {
  /** Fields as in Python: enc and dual.enc/check are bytes; created_at and dual may be null. */
  constructor(fields) {
    Object.assign(this, { custody: "auto", created_at: null, dual: null }, fields);
    validateHeader(this);
  }

  toDict() {
    const doc = { suite: this.suite, project: this.project, lot: this.lot, bidder: this.bidder,
      recipient: this.recipient, enc: toHex(this.enc), chunk_size: this.chunk_size,
      custody: this.custody };
    if (this.created_at !== null) doc.created_at = this.created_at;
    if (this.dual !== null) {
      doc.dual = { suite: this.dual.suite, key: this.dual.key, enc: toHex(this.dual.enc),
        check: toHex(this.dual.check) };
    }
    return doc;
  }

  /** The header block exactly as written: prefix, then canonical JSON. */
  encode() {
    const body = canonicalJson(this.toDict());
    return concat(MAGIC, u16(FORMAT_VERSION), u32(body.length), body);
  }

  async sha256() {
    if (!this._sha256) this._sha256 = await sha256(this.encode());
    return this._sha256;
  }

  /** The hash bound into every chunk's AAD: the suite's H (SM3 for sm2), FORMAT.md §3.2. */
  async bindingHash() {
    if (!this._binding) this._binding = await getSuite(this.suite).digest(this.encode());
    return this._binding;
  }

  /** WrongProject / HeaderMismatch if an expected id differs (header.check in Python). */
  check({ project = null, lot = null, bidder = null } = {}) {
    if (project !== null && project !== this.project) {
      throw new WrongProject(`envelope project is '${this.project}', expected '${project}'`);
    }
    for (const [name, expected] of [["lot", lot], ["bidder", bidder]]) {
      if (expected !== null && expected !== this[name]) {
        throw new HeaderMismatch(`envelope ${name} is '${this[name]}', expected '${expected}'`);
      }
    }
  }
}

export function parseHeaderJson(body) {
  const doc = parseStrict(body, "envelope header", TamperedEnvelope);
  const keys = doc && typeof doc === "object" && !Array.isArray(doc) ? Object.keys(doc) : null;
  if (!keys || !REQUIRED.every((k) => keys.includes(k)) ||
      !keys.every((k) => REQUIRED.includes(k) || OPTIONAL.includes(k))) {
    throw new TamperedEnvelope("envelope header has missing or unknown fields");
  }
  const suite = getSuite(doc.suite);
  const enc = fromHex("enc", doc.enc, suite.encLen, TamperedEnvelope);
  const dual = "dual" in doc ? parseDual(doc.dual) : null;
  try {
    return new EnvelopeHeader({ suite: doc.suite, project: doc.project, lot: doc.lot,
      bidder: doc.bidder, recipient: doc.recipient, enc, chunk_size: doc.chunk_size,
      custody: doc.custody, created_at: "created_at" in doc ? doc.created_at : null, dual });
  } catch (error) {
    if (error instanceof InvalidHeader) throw new TamperedEnvelope(`envelope header is invalid: ${error.message}`);
    throw error;
  }
}

function parseDual(doc) {
  if (!doc || typeof doc !== "object" || Array.isArray(doc) ||
      Object.keys(doc).sort().join() !== DUAL_KEYS.join()) {
    throw new TamperedEnvelope("header field 'dual' has missing or unknown fields");
  }
  const suite = getSuite(doc.suite);
  return { suite: suite.name, key: doc.key,
    enc: fromHex("dual.enc", doc.enc, suite.encLen, TamperedEnvelope),
    check: fromHex("dual.check", doc.check, 32, TamperedEnvelope) };
}

/** Exact reads from a Blob (a File, or bytes wrapped in one), one slice at a time. */
export class BlobReader {
  constructor(blob) {
    this.blob = blob instanceof Blob ? blob : new Blob([blob]);
    this.position = 0;
  }

  async read(size) {
    const end = Math.min(this.position + size, this.blob.size);
    const bytes = new Uint8Array(await this.blob.slice(this.position, end).arrayBuffer());
    this.position = end;
    return bytes;
  }

  async exact(size, what) {
    const data = await this.read(size);
    if (data.length !== size) throw new TruncatedEnvelope(`envelope ends inside ${what}`);
    return data;
  }
}

/** Read and validate the header block; the reader then stands at the first chunk. */
export async function readHeader(reader) {
  const prefix = await reader.exact(14, "the header prefix");
  if (!equalBytes(prefix.subarray(0, 8), MAGIC)) {
    throw new UnsupportedEnvelope("not a bid envelope (bad magic bytes)");
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset);
  const version = view.getUint16(8);
  if (version !== FORMAT_VERSION) {
    throw new UnsupportedEnvelope(`envelope format version ${version} is not supported`);
  }
  const length = view.getUint32(10);
  if (!(length > 0 && length <= MAX_HEADER_JSON)) {
    throw new TamperedEnvelope(`header length ${length} is out of range`);
  }
  const body = await reader.exact(length, "the header");
  const header = parseHeaderJson(body);
  if (!equalBytes(header.encode(), concat(prefix, body))) {
    throw new TamperedEnvelope("header is not in canonical form");
  }
  return header;
}

// -- dual custody (FORMAT.md §4.3) --------------------------------------------------------------

/** H_B(label || share), H_B the hash of the bidder key's suite (FORMAT.md §4.3). */
export async function shareCheck(secret, suiteName = "x25519") {
  return getSuite(suiteName).digest(concat(CHECK_LABEL, secret));
}

async function sealDual(bidderKey) {
  const suite = getSuite(bidderKey.suite);
  const context = await suite.sender(bidderKey, DUAL_INFO, { exportOnly: true });
  const secret = new Uint8Array(await context.export(EXPORT_CONTEXT, 32));
  const dual = { suite: suite.name, key: bidderKey.keyId, enc: new Uint8Array(context.enc),
    check: await shareCheck(secret, suite.name) };
  return { psk: { id: fromHex("key", bidderKey.keyId, 32, InvalidHeader), key: secret }, dual };
}

export class DecryptionShare {
  constructor(headerSha256, secret) {
    this.headerSha256 = headerSha256;
    this.secret = secret;
  }

  toJson() {
    return `${JSON.stringify({ kind: "bid_crypto.decryption_share", version: 1,
      header_sha256: toHex(this.headerSha256), share: toHex(this.secret) }, null, 2)}\n`;
  }

  static fromJson(data) {
    const doc = parseStrict(data, "decryption share", DecryptionShareError);
    if (!doc || typeof doc !== "object" || Array.isArray(doc) ||
        Object.keys(doc).sort().join() !== "header_sha256,kind,share,version" ||
        doc.kind !== "bid_crypto.decryption_share") {
      throw new DecryptionShareError("not a bid_crypto decryption share file");
    }
    if (doc.version !== 1) throw new DecryptionShareError("unsupported decryption share version");
    return new DecryptionShare(fromHex("header_sha256", doc.header_sha256, 32, DecryptionShareError),
      fromHex("share", doc.share, 32, DecryptionShareError));
  }
}

/** Bidder side, in the opening hall: the share of one envelope from the bidder's key. */
export async function makeDecryptionShare(header, bidderKey) {
  const dual = header.dual;
  if (dual === null) throw new DecryptionShareError("envelope does not use dual custody");
  if (bidderKey.suite !== dual.suite || bidderKey.keyId !== dual.key) {
    throw new WrongKey(`envelope's dual share is bound to bidder key ${dual.key.slice(0, 16)}…, ` +
      `not to this key ${bidderKey.keyId.slice(0, 16)}…`);
  }
  let context;
  try {
    context = await getSuite(dual.suite).receiver(bidderKey, dual.enc, DUAL_INFO, { exportOnly: true });
  } catch (error) {
    if (error instanceof BidCryptoError) throw error;
    throw new DecryptionShareError(`the envelope's dual share cannot be derived: ${error.message}`);
  }
  const secret = new Uint8Array(await context.export(EXPORT_CONTEXT, 32));
  if (!equalBytes(await shareCheck(secret, dual.suite), dual.check)) {
    throw new DecryptionShareError("derived share does not match the envelope's commitment");
  }
  return new DecryptionShare(await header.sha256(), secret);
}

async function pskFor(header, share) {
  if (!share) {
    throw new DecryptionShareError("envelope uses dual custody: the bidder's decryption share is required");
  }
  if (!equalBytes(share.headerSha256, await header.sha256())) {
    throw new DecryptionShareError("decryption share belongs to another envelope");
  }
  if (!equalBytes(await shareCheck(share.secret, header.dual.suite), header.dual.check)) {
    throw new DecryptionShareError("decryption share does not match the envelope's commitment (wrong share)");
  }
  return { id: fromHex("key", header.dual.key, 32, DecryptionShareError), key: share.secret };
}

// -- payload chunks (FORMAT.md §3) ------------------------------------------------------------

export async function chunkAad(headerSha256, index, final) {
  return concat(headerSha256, u64(index), new Uint8Array([final ? 1 : 0]));
}

/**
 * Bytes written are sealed chunk by chunk and handed to `sink(bytes)` (async; awaited,
 * so a slow upload holds sealing back). close() seals the final chunk: an envelope whose
 * writer was never closed is detectably truncated.
 */
export class EnvelopeWriter {
  static async create(recipient, { project, lot, bidder, custody = "auto", bidderKey = null,
    createdAt = null, chunkSize = DEFAULT_CHUNK_SIZE, sink, progress = null }) {
    let psk;
    let dual = null;
    if (custody === "dual") {
      if (!bidderKey) throw new InvalidHeader("dual custody needs the bidder's public key");
      ({ psk, dual } = await sealDual(bidderKey));
    } else if (bidderKey) {
      throw new InvalidHeader("a bidder key is only used with custody 'dual'");
    }
    const context = await getSuite(recipient.suite).sender(recipient, INFO, { psk });
    const header = new EnvelopeHeader({ suite: recipient.suite, project, lot, bidder,
      recipient: recipient.keyId, enc: new Uint8Array(context.enc), chunk_size: chunkSize,
      custody, created_at: createdAt === null ? null : formatTimestamp(createdAt), dual });
    const writer = new EnvelopeWriter(context, header, await header.bindingHash(), sink, progress);
    await sink(header.encode());
    return writer;
  }

  constructor(context, header, headerSha256, sink, progress) {
    this.context = context;
    this.header = header;
    this.headerSha256 = headerSha256;
    this.sink = sink;
    this.progress = progress;
    this.buffer = new Uint8Array(header.chunk_size);
    this.filled = 0;
    this.index = 0;
    this.written = 0;
    this.closed = false;
  }

  async write(data) {
    if (this.closed) throw new Error("write to a closed EnvelopeWriter");
    let position = 0;
    while (position < data.length) {
      // A full buffer is sealed only once more data arrives: only then is it known not
      // to be the final chunk (read-ahead, FORMAT.md §3.2).
      if (this.filled === this.buffer.length) await this.seal(false);
      const take = Math.min(this.buffer.length - this.filled, data.length - position);
      this.buffer.set(data.subarray(position, position + take), this.filled);
      this.filled += take;
      position += take;
    }
  }

  async close() {
    if (!this.closed) {
      await this.seal(true);
      this.closed = true;
    }
    return this.header;
  }

  async seal(final) {
    const aad = await chunkAad(this.headerSha256, this.index, final);
    const sealed = new Uint8Array(await this.context.seal(this.buffer.subarray(0, this.filled), aad));
    const head = new Uint8Array(5);
    head[0] = final ? 1 : 0;
    new DataView(head.buffer).setUint32(1, sealed.length);
    await this.sink(head);
    await this.sink(sealed);
    this.written += this.filled;
    this.index += 1;
    this.filled = 0;
    if (this.progress) this.progress(this.written);
  }
}

async function readRecord(reader, chunkSize, index) {
  const first = await reader.read(5);
  if (first.length === 0) {
    throw new TruncatedEnvelope(`envelope ends after ${index} chunk(s) without its final chunk`);
  }
  if (first.length < 5) throw new TruncatedEnvelope(`envelope ends inside chunk ${index} record header`);
  const flag = first[0];
  const length = new DataView(first.buffer, first.byteOffset).getUint32(1);
  const full = chunkSize + TAG_LEN;
  if (flag !== 0 && flag !== 1) {
    throw new TamperedEnvelope(`chunk ${index} has an invalid flag byte ${flag}`);
  }
  if (flag === 0 && length !== full) {
    throw new TamperedEnvelope(`chunk ${index} is ${length} bytes; non-final chunks are ${full}`);
  }
  if (flag === 1 && !(length >= TAG_LEN && length <= full)) {
    throw new TamperedEnvelope(`final chunk ${index} is ${length} bytes, outside [${TAG_LEN}, ${full}]`);
  }
  return [flag === 1, await reader.exact(length, `chunk ${index}`)];
}

async function receiverContext(header, privateKey, share) {
  if (privateKey.suite !== header.suite) {
    throw new WrongKey(`envelope uses suite ${header.suite}, the key is ${privateKey.suite}`);
  }
  if (privateKey.keyId !== header.recipient) {
    throw new WrongKey(`envelope is sealed to key ${header.recipient.slice(0, 16)}…, ` +
      `not to this key ${privateKey.keyId.slice(0, 16)}…`);
  }
  const psk = header.custody === "dual" ? await pskFor(header, share) : null;
  try {
    return await getSuite(header.suite).receiver(privateKey, header.enc, INFO, { psk });
  } catch (error) {
    throw new TamperedEnvelope(`header enc is not a valid encapsulation: ${error.message}`);
  }
}

/**
 * Check the header, then return it with an async iterator of authenticated plaintext
 * chunks (open_chunks in Python). A later chunk can still fail, so a consumer must
 * discard what it received if iteration throws.
 */
export async function openChunks(source, privateKey, { share = null, project = null, lot = null,
  bidder = null } = {}) {
  const reader = source instanceof BlobReader ? source : new BlobReader(source);
  const header = await readHeader(reader);
  header.check({ project, lot, bidder });
  const context = await receiverContext(header, privateKey, share);
  const headerSha256 = await header.bindingHash();
  async function* chunks() {
    for (let index = 0; ; index += 1) {
      const [final, sealed] = await readRecord(reader, header.chunk_size, index);
      let plaintext;
      try {
        plaintext = new Uint8Array(await context.open(sealed, await chunkAad(headerSha256, index, final)));
      } catch {
        throw new TamperedEnvelope(`chunk ${index} failed authentication: the header or the chunk was ` +
          "altered, or chunks were reordered or taken from another envelope");
      }
      if (final) {
        if ((await reader.read(1)).length) {
          throw new TamperedEnvelope(`data follows the final chunk ${index} (extended envelope)`);
        }
        yield plaintext;
        return;
      }
      yield plaintext;
    }
  }
  return { header, chunks: chunks() };
}

/** Open the envelope in `source` (a Blob or bytes), handing each chunk to `onChunk`. */
export async function openEnvelope(source, privateKey, { onChunk = () => {}, ...options } = {}) {
  const { header, chunks } = await openChunks(source, privateKey, options);
  for await (const chunk of chunks) await onChunk(chunk);
  return header;
}

/** Structure, completeness and SHA-256 without a key: an upload check (scan_envelope). */
export async function scanEnvelope(source) {
  const reader = new BlobReader(source);
  const header = await readHeader(reader);
  let chunks = 0;
  let payload = 0;
  for (;;) {
    const [final, sealed] = await readRecord(reader, header.chunk_size, chunks);
    chunks += 1;
    payload += sealed.length - TAG_LEN;
    if (final) break;
  }
  if ((await reader.read(1)).length) {
    throw new TamperedEnvelope(`data follows the final chunk ${chunks - 1} (extended envelope)`);
  }
  return { header, chunks, payloadSize: payload };
}

// -- offer.json (FORMAT.md §6.2) ------------------------------------------------------------------

const MAX_INT = Number.MAX_SAFE_INTEGER;
export const MAX_OFFER_BYTES = 1024 * 1024;
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const chars = (s) => Array.from(s).length;

function integer(path, value) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_INT) {
    throw new InvalidOffer(`${path} must be a non-negative integer (fen), got ${JSON.stringify(String(value))}`);
  }
}

function text(limit, required = false) {
  return (path, value) => {
    if (typeof value !== "string" || chars(value) > limit || (required && !value.trim())) {
      throw new InvalidOffer(`${path} must be a ${required ? "non-empty string" : "string"} of at most ${limit} characters`);
    }
  };
}

const ITEM_FIELDS = { name: text(200, true), total_price: integer, unit_price: integer,
  quantity: integer, unit: text(20), spec: text(500) };
const OFFER_FIELDS = {
  schema: (path, v) => { if (v !== "bid_crypto.offer/1") throw new InvalidOffer(`${path} must be 'bid_crypto.offer/1'`); },
  total_price: integer,
  currency: (path, v) => { if (typeof v !== "string" || !/^[A-Z]{3}$/.test(v)) throw new InvalidOffer(`${path} must be an ISO 4217 code such as 'CNY'`); },
  duration_days: integer,
  quality: text(500),
  project_manager: text(100),
  items: (path, v) => {
    if (!Array.isArray(v) || v.length > 10000) throw new InvalidOffer(`${path} must be a list of at most 10000 items`);
    v.forEach((item, i) => checkObject(`${path}[${i}]`, item, ITEM_FIELDS, ["name", "total_price"]));
  },
  remarks: text(2000),
  extra: (path, v) => {
    if (!isObject(v)) throw new InvalidOffer(`${path} must be an object`);
    for (const [key, item] of Object.entries(v)) {
      text(100, true)(`${path} key`, key);
      if (typeof item === "string") text(2000)(`${path}.${key}`, item);
      else integer(`${path}.${key}`, item);
    }
  },
};

function checkObject(path, value, fields, required) {
  if (!isObject(value)) throw new InvalidOffer(`${path} must be a JSON object`);
  const missing = required.filter((k) => !Object.hasOwn(value, k)).sort();
  if (missing.length) throw new InvalidOffer(`${path} is missing ${missing.join(", ")}`);
  const unknown = Object.keys(value).filter((k) => !Object.hasOwn(fields, k)).sort();
  if (unknown.length) {
    throw new InvalidOffer(`${path} has unknown field(s) ${unknown.join(", ")}; allowed: ${Object.keys(fields).join(", ")}`);
  }
  for (const [name, check] of Object.entries(fields)) {
    if (Object.hasOwn(value, name)) check(`${path}.${name}`, value[name]);
  }
}

export function validateOffer(offer) {
  checkObject("offer", offer, OFFER_FIELDS, ["total_price"]);
  return JSON.parse(JSON.stringify(offer));
}

export function parseOffer(bytes) {
  if (bytes.length > MAX_OFFER_BYTES) throw new InvalidOffer(`offer.json is larger than ${MAX_OFFER_BYTES} bytes`);
  return validateOffer(parseStrict(bytes, "offer.json", InvalidOffer));
}

/** offer.json as bid_crypto writes it: sorted keys, indent 2, trailing newline. */
export function encodeOffer(offer) {
  return utf8(`${sortedJson(validateOffer(offer), 2)}\n`);
}

// -- document names (FORMAT.md §6.3) --------------------------------------------------------------

const DEVICES = new Set(["con", "prn", "aux", "nul", ...["com", "lpt"].flatMap(
  (p) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${p}${n}`))]);
const UNSAFE = /[<>:"|?*\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
export const casefold = (s) => s.toUpperCase().toLowerCase();

function stripDotsSpaces(s, leading = true) {
  let start = 0;
  let end = s.length;
  while (leading && start < end && (s[start] === " " || s[start] === ".")) start += 1;
  while (end > start && (s[end - 1] === " " || s[end - 1] === ".")) end -= 1;
  return s.slice(start, end);
}

function truncateUtf8(name, limit) {
  if (utf8(name).length <= limit) return name;
  const dot = name.lastIndexOf(".");
  let stem = dot >= 0 ? name.slice(0, dot) : name;
  let extension = dot >= 0 ? name.slice(dot + 1) : "";
  if (dot < 0 || utf8(extension).length > 16) {
    stem = name;
    extension = "";
  }
  const suffix = extension ? `.${extension}` : "";
  const bytes = utf8(stem);
  let budget = limit - utf8(suffix).length;
  while (budget > 0 && budget < bytes.length && (bytes[budget] & 0xc0) === 0x80) budget -= 1;
  return new TextDecoder().decode(bytes.subarray(0, budget)) + suffix;
}

function cleanOnce(name) {
  let out = name.normalize("NFC");
  out = out.split(/[/\\]/).pop();
  out = out.replace(UNSAFE, "_");
  out = stripDotsSpaces(out);
  if (DEVICES.has(casefold(out.split(".")[0])) || casefold(out) === "offer.json") out = `_${out}`;
  out = stripDotsSpaces(truncateUtf8(out, 200), false);
  return out || "document";
}

/** A file name safe on Linux, macOS and Windows; sanitise(sanitise(x)) = sanitise(x). */
export function sanitiseDocumentName(name) {
  let current = name;
  for (let i = 0; i < 8; i += 1) {
    const cleaned = cleanOnce(current);
    if (cleaned === current) return current;
    current = cleaned;
  }
  return "document";
}

// -- the bid package (FORMAT.md §6.1) ----------------------------------------------------------

export const PACKAGE_MAGIC = utf8("TBIDPKG1");
export const SEGMENT_SIZE = 1024 * 1024;
const KIND_END = 0;
const KIND_OFFER = 1;
const KIND_DOCUMENT = 2;

/** Sanitised, case-insensitively unique names, or InvalidPackage. */
export function documentNames(documents) {
  const seen = new Set();
  return documents.map((doc) => {
    const name = sanitiseDocumentName(doc.name);
    if (seen.has(casefold(name))) {
      throw new InvalidPackage(`two documents are named '${name}' (names ignore case)`);
    }
    seen.add(casefold(name));
    return name;
  });
}

/**
 * Seal offer.json and the documents (each {name, blob}: a File or Blob, read one 1 MiB
 * segment at a time) into one envelope written to `sink`. `progress({done, total})`
 * follows the plaintext. Returns the header.
 */
export async function sealBid(recipient, { offer, documents = [], project, lot, bidder,
  custody = "auto", bidderKey = null, createdAt = null, chunkSize = DEFAULT_CHUNK_SIZE, sink,
  progress = null, signal = null }) {
  const offerBytes = encodeOffer(offer);
  const names = documentNames(documents);
  const total = offerBytes.length + documents.reduce((n, d) => n + d.blob.size, 0);
  let done = 0;
  const writer = await EnvelopeWriter.create(recipient, { project, lot, bidder, custody, bidderKey,
    createdAt, chunkSize, sink });
  const entry = async (kind, name, blob) => {
    const encoded = utf8(name);
    await writer.write(concat(new Uint8Array([kind]), u16(encoded.length), encoded));
    for (let position = 0; position < blob.size; position += SEGMENT_SIZE) {
      if (signal && signal.aborted) throw new DOMException("sealing cancelled", "AbortError");
      const segment = new Uint8Array(await blob.slice(position, position + SEGMENT_SIZE).arrayBuffer());
      await writer.write(u32(segment.length));
      await writer.write(segment);
      done += segment.length;
      if (progress) progress({ done, total });
    }
    await writer.write(u32(0));
  };
  await writer.write(PACKAGE_MAGIC);
  await entry(KIND_OFFER, "offer.json", new Blob([offerBytes]));
  for (let i = 0; i < documents.length; i += 1) await entry(KIND_DOCUMENT, names[i], documents[i].blob);
  await writer.write(new Uint8Array([KIND_END]));
  return writer.close();
}

/** File-like reads over the async iterator of plaintext chunks, pulled on demand. */
class ChunkStream {
  constructor(chunks) {
    this.chunks = chunks;
    this.current = new Uint8Array(0);
    this.offset = 0;
  }

  async read(size) {
    const parts = [];
    let wanted = size;
    while (wanted > 0) {
      if (this.offset === this.current.length) {
        const next = await this.chunks.next();
        this.offset = 0;
        if (next.done) {
          this.current = new Uint8Array(0);
          break;
        }
        this.current = next.value;
        continue;
      }
      const piece = this.current.subarray(this.offset, this.offset + wanted);
      this.offset += piece.length;
      wanted -= piece.length;
      parts.push(piece);
    }
    return parts.length === 1 ? parts[0] : concat(...parts);
  }
}

async function packageExact(queue, size, what) {
  const data = await queue.read(size);
  if (data.length !== size) throw new InvalidPackage(`package ends inside the ${what}`);
  return data;
}

async function entryHead(queue) {
  const kind = (await packageExact(queue, 1, "entry kind"))[0];
  if (kind === KIND_END) return null;
  if (kind !== KIND_OFFER && kind !== KIND_DOCUMENT) throw new InvalidPackage(`unknown package entry kind ${kind}`);
  const length = new DataView((await packageExact(queue, 2, "name length")).slice().buffer).getUint16(0);
  const raw = await packageExact(queue, length, "name");
  try {
    return [kind, strictUtf8.decode(raw)];
  } catch {
    throw new InvalidPackage("a document name is not valid UTF-8");
  }
}

async function* segments(queue, name) {
  for (;;) {
    const length = new DataView((await packageExact(queue, 4, `segment length of '${name}'`)).slice().buffer).getUint32(0);
    if (length === 0) return;
    if (length > SEGMENT_SIZE) throw new InvalidPackage(`segment of '${name}' exceeds ${SEGMENT_SIZE} bytes`);
    yield await packageExact(queue, length, `data of '${name}'`);
  }
}

async function readPackage(queue, onDocument) {
  if (!equalBytes(await packageExact(queue, 8, "magic"), PACKAGE_MAGIC)) {
    throw new InvalidPackage("payload is not a bid package (bad package magic)");
  }
  const first = await entryHead(queue);
  if (!first || first[0] !== KIND_OFFER || first[1] !== "offer.json") {
    throw new InvalidPackage("the package does not start with offer.json");
  }
  const parts = [];
  let size = 0;
  for await (const segment of segments(queue, "offer.json")) {
    size += segment.length;
    if (size > MAX_OFFER_BYTES) throw new InvalidPackage(`offer.json is larger than ${MAX_OFFER_BYTES} bytes`);
    parts.push(segment.slice());
  }
  const offerBytes = concat(...parts);
  const offer = parseOffer(offerBytes);
  const documents = [];
  const seen = new Set();
  for (let entry = await entryHead(queue); entry; entry = await entryHead(queue)) {
    const [kind, name] = entry;
    if (kind !== KIND_DOCUMENT) throw new InvalidPackage("offer.json appears twice in the package");
    if (!name || sanitiseDocumentName(name) !== name) throw new InvalidPackage(`unsafe document name '${name}'`);
    if (seen.has(casefold(name))) throw new InvalidPackage(`document name '${name}' appears twice`);
    seen.add(casefold(name));
    const blobParts = [];
    let docSize = 0;
    for await (const segment of segments(queue, name)) {
      docSize += segment.length;
      if (onDocument) blobParts.push(segment.slice());
    }
    const doc = { name, size: docSize };
    if (onDocument) doc.blob = new Blob(blobParts);
    documents.push(doc);
  }
  if ((await queue.read(1)).length) throw new InvalidPackage("data follows the end of the package");
  return { offer, offerBytes, documents };
}

/**
 * Open an envelope and read its bid package: {header, offer, offerBytes, offerSha256,
 * documents: [{name, size, blob?, sha256?}]}. Documents are kept as Blobs (with their
 * SHA-256) only when `keepDocuments` is set.
 */
export async function readBid(source, privateKey, { keepDocuments = false, ...options } = {}) {
  const { header, chunks } = await openChunks(source, privateKey, options);
  const result = await readPackage(new ChunkStream(chunks), keepDocuments);
  if (keepDocuments) {
    for (const doc of result.documents) doc.sha256 = toHex(await sha256(await doc.blob.arrayBuffer()));
  }
  return { header, ...result, offerSha256: toHex(await sha256(result.offerBytes)) };
}
