// Test-only glue between pytest and trading/static/js/tbid.js: bytes travel as base64.
import * as tbid from "/static/js/tbid.js";
import { Aes128Gcm, Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, ExportOnly, HkdfSha256, XWing }
  from "/static/vendor/hpke.js";

export { tbid };

export function b64(bytes) {
  let text = "";
  const view = new Uint8Array(bytes);
  for (let i = 0; i < view.length; i += 0x8000) text += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(text);
}

export function unb64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const hex = (h) => tbid.fromHex("vector", h, null, Error);

/** Seal like the bid page does; returns the envelope as base64. */
export async function seal({ publicKey, offer, documents = [], ids, custody = "auto", bidderKey = null,
  chunkSize, createdAt = null }) {
  const recipient = await tbid.PublicKey.fromJson(publicKey);
  const parts = [];
  await tbid.sealBid(recipient, { offer, ...ids, custody, chunkSize,
    createdAt: createdAt ? new Date(createdAt) : null,
    bidderKey: bidderKey ? await tbid.PublicKey.fromJson(bidderKey) : null,
    documents: documents.map((d) => ({ name: d.name, blob: new Blob([unb64(d.data)]) })),
    sink: async (bytes) => { parts.push(bytes.slice()); } });
  return b64(await new Blob(parts).arrayBuffer());
}

/** Read a bid package; {ok, ...} or {ok: false, error: class name, message}. */
export async function read(envelope, privateKey, { share = null, expected = {} } = {}) {
  try {
    const key = await tbid.PrivateKey.fromJson(privateKey);
    const opened = await tbid.readBid(new Blob([unb64(envelope)]), key, { keepDocuments: true,
      share: share ? tbid.DecryptionShare.fromJson(share) : null, ...expected });
    return { ok: true, header: opened.header.toDict(), offer: opened.offer,
      offerSha256: opened.offerSha256,
      documents: opened.documents.map((d) => ({ name: d.name, size: d.size, sha256: d.sha256 })) };
  } catch (error) {
    return { ok: false, error: error.name, message: error.message };
  }
}

/** Open raw payload (no package): the plaintext as base64, or the error class. */
export async function openRaw(envelope, privateKey, { share = null, expected = {} } = {}) {
  try {
    const key = await tbid.PrivateKey.fromJson(privateKey);
    const parts = [];
    await tbid.openEnvelope(new Blob([unb64(envelope)]), key, { ...expected,
      share: share ? tbid.DecryptionShare.fromJson(share) : null,
      onChunk: (c) => { parts.push(c.slice()); } });
    return { ok: true, plaintext: b64(await new Blob(parts).arrayBuffer()) };
  } catch (error) {
    return { ok: false, error: error.name, message: error.message };
  }
}

export async function decryptionShare(envelope, bidderKey) {
  try {
    const header = await tbid.readHeader(new tbid.BlobReader(new Blob([unb64(envelope)])));
    const share = await tbid.makeDecryptionShare(header, await tbid.PrivateKey.fromJson(bidderKey));
    return { ok: true, share: share.toJson() };
  } catch (error) {
    return { ok: false, error: error.name, message: error.message };
  }
}

export async function keyPair(suite) {
  const key = await tbid.PrivateKey.generate(suite);
  return { private: key.toJson(), public: key.publicKey.toJson() };
}

// -- RFC 9180 known-answer vectors ----------------------------------------------------------

const AEADS = { 1: () => new Aes128Gcm(), 2: () => new Aes256Gcm(), 65535: () => new ExportOnly() };

