// Custodians' tools in the browser (bid_crypto/FORMAT.md §4.2, §5.4): a custodian key
// generated here and kept as a passphrase-protected key file the custodian downloads, the
// strength of that passphrase enforced where it is typed, and the release of a sealed
// share after the deadline, bound to one opening. The passphrase and the private key exist
// only in this page; the platform receives the public key and, after the deadline, the
// release. A port of bid_crypto's protected.py and custody.py (same errors, same bytes).
//
// scrypt is @noble/hashes' (vendored: WebCrypto has no memory-hard KDF); AES-256-GCM,
// SHA-256 and HPKE are WebCrypto's (through hpke-js for HPKE).

import { scryptAsync } from "../vendor/scrypt.js";
import * as tbid from "./tbid.js";

const { BidCryptoError, KeyFormatError, WrongKey, canonicalJson, checkId, checkTimestamp, concat,
  fromHex, getSuite, parseStrict, toHex, utf8 } = tbid;

function errorClass(name, base) {
  const cls = class extends base {};
  Object.defineProperty(cls, "name", { value: name });
  Object.defineProperty(cls.prototype, "name", { value: name });
  return cls;
}

export const CustodyError = errorClass("CustodyError", BidCryptoError);
export const WrongPassphrase = errorClass("WrongPassphrase", CustodyError);
export const WeakPassphrase = errorClass("WeakPassphrase", CustodyError);
export const InconsistentShares = errorClass("InconsistentShares", CustodyError);
export class ReleaseRefused extends CustodyError {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}
Object.defineProperty(ReleaseRefused, "name", { value: "ReleaseRefused" });
Object.defineProperty(ReleaseRefused.prototype, "name", { value: "ReleaseRefused" });

// -- passphrase-protected key files (§5.4) ------------------------------------------------------

const PROTECTED_KIND = "bid_crypto.protected_key";
export const DEFAULT_LOG_N = 17;
const MIN_LOG_N = 14;
const MAX_LOG_N = 20;
export const MIN_PASSPHRASE_CHARS = 12;
const MIN_GUESSES_LOG10 = 10;
const PROTECTED_FIELDS = ["ciphertext", "kdf", "key_id", "kind", "label", "nonce", "public", "suite", "version"];

function sameKeys(doc, keys) {
  return doc && typeof doc === "object" && !Array.isArray(doc) &&
    Object.keys(doc).sort().join() === [...keys].sort().join();
}

function checkLabel(label) {
  if (typeof label !== "string" || !label.trim() || Array.from(label).length > 100) {
    throw new KeyFormatError("key label must be 1-100 characters");
  }
  return label;
}

function checkLogN(value) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < MIN_LOG_N || value > MAX_LOG_N) {
    throw new KeyFormatError(`scrypt log_n must be an integer in [${MIN_LOG_N}, ${MAX_LOG_N}]`);
  }
  return value;
}

async function kek(passphrase, salt, logN, onProgress) {
  // NFC: one passphrase typed through different input methods derives one key.
  return scryptAsync(utf8(passphrase.normalize("NFC")), salt, { N: 2 ** logN, r: 8, p: 1,
    dkLen: 32, maxmem: 2 ** (logN + 10) + 1024 * 1024, onProgress });
}

async function aesGcm(mode, key, nonce, aad, data) {
  const cryptoKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, [mode]);
  return new Uint8Array(await crypto.subtle[mode]({ name: "AES-GCM", iv: nonce,
    additionalData: aad, tagLength: 128 }, cryptoKey, data));
}

export class ProtectedKey {
  constructor(fields) {
    Object.assign(this, fields);
  }

  doc() {
    return { kind: PROTECTED_KIND, version: 1, suite: this.suite, key_id: this.keyId,
      public: toHex(this.public), label: this.label,
      kdf: { name: "scrypt", salt: toHex(this.salt), log_n: this.logN, r: 8, p: 1 } };
  }

  aad() {
    return canonicalJson(this.doc());
  }

  toJson() {
    return `${JSON.stringify({ ...this.doc(), nonce: toHex(this.nonce),
      ciphertext: toHex(this.ciphertext) }, null, 2)}\n`;
  }

  static async fromJson(data) {
    const doc = parseStrict(data, "protected key file", KeyFormatError);
    if (!doc || typeof doc !== "object" || doc.kind !== PROTECTED_KIND) {
      throw new KeyFormatError(`not a ${PROTECTED_KIND} file`);
    }
    if (!sameKeys(doc, PROTECTED_FIELDS) || doc.version !== 1) {
      throw new KeyFormatError("unsupported protected key file (version or fields)");
    }
    let suite;
    try {
      suite = getSuite(doc.suite);
    } catch (error) {
      throw new KeyFormatError(error.message);
    }
    const kdf = doc.kdf;
    if (!sameKeys(kdf, ["log_n", "name", "p", "r", "salt"]) || kdf.name !== "scrypt" || kdf.r !== 8 || kdf.p !== 1) {
      throw new KeyFormatError("key file KDF must be scrypt with r = 8, p = 1");
    }
    const key = new ProtectedKey({ suite: suite.name,
      public: fromHex("public", doc.public, suite.publicLen, KeyFormatError),
      label: checkLabel(doc.label), salt: fromHex("kdf.salt", kdf.salt, 16, KeyFormatError),
      logN: checkLogN(kdf.log_n), nonce: fromHex("nonce", doc.nonce, 12, KeyFormatError),
      ciphertext: fromHex("ciphertext", doc.ciphertext, 48, KeyFormatError) });
    key.keyId = await tbid.keyId(key.suite, key.public);
    if (doc.key_id !== key.keyId) throw new KeyFormatError("key_id does not match the public key (corrupt key file)");
    return key;
  }

  /** The private key, or WrongPassphrase (wrong passphrase or altered file). */
  async unprotect(passphrase, onProgress) {
    const key = await kek(passphrase, this.salt, this.logN, onProgress);
    let secret;
    try {
      secret = await aesGcm("decrypt", key, this.nonce, this.aad(), this.ciphertext);
    } catch {
      throw new WrongPassphrase(`wrong passphrase for key '${this.label}', or the key file was altered`);
    }
    const privateKey = await tbid.PrivateKey.create(this.suite, secret);
    if (toHex(privateKey.publicKey.raw) !== toHex(this.public)) {
      throw new KeyFormatError("the key file's secret does not match its public key");
    }
    return privateKey;
  }
}

/** Seal `privateKey` under `passphrase` (§5.4). The strength rule is passphraseProblem's. */
export async function protectPrivateKey(privateKey, passphrase, { label, logN = DEFAULT_LOG_N, onProgress } = {}) {
  const draft = new ProtectedKey({ suite: privateKey.suite, public: privateKey.publicKey.raw,
    keyId: privateKey.keyId, label: checkLabel(label), salt: crypto.getRandomValues(new Uint8Array(16)),
    logN: checkLogN(logN), nonce: crypto.getRandomValues(new Uint8Array(12)), ciphertext: null });
  const key = await kek(passphrase, draft.salt, draft.logN, onProgress);
  draft.ciphertext = await aesGcm("encrypt", key, draft.nonce, draft.aad(), privateKey.secret);
  return draft;
}

/** A `.key` file of either kind (§5.3 or §5.4); `passphrase(label)` for a protected one. */
export async function readPrivateKey(data, passphrase = null, onProgress = undefined) {
  const doc = parseStrict(data, "key file", KeyFormatError);
  if (doc && typeof doc === "object" && doc.kind === PROTECTED_KIND) {
    const protectedKey = await ProtectedKey.fromJson(data);
    if (!passphrase) throw new KeyFormatError(`key file '${protectedKey.label}' is passphrase-protected`);
    return protectedKey.unprotect(await passphrase(protectedKey.label), onProgress);
  }
  return tbid.PrivateKey.fromJson(data);
}