async function checkX25519(v) {
  const failures = [];
  const fail = (what) => failures.push(`mode ${v.mode} aead ${v.aead_id}: ${what}`);
  const key = await tbid.PrivateKey.create("x25519", hex(v.skRm));
  if (tbid.toHex(key.publicKey.raw) !== v.pkRm) fail("pkR derivation");
  const kem = new DhkemX25519HkdfSha256();
  const skR = await kem.deserializePrivateKey(hex(v.skRm));
  const pkR = await kem.deserializePublicKey(hex(v.pkRm));
  const psk = "psk" in v ? { id: hex(v.psk_id), key: hex(v.psk) } : undefined;
  const auth = "skSm" in v;
  if (!(v.aead_id in AEADS)) {
    // ChaCha20-Poly1305 is not shipped: check the KEM (encap with the vector's ikmE, decap).
    const params = { recipientPublicKey: pkR, ekm: hex(v.ikmE) };
    if (auth) params.senderKey = await kem.deserializePrivateKey(hex(v.skSm));
    const { sharedSecret, enc } = await kem.encap(params);
    if (tbid.toHex(enc) !== v.enc || tbid.toHex(sharedSecret) !== v.shared_secret) fail("encap");
    const dparams = { recipientKey: skR, enc: hex(v.enc) };
    if (auth) dparams.senderPublicKey = await kem.deserializePublicKey(hex(v.pkSm));
    if (tbid.toHex(await kem.decap(dparams)) !== v.shared_secret) fail("decap");
    return failures;
  }
  const suite = new CipherSuite({ kem, kdf: new HkdfSha256(), aead: AEADS[v.aead_id]() });
  const rparams = { recipientKey: skR, enc: hex(v.enc), info: hex(v.info) };
  const sparams = { recipientPublicKey: pkR, info: hex(v.info), ekm: hex(v.ikmE) };
  if (psk) { rparams.psk = psk; sparams.psk = psk; }
  if (auth) {
    rparams.senderPublicKey = await kem.deserializePublicKey(hex(v.pkSm));
    sparams.senderKey = await kem.deserializePrivateKey(hex(v.skSm));
  }
  const receiver = await suite.createRecipientContext(rparams);
  const sender = await suite.createSenderContext(sparams);
  if (tbid.toHex(sender.enc) !== v.enc) fail("sender enc");
  for (const [i, e] of (v.encryptions || []).entries()) {
    const ct = tbid.toHex(await sender.seal(hex(e.pt), hex(e.aad)));
    if (ct !== e.ct) fail(`seal ${i}`);
    const pt = tbid.toHex(await receiver.open(hex(e.ct), hex(e.aad)));
    if (pt !== e.pt) fail(`open ${i}`);
  }
  for (const [i, x] of (v.exports || []).entries()) {
    for (const [name, ctx] of [["receiver", receiver], ["sender", sender]]) {
      const value = tbid.toHex(await ctx.export(hex(x.exporter_context), x.L));
      if (value !== x.exported_value) fail(`${name} export ${i}`);
    }
  }
  return failures;
}

async function checkXWing(v) {
  const failures = [];
  const key = await tbid.PrivateKey.create("xwing", hex(v.skRm));
  if (tbid.toHex(key.publicKey.raw) !== v.pkRm) failures.push("xwing pkR from seed");
  // bid_crypto keys are X-Wing seeds (skRm), never derived from ikmR: as in Python's
  // test_vectors.py, the seed, encapsulation and decapsulation are what is checked.
  const kem = new XWing();
  const { sharedSecret, enc } = await kem.encap({ recipientPublicKey: await kem.deserializePublicKey(hex(v.pkRm)),
    ekm: hex(v.ikmE) });
  if (tbid.toHex(enc) !== v.enc) failures.push("xwing encap enc");
  if (tbid.toHex(sharedSecret) !== v.shared_secret) failures.push("xwing encap secret");
  const decapped = await kem.decap({ recipientKey: await key.hpkeKey(), enc: hex(v.enc) });
  if (tbid.toHex(decapped) !== v.shared_secret) failures.push("xwing decap");
  return failures;
}

export async function knownAnswers(x25519, xwing) {
  const failures = [];
  let checked = 0;
  for (const v of x25519) { failures.push(...await checkX25519(v)); checked += 1; }
  for (const v of xwing) { failures.push(...await checkXWing(v)); checked += 1; }
  return { checked, failures };
}

/** Seal raw payload bytes (no package) with EnvelopeWriter, written in `pieces`. */
export async function sealRaw({ publicKey, payload, ids, custody = "auto", bidderKey = null, chunkSize,
  pieces = 1 }) {
  const parts = [];
  const writer = await tbid.EnvelopeWriter.create(await tbid.PublicKey.fromJson(publicKey), { ...ids,
    custody, chunkSize, bidderKey: bidderKey ? await tbid.PublicKey.fromJson(bidderKey) : null,
    sink: async (bytes) => { parts.push(bytes.slice()); } });
  const data = unb64(payload);
  const step = Math.max(1, Math.ceil(data.length / pieces));
  for (let i = 0; i < data.length; i += step) await writer.write(data.subarray(i, i + step));
  await writer.close();
  return b64(await new Blob(parts).arrayBuffer());
}

/** The error class the reader raises for each envelope ("ok" when it opens). */
export async function openClasses(envelopes, privateKey, options = {}) {
  const out = [];
  for (const envelope of envelopes) {
    const result = await openRaw(envelope, privateKey, options);
    out.push(result.ok ? "ok" : result.error);
  }
  return out;
}

/** Load a key file: {ok, keyId, suite} or {ok: false, error: class name}. */
export async function loadKey(kind, text) {
  try {
    const key = kind === "private" ? await tbid.PrivateKey.fromJson(text) : await tbid.PublicKey.fromJson(text);
    return { ok: true, keyId: key.keyId, suite: key.suite };
  } catch (error) {
    return { ok: false, error: error.name, message: error.message };
  }
}