// zxcvbn's feedback is English; the people typing here read Chinese (as protected.py).
const WARNINGS_ZH = {
  straightRow: "键盘上连续的按键很容易被猜到。",
  keyPattern: "简短的键盘模式很容易被猜到。",
  simpleRepeat: "像“aaa”这样的重复很容易被猜到。",
  extendedRepeat: "像“abcabcabc”这样的重复并不比“abc”难猜多少。",
  sequences: "像 abc、6543 这样的顺序很容易被猜到。",
  recentYears: "近年的年份很容易被猜到。",
  dates: "日期通常很容易被猜到。",
  topTen: "这是最常见的 10 个密码之一。",
  topHundred: "这是最常见的 100 个密码之一。",
  common: "这是非常常见的密码。",
  similarToCommon: "这与常用密码相似。",
  wordByItself: "单独一个词很容易被猜到。",
  namesByThemselves: "单独的姓名很容易被猜到。",
  commonNames: "常见的姓名很容易被猜到。",
};

let zxcvbnModule = null;

/**
 * Why `passphrase` is too weak to protect a key file (in Chinese), or null: at least 12
 * characters after NFC and a zxcvbn estimate of 10^10 guesses, with `userInputs` (the
 * label, the person's name) as words an attacker would try first.
 */
export async function passphraseProblem(passphrase, userInputs = []) {
  const text = passphrase.normalize("NFC");
  const length = Array.from(text).length;
  if (length < MIN_PASSPHRASE_CHARS) {
    return `口令太短：至少需要 ${MIN_PASSPHRASE_CHARS} 个字符，当前 ${length} 个。建议用四个以上互不相关的词组成一句话。`;
  }
  if (!zxcvbnModule) zxcvbnModule = await import("../vendor/zxcvbn.js");
  const words = userInputs.flatMap((item) => String(item).split(/\s+/)).filter(Boolean);
  const result = zxcvbnModule.zxcvbn(Array.from(text).slice(0, 100).join(""), words);
  if (result.guessesLog10 >= MIN_GUESSES_LOG10) return null;
  const warning = WARNINGS_ZH[(result.feedback && result.feedback.warning) || ""] || "";
  return `口令强度不足：估计约 10^${Math.round(result.guessesLog10)} 次猜测即可猜中，要求至少 10^${MIN_GUESSES_LOG10} 次。${warning}` +
    "请避免常见密码、姓名、日期、键盘序列和重复字符，建议用四个以上互不相关的词组成一句话。";
}

export async function checkPassphrase(passphrase, userInputs = []) {
  const problem = await passphraseProblem(passphrase, userInputs);
  if (problem) throw new WeakPassphrase(problem);
}

// -- sealed shares, opening statements, releases (§4.2.3 - §4.2.5) -------------------------------

const SEALED_KIND = "bid_crypto.sealed_share";
const STATEMENT_KIND = "bid_crypto.opening_statement";
const RELEASE_KIND = "bid_crypto.custody_release";
const SHARE_INFO = utf8("bid_crypto/v1 custody share");
const CHECK_LABEL = utf8("bid_crypto/v1 custody share check");
const SEALED_PUBLIC = ["project", "split_id", "suite", "public_key", "threshold", "count", "index",
  "custodian", "recipient_suite", "recipient", "not_before", "check"];

function parseDoc(data, kind, fields, what) {
  const doc = parseStrict(data, what, KeyFormatError);
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || doc.kind !== kind) {
    throw new KeyFormatError(`not a ${kind} file`);
  }
  if (!sameKeys(doc, fields) || doc.version !== 1) throw new KeyFormatError(`unsupported ${what} (version 1 expected)`);
  return doc;
}

function int(name, value, low, high) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high) {
    throw new KeyFormatError(`${name} must be an integer in [${low}, ${high}]`);
  }
  return value;
}

function suiteName(name) {
  try {
    return getSuite(name).name;
  } catch (error) {
    throw new KeyFormatError(error.message);
  }
}

export async function shareCheck(splitId, index, share) {
  return toHex(await tbid.sha256(concat(CHECK_LABEL, fromHex("split_id", splitId, 16, KeyFormatError),
    new Uint8Array([index]), share)));
}

export class SealedShare {
  constructor(doc) {
    Object.assign(this, doc);
  }

  static fromJson(data) {
    const doc = parseDoc(data, SEALED_KIND, ["kind", "version", ...SEALED_PUBLIC, "enc", "ciphertext"], "sealed share file");
    const suite = suiteName(doc.suite);
    const recipientSuite = suiteName(doc.recipient_suite);
    const count = int("count", doc.count, 2, 255);
    checkId("project", doc.project, KeyFormatError);
    checkId("custodian", doc.custodian, KeyFormatError);
    fromHex("split_id", doc.split_id, 16, KeyFormatError);
    fromHex("public_key", doc.public_key, getSuite(suite).publicLen, KeyFormatError);
    int("threshold", doc.threshold, 2, count);
    int("index", doc.index, 1, count);
    fromHex("recipient", doc.recipient, 32, KeyFormatError);
    checkTimestamp("not_before", doc.not_before, KeyFormatError);
    fromHex("check", doc.check, 32, KeyFormatError);
    const enc = fromHex("enc", doc.enc, getSuite(recipientSuite).encLen, KeyFormatError);
    const ciphertext = fromHex("ciphertext", doc.ciphertext, 48, KeyFormatError);
    return new SealedShare({ ...doc, enc, ciphertext });
  }

  aad() {
    const doc = { kind: SEALED_KIND, version: 1 };
    for (const name of SEALED_PUBLIC) doc[name] = this[name];
    doc.enc = toHex(this.enc);
    return canonicalJson(doc);
  }

  /** The 32-byte share value, opened with the custodian's own private key. */
  async open(privateKey) {
    if (privateKey.keyId !== this.recipient || privateKey.suite !== this.recipient_suite) {
      throw new WrongKey(`share ${this.index} of project ${this.project} is sealed to key ` +
        `${this.recipient.slice(0, 16)}…, not to this key ${privateKey.keyId.slice(0, 16)}…`);
    }
    let value;
    try {
      // The custodian key's own suite opens it: HPKE for x25519/xwing, the 国密 schedule
      // (SM2, SM3, SM4-GCM; FORMAT.md §3.3) for an sm2 custodian key.
      const context = await getSuite(this.recipient_suite).receiver(privateKey, this.enc, SHARE_INFO);
      value = new Uint8Array(await context.open(this.ciphertext, this.aad()));
    } catch {
      throw new WrongKey("the sealed share does not open with this key: wrong key, or the share file was altered");
    }
    if (value.length !== 32 || await shareCheck(this.split_id, this.index, value) !== this.check) {
      throw new InconsistentShares("the opened share does not match its check value");
    }
    return value;
  }
}

export class OpeningStatement {
  static fromJson(data) {
    const doc = parseDoc(data, STATEMENT_KIND, ["kind", "version", "project", "split_id", "opening", "deadline", "started_at"],
      "opening statement");
    checkId("project", doc.project, KeyFormatError);
    fromHex("split_id", doc.split_id, 16, KeyFormatError);
    fromHex("opening", doc.opening, 16, KeyFormatError);
    checkTimestamp("deadline", doc.deadline, KeyFormatError);
    checkTimestamp("started_at", doc.started_at, KeyFormatError);
    return Object.assign(new OpeningStatement(), doc);
  }
}

/**
 * Release `sealed` for the opening in `statement` (§4.2.5), refusing anything early or
 * foreign; `now` is the custodian's own clock. Returns the release file's text.
 */
export async function makeRelease(sealed, privateKey, statement, now = new Date()) {
  if (statement.project !== sealed.project || statement.split_id !== sealed.split_id) {
    throw new ReleaseRefused("other_project", `the opening statement is for project ${statement.project} ` +
      `(split ${statement.split_id.slice(0, 8)}…), the share for project ${sealed.project} (split ${sealed.split_id.slice(0, 8)}…)`);
  }
  const notBefore = Math.max(Date.parse(statement.deadline), Date.parse(sealed.not_before));
  if (now.getTime() < notBefore) {
    throw new ReleaseRefused("before_deadline", `the bid deadline ${new Date(notBefore).toISOString()} has not passed: ` +
      "a share is released only after it");
  }
  const value = await sealed.open(privateKey);
  return `${JSON.stringify({ kind: RELEASE_KIND, version: 1, project: sealed.project, split_id: sealed.split_id,
    opening: statement.opening, deadline: statement.deadline, index: sealed.index, custodian: sealed.custodian,
    recipient: sealed.recipient, share: toHex(value) }, null, 2)}\n`;
}
