// offline.bundle.js — built by make js from sources sha256:aaae66dc44812acde2c18880cf2e44e55ab1d11823adb5a8ef28254790c5dcac
(() => {
  var __create = Object.create;
  var __defProp = Object.defineProperty;
  var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
  var __getOwnPropNames = Object.getOwnPropertyNames;
  var __getProtoOf = Object.getPrototypeOf;
  var __hasOwnProp = Object.prototype.hasOwnProperty;
  var __require = /* @__PURE__ */ ((x2) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x2, {
    get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
  }) : x2)(function(x2) {
    if (typeof require !== "undefined") return require.apply(this, arguments);
    throw Error('Dynamic require of "' + x2 + '" is not supported');
  });
  var __copyProps = (to, from, except, desc) => {
    if (from && typeof from === "object" || typeof from === "function") {
      for (let key of __getOwnPropNames(from))
        if (!__hasOwnProp.call(to, key) && key !== except)
          __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
    }
    return to;
  };
  var __toESM = (mod3, isNodeMode, target) => (target = mod3 != null ? __create(__getProtoOf(mod3)) : {}, __copyProps(
    // If the importer is in node compatibility mode or this is not an ESM
    // file that has been converted to a CommonJS file using a Babel-
    // compatible transform (i.e. "__esModule" has not been set), then set
    // "default" to the CommonJS "module.exports" for node compatibility.
    isNodeMode || !mod3 || !mod3.__esModule ? __defProp(target, "default", { value: mod3, enumerable: true }) : target,
    mod3
  ));

  // ../../trading/static/vendor/hpke.js
  var HpkeError = class extends Error {
    constructor(e) {
      let message;
      if (e instanceof Error) {
        message = e.message;
      } else if (typeof e === "string") {
        message = e;
      } else {
        message = "";
      }
      super(message);
      this.name = this.constructor.name;
    }
  };
  var InvalidParamError = class extends HpkeError {
  };
  var SerializeError = class extends HpkeError {
  };
  var DeserializeError = class extends HpkeError {
  };
  var EncapError = class extends HpkeError {
  };
  var DecapError = class extends HpkeError {
  };
  var ExportError = class extends HpkeError {
  };
  var SealError = class extends HpkeError {
  };
  var OpenError = class extends HpkeError {
  };
  var MessageLimitReachedError = class extends HpkeError {
  };
  var DeriveKeyPairError = class extends HpkeError {
  };
  var NotSupportedError = class extends HpkeError {
  };
  var dntGlobals = {};
  var dntGlobalThis = createMergeProxy(globalThis, dntGlobals);
  function createMergeProxy(baseObj, extObj) {
    return new Proxy(baseObj, {
      get(_target, prop, _receiver) {
        if (prop in extObj) {
          return extObj[prop];
        } else {
          return baseObj[prop];
        }
      },
      set(_target, prop, value) {
        if (prop in extObj) {
          delete extObj[prop];
        }
        baseObj[prop] = value;
        return true;
      },
      deleteProperty(_target, prop) {
        let success = false;
        if (prop in extObj) {
          delete extObj[prop];
          success = true;
        }
        if (prop in baseObj) {
          delete baseObj[prop];
          success = true;
        }
        return success;
      },
      ownKeys(_target) {
        const baseKeys = Reflect.ownKeys(baseObj);
        const extKeys = Reflect.ownKeys(extObj);
        const extKeysSet = new Set(extKeys);
        return [...baseKeys.filter((k) => !extKeysSet.has(k)), ...extKeys];
      },
      defineProperty(_target, prop, desc) {
        if (prop in extObj) {
          delete extObj[prop];
        }
        Reflect.defineProperty(baseObj, prop, desc);
        return true;
      },
      getOwnPropertyDescriptor(_target, prop) {
        if (prop in extObj) {
          return Reflect.getOwnPropertyDescriptor(extObj, prop);
        } else {
          return Reflect.getOwnPropertyDescriptor(baseObj, prop);
        }
      },
      has(_target, prop) {
        return prop in extObj || prop in baseObj;
      }
    });
  }
  async function loadSubtleCrypto() {
    if (dntGlobalThis !== void 0 && globalThis.crypto !== void 0) {
      return globalThis.crypto.subtle;
    }
    try {
      const { webcrypto } = await import("crypto");
      return webcrypto.subtle;
    } catch (e) {
      throw new NotSupportedError(e);
    }
  }
  var NativeAlgorithm = class {
    constructor() {
      Object.defineProperty(this, "_api", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
    }
    async _setup() {
      if (this._api !== void 0) {
        return;
      }
      this._api = await loadSubtleCrypto();
    }
  };
  var Mode = {
    Base: 0,
    Psk: 1,
    Auth: 2,
    AuthPsk: 3
  };
  var KemId = {
    NotAssigned: 0,
    DhkemP256HkdfSha256: 16,
    DhkemP384HkdfSha384: 17,
    DhkemP521HkdfSha512: 18,
    DhkemSecp256k1HkdfSha256: 19,
    DhkemX25519HkdfSha256: 32,
    DhkemX448HkdfSha512: 33,
    HybridkemX25519Kyber768: 48,
    MlKem512: 64,
    MlKem768: 65,
    MlKem1024: 66,
    XWing: 25722
  };
  var KdfId = {
    HkdfSha256: 1,
    HkdfSha384: 2,
    HkdfSha512: 3,
    Sha3256: 4,
    Sha3384: 5,
    Sha3512: 6,
    Shake128: 16,
    Shake256: 17,
    TurboShake128: 18,
    TurboShake256: 19
  };
  var AeadId = {
    Aes128Gcm: 1,
    Aes256Gcm: 2,
    Chacha20Poly1305: 3,
    ExportOnly: 65535
  };
  var INPUT_LENGTH_LIMIT = 8192;
  var INFO_LENGTH_LIMIT = 268435456;
  var MINIMUM_PSK_LENGTH = 32;
  var EMPTY = /* @__PURE__ */ new Uint8Array(0);
  var N_0 = 0n;
  var N_1 = 1n;
  var N_2 = 2n;
  var SUITE_ID_HEADER_KEM = /* @__PURE__ */ new Uint8Array([
    75,
    69,
    77,
    0,
    0
  ]);
  var HPKE_VERSION = /* @__PURE__ */ new Uint8Array([
    72,
    80,
    75,
    69,
    45,
    118,
    49
  ]);
  function toUint8Array(input) {
    return new Uint8Array(toArrayBuffer(input));
  }
  function toArrayBuffer(input) {
    if (input instanceof ArrayBuffer) {
      return input;
    }
    if (ArrayBuffer.isView(input)) {
      return new Uint8Array(input.buffer, input.byteOffset, input.byteLength).slice().buffer;
    }
    return new Uint8Array(input).slice().buffer;
  }
  var HkdfNative = class extends NativeAlgorithm {
    constructor() {
      super();
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: KdfId.HkdfSha256
      });
      Object.defineProperty(this, "hashSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_suiteId", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: EMPTY
      });
      Object.defineProperty(this, "algHash", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: {
          name: "HMAC",
          hash: "SHA-256",
          length: 256
        }
      });
    }
    init(suiteId) {
      this._suiteId = suiteId;
    }
    buildLabeledIkm(label, ikm) {
      this._checkInit();
      const ret = new Uint8Array(7 + this._suiteId.byteLength + label.byteLength + ikm.byteLength);
      ret.set(HPKE_VERSION, 0);
      ret.set(this._suiteId, 7);
      ret.set(label, 7 + this._suiteId.byteLength);
      ret.set(ikm, 7 + this._suiteId.byteLength + label.byteLength);
      return ret;
    }
    buildLabeledInfo(label, info, len) {
      this._checkInit();
      const ret = new Uint8Array(9 + this._suiteId.byteLength + label.byteLength + info.byteLength);
      ret.set(new Uint8Array([0, len]), 0);
      ret.set(HPKE_VERSION, 2);
      ret.set(this._suiteId, 9);
      ret.set(label, 9 + this._suiteId.byteLength);
      ret.set(info, 9 + this._suiteId.byteLength + label.byteLength);
      return ret;
    }
    async extract(salt, ikm) {
      await this._setup();
      const saltBuf = salt.byteLength === 0 ? new ArrayBuffer(this.hashSize) : toArrayBuffer(salt);
      if (saltBuf.byteLength !== this.hashSize) {
        throw new InvalidParamError("The salt length must be the same as the hashSize");
      }
      const ikmBuf = toArrayBuffer(ikm);
      const key = await this._api.importKey("raw", saltBuf, this.algHash, false, [
        "sign"
      ]);
      return await this._api.sign("HMAC", key, ikmBuf);
    }
    async expand(prk, info, len) {
      await this._setup();
      const prkBuf = toArrayBuffer(prk);
      const key = await this._api.importKey("raw", prkBuf, this.algHash, false, [
        "sign"
      ]);
      const okm = new ArrayBuffer(len);
      const okmBytes = new Uint8Array(okm);
      let prev = EMPTY;
      const mid = toUint8Array(info);
      const tail = new Uint8Array(1);
      if (len > 255 * this.hashSize) {
        throw new Error("Entropy limit reached");
      }
      const tmp2 = new Uint8Array(this.hashSize + mid.length + 1);
      for (let i = 1, cur = 0; cur < okmBytes.length; i++) {
        tail[0] = i;
        tmp2.set(prev, 0);
        tmp2.set(mid, prev.length);
        tmp2.set(tail, prev.length + mid.length);
        prev = new Uint8Array(await this._api.sign("HMAC", key, tmp2.slice(0, prev.length + mid.length + 1)));
        if (okmBytes.length - cur >= prev.length) {
          okmBytes.set(prev, cur);
          cur += prev.length;
        } else {
          okmBytes.set(prev.slice(0, okmBytes.length - cur), cur);
          cur += okmBytes.length - cur;
        }
      }
      return okm;
    }
    async extractAndExpand(salt, ikm, info, len) {
      await this._setup();
      const ikmBuf = toArrayBuffer(ikm);
      const baseKey = await this._api.importKey("raw", ikmBuf, "HKDF", false, ["deriveBits"]);
      return await this._api.deriveBits({
        name: "HKDF",
        hash: this.algHash.hash,
        salt: toArrayBuffer(salt),
        info: toArrayBuffer(info)
      }, baseKey, len * 8);
    }
    async labeledExtract(salt, label, ikm) {
      return await this.extract(salt, this.buildLabeledIkm(label, ikm));
    }
    async labeledExpand(prk, label, info, len) {
      return await this.expand(prk, this.buildLabeledInfo(label, info, len), len);
    }
    _checkInit() {
      if (this._suiteId === EMPTY) {
        throw new Error("Not initialized. Call init()");
      }
    }
  };
  var HkdfSha256Native = class extends HkdfNative {
    constructor() {
      super(...arguments);
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: KdfId.HkdfSha256
      });
      Object.defineProperty(this, "hashSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
      Object.defineProperty(this, "algHash", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: {
          name: "HMAC",
          hash: "SHA-256",
          length: 256
        }
      });
    }
  };
  var isCryptoKeyPair = (x2) => typeof x2 === "object" && x2 !== null && typeof x2.privateKey === "object" && typeof x2.publicKey === "object";
  function i2Osp(n, w) {
    if (w <= 0) {
      throw new Error("i2Osp: too small size");
    }
    if (n >= 256 ** w) {
      throw new Error("i2Osp: too large integer");
    }
    const ret = new Uint8Array(w);
    for (let i = 0; i < w && n; i++) {
      ret[w - (i + 1)] = n % 256;
      n = Math.floor(n / 256);
    }
    return ret;
  }
  function concat(a, b) {
    const ret = new Uint8Array(a.length + b.length);
    ret.set(a, 0);
    ret.set(b, a.length);
    return ret;
  }
  function base64UrlToBytes(v) {
    const base64 = v.replace(/-/g, "+").replace(/_/g, "/");
    const byteString = atob(base64);
    const ret = new Uint8Array(byteString.length);
    for (let i = 0; i < byteString.length; i++) {
      ret[i] = byteString.charCodeAt(i);
    }
    return ret;
  }
  async function loadCrypto() {
    if (typeof dntGlobalThis !== "undefined" && globalThis.crypto !== void 0) {
      return globalThis.crypto;
    }
    try {
      const { webcrypto } = await import("crypto");
      return webcrypto;
    } catch (_e) {
      throw new Error("failed to load Crypto");
    }
  }
  function xor(a, b) {
    if (a.byteLength !== b.byteLength) {
      throw new Error("xor: different length inputs");
    }
    const buf = new Uint8Array(a.byteLength);
    for (let i = 0; i < a.byteLength; i++) {
      buf[i] = a[i] ^ b[i];
    }
    return buf;
  }
  var LABEL_EAE_PRK = /* @__PURE__ */ new Uint8Array([
    101,
    97,
    101,
    95,
    112,
    114,
    107
  ]);
  var LABEL_SHARED_SECRET = /* @__PURE__ */ new Uint8Array([
    115,
    104,
    97,
    114,
    101,
    100,
    95,
    115,
    101,
    99,
    114,
    101,
    116
  ]);
  function concat3(a, b, c) {
    const ret = new Uint8Array(a.length + b.length + c.length);
    ret.set(a, 0);
    ret.set(b, a.length);
    ret.set(c, a.length + b.length);
    return ret;
  }
  var Dhkem = class {
    constructor(id, prim, kdf2) {
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "secretSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "encSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "publicKeySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "privateKeySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_prim", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_kdf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this.id = id;
      this._prim = prim;
      this._kdf = kdf2;
      const suiteId = new Uint8Array(SUITE_ID_HEADER_KEM);
      suiteId.set(i2Osp(this.id, 2), 3);
      this._kdf.init(suiteId);
    }
    async serializePublicKey(key) {
      return await this._prim.serializePublicKey(key);
    }
    async deserializePublicKey(key) {
      return await this._prim.deserializePublicKey(toArrayBuffer(key));
    }
    async serializePrivateKey(key) {
      return await this._prim.serializePrivateKey(key);
    }
    async deserializePrivateKey(key) {
      return await this._prim.deserializePrivateKey(toArrayBuffer(key));
    }
    async importKey(format, key, isPublic = true) {
      return await this._prim.importKey(format, key, isPublic);
    }
    async generateKeyPair() {
      return await this._prim.generateKeyPair();
    }
    async deriveKeyPair(ikm) {
      const rawIkm = toArrayBuffer(ikm);
      if (rawIkm.byteLength > INPUT_LENGTH_LIMIT) {
        throw new InvalidParamError("Too long ikm");
      }
      return await this._prim.deriveKeyPair(rawIkm);
    }
    async encap(params) {
      let ke;
      if (params.ekm === void 0) {
        ke = await this.generateKeyPair();
      } else if (isCryptoKeyPair(params.ekm)) {
        ke = params.ekm;
      } else {
        ke = await this.deriveKeyPair(params.ekm);
      }
      const enc = await this._prim.serializePublicKey(ke.publicKey);
      const pkrm = await this._prim.serializePublicKey(params.recipientPublicKey);
      try {
        let dh;
        if (params.senderKey === void 0) {
          dh = new Uint8Array(await this._prim.dh(ke.privateKey, params.recipientPublicKey));
        } else {
          const sks = isCryptoKeyPair(params.senderKey) ? params.senderKey.privateKey : params.senderKey;
          const dh1 = new Uint8Array(await this._prim.dh(ke.privateKey, params.recipientPublicKey));
          const dh2 = new Uint8Array(await this._prim.dh(sks, params.recipientPublicKey));
          dh = concat(dh1, dh2);
        }
        let kemContext;
        if (params.senderKey === void 0) {
          kemContext = concat(new Uint8Array(enc), new Uint8Array(pkrm));
        } else {
          const pks = isCryptoKeyPair(params.senderKey) ? params.senderKey.publicKey : await this._prim.derivePublicKey(params.senderKey);
          const pksm = await this._prim.serializePublicKey(pks);
          kemContext = concat3(new Uint8Array(enc), new Uint8Array(pkrm), new Uint8Array(pksm));
        }
        const sharedSecret = await this._generateSharedSecret(dh, kemContext);
        return {
          enc,
          sharedSecret
        };
      } catch (e) {
        throw new EncapError(e);
      }
    }
    async decap(params) {
      const enc = toArrayBuffer(params.enc);
      const pke = await this._prim.deserializePublicKey(enc);
      const skr = isCryptoKeyPair(params.recipientKey) ? params.recipientKey.privateKey : params.recipientKey;
      const pkr = isCryptoKeyPair(params.recipientKey) ? params.recipientKey.publicKey : await this._prim.derivePublicKey(params.recipientKey);
      const pkrm = await this._prim.serializePublicKey(pkr);
      try {
        let dh;
        if (params.senderPublicKey === void 0) {
          dh = new Uint8Array(await this._prim.dh(skr, pke));
        } else {
          const dh1 = new Uint8Array(await this._prim.dh(skr, pke));
          const dh2 = new Uint8Array(await this._prim.dh(skr, params.senderPublicKey));
          dh = concat(dh1, dh2);
        }
        let kemContext;
        if (params.senderPublicKey === void 0) {
          kemContext = concat(new Uint8Array(enc), new Uint8Array(pkrm));
        } else {
          const pksm = await this._prim.serializePublicKey(params.senderPublicKey);
          kemContext = new Uint8Array(enc.byteLength + pkrm.byteLength + pksm.byteLength);
          kemContext.set(new Uint8Array(enc), 0);
          kemContext.set(new Uint8Array(pkrm), enc.byteLength);
          kemContext.set(new Uint8Array(pksm), enc.byteLength + pkrm.byteLength);
        }
        return await this._generateSharedSecret(dh, kemContext);
      } catch (e) {
        throw new DecapError(e);
      }
    }
    async _generateSharedSecret(dh, kemContext) {
      const labeledIkm = this._kdf.buildLabeledIkm(LABEL_EAE_PRK, dh);
      const labeledInfo = this._kdf.buildLabeledInfo(LABEL_SHARED_SECRET, kemContext, this.secretSize);
      return await this._kdf.extractAndExpand(EMPTY, labeledIkm, labeledInfo, this.secretSize);
    }
  };
  var KEM_USAGES = ["deriveBits"];
  var LABEL_DKP_PRK = /* @__PURE__ */ new Uint8Array([
    100,
    107,
    112,
    95,
    112,
    114,
    107
  ]);
  var LABEL_SK = /* @__PURE__ */ new Uint8Array([115, 107]);
  var EC_P_521_PARAMS = {
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    gx: 0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
    coordinateSize: 66
  };
  var XCryptoKey = class {
    constructor(name, key, type, usages = []) {
      Object.defineProperty(this, "key", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "type", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "extractable", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: true
      });
      Object.defineProperty(this, "algorithm", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "usages", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this.key = key;
      this.type = type;
      this.algorithm = { name };
      this.usages = usages;
      if (type === "public") {
        this.usages = [];
      }
    }
  };
  var XCurveDhkemPrimitives = class {
    constructor(algName, keySize, curve, hkdf) {
      Object.defineProperty(this, "_algName", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_curve", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_hkdf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nPk", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nSk", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this._algName = algName;
      this._nPk = keySize;
      this._nSk = keySize;
      this._curve = curve;
      this._hkdf = hkdf;
    }
    serializePublicKey(key) {
      try {
        return Promise.resolve(key.key.buffer);
      } catch (e) {
        return Promise.reject(new SerializeError(e));
      }
    }
    async deserializePublicKey(key) {
      try {
        return await this._importRawKey(toArrayBuffer(key), true);
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    serializePrivateKey(key) {
      try {
        return Promise.resolve(key.key.buffer);
      } catch (e) {
        return Promise.reject(new SerializeError(e));
      }
    }
    async deserializePrivateKey(key) {
      try {
        return await this._importRawKey(toArrayBuffer(key), false);
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    async importKey(format, key, isPublic) {
      try {
        if (format === "raw") {
          return await this._importRawKey(key, isPublic);
        }
        if (key instanceof ArrayBuffer) {
          throw new Error("Invalid jwk key format");
        }
        return await this._importJWK(key, isPublic);
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    async generateKeyPair() {
      try {
        const rawSk = await this._curve.utils.randomSecretKey();
        const sk = new XCryptoKey(this._algName, rawSk, "private", KEM_USAGES);
        const pk = await this.derivePublicKey(sk);
        return { publicKey: pk, privateKey: sk };
      } catch (e) {
        throw new NotSupportedError(e);
      }
    }
    async deriveKeyPair(ikm) {
      try {
        const rawIkm = toArrayBuffer(ikm);
        const dkpPrk = await this._hkdf.labeledExtract(EMPTY.buffer, LABEL_DKP_PRK, new Uint8Array(rawIkm));
        const rawSk = await this._hkdf.labeledExpand(dkpPrk, LABEL_SK, EMPTY, this._nSk);
        const sk = new XCryptoKey(this._algName, new Uint8Array(rawSk), "private", KEM_USAGES);
        return {
          privateKey: sk,
          publicKey: await this.derivePublicKey(sk)
        };
      } catch (e) {
        throw new DeriveKeyPairError(e);
      }
    }
    derivePublicKey(key) {
      try {
        const pk = this._curve.getPublicKey(key.key);
        return Promise.resolve(new XCryptoKey(this._algName, pk, "public"));
      } catch (e) {
        return Promise.reject(new DeserializeError(e));
      }
    }
    dh(sk, pk) {
      try {
        return Promise.resolve(this._curve.getSharedSecret(sk.key, pk.key).buffer);
      } catch (e) {
        return Promise.reject(new SerializeError(e));
      }
    }
    _importRawKey(key, isPublic) {
      return new Promise((resolve, reject) => {
        if (isPublic && key.byteLength !== this._nPk) {
          reject(new Error("Invalid length of the key"));
        }
        if (!isPublic && key.byteLength !== this._nSk) {
          reject(new Error("Invalid length of the key"));
        }
        resolve(new XCryptoKey(this._algName, new Uint8Array(key), isPublic ? "public" : "private", isPublic ? [] : KEM_USAGES));
      });
    }
    _importJWK(key, isPublic) {
      return new Promise((resolve, reject) => {
        if (key.kty !== "OKP") {
          reject(new Error(`Invalid kty: ${key.kty}`));
        }
        if (key.crv !== this._algName) {
          reject(new Error(`Invalid crv: ${key.crv}`));
        }
        if (isPublic) {
          if (typeof key.d !== "undefined") {
            reject(new Error("Invalid key: `d` should not be set"));
          }
          if (typeof key.x !== "string") {
            reject(new Error("Invalid key: `x` not found"));
          }
          resolve(new XCryptoKey(this._algName, base64UrlToBytes(key.x), "public"));
        } else {
          if (typeof key.d !== "string") {
            reject(new Error("Invalid key: `d` not found"));
          }
          resolve(new XCryptoKey(this._algName, base64UrlToBytes(key.d), "private", KEM_USAGES));
        }
      });
    }
  };
  var AEAD_USAGES = ["encrypt", "decrypt"];
  function isBytes(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array";
  }
  function anumber(n, title = "") {
    if (!Number.isSafeInteger(n) || n < 0) {
      const prefix = title && `"${title}" `;
      throw new Error(`${prefix}expected integer >0, got ${n}`);
    }
  }
  function abytes(value, length, title = "") {
    const bytes = isBytes(value);
    const len = value?.length;
    const needsLen = length !== void 0;
    if (!bytes || needsLen && len !== length) {
      const prefix = title && `"${title}" `;
      const ofLen = needsLen ? ` of length ${length}` : "";
      const got = bytes ? `length=${len}` : `type=${typeof value}`;
      throw new Error(prefix + "expected Uint8Array" + ofLen + ", got " + got);
    }
    return value;
  }
  function aexists(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("Hash instance has been destroyed");
    if (checkFinished && instance.finished) {
      throw new Error("Hash#digest() has already been called");
    }
  }
  function aoutput(out, instance) {
    abytes(out, void 0, "digestInto() output");
    const min = instance.outputLen;
    if (out.length < min) {
      throw new Error('"digestInto() output" expected to be of length >=' + min);
    }
  }
  function abignumer(n) {
    if (typeof n === "bigint") {
      if (!isPosBig(n))
        throw new Error("positive bigint expected, got " + n);
    } else
      anumber(n);
    return n;
  }
  function clean(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  var _endianTestBuffer = /* @__PURE__ */ new Uint32Array([287454020]);
  var _endianTestBytes = /* @__PURE__ */ new Uint8Array(_endianTestBuffer.buffer);
  var isLE = _endianTestBytes[0] === 68;
  function createView(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function rotr(word, shift) {
    return word << 32 - shift | word >>> shift;
  }
  var hasHexBuiltin = /* @__PURE__ */ (() => (
    // @ts-ignore: to use toHex
    typeof Uint8Array.from([]).toHex === "function" && // @ts-ignore: to use fromHex
    typeof Uint8Array.fromHex === "function"
  ))();
  var hexes = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  var HEX_TO_BIGINT = [
    0n,
    1n,
    2n,
    3n,
    4n,
    5n,
    6n,
    7n,
    8n,
    9n,
    10n,
    11n,
    12n,
    13n,
    14n,
    15n
  ];
  function bytesToHex(bytes) {
    abytes(bytes);
    if (hasHexBuiltin)
      return bytes.toHex();
    let hex2 = "";
    for (let i = 0; i < bytes.length; i++) {
      hex2 += hexes[bytes[i]];
    }
    return hex2;
  }
  var asciis = { _0: 48, _9: 57, A: 65, F: 70, a: 97, f: 102 };
  function asciiToBase16(ch) {
    if (ch >= asciis._0 && ch <= asciis._9)
      return ch - asciis._0;
    if (ch >= asciis.A && ch <= asciis.F)
      return ch - (asciis.A - 10);
    if (ch >= asciis.a && ch <= asciis.f)
      return ch - (asciis.a - 10);
    return;
  }
  function hexToBytes(hex2) {
    if (typeof hex2 !== "string") {
      throw new Error("hex string expected, got " + typeof hex2);
    }
    if (hasHexBuiltin)
      return Uint8Array.fromHex(hex2);
    const hl = hex2.length;
    const al = hl / 2;
    if (hl % 2) {
      throw new Error("hex string expected, got unpadded hex of length " + hl);
    }
    const array = new Uint8Array(al);
    for (let ai = 0, hi = 0; ai < al; ai++, hi += 2) {
      const n1 = asciiToBase16(hex2.charCodeAt(hi));
      const n2 = asciiToBase16(hex2.charCodeAt(hi + 1));
      if (n1 === void 0 || n2 === void 0) {
        const char = hex2[hi] + hex2[hi + 1];
        throw new Error('hex string expected, got non-hex character "' + char + '" at index ' + hi);
      }
      array[ai] = n1 * 16 + n2;
    }
    return array;
  }
  function hexToNumber(hex2) {
    if (typeof hex2 !== "string") {
      throw new Error("hex string expected, got " + typeof hex2);
    }
    let out = N_0;
    for (let i = 0; i < hex2.length; i++) {
      const n = asciiToBase16(hex2.charCodeAt(i));
      if (n === void 0) {
        throw new Error('hex string expected, got non-hex character "' + hex2[i] + '" at index ' + i);
      }
      out = out << 4n | HEX_TO_BIGINT[n];
    }
    return out;
  }
  function numberToBigint(num) {
    anumber(num, "numberToBigint");
    let n = num;
    let out = N_0;
    let bit = 1n;
    while (n > 0) {
      if (n % 2 === 1)
        out += bit;
      n = Math.floor(n / 2);
      bit <<= 1n;
    }
    return out;
  }
  function bytesToNumberLE(bytes) {
    return hexToNumber(bytesToHex(copyBytes(abytes(bytes)).reverse()));
  }
  function numberToBytesBE(n, len) {
    anumber(len);
    n = abignumer(n);
    const res = hexToBytes(n.toString(16).padStart(len * 2, "0"));
    if (res.length !== len)
      throw new Error("number too large");
    return res;
  }
  function numberToBytesLE(n, len) {
    return numberToBytesBE(n, len).reverse();
  }
  function copyBytes(bytes) {
    return Uint8Array.from(bytes);
  }
  function isPosBig(n) {
    return typeof n === "bigint" && N_0 <= n;
  }
  function inRange(n, min, max) {
    return isPosBig(n) && isPosBig(min) && isPosBig(max) && min <= n && n < max;
  }
  function aInRange(title, n, min, max) {
    if (!inRange(n, min, max)) {
      throw new Error("expected valid " + title + ": " + min + " <= n < " + max + ", got " + n);
    }
  }
  function validateObject(object, fields = {}, optFields = {}) {
    if (!object || typeof object !== "object") {
      throw new Error("expected valid options object");
    }
    function checkField(fieldName, expectedType, isOpt) {
      const val = object[fieldName];
      if (isOpt && val === void 0)
        return;
      const current = typeof val;
      if (current !== expectedType || val === null) {
        throw new Error(`param "${fieldName}" is invalid: expected ${expectedType}, got ${current}`);
      }
    }
    const iter = (f, isOpt) => Object.entries(f).forEach(([k, v]) => checkField(k, v, isOpt));
    iter(fields, false);
    iter(optFields, true);
  }
  async function randomBytesAsync(bytesLength = 32) {
    const api = await loadCrypto();
    const rnd = new Uint8Array(bytesLength);
    api.getRandomValues(rnd);
    return rnd;
  }
  function oidNist(suffix) {
    return {
      oid: Uint8Array.from([
        6,
        9,
        96,
        134,
        72,
        1,
        101,
        3,
        4,
        2,
        suffix
      ])
    };
  }
  function ahash(h) {
    if (typeof h !== "function" || typeof h.create !== "function") {
      throw new Error("Hash must wrapped by utils.createHasher");
    }
    anumber(h.outputLen);
    anumber(h.blockLen);
  }
  function createHasher(hashCons, info = {}) {
    const hashFn = (msg, opts) => hashCons(opts).update(msg).digest();
    const tmp2 = hashCons(void 0);
    const hashC = Object.assign(hashFn, {
      outputLen: tmp2.outputLen,
      blockLen: tmp2.blockLen,
      create: (opts) => hashCons(opts),
      ...info
    });
    return Object.freeze(hashC);
  }
  var _HMAC = class {
    constructor(hash, key) {
      Object.defineProperty(this, "oHash", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "iHash", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "blockLen", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "outputLen", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "finished", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      Object.defineProperty(this, "destroyed", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      ahash(hash);
      abytes(key, void 0, "key");
      this.iHash = hash.create();
      if (typeof this.iHash.update !== "function") {
        throw new Error("Expected instance of class which extends utils.Hash");
      }
      this.blockLen = this.iHash.blockLen;
      this.outputLen = this.iHash.outputLen;
      const blockLen = this.blockLen;
      const pad = new Uint8Array(blockLen);
      pad.set(key.length > blockLen ? hash.create().update(key).digest() : key);
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54;
      this.iHash.update(pad);
      this.oHash = hash.create();
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54 ^ 92;
      this.oHash.update(pad);
      clean(pad);
    }
    update(buf) {
      aexists(this);
      this.iHash.update(buf);
      return this;
    }
    digestInto(out) {
      aexists(this);
      abytes(out, this.outputLen, "output");
      this.finished = true;
      this.iHash.digestInto(out);
      this.oHash.update(out);
      this.oHash.digestInto(out);
      this.destroy();
    }
    digest() {
      const out = new Uint8Array(this.oHash.outputLen);
      this.digestInto(out);
      return out;
    }
    _cloneInto(to) {
      to ||= Object.create(Object.getPrototypeOf(this), {});
      const { oHash, iHash, finished, destroyed, blockLen, outputLen } = this;
      to = to;
      to.finished = finished;
      to.destroyed = destroyed;
      to.blockLen = blockLen;
      to.outputLen = outputLen;
      to.oHash = oHash._cloneInto(to.oHash);
      to.iHash = iHash._cloneInto(to.iHash);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
    destroy() {
      this.destroyed = true;
      this.oHash.destroy();
      this.iHash.destroy();
    }
  };
  var hmac = (hash, key, message) => new _HMAC(hash, key).update(message).digest();
  hmac.create = (hash, key) => new _HMAC(hash, key);
  function Chi(a, b, c) {
    return a & b ^ ~a & c;
  }
  function Maj(a, b, c) {
    return a & b ^ a & c ^ b & c;
  }
  var HashMD = class {
    constructor(blockLen, outputLen, padOffset, isLE32) {
      Object.defineProperty(this, "blockLen", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "outputLen", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "padOffset", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "isLE", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "buffer", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "view", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "finished", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      Object.defineProperty(this, "length", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "pos", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "destroyed", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      this.blockLen = blockLen;
      this.outputLen = outputLen;
      this.padOffset = padOffset;
      this.isLE = isLE32;
      this.buffer = new Uint8Array(blockLen);
      this.view = createView(this.buffer);
    }
    update(data) {
      aexists(this);
      abytes(data);
      const { view, buffer, blockLen } = this;
      const len = data.length;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        if (take === blockLen) {
          const dataView = createView(data);
          for (; blockLen <= len - pos; pos += blockLen) {
            this.process(dataView, pos);
          }
          continue;
        }
        buffer.set(data.subarray(pos, pos + take), this.pos);
        this.pos += take;
        pos += take;
        if (this.pos === blockLen) {
          this.process(view, 0);
          this.pos = 0;
        }
      }
      this.length += data.length;
      this.roundClean();
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const { buffer, view, blockLen, isLE: isLE32 } = this;
      let { pos } = this;
      buffer[pos++] = 128;
      clean(this.buffer.subarray(pos));
      if (this.padOffset > blockLen - pos) {
        this.process(view, 0);
        pos = 0;
      }
      for (let i = pos; i < blockLen; i++)
        buffer[i] = 0;
      view.setBigUint64(blockLen - 8, numberToBigint(this.length * 8), isLE32);
      this.process(view, 0);
      const oview = createView(out);
      const len = this.outputLen;
      if (len % 4)
        throw new Error("_sha2: outputLen must be aligned to 32bit");
      const outLen = len / 4;
      const state = this.get();
      if (outLen > state.length) {
        throw new Error("_sha2: outputLen bigger than state");
      }
      for (let i = 0; i < outLen; i++)
        oview.setUint32(4 * i, state[i], isLE32);
    }
    digest() {
      const { buffer, outputLen } = this;
      this.digestInto(buffer);
      const res = buffer.slice(0, outputLen);
      this.destroy();
      return res;
    }
    _cloneInto(to) {
      to ||= new this.constructor();
      to.set(...this.get());
      const { blockLen, buffer, length, finished, destroyed, pos } = this;
      to.destroyed = destroyed;
      to.finished = finished;
      to.length = length;
      to.pos = pos;
      if (length % blockLen)
        to.buffer.set(buffer);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
  };
  var SHA256_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    3144134277,
    1013904242,
    2773480762,
    1359893119,
    2600822924,
    528734635,
    1541459225
  ]);
  var U32_MASK64 = 0xffffffffn;
  var _32n = 32n;
  function fromBig(n, le = false) {
    if (le) {
      return { h: Number(n & U32_MASK64), l: Number(n >> _32n & U32_MASK64) };
    }
    return {
      h: Number(n >> _32n & U32_MASK64) | 0,
      l: Number(n & U32_MASK64) | 0
    };
  }
  function split(lst, le = false) {
    const len = lst.length;
    const Ah = new Uint32Array(len);
    const Al = new Uint32Array(len);
    for (let i = 0; i < len; i++) {
      const { h, l } = fromBig(lst[i], le);
      [Ah[i], Al[i]] = [h, l];
    }
    return [Ah, Al];
  }
  var SHA256_K = /* @__PURE__ */ Uint32Array.from([
    1116352408,
    1899447441,
    3049323471,
    3921009573,
    961987163,
    1508970993,
    2453635748,
    2870763221,
    3624381080,
    310598401,
    607225278,
    1426881987,
    1925078388,
    2162078206,
    2614888103,
    3248222580,
    3835390401,
    4022224774,
    264347078,
    604807628,
    770255983,
    1249150122,
    1555081692,
    1996064986,
    2554220882,
    2821834349,
    2952996808,
    3210313671,
    3336571891,
    3584528711,
    113926993,
    338241895,
    666307205,
    773529912,
    1294757372,
    1396182291,
    1695183700,
    1986661051,
    2177026350,
    2456956037,
    2730485921,
    2820302411,
    3259730800,
    3345764771,
    3516065817,
    3600352804,
    4094571909,
    275423344,
    430227734,
    506948616,
    659060556,
    883997877,
    958139571,
    1322822218,
    1537002063,
    1747873779,
    1955562222,
    2024104815,
    2227730452,
    2361852424,
    2428436474,
    2756734187,
    3204031479,
    3329325298
  ]);
  var SHA256_W = /* @__PURE__ */ new Uint32Array(64);
  var SHA2_32B = class extends HashMD {
    constructor(outputLen) {
      super(64, outputLen, 8, false);
    }
    get() {
      const { A, B, C, D, E, F, G, H } = this;
      return [A, B, C, D, E, F, G, H];
    }
    set(A, B, C, D, E, F, G, H) {
      this.A = A | 0;
      this.B = B | 0;
      this.C = C | 0;
      this.D = D | 0;
      this.E = E | 0;
      this.F = F | 0;
      this.G = G | 0;
      this.H = H | 0;
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4) {
        SHA256_W[i] = view.getUint32(offset, false);
      }
      for (let i = 16; i < 64; i++) {
        const W15 = SHA256_W[i - 15];
        const W2 = SHA256_W[i - 2];
        const s0 = rotr(W15, 7) ^ rotr(W15, 18) ^ W15 >>> 3;
        const s1 = rotr(W2, 17) ^ rotr(W2, 19) ^ W2 >>> 10;
        SHA256_W[i] = s1 + SHA256_W[i - 7] + s0 + SHA256_W[i - 16] | 0;
      }
      let { A, B, C, D, E, F, G, H } = this;
      for (let i = 0; i < 64; i++) {
        const sigma1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
        const T12 = H + sigma1 + Chi(E, F, G) + SHA256_K[i] + SHA256_W[i] | 0;
        const sigma0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
        const T22 = sigma0 + Maj(A, B, C) | 0;
        H = G;
        G = F;
        F = E;
        E = D + T12 | 0;
        D = C;
        C = B;
        B = A;
        A = T12 + T22 | 0;
      }
      A = A + this.A | 0;
      B = B + this.B | 0;
      C = C + this.C | 0;
      D = D + this.D | 0;
      E = E + this.E | 0;
      F = F + this.F | 0;
      G = G + this.G | 0;
      H = H + this.H | 0;
      this.set(A, B, C, D, E, F, G, H);
    }
    roundClean() {
      clean(SHA256_W);
    }
    destroy() {
      this.set(0, 0, 0, 0, 0, 0, 0, 0);
      clean(this.buffer);
    }
  };
  var _SHA256 = class extends SHA2_32B {
    constructor() {
      super(32);
      Object.defineProperty(this, "A", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[0] | 0
      });
      Object.defineProperty(this, "B", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[1] | 0
      });
      Object.defineProperty(this, "C", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[2] | 0
      });
      Object.defineProperty(this, "D", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[3] | 0
      });
      Object.defineProperty(this, "E", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[4] | 0
      });
      Object.defineProperty(this, "F", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[5] | 0
      });
      Object.defineProperty(this, "G", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[6] | 0
      });
      Object.defineProperty(this, "H", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: SHA256_IV[7] | 0
      });
    }
  };
  var sha256 = /* @__PURE__ */ createHasher(
    () => new _SHA256(),
    /* @__PURE__ */ oidNist(1)
  );
  var _0n = 0n;
  var _1n = 1n;
  var _2n = 2n;
  var _7n = 7n;
  var _256n = 256n;
  var _0x71n = 0x71n;
  var SHA3_PI = [];
  var SHA3_ROTL = [];
  var _SHA3_IOTA = [];
  for (let round = 0, R = _1n, x2 = 1, y = 0; round < 24; round++) {
    [x2, y] = [y, (2 * x2 + 3 * y) % 5];
    SHA3_PI.push(2 * (5 * y + x2));
    SHA3_ROTL.push((round + 1) * (round + 2) / 2 % 64);
    let t = _0n;
    for (let j = 0; j < 7; j++) {
      R = (R << _1n ^ (R >> _7n) * _0x71n) % _256n;
      if (R & _2n)
        t ^= _1n << (_1n << BigInt(j)) - _1n;
    }
    _SHA3_IOTA.push(t);
  }
  var IOTAS = split(_SHA3_IOTA, true);
  var SHA3_IOTA_H = IOTAS[0];
  var SHA3_IOTA_L = IOTAS[1];
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  function mod(a, b) {
    const result = a % b;
    return result >= N_0 ? result : b + result;
  }
  function pow2(x2, power, modulo) {
    let res = x2;
    while (power-- > N_0) {
      res *= res;
      res %= modulo;
    }
    return res;
  }
  function createKeygen(randomSecretKey, getPublicKey) {
    return function keygen(seed) {
      const secretKey = randomSecretKey(seed);
      return { secretKey, publicKey: getPublicKey(secretKey) };
    };
  }
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  function validateOpts(curve) {
    validateObject(curve, {
      adjustScalarBytes: "function",
      powPminus2: "function"
    });
    return Object.freeze({ ...curve });
  }
  function montgomery(curveDef) {
    const CURVE = validateOpts(curveDef);
    const { P, type, adjustScalarBytes: adjustScalarBytes2, powPminus2, randomBytes: rand } = CURVE;
    const is25519 = type === "x25519";
    if (!is25519 && type !== "x448")
      throw new Error("invalid type");
    const randomBytes_ = rand || randomBytesAsync;
    const montgomeryBits = is25519 ? 255n : 448n;
    const fieldLen = is25519 ? 32 : 56;
    const Gu = is25519 ? 9n : 5n;
    const a24 = is25519 ? 121665n : 39081n;
    const minScalar = is25519 ? N_2 ** 254n : N_2 ** 447n;
    const maxAdded = is25519 ? 8n * N_2 ** 251n - N_1 : 4n * N_2 ** 445n - N_1;
    const maxScalar = minScalar + maxAdded + N_1;
    const modP = (n) => mod(n, P);
    const GuBytes = encodeU(Gu);
    function encodeU(u) {
      return numberToBytesLE(modP(u), fieldLen);
    }
    function decodeU(u) {
      const _u = copyBytes(abytes(u, fieldLen, "uCoordinate"));
      if (is25519)
        _u[31] &= 127;
      return modP(bytesToNumberLE(_u));
    }
    function decodeScalar(scalar) {
      return bytesToNumberLE(adjustScalarBytes2(copyBytes(abytes(scalar, fieldLen, "scalar"))));
    }
    function scalarMult(scalar, u) {
      const pu = montgomeryLadder(decodeU(u), decodeScalar(scalar));
      if (pu === N_0)
        throw new Error("invalid private or public key received");
      return encodeU(pu);
    }
    function scalarMultBase(scalar) {
      return scalarMult(scalar, GuBytes);
    }
    const getPublicKey = scalarMultBase;
    const getSharedSecret2 = scalarMult;
    function cswap(swap, x_2, x_3) {
      const dummy = modP(swap * (x_2 - x_3));
      x_2 = modP(x_2 - dummy);
      x_3 = modP(x_3 + dummy);
      return { x_2, x_3 };
    }
    function montgomeryLadder(u, scalar) {
      aInRange("u", u, N_0, P);
      aInRange("scalar", scalar, minScalar, maxScalar);
      const k = scalar;
      const x_1 = u;
      let x_2 = N_1;
      let z_2 = N_0;
      let x_3 = u;
      let z_3 = N_1;
      let swap = N_0;
      for (let t = montgomeryBits - 1n; t >= N_0; t--) {
        const k_t = k >> t & N_1;
        swap ^= k_t;
        ({ x_2, x_3 } = cswap(swap, x_2, x_3));
        ({ x_2: z_2, x_3: z_3 } = cswap(swap, z_2, z_3));
        swap = k_t;
        const A = x_2 + z_2;
        const AA = modP(A * A);
        const B = x_2 - z_2;
        const BB = modP(B * B);
        const E = AA - BB;
        const C = x_3 + z_3;
        const D = x_3 - z_3;
        const DA = modP(D * A);
        const CB = modP(C * B);
        const dacb = DA + CB;
        const da_cb = DA - CB;
        x_3 = modP(dacb * dacb);
        z_3 = modP(x_1 * modP(da_cb * da_cb));
        x_2 = modP(AA * BB);
        z_2 = modP(E * (AA + modP(a24 * E)));
      }
      ({ x_2, x_3 } = cswap(swap, x_2, x_3));
      ({ x_2: z_2, x_3: z_3 } = cswap(swap, z_2, z_3));
      const z2 = powPminus2(z_2);
      return modP(x_2 * z2);
    }
    const lengths = {
      secretKey: fieldLen,
      publicKey: fieldLen,
      seed: fieldLen
    };
    const randomSecretKey = async (seed) => {
      if (seed === void 0) {
        seed = await randomBytes_(fieldLen);
      }
      abytes(seed, lengths.seed, "seed");
      return seed;
    };
    const utils = { randomSecretKey };
    return Object.freeze({
      keygen: createKeygen(randomSecretKey, getPublicKey),
      getSharedSecret: getSharedSecret2,
      getPublicKey,
      scalarMult,
      scalarMultBase,
      utils,
      GuBytes: GuBytes.slice(),
      lengths
    });
  }
  var AesGcmContext = class extends NativeAlgorithm {
    constructor(key) {
      super();
      Object.defineProperty(this, "_rawKey", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_key", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this._rawKey = toArrayBuffer(key);
    }
    async seal(iv, data, aad) {
      await this._setupKey();
      const alg = {
        name: "AES-GCM",
        iv: toArrayBuffer(iv),
        additionalData: toArrayBuffer(aad)
      };
      const ct = await this._api.encrypt(alg, this._key, toArrayBuffer(data));
      return ct;
    }
    async open(iv, data, aad) {
      await this._setupKey();
      const alg = {
        name: "AES-GCM",
        iv: toArrayBuffer(iv),
        additionalData: toArrayBuffer(aad)
      };
      const pt = await this._api.decrypt(alg, this._key, toArrayBuffer(data));
      return pt;
    }
    async _setupKey() {
      if (this._key !== void 0) {
        return;
      }
      await this._setup();
      const key = await this._importKey(this._rawKey);
      new Uint8Array(this._rawKey).fill(0);
      this._key = key;
      return;
    }
    async _importKey(key) {
      return await this._api.importKey("raw", key, { name: "AES-GCM" }, true, AEAD_USAGES);
    }
  };
  var Aes128Gcm = class {
    constructor() {
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: AeadId.Aes128Gcm
      });
      Object.defineProperty(this, "keySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 16
      });
      Object.defineProperty(this, "nonceSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 12
      });
      Object.defineProperty(this, "tagSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 16
      });
    }
    createEncryptionContext(key) {
      return new AesGcmContext(key);
    }
  };
  var Aes256Gcm = class extends Aes128Gcm {
    constructor() {
      super(...arguments);
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: AeadId.Aes256Gcm
      });
      Object.defineProperty(this, "keySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
      Object.defineProperty(this, "nonceSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 12
      });
      Object.defineProperty(this, "tagSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 16
      });
    }
  };
  var ExportOnly = class {
    constructor() {
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: AeadId.ExportOnly
      });
      Object.defineProperty(this, "keySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "nonceSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "tagSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
    }
    createEncryptionContext(_key) {
      throw new NotSupportedError("Export only");
    }
  };
  function emitNotSupported() {
    return new Promise((_resolve, reject) => {
      reject(new NotSupportedError("Not supported"));
    });
  }
  var LABEL_SEC = new Uint8Array([115, 101, 99]);
  var ExporterContextImpl = class {
    constructor(api, kdf2, exporterSecret) {
      Object.defineProperty(this, "_api", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "exporterSecret", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_kdf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this._api = api;
      this._kdf = kdf2;
      this.exporterSecret = exporterSecret;
    }
    async seal(_data, _aad) {
      return await emitNotSupported();
    }
    async open(_data, _aad) {
      return await emitNotSupported();
    }
    async export(exporterContext, len) {
      const rawExporterContext = toArrayBuffer(exporterContext);
      if (rawExporterContext.byteLength > INPUT_LENGTH_LIMIT) {
        throw new InvalidParamError("Too long exporter context");
      }
      try {
        return await this._kdf.labeledExpand(this.exporterSecret, LABEL_SEC, new Uint8Array(rawExporterContext), len);
      } catch (e) {
        throw new ExportError(e);
      }
    }
  };
  var RecipientExporterContextImpl = class extends ExporterContextImpl {
  };
  var SenderExporterContextImpl = class extends ExporterContextImpl {
    constructor(api, kdf2, exporterSecret, enc) {
      super(api, kdf2, exporterSecret);
      Object.defineProperty(this, "enc", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this.enc = enc;
      return;
    }
  };
  var EncryptionContextImpl = class extends ExporterContextImpl {
    constructor(api, kdf2, params) {
      super(api, kdf2, params.exporterSecret);
      Object.defineProperty(this, "_aead", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nK", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nN", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nT", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_ctx", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      if (params.key === void 0 || params.baseNonce === void 0 || params.seq === void 0) {
        throw new Error("Required parameters are missing");
      }
      this._aead = params.aead;
      this._nK = this._aead.keySize;
      this._nN = this._aead.nonceSize;
      this._nT = this._aead.tagSize;
      const key = this._aead.createEncryptionContext(params.key);
      this._ctx = {
        key,
        baseNonce: params.baseNonce,
        seq: params.seq
      };
    }
    computeNonce(k) {
      const seqBytes = i2Osp(k.seq, k.baseNonce.byteLength);
      return xor(k.baseNonce, seqBytes).buffer;
    }
    incrementSeq(k) {
      if (k.seq > Number.MAX_SAFE_INTEGER) {
        throw new MessageLimitReachedError("Message limit reached");
      }
      k.seq += 1;
      return;
    }
  };
  var __classPrivateFieldGet = function(receiver, state, kind, f) {
    if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a getter");
    if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot read private member from an object whose class did not declare it");
    return kind === "m" ? f : kind === "a" ? f.call(receiver) : f ? f.value : state.get(receiver);
  };
  var __classPrivateFieldSet = function(receiver, state, value, kind, f) {
    if (kind === "m") throw new TypeError("Private method is not writable");
    if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a setter");
    if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot write private member to an object whose class did not declare it");
    return kind === "a" ? f.call(receiver, value) : f ? f.value = value : state.set(receiver, value), value;
  };
  var _Mutex_locked;
  var Mutex = class {
    constructor() {
      _Mutex_locked.set(this, Promise.resolve());
    }
    async lock() {
      let releaseLock;
      const nextLock = new Promise((resolve) => {
        releaseLock = resolve;
      });
      const previousLock = __classPrivateFieldGet(this, _Mutex_locked, "f");
      __classPrivateFieldSet(this, _Mutex_locked, nextLock, "f");
      await previousLock;
      return releaseLock;
    }
  };
  _Mutex_locked = /* @__PURE__ */ new WeakMap();
  var __classPrivateFieldGet2 = function(receiver, state, kind, f) {
    if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a getter");
    if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot read private member from an object whose class did not declare it");
    return kind === "m" ? f : kind === "a" ? f.call(receiver) : f ? f.value : state.get(receiver);
  };
  var __classPrivateFieldSet2 = function(receiver, state, value, kind, f) {
    if (kind === "m") throw new TypeError("Private method is not writable");
    if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a setter");
    if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot write private member to an object whose class did not declare it");
    return kind === "a" ? f.call(receiver, value) : f ? f.value = value : state.set(receiver, value), value;
  };
  var _RecipientContextImpl_mutex;
  var RecipientContextImpl = class extends EncryptionContextImpl {
    constructor() {
      super(...arguments);
      _RecipientContextImpl_mutex.set(this, void 0);
    }
    async open(data, aad = EMPTY.buffer) {
      __classPrivateFieldSet2(this, _RecipientContextImpl_mutex, __classPrivateFieldGet2(this, _RecipientContextImpl_mutex, "f") ?? new Mutex(), "f");
      const release = await __classPrivateFieldGet2(this, _RecipientContextImpl_mutex, "f").lock();
      let pt;
      try {
        pt = await this._ctx.key.open(this.computeNonce(this._ctx), toArrayBuffer(data), toArrayBuffer(aad));
      } catch (e) {
        throw new OpenError(e);
      } finally {
        release();
      }
      this.incrementSeq(this._ctx);
      return pt;
    }
  };
  _RecipientContextImpl_mutex = /* @__PURE__ */ new WeakMap();
  var __classPrivateFieldGet3 = function(receiver, state, kind, f) {
    if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a getter");
    if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot read private member from an object whose class did not declare it");
    return kind === "m" ? f : kind === "a" ? f.call(receiver) : f ? f.value : state.get(receiver);
  };
  var __classPrivateFieldSet3 = function(receiver, state, value, kind, f) {
    if (kind === "m") throw new TypeError("Private method is not writable");
    if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a setter");
    if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot write private member to an object whose class did not declare it");
    return kind === "a" ? f.call(receiver, value) : f ? f.value = value : state.set(receiver, value), value;
  };
  var _SenderContextImpl_mutex;
  var SenderContextImpl = class extends EncryptionContextImpl {
    constructor(api, kdf2, params, enc) {
      super(api, kdf2, params);
      Object.defineProperty(this, "enc", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      _SenderContextImpl_mutex.set(this, void 0);
      this.enc = enc;
    }
    async seal(data, aad = EMPTY.buffer) {
      __classPrivateFieldSet3(this, _SenderContextImpl_mutex, __classPrivateFieldGet3(this, _SenderContextImpl_mutex, "f") ?? new Mutex(), "f");
      const release = await __classPrivateFieldGet3(this, _SenderContextImpl_mutex, "f").lock();
      let ct;
      try {
        ct = await this._ctx.key.seal(this.computeNonce(this._ctx), toArrayBuffer(data), toArrayBuffer(aad));
      } catch (e) {
        throw new SealError(e);
      } finally {
        release();
      }
      this.incrementSeq(this._ctx);
      return ct;
    }
  };
  _SenderContextImpl_mutex = /* @__PURE__ */ new WeakMap();
  var LABEL_BASE_NONCE = new Uint8Array([
    98,
    97,
    115,
    101,
    95,
    110,
    111,
    110,
    99,
    101
  ]);
  var LABEL_EXP = new Uint8Array([101, 120, 112]);
  var LABEL_INFO_HASH = new Uint8Array([
    105,
    110,
    102,
    111,
    95,
    104,
    97,
    115,
    104
  ]);
  var LABEL_KEY = new Uint8Array([107, 101, 121]);
  var LABEL_PSK_ID_HASH = new Uint8Array([
    112,
    115,
    107,
    95,
    105,
    100,
    95,
    104,
    97,
    115,
    104
  ]);
  var LABEL_SECRET = new Uint8Array([115, 101, 99, 114, 101, 116]);
  var SUITE_ID_HEADER_HPKE = new Uint8Array([
    72,
    80,
    75,
    69,
    0,
    0,
    0,
    0,
    0,
    0
  ]);
  var CipherSuiteNative = class extends NativeAlgorithm {
    /**
     * @param params A set of parameters for building a cipher suite.
     *
     * If the error occurred, throws {@link InvalidParamError}.
     *
     * @throws {@link InvalidParamError}
     */
    constructor(params) {
      super();
      Object.defineProperty(this, "_kem", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_kdf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_aead", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_suiteId", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      if (typeof params.kem === "number") {
        throw new InvalidParamError("KemId cannot be used");
      }
      this._kem = params.kem;
      if (typeof params.kdf === "number") {
        throw new InvalidParamError("KdfId cannot be used");
      }
      this._kdf = params.kdf;
      if (typeof params.aead === "number") {
        throw new InvalidParamError("AeadId cannot be used");
      }
      this._aead = params.aead;
      this._suiteId = new Uint8Array(SUITE_ID_HEADER_HPKE);
      this._suiteId.set(i2Osp(this._kem.id, 2), 4);
      this._suiteId.set(i2Osp(this._kdf.id, 2), 6);
      this._suiteId.set(i2Osp(this._aead.id, 2), 8);
      this._kdf.init(this._suiteId);
    }
    /**
     * Gets the KEM context of the ciphersuite.
     */
    get kem() {
      return this._kem;
    }
    /**
     * Gets the KDF context of the ciphersuite.
     */
    get kdf() {
      return this._kdf;
    }
    /**
     * Gets the AEAD context of the ciphersuite.
     */
    get aead() {
      return this._aead;
    }
    /**
     * Creates an encryption context for a sender.
     *
     * If the error occurred, throws {@link DecapError} | {@link ValidationError}.
     *
     * @param params A set of parameters for the sender encryption context.
     * @returns A sender encryption context.
     * @throws {@link EncapError}, {@link ValidationError}
     */
    async createSenderContext(params) {
      this._validateInputLength(params);
      await this._setup();
      const dh = await this._kem.encap(params);
      let mode;
      if (params.psk !== void 0) {
        mode = params.senderKey !== void 0 ? Mode.AuthPsk : Mode.Psk;
      } else {
        mode = params.senderKey !== void 0 ? Mode.Auth : Mode.Base;
      }
      return await this._keyScheduleS(mode, dh.sharedSecret, dh.enc, params);
    }
    /**
     * Creates an encryption context for a recipient.
     *
     * If the error occurred, throws {@link DecapError}
     * | {@link DeserializeError} | {@link ValidationError}.
     *
     * @param params A set of parameters for the recipient encryption context.
     * @returns A recipient encryption context.
     * @throws {@link DecapError}, {@link DeserializeError}, {@link ValidationError}
     */
    async createRecipientContext(params) {
      this._validateInputLength(params);
      await this._setup();
      const sharedSecret = await this._kem.decap(params);
      let mode;
      if (params.psk !== void 0) {
        mode = params.senderPublicKey !== void 0 ? Mode.AuthPsk : Mode.Psk;
      } else {
        mode = params.senderPublicKey !== void 0 ? Mode.Auth : Mode.Base;
      }
      return await this._keyScheduleR(mode, sharedSecret, params);
    }
    /**
     * Encrypts a message to a recipient.
     *
     * If the error occurred, throws `EncapError` | `MessageLimitReachedError` | `SealError` | `ValidationError`.
     *
     * @param params A set of parameters for building a sender encryption context.
     * @param pt A plain text as bytes to be encrypted.
     * @param aad Additional authenticated data as bytes fed by an application.
     * @returns A cipher text and an encapsulated key as bytes.
     * @throws {@link EncapError}, {@link MessageLimitReachedError}, {@link SealError}, {@link ValidationError}
     */
    async seal(params, pt, aad = EMPTY.buffer) {
      const ctx = await this.createSenderContext(params);
      return {
        ct: await ctx.seal(pt, aad),
        enc: ctx.enc
      };
    }
    /**
     * Decrypts a message from a sender.
     *
     * If the error occurred, throws `DecapError` | `DeserializeError` | `OpenError` | `ValidationError`.
     *
     * @param params A set of parameters for building a recipient encryption context.
     * @param ct An encrypted text as bytes to be decrypted.
     * @param aad Additional authenticated data as bytes fed by an application.
     * @returns A decrypted plain text as bytes.
     * @throws {@link DecapError}, {@link DeserializeError}, {@link OpenError}, {@link ValidationError}
     */
    async open(params, ct, aad = EMPTY.buffer) {
      const ctx = await this.createRecipientContext(params);
      return await ctx.open(ct, aad);
    }
    // private verifyPskInputs(mode: Mode, params: KeyScheduleParams) {
    //   const gotPsk = (params.psk !== undefined);
    //   const gotPskId = (params.psk !== undefined && params.psk.id.byteLength > 0);
    //   if (gotPsk !== gotPskId) {
    //     throw new Error('Inconsistent PSK inputs');
    //   }
    //   if (gotPsk && (mode === Mode.Base || mode === Mode.Auth)) {
    //     throw new Error('PSK input provided when not needed');
    //   }
    //   if (!gotPsk && (mode === Mode.Psk || mode === Mode.AuthPsk)) {
    //     throw new Error('Missing required PSK input');
    //   }
    //   return;
    // }
    async _keySchedule(mode, sharedSecret, params) {
      const pskId = params.psk === void 0 ? EMPTY : toUint8Array(params.psk.id);
      const pskIdHash = await this._kdf.labeledExtract(EMPTY, LABEL_PSK_ID_HASH, pskId);
      const info = params.info === void 0 ? EMPTY : toUint8Array(params.info);
      const infoHash = await this._kdf.labeledExtract(EMPTY, LABEL_INFO_HASH, info);
      const keyScheduleContext = new Uint8Array(1 + pskIdHash.byteLength + infoHash.byteLength);
      keyScheduleContext.set(new Uint8Array([mode]), 0);
      keyScheduleContext.set(new Uint8Array(pskIdHash), 1);
      keyScheduleContext.set(new Uint8Array(infoHash), 1 + pskIdHash.byteLength);
      const psk = params.psk === void 0 ? EMPTY : toUint8Array(params.psk.key);
      const ikm = this._kdf.buildLabeledIkm(LABEL_SECRET, psk);
      const exporterSecretInfo = this._kdf.buildLabeledInfo(LABEL_EXP, keyScheduleContext, this._kdf.hashSize);
      const exporterSecret = await this._kdf.extractAndExpand(sharedSecret, ikm, exporterSecretInfo, this._kdf.hashSize);
      if (this._aead.id === AeadId.ExportOnly) {
        return { aead: this._aead, exporterSecret };
      }
      const keyInfo = this._kdf.buildLabeledInfo(LABEL_KEY, keyScheduleContext, this._aead.keySize);
      const key = await this._kdf.extractAndExpand(sharedSecret, ikm, keyInfo, this._aead.keySize);
      const baseNonceInfo = this._kdf.buildLabeledInfo(LABEL_BASE_NONCE, keyScheduleContext, this._aead.nonceSize);
      const baseNonce = await this._kdf.extractAndExpand(sharedSecret, ikm, baseNonceInfo, this._aead.nonceSize);
      return {
        aead: this._aead,
        exporterSecret,
        key,
        baseNonce: new Uint8Array(baseNonce),
        seq: 0
      };
    }
    async _keyScheduleS(mode, sharedSecret, enc, params) {
      const res = await this._keySchedule(mode, sharedSecret, params);
      if (res.key === void 0) {
        return new SenderExporterContextImpl(this._api, this._kdf, res.exporterSecret, enc);
      }
      return new SenderContextImpl(this._api, this._kdf, res, enc);
    }
    async _keyScheduleR(mode, sharedSecret, params) {
      const res = await this._keySchedule(mode, sharedSecret, params);
      if (res.key === void 0) {
        return new RecipientExporterContextImpl(this._api, this._kdf, res.exporterSecret);
      }
      return new RecipientContextImpl(this._api, this._kdf, res);
    }
    _validateInputLength(params) {
      if (params.info !== void 0 && params.info.byteLength > INFO_LENGTH_LIMIT) {
        throw new InvalidParamError("Too long info");
      }
      if (params.psk !== void 0) {
        if (params.psk.key.byteLength < MINIMUM_PSK_LENGTH) {
          throw new InvalidParamError(`PSK must have at least ${MINIMUM_PSK_LENGTH} bytes`);
        }
        if (params.psk.key.byteLength > INPUT_LENGTH_LIMIT) {
          throw new InvalidParamError("Too long psk.key");
        }
        if (params.psk.id.byteLength > INPUT_LENGTH_LIMIT) {
          throw new InvalidParamError("Too long psk.id");
        }
      }
      return;
    }
  };
  var CipherSuite = class extends CipherSuiteNative {
  };
  var HkdfSha256 = class extends HkdfSha256Native {
  };
  var ALG_NAME = "X25519";
  var PKCS8_ALG_ID_X25519 = new Uint8Array([
    48,
    46,
    2,
    1,
    0,
    48,
    5,
    6,
    3,
    43,
    101,
    110,
    4,
    34,
    4,
    32
  ]);
  var BASE_POINT_X25519 = /* @__PURE__ */ (() => {
    const p = new Uint8Array(32);
    p[0] = 9;
    return p;
  })();
  var X25519 = class extends NativeAlgorithm {
    constructor(hkdf) {
      super();
      Object.defineProperty(this, "_hkdf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_alg", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nPk", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nSk", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nDh", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_pkcs8AlgId", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this._alg = { name: ALG_NAME };
      this._hkdf = hkdf;
      this._nPk = 32;
      this._nSk = 32;
      this._nDh = 32;
      this._pkcs8AlgId = PKCS8_ALG_ID_X25519;
    }
    async serializePublicKey(key) {
      await this._setup();
      try {
        return await this._api.exportKey("raw", key);
      } catch (e) {
        throw new SerializeError(e);
      }
    }
    async deserializePublicKey(key) {
      await this._setup();
      try {
        return await this._importRawKey(toArrayBuffer(key), true);
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    async serializePrivateKey(key) {
      await this._setup();
      try {
        const jwk = await this._api.exportKey("jwk", key);
        if (!("d" in jwk)) {
          throw new Error("Not private key");
        }
        return base64UrlToBytes(jwk["d"]).buffer;
      } catch (e) {
        throw new SerializeError(e);
      }
    }
    async deserializePrivateKey(key) {
      await this._setup();
      try {
        return await this._importRawKey(toArrayBuffer(key), false);
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    async importKey(format, key, isPublic) {
      await this._setup();
      try {
        if (format === "raw") {
          return await this._importRawKey(key, isPublic);
        }
        if (key instanceof ArrayBuffer) {
          throw new Error("Invalid jwk key format");
        }
        return await this._importJWK(key, isPublic);
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    async generateKeyPair() {
      await this._setup();
      try {
        return await this._api.generateKey(ALG_NAME, true, KEM_USAGES);
      } catch (e) {
        throw new NotSupportedError(e);
      }
    }
    async deriveKeyPair(ikm) {
      await this._setup();
      try {
        const rawIkm = toArrayBuffer(ikm);
        const dkpPrk = await this._hkdf.labeledExtract(EMPTY, LABEL_DKP_PRK, new Uint8Array(rawIkm));
        const rawSk = await this._hkdf.labeledExpand(dkpPrk, LABEL_SK, EMPTY, this._nSk);
        const rawSkBytes = new Uint8Array(rawSk);
        const sk = await this._deserializePkcs8Key(rawSkBytes);
        rawSkBytes.fill(0);
        return {
          privateKey: sk,
          publicKey: await this.derivePublicKey(sk)
        };
      } catch (e) {
        throw new DeriveKeyPairError(e);
      }
    }
    async derivePublicKey(key) {
      await this._setup();
      try {
        const jwk = await this._api.exportKey("jwk", key);
        delete jwk["d"];
        delete jwk["key_ops"];
        return await this._api.importKey("jwk", jwk, this._alg, true, []);
      } catch {
        try {
          const bp = await this._api.importKey("raw", BASE_POINT_X25519.buffer, this._alg, true, []);
          const bits = await this._api.deriveBits({
            name: ALG_NAME,
            public: bp
          }, key, this._nPk * 8);
          return await this._api.importKey("raw", bits, this._alg, true, []);
        } catch (e) {
          throw new DeserializeError(e);
        }
      }
    }
    async dh(sk, pk) {
      await this._setup();
      try {
        const bits = await this._api.deriveBits({
          name: ALG_NAME,
          public: pk
        }, sk, this._nDh * 8);
        return bits;
      } catch (e) {
        throw new SerializeError(e);
      }
    }
    async _importRawKey(key, isPublic) {
      if (isPublic && key.byteLength !== this._nPk) {
        throw new Error("Invalid public key for the ciphersuite");
      }
      if (!isPublic && key.byteLength !== this._nSk) {
        throw new Error("Invalid private key for the ciphersuite");
      }
      if (isPublic) {
        return await this._api.importKey("raw", key, this._alg, true, []);
      }
      return await this._deserializePkcs8Key(new Uint8Array(key));
    }
    async _importJWK(key, isPublic) {
      if (typeof key.kty === "undefined" || key.kty !== "OKP") {
        throw new Error(`Invalid kty: ${key.crv}`);
      }
      if (typeof key.crv === "undefined" || key.crv !== ALG_NAME) {
        throw new Error(`Invalid crv: ${key.crv}`);
      }
      if (isPublic) {
        if (typeof key.d !== "undefined") {
          throw new Error("Invalid key: `d` should not be set");
        }
        return await this._api.importKey("jwk", key, this._alg, true, []);
      }
      if (typeof key.d === "undefined") {
        throw new Error("Invalid key: `d` not found");
      }
      return await this._api.importKey("jwk", key, this._alg, true, KEM_USAGES);
    }
    async _deserializePkcs8Key(k) {
      const pkcs8Key = new Uint8Array(this._pkcs8AlgId.length + k.length);
      pkcs8Key.set(this._pkcs8AlgId, 0);
      pkcs8Key.set(k, this._pkcs8AlgId.length);
      return await this._api.importKey("pkcs8", pkcs8Key, this._alg, true, KEM_USAGES);
    }
  };
  var DhkemX25519HkdfSha256 = class extends Dhkem {
    constructor() {
      const kdf2 = new HkdfSha256Native();
      super(KemId.DhkemX25519HkdfSha256, new X25519(kdf2), kdf2);
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: KemId.DhkemX25519HkdfSha256
      });
      Object.defineProperty(this, "secretSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
      Object.defineProperty(this, "encSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
      Object.defineProperty(this, "publicKeySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
      Object.defineProperty(this, "privateKeySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
    }
  };
  var PKCS8_ALG_ID_X448 = new Uint8Array([
    48,
    70,
    2,
    1,
    0,
    48,
    5,
    6,
    3,
    43,
    101,
    111,
    4,
    58,
    4,
    56
  ]);
  var MlKemError = class extends Error {
    constructor(e) {
      let message;
      if (e instanceof Error) {
        message = e.message;
      } else if (typeof e === "string") {
        message = e;
      } else {
        message = "";
      }
      super(message);
      this.name = this.constructor.name;
    }
  };
  var N = 256;
  var Q = 3329;
  var Q_INV = 62209;
  var NTT_ZETAS = [
    2285,
    2571,
    2970,
    1812,
    1493,
    1422,
    287,
    202,
    3158,
    622,
    1577,
    182,
    962,
    2127,
    1855,
    1468,
    573,
    2004,
    264,
    383,
    2500,
    1458,
    1727,
    3199,
    2648,
    1017,
    732,
    608,
    1787,
    411,
    3124,
    1758,
    1223,
    652,
    2777,
    1015,
    2036,
    1491,
    3047,
    1785,
    516,
    3321,
    3009,
    2663,
    1711,
    2167,
    126,
    1469,
    2476,
    3239,
    3058,
    830,
    107,
    1908,
    3082,
    2378,
    2931,
    961,
    1821,
    2604,
    448,
    2264,
    677,
    2054,
    2226,
    430,
    555,
    843,
    2078,
    871,
    1550,
    105,
    422,
    587,
    177,
    3094,
    3038,
    2869,
    1574,
    1653,
    3083,
    778,
    1159,
    3182,
    2552,
    1483,
    2727,
    1119,
    1739,
    644,
    2457,
    349,
    418,
    329,
    3173,
    3254,
    817,
    1097,
    603,
    610,
    1322,
    2044,
    1864,
    384,
    2114,
    3193,
    1218,
    1994,
    2455,
    220,
    2142,
    1670,
    2144,
    1799,
    2051,
    794,
    1819,
    2475,
    2459,
    478,
    3221,
    3021,
    996,
    991,
    958,
    1869,
    1522,
    1628
  ];
  var NTT_ZETAS_INV = [
    1701,
    1807,
    1460,
    2371,
    2338,
    2333,
    308,
    108,
    2851,
    870,
    854,
    1510,
    2535,
    1278,
    1530,
    1185,
    1659,
    1187,
    3109,
    874,
    1335,
    2111,
    136,
    1215,
    2945,
    1465,
    1285,
    2007,
    2719,
    2726,
    2232,
    2512,
    75,
    156,
    3e3,
    2911,
    2980,
    872,
    2685,
    1590,
    2210,
    602,
    1846,
    777,
    147,
    2170,
    2551,
    246,
    1676,
    1755,
    460,
    291,
    235,
    3152,
    2742,
    2907,
    3224,
    1779,
    2458,
    1251,
    2486,
    2774,
    2899,
    1103,
    1275,
    2652,
    1065,
    2881,
    725,
    1508,
    2368,
    398,
    951,
    247,
    1421,
    3222,
    2499,
    271,
    90,
    853,
    1860,
    3203,
    1162,
    1618,
    666,
    320,
    8,
    2813,
    1544,
    282,
    1838,
    1293,
    2314,
    552,
    2677,
    2106,
    1571,
    205,
    2918,
    1542,
    2721,
    2597,
    2312,
    681,
    130,
    1602,
    1871,
    829,
    2946,
    3065,
    1325,
    2756,
    1861,
    1474,
    1202,
    2367,
    3147,
    1752,
    2707,
    171,
    3127,
    3042,
    1907,
    1836,
    1517,
    359,
    758,
    1441
  ];
  var U32_MASK642 = 0xffffffffn;
  var _32n2 = 32n;
  function fromBig2(n, le = false) {
    if (le) {
      return { h: Number(n & U32_MASK642), l: Number(n >> _32n2 & U32_MASK642) };
    }
    return {
      h: Number(n >> _32n2 & U32_MASK642) | 0,
      l: Number(n & U32_MASK642) | 0
    };
  }
  function split2(lst, le = false) {
    const len = lst.length;
    const Ah = new Uint32Array(len);
    const Al = new Uint32Array(len);
    for (let i = 0; i < len; i++) {
      const { h, l } = fromBig2(lst[i], le);
      [Ah[i], Al[i]] = [h, l];
    }
    return [Ah, Al];
  }
  var rotlSH2 = (h, l, s) => h << s | l >>> 32 - s;
  var rotlSL2 = (h, l, s) => l << s | h >>> 32 - s;
  var rotlBH2 = (h, l, s) => l << s - 32 | h >>> 64 - s;
  var rotlBL2 = (h, l, s) => h << s - 32 | l >>> 64 - s;
  /*! noble-hashes - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  function isBytes2(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array";
  }
  function anumber2(n, title = "") {
    if (!Number.isSafeInteger(n) || n < 0) {
      const prefix = title && `"${title}" `;
      throw new Error(`${prefix}expected integer >0, got ${n}`);
    }
  }
  function abytes2(value, length, title = "") {
    const bytes = isBytes2(value);
    const len = value?.length;
    const needsLen = length !== void 0;
    if (!bytes || needsLen && len !== length) {
      const prefix = title && `"${title}" `;
      const ofLen = needsLen ? ` of length ${length}` : "";
      const got = bytes ? `length=${len}` : `type=${typeof value}`;
      throw new Error(prefix + "expected Uint8Array" + ofLen + ", got " + got);
    }
    return value;
  }
  function aexists2(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("Hash instance has been destroyed");
    if (checkFinished && instance.finished) {
      throw new Error("Hash#digest() has already been called");
    }
  }
  function aoutput2(out, instance) {
    abytes2(out, void 0, "digestInto() output");
    const min = instance.outputLen;
    if (out.length < min) {
      throw new Error('"digestInto() output" expected to be of length >=' + min);
    }
  }
  function u322(arr) {
    return new Uint32Array(arr.buffer, arr.byteOffset, Math.floor(arr.byteLength / 4));
  }
  function clean2(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  var isLE2 = /* @__PURE__ */ (() => new Uint8Array(new Uint32Array([287454020]).buffer)[0] === 68)();
  function byteSwap(word) {
    return word << 24 & 4278190080 | word << 8 & 16711680 | word >>> 8 & 65280 | word >>> 24 & 255;
  }
  function byteSwap32(arr) {
    for (let i = 0; i < arr.length; i++) {
      arr[i] = byteSwap(arr[i]);
    }
    return arr;
  }
  var swap32IfBE2 = isLE2 ? (u) => u : byteSwap32;
  function createHasher2(hashCons, info = {}) {
    const hashC = (msg, opts) => hashCons(opts).update(msg).digest();
    const tmp2 = hashCons(void 0);
    hashC.outputLen = tmp2.outputLen;
    hashC.blockLen = tmp2.blockLen;
    hashC.create = (opts) => hashCons(opts);
    Object.assign(hashC, info);
    return Object.freeze(hashC);
  }
  var oidNist2 = (suffix) => ({
    oid: Uint8Array.from([
      6,
      9,
      96,
      134,
      72,
      1,
      101,
      3,
      4,
      2,
      suffix
    ])
  });
  var _0n2 = 0n;
  var _1n2 = 1n;
  var _2n2 = 2n;
  var _7n2 = 7n;
  var _256n2 = 256n;
  var _0x71n2 = 0x71n;
  var SHA3_PI2 = [];
  var SHA3_ROTL2 = [];
  var _SHA3_IOTA2 = [];
  for (let round = 0, R = _1n2, x2 = 1, y = 0; round < 24; round++) {
    [x2, y] = [y, (2 * x2 + 3 * y) % 5];
    SHA3_PI2.push(2 * (5 * y + x2));
    SHA3_ROTL2.push((round + 1) * (round + 2) / 2 % 64);
    let t = _0n2;
    for (let j = 0; j < 7; j++) {
      R = (R << _1n2 ^ (R >> _7n2) * _0x71n2) % _256n2;
      if (R & _2n2)
        t ^= _1n2 << (_1n2 << BigInt(j)) - _1n2;
    }
    _SHA3_IOTA2.push(t);
  }
  var IOTAS2 = split2(_SHA3_IOTA2, true);
  var SHA3_IOTA_H2 = IOTAS2[0];
  var SHA3_IOTA_L2 = IOTAS2[1];
  var rotlH = (h, l, s) => s > 32 ? rotlBH2(h, l, s) : rotlSH2(h, l, s);
  var rotlL = (h, l, s) => s > 32 ? rotlBL2(h, l, s) : rotlSL2(h, l, s);
  function keccakP(s, rounds = 24, B) {
    if (!B)
      B = new Uint32Array(10);
    for (let round = 24 - rounds; round < 24; round++) {
      for (let x2 = 0; x2 < 10; x2++) {
        B[x2] = s[x2] ^ s[x2 + 10] ^ s[x2 + 20] ^ s[x2 + 30] ^ s[x2 + 40];
      }
      {
        const Th2 = rotlH(B[2], B[3], 1) ^ B[8];
        const Tl2 = rotlL(B[2], B[3], 1) ^ B[9];
        s[0] ^= Th2;
        s[1] ^= Tl2;
        s[10] ^= Th2;
        s[11] ^= Tl2;
        s[20] ^= Th2;
        s[21] ^= Tl2;
        s[30] ^= Th2;
        s[31] ^= Tl2;
        s[40] ^= Th2;
        s[41] ^= Tl2;
      }
      {
        const Th2 = rotlH(B[4], B[5], 1) ^ B[0];
        const Tl2 = rotlL(B[4], B[5], 1) ^ B[1];
        s[2] ^= Th2;
        s[3] ^= Tl2;
        s[12] ^= Th2;
        s[13] ^= Tl2;
        s[22] ^= Th2;
        s[23] ^= Tl2;
        s[32] ^= Th2;
        s[33] ^= Tl2;
        s[42] ^= Th2;
        s[43] ^= Tl2;
      }
      {
        const Th2 = rotlH(B[6], B[7], 1) ^ B[2];
        const Tl2 = rotlL(B[6], B[7], 1) ^ B[3];
        s[4] ^= Th2;
        s[5] ^= Tl2;
        s[14] ^= Th2;
        s[15] ^= Tl2;
        s[24] ^= Th2;
        s[25] ^= Tl2;
        s[34] ^= Th2;
        s[35] ^= Tl2;
        s[44] ^= Th2;
        s[45] ^= Tl2;
      }
      {
        const Th2 = rotlH(B[8], B[9], 1) ^ B[4];
        const Tl2 = rotlL(B[8], B[9], 1) ^ B[5];
        s[6] ^= Th2;
        s[7] ^= Tl2;
        s[16] ^= Th2;
        s[17] ^= Tl2;
        s[26] ^= Th2;
        s[27] ^= Tl2;
        s[36] ^= Th2;
        s[37] ^= Tl2;
        s[46] ^= Th2;
        s[47] ^= Tl2;
      }
      {
        const Th2 = rotlH(B[0], B[1], 1) ^ B[6];
        const Tl2 = rotlL(B[0], B[1], 1) ^ B[7];
        s[8] ^= Th2;
        s[9] ^= Tl2;
        s[18] ^= Th2;
        s[19] ^= Tl2;
        s[28] ^= Th2;
        s[29] ^= Tl2;
        s[38] ^= Th2;
        s[39] ^= Tl2;
        s[48] ^= Th2;
        s[49] ^= Tl2;
      }
      let curH = s[2];
      let curL = s[3];
      let Th, Tl;
      Th = rotlSH2(curH, curL, 1);
      Tl = rotlSL2(curH, curL, 1);
      curH = s[20];
      curL = s[21];
      s[20] = Th;
      s[21] = Tl;
      Th = rotlSH2(curH, curL, 3);
      Tl = rotlSL2(curH, curL, 3);
      curH = s[14];
      curL = s[15];
      s[14] = Th;
      s[15] = Tl;
      Th = rotlSH2(curH, curL, 6);
      Tl = rotlSL2(curH, curL, 6);
      curH = s[22];
      curL = s[23];
      s[22] = Th;
      s[23] = Tl;
      Th = rotlSH2(curH, curL, 10);
      Tl = rotlSL2(curH, curL, 10);
      curH = s[34];
      curL = s[35];
      s[34] = Th;
      s[35] = Tl;
      Th = rotlSH2(curH, curL, 15);
      Tl = rotlSL2(curH, curL, 15);
      curH = s[36];
      curL = s[37];
      s[36] = Th;
      s[37] = Tl;
      Th = rotlSH2(curH, curL, 21);
      Tl = rotlSL2(curH, curL, 21);
      curH = s[6];
      curL = s[7];
      s[6] = Th;
      s[7] = Tl;
      Th = rotlSH2(curH, curL, 28);
      Tl = rotlSL2(curH, curL, 28);
      curH = s[10];
      curL = s[11];
      s[10] = Th;
      s[11] = Tl;
      Th = rotlBH2(curH, curL, 36);
      Tl = rotlBL2(curH, curL, 36);
      curH = s[32];
      curL = s[33];
      s[32] = Th;
      s[33] = Tl;
      Th = rotlBH2(curH, curL, 45);
      Tl = rotlBL2(curH, curL, 45);
      curH = s[16];
      curL = s[17];
      s[16] = Th;
      s[17] = Tl;
      Th = rotlBH2(curH, curL, 55);
      Tl = rotlBL2(curH, curL, 55);
      curH = s[42];
      curL = s[43];
      s[42] = Th;
      s[43] = Tl;
      Th = rotlSH2(curH, curL, 2);
      Tl = rotlSL2(curH, curL, 2);
      curH = s[48];
      curL = s[49];
      s[48] = Th;
      s[49] = Tl;
      Th = rotlSH2(curH, curL, 14);
      Tl = rotlSL2(curH, curL, 14);
      curH = s[8];
      curL = s[9];
      s[8] = Th;
      s[9] = Tl;
      Th = rotlSH2(curH, curL, 27);
      Tl = rotlSL2(curH, curL, 27);
      curH = s[30];
      curL = s[31];
      s[30] = Th;
      s[31] = Tl;
      Th = rotlBH2(curH, curL, 41);
      Tl = rotlBL2(curH, curL, 41);
      curH = s[46];
      curL = s[47];
      s[46] = Th;
      s[47] = Tl;
      Th = rotlBH2(curH, curL, 56);
      Tl = rotlBL2(curH, curL, 56);
      curH = s[38];
      curL = s[39];
      s[38] = Th;
      s[39] = Tl;
      Th = rotlSH2(curH, curL, 8);
      Tl = rotlSL2(curH, curL, 8);
      curH = s[26];
      curL = s[27];
      s[26] = Th;
      s[27] = Tl;
      Th = rotlSH2(curH, curL, 25);
      Tl = rotlSL2(curH, curL, 25);
      curH = s[24];
      curL = s[25];
      s[24] = Th;
      s[25] = Tl;
      Th = rotlBH2(curH, curL, 43);
      Tl = rotlBL2(curH, curL, 43);
      curH = s[4];
      curL = s[5];
      s[4] = Th;
      s[5] = Tl;
      Th = rotlBH2(curH, curL, 62);
      Tl = rotlBL2(curH, curL, 62);
      curH = s[40];
      curL = s[41];
      s[40] = Th;
      s[41] = Tl;
      Th = rotlSH2(curH, curL, 18);
      Tl = rotlSL2(curH, curL, 18);
      curH = s[28];
      curL = s[29];
      s[28] = Th;
      s[29] = Tl;
      Th = rotlBH2(curH, curL, 39);
      Tl = rotlBL2(curH, curL, 39);
      curH = s[44];
      curL = s[45];
      s[44] = Th;
      s[45] = Tl;
      Th = rotlBH2(curH, curL, 61);
      Tl = rotlBL2(curH, curL, 61);
      curH = s[18];
      curL = s[19];
      s[18] = Th;
      s[19] = Tl;
      Th = rotlSH2(curH, curL, 20);
      Tl = rotlSL2(curH, curL, 20);
      curH = s[12];
      curL = s[13];
      s[12] = Th;
      s[13] = Tl;
      Th = rotlBH2(curH, curL, 44);
      Tl = rotlBL2(curH, curL, 44);
      s[2] = Th;
      s[3] = Tl;
      for (let y = 0; y < 50; y += 10) {
        B[0] = s[y];
        B[1] = s[y + 1];
        B[2] = s[y + 2];
        B[3] = s[y + 3];
        B[4] = s[y + 4];
        B[5] = s[y + 5];
        B[6] = s[y + 6];
        B[7] = s[y + 7];
        B[8] = s[y + 8];
        B[9] = s[y + 9];
        s[y + 0] ^= ~B[2] & B[4];
        s[y + 1] ^= ~B[3] & B[5];
        s[y + 2] ^= ~B[4] & B[6];
        s[y + 3] ^= ~B[5] & B[7];
        s[y + 4] ^= ~B[6] & B[8];
        s[y + 5] ^= ~B[7] & B[9];
        s[y + 6] ^= ~B[8] & B[0];
        s[y + 7] ^= ~B[9] & B[1];
        s[y + 8] ^= ~B[0] & B[2];
        s[y + 9] ^= ~B[1] & B[3];
      }
      s[0] ^= SHA3_IOTA_H2[round];
      s[1] ^= SHA3_IOTA_L2[round];
    }
  }
  var Keccak = class _Keccak {
    // NOTE: we accept arguments in bytes instead of bits here.
    constructor(blockLen, suffix, outputLen, enableXOF = false, rounds = 24) {
      Object.defineProperty(this, "state", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "pos", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "posOut", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "finished", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      Object.defineProperty(this, "state32", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "destroyed", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      Object.defineProperty(this, "_B", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: new Uint32Array(10)
      });
      Object.defineProperty(this, "blockLen", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "suffix", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "outputLen", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "enableXOF", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      Object.defineProperty(this, "rounds", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this.blockLen = blockLen;
      this.suffix = suffix;
      this.outputLen = outputLen;
      this.enableXOF = enableXOF;
      this.rounds = rounds;
      anumber2(outputLen, "outputLen");
      if (!(0 < blockLen && blockLen < 200)) {
        throw new Error("only keccak-f1600 function is supported");
      }
      this.state = new Uint8Array(200);
      this.state32 = u322(this.state);
    }
    clone() {
      return this._cloneInto();
    }
    /** Resets instance to initial (empty) state for reuse. */
    reset() {
      this.state.fill(0);
      this.pos = 0;
      this.posOut = 0;
      this.finished = false;
      this.destroyed = false;
    }
    keccak() {
      swap32IfBE2(this.state32);
      keccakP(this.state32, this.rounds, this._B);
      swap32IfBE2(this.state32);
      this.posOut = 0;
      this.pos = 0;
    }
    update(data) {
      aexists2(this);
      abytes2(data);
      return this.updateUnsafe(data);
    }
    /** Like update(), but skips validation. Caller must ensure valid state and input. */
    updateUnsafe(data) {
      const { blockLen, state } = this;
      const len = data.length;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        for (let i = 0; i < take; i++)
          state[this.pos++] ^= data[pos++];
        if (this.pos === blockLen)
          this.keccak();
      }
      return this;
    }
    finish() {
      if (this.finished)
        return;
      this.finished = true;
      const { state, suffix, pos, blockLen } = this;
      state[pos] ^= suffix;
      if ((suffix & 128) !== 0 && pos === blockLen - 1)
        this.keccak();
      state[blockLen - 1] ^= 128;
      this.keccak();
    }
    writeInto(out) {
      aexists2(this, false);
      abytes2(out);
      return this.writeIntoUnsafe(out);
    }
    /** Like writeInto(), but skips validation. Caller must ensure valid state and output. */
    writeIntoUnsafe(out) {
      this.finish();
      const bufferOut = this.state;
      const { blockLen } = this;
      for (let pos = 0, len = out.length; pos < len; ) {
        if (this.posOut >= blockLen)
          this.keccak();
        const take = Math.min(blockLen - this.posOut, len - pos);
        out.set(bufferOut.subarray(this.posOut, this.posOut + take), pos);
        this.posOut += take;
        pos += take;
      }
      return out;
    }
    xofInto(out) {
      if (!this.enableXOF) {
        throw new Error("XOF is not possible for this instance");
      }
      return this.writeInto(out);
    }
    xof(bytes) {
      anumber2(bytes);
      return this.xofInto(new Uint8Array(bytes));
    }
    digestInto(out) {
      aoutput2(out, this);
      if (this.finished)
        throw new Error("digest() was already called");
      this.writeInto(out);
      this.destroy();
      return out;
    }
    digest() {
      return this.digestInto(new Uint8Array(this.outputLen));
    }
    destroy() {
      this.destroyed = true;
      clean2(this.state);
    }
    _cloneInto(to) {
      const { blockLen, suffix, outputLen, rounds, enableXOF } = this;
      to ||= new _Keccak(blockLen, suffix, outputLen, enableXOF, rounds);
      to.state32.set(this.state32);
      to.pos = this.pos;
      to.posOut = this.posOut;
      to.finished = this.finished;
      to.rounds = rounds;
      to.suffix = suffix;
      to.outputLen = outputLen;
      to.enableXOF = enableXOF;
      to.destroyed = this.destroyed;
      return to;
    }
  };
  var genKeccak = (suffix, blockLen, outputLen, info = {}) => createHasher2(() => new Keccak(blockLen, suffix, outputLen), info);
  var sha3_2562 = /* @__PURE__ */ genKeccak(
    6,
    136,
    32,
    /* @__PURE__ */ oidNist2(8)
  );
  var genShake = (suffix, blockLen, outputLen, info = {}) => createHasher2((opts = {}) => new Keccak(blockLen, suffix, opts.dkLen === void 0 ? outputLen : opts.dkLen, true), info);
  var shake2562 = /* @__PURE__ */ genShake(31, 136, 32, /* @__PURE__ */ oidNist2(12));
  var dntGlobals2 = {};
  var dntGlobalThis2 = createMergeProxy2(globalThis, dntGlobals2);
  function createMergeProxy2(baseObj, extObj) {
    return new Proxy(baseObj, {
      get(_target, prop, _receiver) {
        if (prop in extObj) {
          return extObj[prop];
        } else {
          return baseObj[prop];
        }
      },
      set(_target, prop, value) {
        if (prop in extObj) {
          delete extObj[prop];
        }
        baseObj[prop] = value;
        return true;
      },
      deleteProperty(_target, prop) {
        let success = false;
        if (prop in extObj) {
          delete extObj[prop];
          success = true;
        }
        if (prop in baseObj) {
          delete baseObj[prop];
          success = true;
        }
        return success;
      },
      ownKeys(_target) {
        const baseKeys = Reflect.ownKeys(baseObj);
        const extKeys = Reflect.ownKeys(extObj);
        const extKeysSet = new Set(extKeys);
        return [...baseKeys.filter((k) => !extKeysSet.has(k)), ...extKeys];
      },
      defineProperty(_target, prop, desc) {
        if (prop in extObj) {
          delete extObj[prop];
        }
        Reflect.defineProperty(baseObj, prop, desc);
        return true;
      },
      getOwnPropertyDescriptor(_target, prop) {
        if (prop in extObj) {
          return Reflect.getOwnPropertyDescriptor(extObj, prop);
        } else {
          return Reflect.getOwnPropertyDescriptor(baseObj, prop);
        }
      },
      has(_target, prop) {
        return prop in extObj || prop in baseObj;
      }
    });
  }
  function byte(n) {
    return n & 255;
  }
  function int16(n) {
    return n << 16 >> 16;
  }
  function uint16(n) {
    return n & 65535;
  }
  function constantTimeCompare(x2, y) {
    if (x2.length != y.length) {
      return 0;
    }
    let v = 0;
    for (let i = 0; i < x2.length; i++) {
      v |= x2[i] ^ y[i];
    }
    let z = ~v & 255;
    z &= z >> 4;
    z &= z >> 2;
    z &= z >> 1;
    return z & 1;
  }
  function equalUint8Array(x2, y) {
    if (x2.length != y.length) {
      return false;
    }
    for (let i = 0; i < x2.length; i++) {
      if (x2[i] !== y[i]) {
        return false;
      }
    }
    return true;
  }
  async function loadCrypto2() {
    if (typeof dntGlobalThis2 !== "undefined" && globalThis.crypto !== void 0) {
      return globalThis.crypto;
    }
    try {
      const { webcrypto } = await import("crypto");
      return webcrypto;
    } catch (_e) {
      throw new Error("failed to load Crypto");
    }
  }
  function byteopsLoad32(x2, o = 0) {
    return (x2[o] | x2[o + 1] << 8 | x2[o + 2] << 16 | x2[o + 3] << 24) >>> 0;
  }
  var MlKemBase = class {
    /**
     * Creates a new instance of the MlKemBase class.
     */
    constructor() {
      Object.defineProperty(this, "_api", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_k", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_du", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_dv", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_eta1", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_eta2", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_skSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_pkSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_compressedUSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_compressedVSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 0
      });
      Object.defineProperty(this, "_poolG", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_poolH", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_poolKdf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_poolXof", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_poolPrf1", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_poolPrf2", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_bufG", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: new Uint8Array(64)
      });
      Object.defineProperty(this, "_bufH", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: new Uint8Array(32)
      });
      Object.defineProperty(this, "_bufKdf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: new Uint8Array(32)
      });
      Object.defineProperty(this, "_bufXof", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: new Uint8Array(672)
      });
      Object.defineProperty(this, "_bufPrf1", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_bufPrf2", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_nonceBuf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: new Uint8Array(1)
      });
      Object.defineProperty(this, "_xofSeed", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: new Uint8Array(34)
      });
      Object.defineProperty(this, "_kBuf", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_matrixA", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_noiseVecs", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_polyVec", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_bufPkCheck", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_bufCt", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
    }
    _initPool() {
      this._poolG = new Keccak(72, 6, 64);
      this._poolH = new Keccak(136, 6, 32);
      this._poolKdf = new Keccak(136, 31, 32, true);
      this._poolXof = new Keccak(168, 31, 672, true);
      const prf1Len = this._eta1 * N / 4;
      this._poolPrf1 = new Keccak(136, 31, prf1Len, true);
      this._bufPrf1 = new Uint8Array(prf1Len);
      const prf2Len = this._eta2 * N / 4;
      this._poolPrf2 = new Keccak(136, 31, prf2Len, true);
      this._bufPrf2 = new Uint8Array(prf2Len);
      this._kBuf = new Uint8Array([this._k]);
      this._matrixA = new Array(this._k);
      for (let i = 0; i < this._k; i++) {
        this._matrixA[i] = new Array(this._k);
        for (let j = 0; j < this._k; j++) {
          this._matrixA[i][j] = new Int16Array(N);
        }
      }
      const maxNoise = 2 * this._k + 1;
      this._noiseVecs = new Array(maxNoise);
      for (let i = 0; i < maxNoise; i++) {
        this._noiseVecs[i] = new Int16Array(N);
      }
      this._polyVec = new Array(this._k);
      for (let i = 0; i < this._k; i++) {
        this._polyVec[i] = new Int16Array(N);
      }
      this._bufPkCheck = new Uint8Array(384 * this._k);
      this._bufCt = new Uint8Array(this._compressedUSize + this._compressedVSize);
    }
    _zeroPool() {
      this._bufG.fill(0);
      this._bufH.fill(0);
      this._bufKdf.fill(0);
      this._bufXof.fill(0);
      this._bufPrf1.fill(0);
      this._bufPrf2.fill(0);
      this._nonceBuf[0] = 0;
      this._xofSeed.fill(0);
      for (let i = 0; i < this._k; i++) {
        for (let j = 0; j < this._k; j++) {
          this._matrixA[i][j].fill(0);
        }
      }
      for (let i = 0; i < this._noiseVecs.length; i++) {
        this._noiseVecs[i].fill(0);
      }
      for (let i = 0; i < this._k; i++) {
        this._polyVec[i].fill(0);
      }
      this._bufPkCheck.fill(0);
      this._bufCt.fill(0);
      this._poolG.reset();
      this._poolH.reset();
      this._poolKdf.reset();
      this._poolXof.reset();
      this._poolPrf1.reset();
      this._poolPrf2.reset();
    }
    // Serialize polynomial into byte buffer at offset (eliminates intermediate Uint8Array(384))
    _polyToBytes(out, outOffset, a) {
      let t0, t1;
      for (let i = 0; i < N / 2; i++) {
        t0 = a[2 * i] - Q;
        t0 += t0 >> 31 & Q;
        t1 = a[2 * i + 1] - Q;
        t1 += t1 >> 31 & Q;
        out[outOffset + 3 * i + 0] = byte(t0);
        out[outOffset + 3 * i + 1] = byte(t0 >> 8) | byte(t1 << 4);
        out[outOffset + 3 * i + 2] = byte(t1 >> 4);
      }
    }
    // Deserialize bytes into polynomial (eliminates intermediate Int16Array(N))
    _polyFromBytes(out, a, aOffset) {
      for (let i = 0; i < N / 2; i++) {
        out[2 * i] = int16((uint16(a[aOffset + 3 * i + 0]) >> 0 | uint16(a[aOffset + 3 * i + 1]) << 8) & 4095);
        out[2 * i + 1] = int16((uint16(a[aOffset + 3 * i + 1]) >> 4 | uint16(a[aOffset + 3 * i + 2]) << 4) & 4095);
      }
    }
    // Hash G: SHA3-512
    _g(a, b) {
      this._poolG.reset();
      this._poolG.updateUnsafe(a);
      if (b !== void 0)
        this._poolG.updateUnsafe(b);
      this._poolG.writeIntoUnsafe(this._bufG);
      return [this._bufG.subarray(0, 32), this._bufG.subarray(32, 64)];
    }
    // Hash H: SHA3-256
    _h(msg) {
      this._poolH.reset();
      this._poolH.updateUnsafe(msg).writeIntoUnsafe(this._bufH);
      return this._bufH;
    }
    // KDF: SHAKE256(dkLen=32)
    _kdf(a, b) {
      this._poolKdf.reset();
      this._poolKdf.updateUnsafe(a);
      if (b !== void 0)
        this._poolKdf.updateUnsafe(b);
      this._poolKdf.writeIntoUnsafe(this._bufKdf);
      return this._bufKdf;
    }
    // XOF: SHAKE128(dkLen=672)
    _xof(seed) {
      this._poolXof.reset();
      this._poolXof.updateUnsafe(seed).writeIntoUnsafe(this._bufXof);
      return this._bufXof;
    }
    // PRF for eta1 noise sampling: SHAKE256(dkLen=eta1*N/4)
    _prf1(sigma, nonce) {
      this._nonceBuf[0] = nonce;
      this._poolPrf1.reset();
      this._poolPrf1.updateUnsafe(sigma).updateUnsafe(this._nonceBuf).writeIntoUnsafe(this._bufPrf1);
      return this._bufPrf1;
    }
    // PRF for eta2 noise sampling: SHAKE256(dkLen=eta2*N/4)
    _prf2(sigma, nonce) {
      this._nonceBuf[0] = nonce;
      this._poolPrf2.reset();
      this._poolPrf2.updateUnsafe(sigma).updateUnsafe(this._nonceBuf).writeIntoUnsafe(this._bufPrf2);
      return this._bufPrf2;
    }
    _generateKeyPairCore() {
      try {
        const rnd = new Uint8Array(64);
        this._api.getRandomValues(rnd);
        return this._deriveKeyPair(rnd);
      } finally {
        this._zeroPool();
      }
    }
    _deriveKeyPairCore(seed) {
      try {
        if (seed.byteLength !== 64) {
          throw new Error("seed must be 64 bytes in length");
        }
        return this._deriveKeyPair(seed);
      } finally {
        this._zeroPool();
      }
    }
    _encapCore(pk, seed) {
      try {
        if (pk.length !== 384 * this._k + 32) {
          throw new Error("invalid encapsulation key");
        }
        const m = this._getSeed(seed);
        const [k, r] = this._g(m, this._h(pk));
        this._encap(pk, m, r);
        return [this._bufCt.slice(), k.slice()];
      } finally {
        this._zeroPool();
      }
    }
    _decapCore(ct, sk) {
      try {
        if (ct.byteLength !== this._compressedUSize + this._compressedVSize) {
          throw new Error("Invalid ct size");
        }
        if (sk.length !== 768 * this._k + 96) {
          throw new Error("Invalid decapsulation key");
        }
        const sk2 = sk.subarray(0, this._skSize);
        const pk = sk.subarray(this._skSize, this._skSize + this._pkSize);
        const hpk = sk.subarray(this._skSize + this._pkSize, this._skSize + this._pkSize + 32);
        const z = sk.subarray(this._skSize + this._pkSize + 32, this._skSize + this._pkSize + 64);
        const m2 = this._decap(ct, sk2);
        const [k2, r2] = this._g(m2, hpk);
        const kBar = this._kdf(z, ct);
        this._encap(pk, m2, r2);
        return constantTimeCompare(ct, this._bufCt) === 1 ? k2.slice() : kBar.slice();
      } finally {
        this._zeroPool();
      }
    }
    /**
     * Sets up the MlKemBase instance by loading the necessary crypto library.
     * If the crypto library is already loaded, this method does nothing.
     * @returns {Promise<void>} A promise that resolves when the setup is complete.
     */
    async _setup() {
      if (this._api !== void 0) {
        return;
      }
      this._api = await loadCrypto2();
    }
    /**
     * Returns a Uint8Array seed for cryptographic operations.
     * If no seed is provided, a random seed of length 32 bytes is generated.
     * If a seed is provided, it must be exactly 32 bytes in length.
     *
     * @param seed - Optional seed for cryptographic operations.
     * @returns A Uint8Array seed.
     * @throws Error if the provided seed is not 32 bytes in length.
     */
    _getSeed(seed) {
      if (seed == void 0) {
        const s = new Uint8Array(32);
        this._api.getRandomValues(s);
        return s;
      }
      if (seed.byteLength !== 32) {
        throw new Error("seed must be 32 bytes in length");
      }
      return seed;
    }
    /**
     * Derives a key pair from a given seed.
     *
     * @param seed - The seed used for key derivation.
     * @returns An array containing the public key and secret key.
     */
    _deriveKeyPair(seed) {
      const cpaSeed = seed.subarray(0, 32);
      const z = seed.subarray(32, 64);
      const [pk, skBody] = this._deriveCpaKeyPair(cpaSeed);
      const pkh = this._h(pk);
      const sk = new Uint8Array(this._skSize + this._pkSize + 64);
      sk.set(skBody, 0);
      sk.set(pk, this._skSize);
      sk.set(pkh, this._skSize + this._pkSize);
      sk.set(z, this._skSize + this._pkSize + 32);
      return [pk, sk];
    }
    // indcpaKeyGen generates public and private keys for the CPA-secure
    // public-key encryption scheme underlying ML-KEM.
    /**
     * Derives a CPA key pair using the provided CPA seed.
     *
     * @param cpaSeed - The CPA seed used for key derivation.
     * @returns An array containing the public key and private key.
     */
    _deriveCpaKeyPair(cpaSeed) {
      const [publicSeed, noiseSeed] = this._g(cpaSeed, this._kBuf);
      const a = this._sampleMatrix(publicSeed, false);
      const s = this._sampleNoise1(noiseSeed, 0, this._k);
      const e = this._sampleNoise1(noiseSeed, this._k, this._k);
      for (let i = 0; i < this._k; i++) {
        s[i] = ntt(s[i]);
        s[i] = reduce(s[i]);
        e[i] = ntt(e[i]);
      }
      const pk = new Array(this._k);
      for (let i = 0; i < this._k; i++) {
        pk[i] = polyToMont(multiply(a[i], s));
        pk[i] = add2(pk[i], e[i]);
        pk[i] = reduce(pk[i]);
      }
      const pubKey = new Uint8Array(this._pkSize);
      for (let i = 0; i < this._k; i++) {
        this._polyToBytes(pubKey, i * 384, pk[i]);
      }
      pubKey.set(publicSeed, this._skSize);
      const privKey = new Uint8Array(this._skSize);
      for (let i = 0; i < this._k; i++) {
        this._polyToBytes(privKey, i * 384, s[i]);
      }
      return [pubKey, privKey];
    }
    // _encap is the encapsulation function of the CPA-secure
    // public-key encryption scheme underlying ML-KEM.
    /**
     * Encapsulates a message using the ML-KEM encryption scheme.
     *
     * @param pk - The public key.
     * @param msg - The message to be encapsulated.
     * @param seed - The seed used for generating random values.
     * @returns The encapsulated message as a Uint8Array.
     */
    _encap(pk, msg, seed) {
      const tHat = this._polyVec;
      const pkCheck = this._bufPkCheck;
      for (let i = 0; i < this._k; i++) {
        this._polyFromBytes(tHat[i], pk, i * 384);
        this._polyToBytes(pkCheck, i * 384, tHat[i]);
      }
      if (!equalUint8Array(pk.subarray(0, pkCheck.length), pkCheck)) {
        throw new Error("invalid encapsulation key");
      }
      const rho = pk.subarray(this._skSize);
      const a = this._sampleMatrix(rho, true);
      const r = this._sampleNoise1(seed, 0, this._k);
      const e1 = this._sampleNoise2(seed, this._k, this._k);
      const e2 = this._sampleNoise2(seed, this._k * 2, 1)[0];
      for (let i = 0; i < this._k; i++) {
        r[i] = ntt(r[i]);
        r[i] = reduce(r[i]);
      }
      const u = new Array(this._k);
      for (let i = 0; i < this._k; i++) {
        u[i] = multiply(a[i], r);
        u[i] = nttInverse(u[i]);
        u[i] = add2(u[i], e1[i]);
        u[i] = reduce(u[i]);
      }
      const m = polyFromMsg(msg);
      let v = multiply(tHat, r);
      v = nttInverse(v);
      v = add2(v, e2);
      v = add2(v, m);
      v = reduce(v);
      this._compressU(this._bufCt.subarray(0, this._compressedUSize), u);
      this._compressV(this._bufCt.subarray(this._compressedUSize), v);
      return this._bufCt;
    }
    // indcpaDecrypt is the decryption function of the CPA-secure
    // public-key encryption scheme underlying ML-KEM.
    /**
     * Decapsulates the ciphertext using the provided secret key.
     *
     * @param ct - The ciphertext to be decapsulated.
     * @param sk - The secret key used for decapsulation.
     * @returns The decapsulated message as a Uint8Array.
     */
    _decap(ct, sk) {
      const u = this._decompressU(ct.subarray(0, this._compressedUSize));
      const v = this._decompressV(ct.subarray(this._compressedUSize));
      const privateKeyPolyvec = this._polyvecFromBytes(sk);
      for (let i = 0; i < this._k; i++) {
        u[i] = ntt(u[i]);
      }
      let mp = multiply(privateKeyPolyvec, u);
      mp = nttInverse(mp);
      mp = subtract(v, mp);
      mp = reduce(mp);
      return polyToMsg(mp);
    }
    // generateMatrixA deterministically generates a matrix `A` (or the transpose of `A`)
    // from a seed. Entries of the matrix are polynomials that look uniformly random.
    // Performs rejection sampling on the output of an extendable-output function (XOF).
    /**
     * Generates a sample matrix based on the provided seed and transposition flag.
     *
     * @param seed - The seed used for generating the matrix.
     * @param transposed - A flag indicating whether the matrix should be transposed or not.
     * @returns The generated sample matrix.
     */
    _sampleMatrix(seed, transposed) {
      const a = this._matrixA;
      this._xofSeed.set(seed);
      for (let ctr = 0, i = 0; i < this._k; i++) {
        for (let j = 0; j < this._k; j++) {
          if (transposed) {
            this._xofSeed[seed.length] = i;
            this._xofSeed[seed.length + 1] = j;
          } else {
            this._xofSeed[seed.length] = j;
            this._xofSeed[seed.length + 1] = i;
          }
          const output = this._xof(this._xofSeed);
          ctr = indcpaRejUniform(a[i][j], 0, output.subarray(0, 504), 504, N);
          while (ctr < N) {
            const outputn = output.subarray(504, 672);
            ctr += indcpaRejUniform(a[i][j], ctr, outputn, 168, N - ctr);
          }
        }
      }
      return a;
    }
    /**
     * Generates a 2D array of noise samples.
     *
     * @param sigma - The noise parameter.
     * @param offset - The offset value.
     * @param size - The size of the array.
     * @returns The generated 2D array of noise samples.
     */
    _sampleNoise1(sigma, offset, size) {
      const r = new Array(size);
      for (let i = 0; i < size; i++) {
        r[i] = this._noiseVecs[offset + i];
        byteopsCbd(r[i], this._prf1(sigma, offset + i), this._eta1);
      }
      return r;
    }
    /**
     * Generates a 2-dimensional array of noise samples.
     *
     * @param sigma - The noise parameter.
     * @param offset - The offset value.
     * @param size - The size of the array.
     * @returns The generated 2-dimensional array of noise samples.
     */
    _sampleNoise2(sigma, offset, size) {
      const r = new Array(size);
      for (let i = 0; i < size; i++) {
        r[i] = this._noiseVecs[offset + i];
        byteopsCbd(r[i], this._prf2(sigma, offset + i), this._eta2);
      }
      return r;
    }
    // polyvecFromBytes deserializes a vector of polynomials.
    /**
     * Converts a Uint8Array to a 2D array of numbers representing a polynomial vector.
     * Each element in the resulting array represents a polynomial.
     * @param a The Uint8Array to convert.
     * @returns The 2D array of numbers representing the polynomial vector.
     */
    _polyvecFromBytes(a) {
      const r = this._polyVec;
      for (let i = 0; i < this._k; i++) {
        this._polyFromBytes(r[i], a, i * 384);
      }
      return r;
    }
    // compressU lossily compresses and serializes a vector of polynomials.
    /**
     * Compresses the given array of coefficients into a Uint8Array.
     *
     * @param r - The output Uint8Array.
     * @param u - The array of coefficients.
     * @returns The compressed Uint8Array.
     */
    _compressU(r, u) {
      const t = new Array(4);
      for (let rr = 0, i = 0; i < this._k; i++) {
        for (let j = 0; j < N / 4; j++) {
          for (let k = 0; k < 4; k++) {
            t[k] = ((u[i][4 * j + k] << 10) + Q / 2) / Q & 1023;
          }
          r[rr++] = byte(t[0] >> 0);
          r[rr++] = byte(t[0] >> 8 | t[1] << 2);
          r[rr++] = byte(t[1] >> 6 | t[2] << 4);
          r[rr++] = byte(t[2] >> 4 | t[3] << 6);
          r[rr++] = byte(t[3] >> 2);
        }
      }
      return r;
    }
    // compressV lossily compresses and subsequently serializes a polynomial.
    /**
     * Compresses the given array of numbers into a Uint8Array.
     *
     * @param r - The Uint8Array to store the compressed values.
     * @param v - The array of numbers to compress.
     * @returns The compressed Uint8Array.
     */
    _compressV(r, v) {
      const t = new Uint8Array(8);
      for (let rr = 0, i = 0; i < N / 8; i++) {
        for (let j = 0; j < 8; j++) {
          t[j] = byte(((v[8 * i + j] << 4) + Q / 2) / Q) & 15;
        }
        r[rr++] = t[0] | t[1] << 4;
        r[rr++] = t[2] | t[3] << 4;
        r[rr++] = t[4] | t[5] << 4;
        r[rr++] = t[6] | t[7] << 4;
      }
      return r;
    }
    // decompressU de-serializes and decompresses a vector of polynomials and
    // represents the approximate inverse of compress1. Since compression is lossy,
    // the results of decompression will may not match the original vector of polynomials.
    /**
     * Decompresses a Uint8Array into a two-dimensional array of numbers.
     *
     * @param a The Uint8Array to decompress.
     * @returns The decompressed two-dimensional array.
     */
    _decompressU(a) {
      const r = new Array(this._k);
      for (let i = 0; i < this._k; i++) {
        r[i] = new Int16Array(N);
      }
      const t = new Array(4);
      for (let aa = 0, i = 0; i < this._k; i++) {
        for (let j = 0; j < N / 4; j++) {
          t[0] = uint16(a[aa + 0]) >> 0 | uint16(a[aa + 1]) << 8;
          t[1] = uint16(a[aa + 1]) >> 2 | uint16(a[aa + 2]) << 6;
          t[2] = uint16(a[aa + 2]) >> 4 | uint16(a[aa + 3]) << 4;
          t[3] = uint16(a[aa + 3]) >> 6 | uint16(a[aa + 4]) << 2;
          aa = aa + 5;
          for (let k = 0; k < 4; k++) {
            r[i][4 * j + k] = int16((t[k] & 1023) * Q + 512 >> 10);
          }
        }
      }
      return r;
    }
    // decompressV de-serializes and subsequently decompresses a polynomial,
    // representing the approximate inverse of compress2.
    // Note that compression is lossy, and thus decompression will not match the
    // original input.
    /**
     * Decompresses a Uint8Array into an array of numbers.
     *
     * @param a - The Uint8Array to decompress.
     * @returns An array of numbers.
     */
    _decompressV(a) {
      const r = new Int16Array(N);
      for (let aa = 0, i = 0; i < N / 2; i++, aa++) {
        r[2 * i + 0] = int16((a[aa] & 15) * Q + 8 >> 4);
        r[2 * i + 1] = int16((a[aa] >> 4) * Q + 8 >> 4);
      }
      return r;
    }
  };
  function polyToMsg(a) {
    const msg = new Uint8Array(32);
    let t, v;
    for (let i = 0; i < N / 8; i++) {
      for (let j = 0; j < 8; j++) {
        v = a[8 * i + j] - Q;
        v += v >> 31 & Q;
        t = ((uint16(v) << 1) + uint16(Q / 2)) / uint16(Q) & 1;
        msg[i] |= byte(t << j);
      }
    }
    return msg;
  }
  function polyFromMsg(msg) {
    const r = new Int16Array(N);
    let mask;
    for (let i = 0; i < N / 8; i++) {
      for (let j = 0; j < 8; j++) {
        mask = -1 * int16(msg[i] >> j & 1);
        r[8 * i + j] = mask & int16((Q + 1) / 2);
      }
    }
    return r;
  }
  function indcpaRejUniform(out, outOffset, buf, bufl, len) {
    let ctr = 0;
    let val0, val1;
    for (let pos = 0; ctr < len && pos + 3 <= bufl; ) {
      val0 = (uint16(buf[pos] >> 0) | uint16(buf[pos + 1]) << 8) & 4095;
      val1 = (uint16(buf[pos + 1] >> 4) | uint16(buf[pos + 2]) << 4) & 4095;
      pos = pos + 3;
      if (val0 < Q) {
        out[outOffset + ctr] = val0;
        ctr = ctr + 1;
      }
      if (ctr < len && val1 < Q) {
        out[outOffset + ctr] = val1;
        ctr = ctr + 1;
      }
    }
    return ctr;
  }
  function byteopsCbd(out, buf, eta) {
    let t, d;
    let a, b;
    for (let i = 0; i < N / 8; i++) {
      t = byteopsLoad32(buf, 4 * i);
      d = t & 1431655765;
      d = d + (t >> 1 & 1431655765);
      for (let j = 0; j < 8; j++) {
        a = int16(d >> 4 * j + 0 & 3);
        b = int16(d >> 4 * j + eta & 3);
        out[8 * i + j] = a - b;
      }
    }
  }
  function ntt(r) {
    for (let j = 0, k = 1, l = 128; l >= 2; l >>= 1) {
      for (let start = 0; start < 256; start = j + l) {
        const zeta = NTT_ZETAS[k];
        k = k + 1;
        for (j = start; j < start + l; j++) {
          const t = nttFqMul(zeta, r[j + l]);
          r[j + l] = r[j] - t;
          r[j] = r[j] + t;
        }
      }
    }
    return r;
  }
  function nttFqMul(a, b) {
    const ab = a * b;
    const u = Math.imul(ab, Q_INV) << 16 >> 16;
    return ab - u * Q >> 16;
  }
  function reduce(r) {
    for (let i = 0; i < N; i++) {
      r[i] = barrett(r[i]);
    }
    return r;
  }
  var BARRETT_V = ((1 << 24) + Q / 2) / Q;
  function barrett(a) {
    let t = BARRETT_V * a >> 24;
    t = t * Q;
    return a - t;
  }
  function polyToMont(r) {
    const f = 1353;
    for (let i = 0; i < N; i++) {
      const a = r[i] * f;
      const u = Math.imul(a, Q_INV) << 16 >> 16;
      r[i] = a - u * Q >> 16;
    }
    return r;
  }
  function multiply(a, b) {
    let r = polyBaseMulMontgomery(a[0], b[0]);
    let t;
    for (let i = 1; i < a.length; i++) {
      t = polyBaseMulMontgomery(a[i], b[i]);
      r = add2(r, t);
    }
    return reduce(r);
  }
  function polyBaseMulMontgomery(a, b) {
    for (let i = 0; i < N / 4; i++) {
      const idx = 4 * i;
      const a0 = a[idx], a1 = a[idx + 1], a2 = a[idx + 2], a3 = a[idx + 3];
      const b0 = b[idx], b1 = b[idx + 1], b2 = b[idx + 2], b3 = b[idx + 3];
      const zeta = NTT_ZETAS[64 + i];
      a[idx] = nttFqMul(nttFqMul(a1, b1), zeta) + nttFqMul(a0, b0);
      a[idx + 1] = nttFqMul(a0, b1) + nttFqMul(a1, b0);
      a[idx + 2] = nttFqMul(nttFqMul(a3, b3), -zeta) + nttFqMul(a2, b2);
      a[idx + 3] = nttFqMul(a2, b3) + nttFqMul(a3, b2);
    }
    return a;
  }
  function add2(a, b) {
    for (let i = 0; i < N; i++) {
      a[i] += b[i];
    }
    return a;
  }
  function subtract(a, b) {
    for (let i = 0; i < N; i++) {
      a[i] -= b[i];
    }
    return a;
  }
  function nttInverse(r) {
    let j = 0;
    for (let k = 0, l = 2; l <= 128; l <<= 1) {
      for (let start = 0; start < 256; start = j + l) {
        const zeta = NTT_ZETAS_INV[k];
        k = k + 1;
        for (j = start; j < start + l; j++) {
          const t = r[j];
          r[j] = barrett(t + r[j + l]);
          r[j + l] = t - r[j + l];
          r[j + l] = nttFqMul(zeta, r[j + l]);
        }
      }
    }
    for (j = 0; j < 256; j++) {
      r[j] = nttFqMul(r[j], NTT_ZETAS_INV[127]);
    }
    return r;
  }
  var MlKem768 = class extends MlKemBase {
    constructor() {
      super();
      Object.defineProperty(this, "_k", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 3
      });
      Object.defineProperty(this, "_du", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 10
      });
      Object.defineProperty(this, "_dv", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 4
      });
      Object.defineProperty(this, "_eta1", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 2
      });
      Object.defineProperty(this, "_eta2", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 2
      });
      this._skSize = 12 * this._k * N / 8;
      this._pkSize = this._skSize + 32;
      this._compressedUSize = this._k * this._du * N / 8;
      this._compressedVSize = this._dv * N / 8;
      this._initPool();
    }
    /**
     * Generates a keypair [publicKey, privateKey].
     *
     * If an error occurred, throws {@link MlKemError}.
     *
     * @returns A kaypair [publicKey, privateKey].
     * @throws {@link MlKemError}
     */
    async generateKeyPair() {
      await this._setup();
      try {
        return this._generateKeyPairCore();
      } catch (e) {
        throw new MlKemError(e);
      }
    }
    /**
     * Derives a keypair [publicKey, privateKey] deterministically from a 64-octet seed.
     *
     * If an error occurred, throws {@link MlKemError}.
     *
     * @param seed A 64-octet seed for the deterministic key generation.
     * @returns A kaypair [publicKey, privateKey].
     * @throws {@link MlKemError}
     */
    async deriveKeyPair(seed) {
      await this._setup();
      try {
        return this._deriveKeyPairCore(seed);
      } catch (e) {
        throw new MlKemError(e);
      }
    }
    /**
     * Generates a shared secret from the encapsulated ciphertext and the private key.
     *
     * If an error occurred, throws {@link MlKemError}.
     *
     * @param pk A public key.
     * @param seed An optional 32-octet seed for the deterministic shared secret generation.
     * @returns A ciphertext (encapsulated public key) and a shared secret.
     * @throws {@link MlKemError}
     */
    async encap(pk, seed) {
      await this._setup();
      try {
        return this._encapCore(pk, seed);
      } catch (e) {
        throw new MlKemError(e);
      }
    }
    /**
     * Generates a ciphertext for the public key and a shared secret.
     *
     * If an error occurred, throws {@link MlKemError}.
     *
     * @param ct A ciphertext generated by {@link encap}.
     * @param sk A private key.
     * @returns A shared secret.
     * @throws {@link MlKemError}
     */
    async decap(ct, sk) {
      await this._setup();
      try {
        return this._decapCore(ct, sk);
      } catch (e) {
        throw new MlKemError(e);
      }
    }
  };
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _1n3 = 1n;
  var _2n3 = 2n;
  var _3n = 3n;
  var _5n = 5n;
  var ed25519_CURVE_p = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffedn;
  function ed25519_pow_2_252_3(x2) {
    const _10n = 10n;
    const _20n = 20n;
    const _40n = 40n;
    const _80n = 80n;
    const P = ed25519_CURVE_p;
    const x22 = x2 * x2 % P;
    const b2 = x22 * x2 % P;
    const b4 = pow2(b2, _2n3, P) * b2 % P;
    const b5 = pow2(b4, _1n3, P) * x2 % P;
    const b10 = pow2(b5, _5n, P) * b5 % P;
    const b20 = pow2(b10, _10n, P) * b10 % P;
    const b40 = pow2(b20, _20n, P) * b20 % P;
    const b80 = pow2(b40, _40n, P) * b40 % P;
    const b160 = pow2(b80, _80n, P) * b80 % P;
    const b240 = pow2(b160, _80n, P) * b80 % P;
    const b250 = pow2(b240, _10n, P) * b10 % P;
    const pow_p_5_8 = pow2(b250, _2n3, P) * x2 % P;
    return { pow_p_5_8, b2 };
  }
  function adjustScalarBytes(bytes) {
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    return bytes;
  }
  var x25519 = /* @__PURE__ */ (() => {
    const P = ed25519_CURVE_p;
    return montgomery({
      P,
      type: "x25519",
      powPminus2: (x2) => {
        const { pow_p_5_8, b2 } = ed25519_pow_2_252_3(x2);
        return mod(pow2(pow_p_5_8, _3n, P) * b2, P);
      },
      adjustScalarBytes
    });
  })();
  var HkdfSha2562 = class extends HkdfSha256Native {
    async extract(salt, ikm) {
      await this._setup();
      const saltBuf = salt.byteLength === 0 ? new ArrayBuffer(this.hashSize) : toArrayBuffer(salt);
      const ikmBuf = toArrayBuffer(ikm);
      if (saltBuf.byteLength !== this.hashSize) {
        return hmac(sha256, new Uint8Array(saltBuf), new Uint8Array(ikmBuf)).buffer;
      }
      const key = await this._api.importKey("raw", saltBuf, this.algHash, false, [
        "sign"
      ]);
      return await this._api.sign("HMAC", key, ikmBuf);
    }
  };
  var X255192 = class extends XCurveDhkemPrimitives {
    constructor(hkdf) {
      super("X25519", 32, x25519, hkdf);
    }
    derive(sk, pk) {
      try {
        return Promise.resolve(this._curve.getSharedSecret(sk, pk));
      } catch (e) {
        return Promise.reject(new SerializeError(e));
      }
    }
  };
  var ALG_NAME2 = "X-Wing";
  var X25519_BASE = new Uint8Array([
    9,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0
  ]);
  var XWING_LABEL = new Uint8Array([92, 46, 47, 47, 94, 92]);
  function combiner(ssM, ssX, ctX, pkX) {
    const ret = new Uint8Array(ssM.length + ssX.length + ctX.length + pkX.length + XWING_LABEL.length);
    ret.set(ssM, 0);
    ret.set(ssX, ssM.length);
    ret.set(ctX, ssM.length + ssX.length);
    ret.set(pkX, ssM.length + ssX.length + ctX.length);
    ret.set(XWING_LABEL, ssM.length + ssX.length + ctX.length + pkX.length);
    return sha3_2562.create().update(ret).digest();
  }
  var XWing = class {
    constructor() {
      Object.defineProperty(this, "id", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: KemId.XWing
      });
      Object.defineProperty(this, "name", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: ALG_NAME2
      });
      Object.defineProperty(this, "secretSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
      Object.defineProperty(this, "encSize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 1120
      });
      Object.defineProperty(this, "publicKeySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 1216
      });
      Object.defineProperty(this, "privateKeySize", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: 32
      });
      Object.defineProperty(this, "auth", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: false
      });
      Object.defineProperty(this, "_m", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_x25519", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      Object.defineProperty(this, "_api", {
        enumerable: true,
        configurable: true,
        writable: true,
        value: void 0
      });
      this._m = new MlKem768();
      this._x25519 = new X255192(new HkdfSha2562());
    }
    async serializePublicKey(key) {
      await this._setup();
      try {
        return await this._serializePublicKey(key);
      } catch (e) {
        throw new SerializeError(e);
      }
    }
    async deserializePublicKey(key) {
      await this._setup();
      try {
        return await this._deserializePublicKey(toArrayBuffer(key));
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    async serializePrivateKey(key) {
      await this._setup();
      try {
        return await this._serializePrivateKey(key);
      } catch (e) {
        throw new SerializeError(e);
      }
    }
    async deserializePrivateKey(key) {
      await this._setup();
      try {
        return await this._deserializePrivateKey(toArrayBuffer(key));
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    /**
     * Generates a new key pair.
     *
     * @returns {Promise<CryptoKeyPair>} A promise that resolves with a new key pair.
     */
    async generateKeyPair() {
      await this._setup();
      const sk = new Uint8Array(32);
      try {
        this._api.getRandomValues(sk);
      } catch (e) {
        throw new NotSupportedError(e);
      }
      try {
        const [_sk, pk] = await this._generateKeyPairDerand(sk);
        const dSk = await this.deserializePrivateKey(sk.buffer);
        const dPk = await this.deserializePublicKey(pk.buffer);
        return { privateKey: dSk, publicKey: dPk };
      } catch (e) {
        throw new DeriveKeyPairError(e);
      }
    }
    /**
     * Generates a key pair from the secret key.
     * @param sk The secret key.
     * @returns {Promise<CryptoKeyPair>} A promise that resolves with a new key pair.
     * @throws {InvalidParamError} Thrown if the length of the secret key is not 32 bytes.
     * @throws {DeriveKeyPairError} Thrown if the key pair cannot be derived.
     */
    async generateKeyPairDerand(sk) {
      if (sk.byteLength !== 32) {
        throw new InvalidParamError("Invalid length of sk");
      }
      try {
        const [_sk, pk] = await this._generateKeyPairDerand(sk);
        const dSk = await this.deserializePrivateKey(sk.buffer);
        const dPk = await this.deserializePublicKey(pk.buffer);
        return { privateKey: dSk, publicKey: dPk };
      } catch (e) {
        throw new DeriveKeyPairError(e);
      }
    }
    /**
     * Derives a key pair from the input keying material.
     *
     * @param {ArrayBuffer} ikm The input keying material.
     * @returns {Promise<CryptoKeyPair>} A promise that resolves with a new key pair.
     * @throws {DeriveKeyPairError} Thrown if the key pair cannot be derived.
     * @throws {InvalidParamError} Thrown if the length of the IKM is not 32 bytes.
     */
    async deriveKeyPair(ikm) {
      await this._setup();
      try {
        const rawIkm = toArrayBuffer(ikm);
        const sk = shake2562.create({ dkLen: 32 }).update(new Uint8Array(rawIkm)).digest();
        const [_sk, pk] = await this._generateKeyPairDerand(sk);
        const dSk = await this.deserializePrivateKey(sk.buffer);
        const dPk = await this.deserializePublicKey(pk.buffer);
        return { privateKey: dSk, publicKey: dPk };
      } catch (e) {
        throw new DeriveKeyPairError(e);
      }
    }
    /**
     * Imports a key from the input.
     * @param format The format of the key. "raw" or "jwk" can be specified.
     * @param key The key to import. If the format is "raw", the key must be an ArrayBuffer. If the format is "jwk", the key must be a JsonWebKey.
     * @param isPublic A boolean indicating whether the key is public or not. The default is true.
     * @returns {Promise<CryptoKey>} A promise that resolves with the imported key.
     * @throws {DeserializeError} Thrown if the key cannot be imported.
     */
    async importKey(format, key, isPublic = true) {
      await this._setup();
      try {
        let ret;
        if (format === "jwk") {
          if (key instanceof ArrayBuffer || key instanceof Uint8Array) {
            throw new Error("Invalid jwk key format");
          }
          ret = await this._importJWK(key, isPublic);
        } else {
          if (key instanceof ArrayBuffer) {
            ret = new Uint8Array(key);
          } else if (key instanceof Uint8Array) {
            ret = key;
          } else {
            throw new Error("Invalid key format");
          }
        }
        if (isPublic && ret.byteLength !== this.publicKeySize) {
          throw new Error("Invalid length of the key");
        }
        if (!isPublic && ret.byteLength !== this.privateKeySize) {
          throw new Error("Invalid length of the key");
        }
        return new XCryptoKey(ALG_NAME2, ret, isPublic ? "public" : "private", isPublic ? [] : KEM_USAGES);
      } catch (e) {
        throw new DeserializeError(e);
      }
    }
    /**
     * Encapsulates the shared secret and the `ct` (ciphertext) as `enc`.
     * @param params The parameters for encapsulation.
     * @returns {Promise<{ sharedSecret: ArrayBuffer; enc: ArrayBuffer }>} A promise that resolves with the `ss` (shared secret) as `sharedSecret` and the `ct` (ciphertext) as `enc`.
     * @throws {InvalidParamError} Thrown if the length of the `ekm` is not 64 bytes.
     * @throws {EncapError} Thrown if the shared secret cannot be encapsulated.
     */
    async encap(params) {
      let ekm = void 0;
      if (params.ekm !== void 0 && !isCryptoKeyPair(params.ekm)) {
        ekm = toArrayBuffer(params.ekm);
        if (ekm.byteLength !== 64) {
          throw new InvalidParamError("ekm must be 64 bytes in length");
        }
      }
      await this._setup();
      let ekM = void 0;
      let ekX;
      if (ekm !== void 0) {
        const ek = new Uint8Array(ekm);
        ekM = ek.subarray(0, 32);
        ekX = ek.subarray(32, 64);
      } else {
        ekX = new Uint8Array(32);
        try {
          this._api.getRandomValues(ekX);
        } catch (e) {
          throw new NotSupportedError(e);
        }
      }
      const pk = new Uint8Array(await this.serializePublicKey(params.recipientPublicKey));
      if (pk.byteLength !== 1216) {
        throw new InvalidParamError("Invalid length of recipientPublicKey");
      }
      try {
        const pkM = pk.subarray(0, 1184);
        const pkX = pk.subarray(1184, 1216);
        const ctX = await this._x25519.derive(ekX, X25519_BASE);
        const ssX = await this._x25519.derive(ekX, pkX);
        const [ctM, ssM] = await this._m.encap(pkM, ekM);
        return {
          sharedSecret: combiner(ssM, ssX, ctX, pkX).buffer,
          enc: concat(ctM, ctX).buffer
        };
      } catch (e) {
        throw new EncapError(e);
      }
    }
    /**
     * Decapsulates the `ss` (shared secret) from the `enc` and the recipient's private key.
     * The `enc` is the same as the `ct` (ciphertext) resulting from `X-Wing::Encapsulate(),
     * which is executed under the `encap()`.
     * @param params The parameters for decapsulation.
     * @returns {Promise<ArrayBuffer>} A promise that resolves with the shared secret.
     * @throws {InvalidParamError} Thrown if the length of the `enc` is not 1120 bytes.
     * @throws {DecapError} Thrown if the shared secret cannot be decapsulated.
     */
    async decap(params) {
      const enc = toArrayBuffer(params.enc);
      const rSk = isCryptoKeyPair(params.recipientKey) ? params.recipientKey.privateKey : params.recipientKey;
      if (enc.byteLength !== 1120) {
        throw new InvalidParamError("Invalid length of enc");
      }
      const sk = new Uint8Array(await this.serializePrivateKey(rSk));
      if (sk.byteLength !== 32) {
        throw new InvalidParamError("Invalid length of recipientKey");
      }
      await this._setup();
      try {
        const [skM, skX, _pkM, pkX] = await this._expandDecapsulationKey(sk);
        const ct = new Uint8Array(enc);
        const ctM = ct.subarray(0, 1088);
        const ctX = ct.subarray(1088);
        const ssM = await this._m.decap(ctM, skM);
        const ssX = await this._x25519.derive(skX, ctX);
        return combiner(ssM, ssX, ctX, pkX).buffer;
      } catch (e) {
        throw new DecapError(e);
      }
    }
    /**
     * Sets up the MlKemBase instance by loading the necessary crypto library.
     * If the crypto library is already loaded, this method does nothing.
     * @returns {Promise<void>} A promise that resolves when the setup is complete.
     */
    async _setup() {
      if (this._api !== void 0) {
        return;
      }
      this._api = await loadCrypto();
    }
    /**
     * Generates a key pair from the secret key.
     * @param sk The secret key.
     * @returns {Promise<[Uint8Array, Uint8Array]>} A promise that resolves with the key pair derived from the secret key.
     */
    async _generateKeyPairDerand(sk) {
      const [_skM, _skX, pkM, pkX] = await this._expandDecapsulationKey(sk);
      return [sk, concat(pkM, pkX)];
    }
    /**
     * Expands the decapsulation key.
     * @param sk The secret key.
     * @returns {Promise<[Uint8Array, Uint8Array, Uint8Array, Uint8Array]>} A promise that resolves with the keys derived by expanding the secret key.
     */
    async _expandDecapsulationKey(sk) {
      const expanded = shake2562.create({ dkLen: 96 }).update(sk).digest();
      const [pkM, skM] = await this._m.deriveKeyPair(expanded.subarray(0, 64));
      const skX = expanded.subarray(64, 96);
      const pkX = await this._x25519.derive(skX, X25519_BASE);
      return [skM, skX, pkM, pkX];
    }
    _serializePublicKey(k) {
      return new Promise((resolve, reject) => {
        if (k.type !== "public") {
          reject(new Error("Not public key"));
        }
        if (k.algorithm.name !== this.name) {
          reject(new Error(`Invalid algorithm name: ${k.algorithm.name}`));
        }
        if (k.key.byteLength !== this.publicKeySize) {
          reject(new Error(`Invalid key length: ${k.key.byteLength}`));
        }
        resolve(k.key.buffer);
      });
    }
    _deserializePublicKey(k) {
      return new Promise((resolve, reject) => {
        if (k.byteLength !== this.publicKeySize) {
          reject(new Error(`Invalid key length: ${k.byteLength}`));
        }
        resolve(new XCryptoKey(this.name, new Uint8Array(k), "public"));
      });
    }
    _serializePrivateKey(k) {
      return new Promise((resolve, reject) => {
        if (k.type !== "private") {
          reject(new Error("Not private key"));
        }
        if (k.algorithm.name !== this.name) {
          reject(new Error(`Invalid algorithm name: ${k.algorithm.name}`));
        }
        if (k.key.byteLength !== this.privateKeySize) {
          reject(new Error(`Invalid key length: ${k.key.byteLength}`));
        }
        resolve(k.key.buffer);
      });
    }
    _deserializePrivateKey(k) {
      return new Promise((resolve, reject) => {
        if (k.byteLength !== this.privateKeySize) {
          reject(new Error(`Invalid key length: ${k.byteLength}`));
        }
        resolve(new XCryptoKey(this.name, new Uint8Array(k), "private", ["deriveBits"]));
      });
    }
    _importJWK(key, isPublic) {
      return new Promise((resolve, reject) => {
        if (typeof key.kty === "undefined" || key.kty !== "AKP") {
          reject(new Error(`Invalid kty: ${key.kty}`));
        }
        if (typeof key.alg === "undefined" || key.alg !== ALG_NAME2) {
          reject(new Error(`Invalid alg: ${key.alg}`));
        }
        if (!isPublic) {
          if (typeof key.priv === "undefined") {
            reject(new Error("Invalid key: `priv` not found"));
          }
          if (typeof key.key_ops !== "undefined" && (key.key_ops.length !== 1 || key.key_ops[0] !== "deriveBits")) {
            reject(new Error("Invalid key: `key_ops` should be ['deriveBits']"));
          }
          resolve(base64UrlToBytes(key.priv));
        }
        if (typeof key.priv !== "undefined") {
          reject(new Error("Invalid key: `priv` should not be set"));
        }
        if (typeof key.pub === "undefined") {
          reject(new Error("Invalid key: `pub` not found"));
        }
        if (typeof key.key_ops !== "undefined" && key.key_ops.length > 0) {
          reject(new Error("Invalid key: `key_ops` should not be set"));
        }
        resolve(base64UrlToBytes(key.pub));
      });
    }
  };

  // ../../trading/static/vendor/sm-crypto.js
  var crypto2 = typeof globalThis === "object" && "crypto" in globalThis ? globalThis.crypto : void 0;
  /*! noble-hashes - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  function isBytes3(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array";
  }
  function anumber3(n) {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new Error("positive integer expected, got " + n);
  }
  function abytes3(b, ...lengths) {
    if (!isBytes3(b))
      throw new Error("Uint8Array expected");
    if (lengths.length > 0 && !lengths.includes(b.length))
      throw new Error("Uint8Array expected of length " + lengths + ", got length=" + b.length);
  }
  function ahash2(h) {
    if (typeof h !== "function" || typeof h.create !== "function")
      throw new Error("Hash should be wrapped by utils.createHasher");
    anumber3(h.outputLen);
    anumber3(h.blockLen);
  }
  function aexists3(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("Hash instance has been destroyed");
    if (checkFinished && instance.finished)
      throw new Error("Hash#digest() has already been called");
  }
  function clean3(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  var hasHexBuiltin2 = /* @__PURE__ */ (() => (
    // @ts-ignore
    typeof Uint8Array.from([]).toHex === "function" && typeof Uint8Array.fromHex === "function"
  ))();
  var hexes2 = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  function bytesToHex2(bytes) {
    abytes3(bytes);
    if (hasHexBuiltin2)
      return bytes.toHex();
    let hex2 = "";
    for (let i = 0; i < bytes.length; i++) {
      hex2 += hexes2[bytes[i]];
    }
    return hex2;
  }
  var asciis2 = { _0: 48, _9: 57, A: 65, F: 70, a: 97, f: 102 };
  function asciiToBase162(ch) {
    if (ch >= asciis2._0 && ch <= asciis2._9)
      return ch - asciis2._0;
    if (ch >= asciis2.A && ch <= asciis2.F)
      return ch - (asciis2.A - 10);
    if (ch >= asciis2.a && ch <= asciis2.f)
      return ch - (asciis2.a - 10);
    return;
  }
  function hexToBytes2(hex2) {
    if (typeof hex2 !== "string")
      throw new Error("hex string expected, got " + typeof hex2);
    if (hasHexBuiltin2)
      return Uint8Array.fromHex(hex2);
    const hl = hex2.length;
    const al = hl / 2;
    if (hl % 2)
      throw new Error("hex string expected, got unpadded hex of length " + hl);
    const array = new Uint8Array(al);
    for (let ai = 0, hi = 0; ai < al; ai++, hi += 2) {
      const n1 = asciiToBase162(hex2.charCodeAt(hi));
      const n2 = asciiToBase162(hex2.charCodeAt(hi + 1));
      if (n1 === void 0 || n2 === void 0) {
        const char = hex2[hi] + hex2[hi + 1];
        throw new Error('hex string expected, got non-hex character "' + char + '" at index ' + hi);
      }
      array[ai] = n1 * 16 + n2;
    }
    return array;
  }
  function utf8ToBytes(str) {
    if (typeof str !== "string")
      throw new Error("string expected");
    return new Uint8Array(new TextEncoder().encode(str));
  }
  function toBytes(data) {
    if (typeof data === "string")
      data = utf8ToBytes(data);
    abytes3(data);
    return data;
  }
  function concatBytes(...arrays) {
    let sum = 0;
    for (let i = 0; i < arrays.length; i++) {
      const a = arrays[i];
      abytes3(a);
      sum += a.length;
    }
    const res = new Uint8Array(sum);
    for (let i = 0, pad = 0; i < arrays.length; i++) {
      const a = arrays[i];
      res.set(a, pad);
      pad += a.length;
    }
    return res;
  }
  var Hash = class {
  };
  function randomBytes(bytesLength = 32) {
    if (crypto2 && typeof crypto2.getRandomValues === "function") {
      return crypto2.getRandomValues(new Uint8Array(bytesLength));
    }
    if (crypto2 && typeof crypto2.randomBytes === "function") {
      return Uint8Array.from(crypto2.randomBytes(bytesLength));
    }
    throw new Error("crypto.getRandomValues must be defined");
  }
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _0n3 = /* @__PURE__ */ BigInt(0);
  var _1n4 = /* @__PURE__ */ BigInt(1);
  function _abool2(value, title = "") {
    if (typeof value !== "boolean") {
      const prefix = title && `"${title}"`;
      throw new Error(prefix + "expected boolean, got type=" + typeof value);
    }
    return value;
  }
  function _abytes2(value, length, title = "") {
    const bytes = isBytes3(value);
    const len = value?.length;
    const needsLen = length !== void 0;
    if (!bytes || needsLen && len !== length) {
      const prefix = title && `"${title}" `;
      const ofLen = needsLen ? ` of length ${length}` : "";
      const got = bytes ? `length=${len}` : `type=${typeof value}`;
      throw new Error(prefix + "expected Uint8Array" + ofLen + ", got " + got);
    }
    return value;
  }
  function numberToHexUnpadded(num) {
    const hex2 = num.toString(16);
    return hex2.length & 1 ? "0" + hex2 : hex2;
  }
  function hexToNumber2(hex2) {
    if (typeof hex2 !== "string")
      throw new Error("hex string expected, got " + typeof hex2);
    return hex2 === "" ? _0n3 : BigInt("0x" + hex2);
  }
  function bytesToNumberBE(bytes) {
    return hexToNumber2(bytesToHex2(bytes));
  }
  function bytesToNumberLE2(bytes) {
    abytes3(bytes);
    return hexToNumber2(bytesToHex2(Uint8Array.from(bytes).reverse()));
  }
  function numberToBytesBE2(n, len) {
    return hexToBytes2(n.toString(16).padStart(len * 2, "0"));
  }
  function numberToBytesLE2(n, len) {
    return numberToBytesBE2(n, len).reverse();
  }
  function ensureBytes(title, hex2, expectedLength) {
    let res;
    if (typeof hex2 === "string") {
      try {
        res = hexToBytes2(hex2);
      } catch (e) {
        throw new Error(title + " must be hex string or Uint8Array, cause: " + e);
      }
    } else if (isBytes3(hex2)) {
      res = Uint8Array.from(hex2);
    } else {
      throw new Error(title + " must be hex string or Uint8Array");
    }
    const len = res.length;
    if (typeof expectedLength === "number" && len !== expectedLength)
      throw new Error(title + " of length " + expectedLength + " expected, got " + len);
    return res;
  }
  var isPosBig2 = (n) => typeof n === "bigint" && _0n3 <= n;
  function inRange2(n, min, max) {
    return isPosBig2(n) && isPosBig2(min) && isPosBig2(max) && min <= n && n < max;
  }
  function aInRange2(title, n, min, max) {
    if (!inRange2(n, min, max))
      throw new Error("expected valid " + title + ": " + min + " <= n < " + max + ", got " + n);
  }
  function bitLen(n) {
    let len;
    for (len = 0; n > _0n3; n >>= _1n4, len += 1)
      ;
    return len;
  }
  var bitMask = (n) => (_1n4 << BigInt(n)) - _1n4;
  function createHmacDrbg(hashLen, qByteLen, hmacFn) {
    if (typeof hashLen !== "number" || hashLen < 2)
      throw new Error("hashLen must be a number");
    if (typeof qByteLen !== "number" || qByteLen < 2)
      throw new Error("qByteLen must be a number");
    if (typeof hmacFn !== "function")
      throw new Error("hmacFn must be a function");
    const u8n = (len) => new Uint8Array(len);
    const u8of = (byte2) => Uint8Array.of(byte2);
    let v = u8n(hashLen);
    let k = u8n(hashLen);
    let i = 0;
    const reset = () => {
      v.fill(1);
      k.fill(0);
      i = 0;
    };
    const h = (...b) => hmacFn(k, v, ...b);
    const reseed = (seed = u8n(0)) => {
      k = h(u8of(0), seed);
      v = h();
      if (seed.length === 0)
        return;
      k = h(u8of(1), seed);
      v = h();
    };
    const gen = () => {
      if (i++ >= 1e3)
        throw new Error("drbg: tried 1000 values");
      let len = 0;
      const out = [];
      while (len < qByteLen) {
        v = h();
        const sl = v.slice();
        out.push(sl);
        len += v.length;
      }
      return concatBytes(...out);
    };
    const genUntil = (seed, pred) => {
      reset();
      reseed(seed);
      let res = void 0;
      while (!(res = pred(gen())))
        reseed();
      reset();
      return res;
    };
    return genUntil;
  }
  function _validateObject(object, fields, optFields = {}) {
    if (!object || typeof object !== "object")
      throw new Error("expected valid options object");
    function checkField(fieldName, expectedType, isOpt) {
      const val = object[fieldName];
      if (isOpt && val === void 0)
        return;
      const current = typeof val;
      if (current !== expectedType || val === null)
        throw new Error(`param "${fieldName}" is invalid: expected ${expectedType}, got ${current}`);
    }
    Object.entries(fields).forEach(([k, v]) => checkField(k, v, false));
    Object.entries(optFields).forEach(([k, v]) => checkField(k, v, true));
  }
  function memoized(fn) {
    const map = /* @__PURE__ */ new WeakMap();
    return (arg, ...args) => {
      const val = map.get(arg);
      if (val !== void 0)
        return val;
      const computed = fn(arg, ...args);
      map.set(arg, computed);
      return computed;
    };
  }
  var bytesToHex22 = bytesToHex2;
  var concatBytes2 = concatBytes;
  var numberToHexUnpadded2 = numberToHexUnpadded;
  var hexToNumber22 = hexToNumber2;
  var numberToBytesBE22 = numberToBytesBE2;
  var HMAC = class extends Hash {
    constructor(hash, _key) {
      super();
      this.finished = false;
      this.destroyed = false;
      ahash2(hash);
      const key = toBytes(_key);
      this.iHash = hash.create();
      if (typeof this.iHash.update !== "function")
        throw new Error("Expected instance of class which extends utils.Hash");
      this.blockLen = this.iHash.blockLen;
      this.outputLen = this.iHash.outputLen;
      const blockLen = this.blockLen;
      const pad = new Uint8Array(blockLen);
      pad.set(key.length > blockLen ? hash.create().update(key).digest() : key);
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54;
      this.iHash.update(pad);
      this.oHash = hash.create();
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54 ^ 92;
      this.oHash.update(pad);
      clean3(pad);
    }
    update(buf) {
      aexists3(this);
      this.iHash.update(buf);
      return this;
    }
    digestInto(out) {
      aexists3(this);
      abytes3(out, this.outputLen);
      this.finished = true;
      this.iHash.digestInto(out);
      this.oHash.update(out);
      this.oHash.digestInto(out);
      this.destroy();
    }
    digest() {
      const out = new Uint8Array(this.oHash.outputLen);
      this.digestInto(out);
      return out;
    }
    _cloneInto(to) {
      to || (to = Object.create(Object.getPrototypeOf(this), {}));
      const { oHash, iHash, finished, destroyed, blockLen, outputLen } = this;
      to = to;
      to.finished = finished;
      to.destroyed = destroyed;
      to.blockLen = blockLen;
      to.outputLen = outputLen;
      to.oHash = oHash._cloneInto(to.oHash);
      to.iHash = iHash._cloneInto(to.iHash);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
    destroy() {
      this.destroyed = true;
      this.oHash.destroy();
      this.iHash.destroy();
    }
  };
  var hmac2 = (hash, key, message) => new HMAC(hash, key).update(message).digest();
  hmac2.create = (hash, key) => new HMAC(hash, key);
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _0n22 = BigInt(0);
  var _1n22 = BigInt(1);
  var _2n4 = /* @__PURE__ */ BigInt(2);
  var _3n2 = /* @__PURE__ */ BigInt(3);
  var _4n = /* @__PURE__ */ BigInt(4);
  var _5n2 = /* @__PURE__ */ BigInt(5);
  var _7n3 = /* @__PURE__ */ BigInt(7);
  var _8n = /* @__PURE__ */ BigInt(8);
  var _9n = /* @__PURE__ */ BigInt(9);
  var _16n = /* @__PURE__ */ BigInt(16);
  function mod2(a, b) {
    const result = a % b;
    return result >= _0n22 ? result : b + result;
  }
  function invert(number, modulo) {
    if (number === _0n22)
      throw new Error("invert: expected non-zero number");
    if (modulo <= _0n22)
      throw new Error("invert: expected positive modulus, got " + modulo);
    let a = mod2(number, modulo);
    let b = modulo;
    let x2 = _0n22, y = _1n22, u = _1n22, v = _0n22;
    while (a !== _0n22) {
      const q = b / a;
      const r = b % a;
      const m = x2 - u * q;
      const n = y - v * q;
      b = a, a = r, x2 = u, y = v, u = m, v = n;
    }
    const gcd = b;
    if (gcd !== _1n22)
      throw new Error("invert: does not exist");
    return mod2(x2, modulo);
  }
  function assertIsSquare(Fp, root2, n) {
    if (!Fp.eql(Fp.sqr(root2), n))
      throw new Error("Cannot find square root");
  }
  function sqrt3mod4(Fp, n) {
    const p1div4 = (Fp.ORDER + _1n22) / _4n;
    const root2 = Fp.pow(n, p1div4);
    assertIsSquare(Fp, root2, n);
    return root2;
  }
  function sqrt5mod8(Fp, n) {
    const p5div8 = (Fp.ORDER - _5n2) / _8n;
    const n2 = Fp.mul(n, _2n4);
    const v = Fp.pow(n2, p5div8);
    const nv = Fp.mul(n, v);
    const i = Fp.mul(Fp.mul(nv, _2n4), v);
    const root2 = Fp.mul(nv, Fp.sub(i, Fp.ONE));
    assertIsSquare(Fp, root2, n);
    return root2;
  }
  function sqrt9mod16(P) {
    const Fp_ = Field(P);
    const tn = tonelliShanks(P);
    const c1 = tn(Fp_, Fp_.neg(Fp_.ONE));
    const c2 = tn(Fp_, c1);
    const c3 = tn(Fp_, Fp_.neg(c1));
    const c4 = (P + _7n3) / _16n;
    return (Fp, n) => {
      let tv1 = Fp.pow(n, c4);
      let tv2 = Fp.mul(tv1, c1);
      const tv3 = Fp.mul(tv1, c2);
      const tv4 = Fp.mul(tv1, c3);
      const e1 = Fp.eql(Fp.sqr(tv2), n);
      const e2 = Fp.eql(Fp.sqr(tv3), n);
      tv1 = Fp.cmov(tv1, tv2, e1);
      tv2 = Fp.cmov(tv4, tv3, e2);
      const e3 = Fp.eql(Fp.sqr(tv2), n);
      const root2 = Fp.cmov(tv1, tv2, e3);
      assertIsSquare(Fp, root2, n);
      return root2;
    };
  }
  function tonelliShanks(P) {
    if (P < _3n2)
      throw new Error("sqrt is not defined for small field");
    let Q2 = P - _1n22;
    let S = 0;
    while (Q2 % _2n4 === _0n22) {
      Q2 /= _2n4;
      S++;
    }
    let Z = _2n4;
    const _Fp = Field(P);
    while (FpLegendre(_Fp, Z) === 1) {
      if (Z++ > 1e3)
        throw new Error("Cannot find square root: probably non-prime P");
    }
    if (S === 1)
      return sqrt3mod4;
    let cc = _Fp.pow(Z, Q2);
    const Q1div2 = (Q2 + _1n22) / _2n4;
    return function tonelliSlow(Fp, n) {
      if (Fp.is0(n))
        return n;
      if (FpLegendre(Fp, n) !== 1)
        throw new Error("Cannot find square root");
      let M = S;
      let c = Fp.mul(Fp.ONE, cc);
      let t = Fp.pow(n, Q2);
      let R = Fp.pow(n, Q1div2);
      while (!Fp.eql(t, Fp.ONE)) {
        if (Fp.is0(t))
          return Fp.ZERO;
        let i = 1;
        let t_tmp = Fp.sqr(t);
        while (!Fp.eql(t_tmp, Fp.ONE)) {
          i++;
          t_tmp = Fp.sqr(t_tmp);
          if (i === M)
            throw new Error("Cannot find square root");
        }
        const exponent = _1n22 << BigInt(M - i - 1);
        const b = Fp.pow(c, exponent);
        M = i;
        c = Fp.sqr(b);
        t = Fp.mul(t, c);
        R = Fp.mul(R, b);
      }
      return R;
    };
  }
  function FpSqrt(P) {
    if (P % _4n === _3n2)
      return sqrt3mod4;
    if (P % _8n === _5n2)
      return sqrt5mod8;
    if (P % _16n === _9n)
      return sqrt9mod16(P);
    return tonelliShanks(P);
  }
  var FIELD_FIELDS = [
    "create",
    "isValid",
    "is0",
    "neg",
    "inv",
    "sqrt",
    "sqr",
    "eql",
    "add",
    "sub",
    "mul",
    "pow",
    "div",
    "addN",
    "subN",
    "mulN",
    "sqrN"
  ];
  function validateField(field22) {
    const initial = {
      ORDER: "bigint",
      MASK: "bigint",
      BYTES: "number",
      BITS: "number"
    };
    const opts = FIELD_FIELDS.reduce((map, val) => {
      map[val] = "function";
      return map;
    }, initial);
    _validateObject(field22, opts);
    return field22;
  }
  function FpPow(Fp, num, power) {
    if (power < _0n22)
      throw new Error("invalid exponent, negatives unsupported");
    if (power === _0n22)
      return Fp.ONE;
    if (power === _1n22)
      return num;
    let p = Fp.ONE;
    let d = num;
    while (power > _0n22) {
      if (power & _1n22)
        p = Fp.mul(p, d);
      d = Fp.sqr(d);
      power >>= _1n22;
    }
    return p;
  }
  function FpInvertBatch(Fp, nums, passZero = false) {
    const inverted = new Array(nums.length).fill(passZero ? Fp.ZERO : void 0);
    const multipliedAcc = nums.reduce((acc, num, i) => {
      if (Fp.is0(num))
        return acc;
      inverted[i] = acc;
      return Fp.mul(acc, num);
    }, Fp.ONE);
    const invertedAcc = Fp.inv(multipliedAcc);
    nums.reduceRight((acc, num, i) => {
      if (Fp.is0(num))
        return acc;
      inverted[i] = Fp.mul(acc, inverted[i]);
      return Fp.mul(acc, num);
    }, invertedAcc);
    return inverted;
  }
  function FpLegendre(Fp, n) {
    const p1mod2 = (Fp.ORDER - _1n22) / _2n4;
    const powered = Fp.pow(n, p1mod2);
    const yes = Fp.eql(powered, Fp.ONE);
    const zero = Fp.eql(powered, Fp.ZERO);
    const no = Fp.eql(powered, Fp.neg(Fp.ONE));
    if (!yes && !zero && !no)
      throw new Error("invalid Legendre symbol result");
    return yes ? 1 : zero ? 0 : -1;
  }
  function nLength(n, nBitLength) {
    if (nBitLength !== void 0)
      anumber3(nBitLength);
    const _nBitLength = nBitLength !== void 0 ? nBitLength : n.toString(2).length;
    const nByteLength = Math.ceil(_nBitLength / 8);
    return { nBitLength: _nBitLength, nByteLength };
  }
  function Field(ORDER, bitLenOrOpts, isLE22 = false, opts = {}) {
    if (ORDER <= _0n22)
      throw new Error("invalid field: expected ORDER > 0, got " + ORDER);
    let _nbitLength = void 0;
    let _sqrt = void 0;
    let modFromBytes = false;
    let allowedLengths = void 0;
    if (typeof bitLenOrOpts === "object" && bitLenOrOpts != null) {
      if (opts.sqrt || isLE22)
        throw new Error("cannot specify opts in two arguments");
      const _opts = bitLenOrOpts;
      if (_opts.BITS)
        _nbitLength = _opts.BITS;
      if (_opts.sqrt)
        _sqrt = _opts.sqrt;
      if (typeof _opts.isLE === "boolean")
        isLE22 = _opts.isLE;
      if (typeof _opts.modFromBytes === "boolean")
        modFromBytes = _opts.modFromBytes;
      allowedLengths = _opts.allowedLengths;
    } else {
      if (typeof bitLenOrOpts === "number")
        _nbitLength = bitLenOrOpts;
      if (opts.sqrt)
        _sqrt = opts.sqrt;
    }
    const { nBitLength: BITS, nByteLength: BYTES } = nLength(ORDER, _nbitLength);
    if (BYTES > 2048)
      throw new Error("invalid field: expected ORDER of <= 2048 bytes");
    let sqrtP;
    const f = Object.freeze({
      ORDER,
      isLE: isLE22,
      BITS,
      BYTES,
      MASK: bitMask(BITS),
      ZERO: _0n22,
      ONE: _1n22,
      allowedLengths,
      create: (num) => mod2(num, ORDER),
      isValid: (num) => {
        if (typeof num !== "bigint")
          throw new Error("invalid field element: expected bigint, got " + typeof num);
        return _0n22 <= num && num < ORDER;
      },
      is0: (num) => num === _0n22,
      // is valid and invertible
      isValidNot0: (num) => !f.is0(num) && f.isValid(num),
      isOdd: (num) => (num & _1n22) === _1n22,
      neg: (num) => mod2(-num, ORDER),
      eql: (lhs, rhs) => lhs === rhs,
      sqr: (num) => mod2(num * num, ORDER),
      add: (lhs, rhs) => mod2(lhs + rhs, ORDER),
      sub: (lhs, rhs) => mod2(lhs - rhs, ORDER),
      mul: (lhs, rhs) => mod2(lhs * rhs, ORDER),
      pow: (num, power) => FpPow(f, num, power),
      div: (lhs, rhs) => mod2(lhs * invert(rhs, ORDER), ORDER),
      // Same as above, but doesn't normalize
      sqrN: (num) => num * num,
      addN: (lhs, rhs) => lhs + rhs,
      subN: (lhs, rhs) => lhs - rhs,
      mulN: (lhs, rhs) => lhs * rhs,
      inv: (num) => invert(num, ORDER),
      sqrt: _sqrt || ((n) => {
        if (!sqrtP)
          sqrtP = FpSqrt(ORDER);
        return sqrtP(f, n);
      }),
      toBytes: (num) => isLE22 ? numberToBytesLE2(num, BYTES) : numberToBytesBE2(num, BYTES),
      fromBytes: (bytes, skipValidation = true) => {
        if (allowedLengths) {
          if (!allowedLengths.includes(bytes.length) || bytes.length > BYTES) {
            throw new Error("Field.fromBytes: expected " + allowedLengths + " bytes, got " + bytes.length);
          }
          const padded = new Uint8Array(BYTES);
          padded.set(bytes, isLE22 ? 0 : padded.length - bytes.length);
          bytes = padded;
        }
        if (bytes.length !== BYTES)
          throw new Error("Field.fromBytes: expected " + BYTES + " bytes, got " + bytes.length);
        let scalar = isLE22 ? bytesToNumberLE2(bytes) : bytesToNumberBE(bytes);
        if (modFromBytes)
          scalar = mod2(scalar, ORDER);
        if (!skipValidation) {
          if (!f.isValid(scalar))
            throw new Error("invalid field element: outside of range 0..ORDER");
        }
        return scalar;
      },
      // TODO: we don't need it here, move out to separate fn
      invertBatch: (lst) => FpInvertBatch(f, lst),
      // We can't move this out because Fp6, Fp12 implement it
      // and it's unclear what to return in there.
      cmov: (a, b, c) => c ? b : a
    });
    return Object.freeze(f);
  }
  function getFieldBytesLength(fieldOrder) {
    if (typeof fieldOrder !== "bigint")
      throw new Error("field order must be bigint");
    const bitLength = fieldOrder.toString(2).length;
    return Math.ceil(bitLength / 8);
  }
  function getMinHashLength(fieldOrder) {
    const length = getFieldBytesLength(fieldOrder);
    return length + Math.ceil(length / 2);
  }
  function mapHashToField(key, fieldOrder, isLE22 = false) {
    const len = key.length;
    const fieldLen = getFieldBytesLength(fieldOrder);
    const minLen = getMinHashLength(fieldOrder);
    if (len < 16 || len < minLen || len > 1024)
      throw new Error("expected " + minLen + "-1024 bytes of input, got " + len);
    const num = isLE22 ? bytesToNumberLE2(key) : bytesToNumberBE(key);
    const reduced = mod2(num, fieldOrder - _1n22) + _1n22;
    return isLE22 ? numberToBytesLE2(reduced, fieldLen) : numberToBytesBE2(reduced, fieldLen);
  }
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var _0n32 = BigInt(0);
  var _1n32 = BigInt(1);
  function negateCt(condition, item) {
    const neg = item.negate();
    return condition ? neg : item;
  }
  function normalizeZ(c, points) {
    const invertedZs = FpInvertBatch(c.Fp, points.map((p) => p.Z));
    return points.map((p, i) => c.fromAffine(p.toAffine(invertedZs[i])));
  }
  function validateW(W, bits) {
    if (!Number.isSafeInteger(W) || W <= 0 || W > bits)
      throw new Error("invalid window size, expected [1.." + bits + "], got W=" + W);
  }
  function calcWOpts(W, scalarBits) {
    validateW(W, scalarBits);
    const windows = Math.ceil(scalarBits / W) + 1;
    const windowSize = 2 ** (W - 1);
    const maxNumber = 2 ** W;
    const mask = bitMask(W);
    const shiftBy = BigInt(W);
    return { windows, windowSize, mask, maxNumber, shiftBy };
  }
  function calcOffsets(n, window, wOpts) {
    const { windowSize, mask, maxNumber, shiftBy } = wOpts;
    let wbits = Number(n & mask);
    let nextN = n >> shiftBy;
    if (wbits > windowSize) {
      wbits -= maxNumber;
      nextN += _1n32;
    }
    const offsetStart = window * windowSize;
    const offset = offsetStart + Math.abs(wbits) - 1;
    const isZero = wbits === 0;
    const isNeg = wbits < 0;
    const isNegF = window % 2 !== 0;
    const offsetF = offsetStart;
    return { nextN, offset, isZero, isNeg, isNegF, offsetF };
  }
  function validateMSMPoints(points, c) {
    if (!Array.isArray(points))
      throw new Error("array expected");
    points.forEach((p, i) => {
      if (!(p instanceof c))
        throw new Error("invalid point at index " + i);
    });
  }
  function validateMSMScalars(scalars, field22) {
    if (!Array.isArray(scalars))
      throw new Error("array of scalars expected");
    scalars.forEach((s, i) => {
      if (!field22.isValid(s))
        throw new Error("invalid scalar at index " + i);
    });
  }
  var pointPrecomputes = /* @__PURE__ */ new WeakMap();
  var pointWindowSizes = /* @__PURE__ */ new WeakMap();
  function getW(P) {
    return pointWindowSizes.get(P) || 1;
  }
  function assert0(n) {
    if (n !== _0n32)
      throw new Error("invalid wNAF");
  }
  var wNAF = class {
    // Parametrized with a given Point class (not individual point)
    constructor(Point, bits) {
      this.BASE = Point.BASE;
      this.ZERO = Point.ZERO;
      this.Fn = Point.Fn;
      this.bits = bits;
    }
    // non-const time multiplication ladder
    _unsafeLadder(elm, n, p = this.ZERO) {
      let d = elm;
      while (n > _0n32) {
        if (n & _1n32)
          p = p.add(d);
        d = d.double();
        n >>= _1n32;
      }
      return p;
    }
    /**
     * Creates a wNAF precomputation window. Used for caching.
     * Default window size is set by `utils.precompute()` and is equal to 8.
     * Number of precomputed points depends on the curve size:
     * 2^(𝑊−1) * (Math.ceil(𝑛 / 𝑊) + 1), where:
     * - 𝑊 is the window size
     * - 𝑛 is the bitlength of the curve order.
     * For a 256-bit curve and window size 8, the number of precomputed points is 128 * 33 = 4224.
     * @param point Point instance
     * @param W window size
     * @returns precomputed point tables flattened to a single array
     */
    precomputeWindow(point, W) {
      const { windows, windowSize } = calcWOpts(W, this.bits);
      const points = [];
      let p = point;
      let base = p;
      for (let window = 0; window < windows; window++) {
        base = p;
        points.push(base);
        for (let i = 1; i < windowSize; i++) {
          base = base.add(p);
          points.push(base);
        }
        p = base.double();
      }
      return points;
    }
    /**
     * Implements ec multiplication using precomputed tables and w-ary non-adjacent form.
     * More compact implementation:
     * https://github.com/paulmillr/noble-secp256k1/blob/47cb1669b6e506ad66b35fe7d76132ae97465da2/index.ts#L502-L541
     * @returns real and fake (for const-time) points
     */
    wNAF(W, precomputes, n) {
      if (!this.Fn.isValid(n))
        throw new Error("invalid scalar");
      let p = this.ZERO;
      let f = this.BASE;
      const wo = calcWOpts(W, this.bits);
      for (let window = 0; window < wo.windows; window++) {
        const { nextN, offset, isZero, isNeg, isNegF, offsetF } = calcOffsets(n, window, wo);
        n = nextN;
        if (isZero) {
          f = f.add(negateCt(isNegF, precomputes[offsetF]));
        } else {
          p = p.add(negateCt(isNeg, precomputes[offset]));
        }
      }
      assert0(n);
      return { p, f };
    }
    /**
     * Implements ec unsafe (non const-time) multiplication using precomputed tables and w-ary non-adjacent form.
     * @param acc accumulator point to add result of multiplication
     * @returns point
     */
    wNAFUnsafe(W, precomputes, n, acc = this.ZERO) {
      const wo = calcWOpts(W, this.bits);
      for (let window = 0; window < wo.windows; window++) {
        if (n === _0n32)
          break;
        const { nextN, offset, isZero, isNeg } = calcOffsets(n, window, wo);
        n = nextN;
        if (isZero) {
          continue;
        } else {
          const item = precomputes[offset];
          acc = acc.add(isNeg ? item.negate() : item);
        }
      }
      assert0(n);
      return acc;
    }
    getPrecomputes(W, point, transform) {
      let comp = pointPrecomputes.get(point);
      if (!comp) {
        comp = this.precomputeWindow(point, W);
        if (W !== 1) {
          if (typeof transform === "function")
            comp = transform(comp);
          pointPrecomputes.set(point, comp);
        }
      }
      return comp;
    }
    cached(point, scalar, transform) {
      const W = getW(point);
      return this.wNAF(W, this.getPrecomputes(W, point, transform), scalar);
    }
    unsafe(point, scalar, transform, prev) {
      const W = getW(point);
      if (W === 1)
        return this._unsafeLadder(point, scalar, prev);
      return this.wNAFUnsafe(W, this.getPrecomputes(W, point, transform), scalar, prev);
    }
    // We calculate precomputes for elliptic curve point multiplication
    // using windowed method. This specifies window size and
    // stores precomputed values. Usually only base point would be precomputed.
    createCache(P, W) {
      validateW(W, this.bits);
      pointWindowSizes.set(P, W);
      pointPrecomputes.delete(P);
    }
    hasCache(elm) {
      return getW(elm) !== 1;
    }
  };
  function mulEndoUnsafe(Point, point, k1, k2) {
    let acc = point;
    let p1 = Point.ZERO;
    let p2 = Point.ZERO;
    while (k1 > _0n32 || k2 > _0n32) {
      if (k1 & _1n32)
        p1 = p1.add(acc);
      if (k2 & _1n32)
        p2 = p2.add(acc);
      acc = acc.double();
      k1 >>= _1n32;
      k2 >>= _1n32;
    }
    return { p1, p2 };
  }
  function pippenger(c, fieldN, points, scalars) {
    validateMSMPoints(points, c);
    validateMSMScalars(scalars, fieldN);
    const plength = points.length;
    const slength = scalars.length;
    if (plength !== slength)
      throw new Error("arrays of points and scalars must have equal length");
    const zero = c.ZERO;
    const wbits = bitLen(BigInt(plength));
    let windowSize = 1;
    if (wbits > 12)
      windowSize = wbits - 3;
    else if (wbits > 4)
      windowSize = wbits - 2;
    else if (wbits > 0)
      windowSize = 2;
    const MASK = bitMask(windowSize);
    const buckets = new Array(Number(MASK) + 1).fill(zero);
    const lastBits = Math.floor((fieldN.BITS - 1) / windowSize) * windowSize;
    let sum = zero;
    for (let i = lastBits; i >= 0; i -= windowSize) {
      buckets.fill(zero);
      for (let j = 0; j < slength; j++) {
        const scalar = scalars[j];
        const wbits2 = Number(scalar >> BigInt(i) & MASK);
        buckets[wbits2] = buckets[wbits2].add(points[j]);
      }
      let resI = zero;
      for (let j = buckets.length - 1, sumI = zero; j > 0; j--) {
        sumI = sumI.add(buckets[j]);
        resI = resI.add(sumI);
      }
      sum = sum.add(resI);
      if (i !== 0)
        for (let j = 0; j < windowSize; j++)
          sum = sum.double();
    }
    return sum;
  }
  function createField(order, field22, isLE22) {
    if (field22) {
      if (field22.ORDER !== order)
        throw new Error("Field.ORDER must match order: Fp == p, Fn == n");
      validateField(field22);
      return field22;
    } else {
      return Field(order, { isLE: isLE22 });
    }
  }
  function _createCurveFields(type, CURVE, curveOpts = {}, FpFnLE) {
    if (FpFnLE === void 0)
      FpFnLE = type === "edwards";
    if (!CURVE || typeof CURVE !== "object")
      throw new Error(`expected valid ${type} CURVE object`);
    for (const p of ["p", "n", "h"]) {
      const val = CURVE[p];
      if (!(typeof val === "bigint" && val > _0n32))
        throw new Error(`CURVE.${p} must be positive bigint`);
    }
    const Fp = createField(CURVE.p, curveOpts.Fp, FpFnLE);
    const Fn = createField(CURVE.n, curveOpts.Fn, FpFnLE);
    const _b = type === "weierstrass" ? "b" : "d";
    const params = ["Gx", "Gy", "a", _b];
    for (const p of params) {
      if (!Fp.isValid(CURVE[p]))
        throw new Error(`CURVE.${p} must be valid field element of CURVE.Fp`);
    }
    CURVE = Object.freeze(Object.assign({}, CURVE));
    return { CURVE, Fp, Fn };
  }
  /*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) */
  var divNearest = (num, den) => (num + (num >= 0 ? den : -den) / _2n22) / den;
  function _splitEndoScalar(k, basis, n) {
    const [[a1, b1], [a2, b2]] = basis;
    const c1 = divNearest(b2 * k, n);
    const c2 = divNearest(-b1 * k, n);
    let k1 = k - c1 * a1 - c2 * a2;
    let k2 = -c1 * b1 - c2 * b2;
    const k1neg = k1 < _0n4;
    const k2neg = k2 < _0n4;
    if (k1neg)
      k1 = -k1;
    if (k2neg)
      k2 = -k2;
    const MAX_NUM = bitMask(Math.ceil(bitLen(n) / 2)) + _1n42;
    if (k1 < _0n4 || k1 >= MAX_NUM || k2 < _0n4 || k2 >= MAX_NUM) {
      throw new Error("splitScalar (endomorphism): failed, k=" + k);
    }
    return { k1neg, k1, k2neg, k2 };
  }
  function validateSigFormat(format) {
    if (!["compact", "recovered", "der"].includes(format))
      throw new Error('Signature format must be "compact", "recovered", or "der"');
    return format;
  }
  function validateSigOpts(opts, def) {
    const optsn = {};
    for (let optName of Object.keys(def)) {
      optsn[optName] = opts[optName] === void 0 ? def[optName] : opts[optName];
    }
    _abool2(optsn.lowS, "lowS");
    _abool2(optsn.prehash, "prehash");
    if (optsn.format !== void 0)
      validateSigFormat(optsn.format);
    return optsn;
  }
  var DERErr = class extends Error {
    constructor(m = "") {
      super(m);
    }
  };
  var DER = {
    // asn.1 DER encoding utils
    Err: DERErr,
    // Basic building block is TLV (Tag-Length-Value)
    _tlv: {
      encode: (tag, data) => {
        const { Err: E } = DER;
        if (tag < 0 || tag > 256)
          throw new E("tlv.encode: wrong tag");
        if (data.length & 1)
          throw new E("tlv.encode: unpadded data");
        const dataLen = data.length / 2;
        const len = numberToHexUnpadded(dataLen);
        if (len.length / 2 & 128)
          throw new E("tlv.encode: long form length too big");
        const lenLen = dataLen > 127 ? numberToHexUnpadded(len.length / 2 | 128) : "";
        const t = numberToHexUnpadded(tag);
        return t + lenLen + len + data;
      },
      // v - value, l - left bytes (unparsed)
      decode(tag, data) {
        const { Err: E } = DER;
        let pos = 0;
        if (tag < 0 || tag > 256)
          throw new E("tlv.encode: wrong tag");
        if (data.length < 2 || data[pos++] !== tag)
          throw new E("tlv.decode: wrong tlv");
        const first = data[pos++];
        const isLong = !!(first & 128);
        let length = 0;
        if (!isLong)
          length = first;
        else {
          const lenLen = first & 127;
          if (!lenLen)
            throw new E("tlv.decode(long): indefinite length not supported");
          if (lenLen > 4)
            throw new E("tlv.decode(long): byte length is too big");
          const lengthBytes = data.subarray(pos, pos + lenLen);
          if (lengthBytes.length !== lenLen)
            throw new E("tlv.decode: length bytes not complete");
          if (lengthBytes[0] === 0)
            throw new E("tlv.decode(long): zero leftmost byte");
          for (const b of lengthBytes)
            length = length << 8 | b;
          pos += lenLen;
          if (length < 128)
            throw new E("tlv.decode(long): not minimal encoding");
        }
        const v = data.subarray(pos, pos + length);
        if (v.length !== length)
          throw new E("tlv.decode: wrong value length");
        return { v, l: data.subarray(pos + length) };
      }
    },
    // https://crypto.stackexchange.com/a/57734 Leftmost bit of first byte is 'negative' flag,
    // since we always use positive integers here. It must always be empty:
    // - add zero byte if exists
    // - if next byte doesn't have a flag, leading zero is not allowed (minimal encoding)
    _int: {
      encode(num) {
        const { Err: E } = DER;
        if (num < _0n4)
          throw new E("integer: negative integers are not allowed");
        let hex2 = numberToHexUnpadded(num);
        if (Number.parseInt(hex2[0], 16) & 8)
          hex2 = "00" + hex2;
        if (hex2.length & 1)
          throw new E("unexpected DER parsing assertion: unpadded hex");
        return hex2;
      },
      decode(data) {
        const { Err: E } = DER;
        if (data[0] & 128)
          throw new E("invalid signature integer: negative");
        if (data[0] === 0 && !(data[1] & 128))
          throw new E("invalid signature integer: unnecessary leading zero");
        return bytesToNumberBE(data);
      }
    },
    toSig(hex2) {
      const { Err: E, _int: int, _tlv: tlv } = DER;
      const data = ensureBytes("signature", hex2);
      const { v: seqBytes, l: seqLeftBytes } = tlv.decode(48, data);
      if (seqLeftBytes.length)
        throw new E("invalid signature: left bytes after parsing");
      const { v: rBytes, l: rLeftBytes } = tlv.decode(2, seqBytes);
      const { v: sBytes, l: sLeftBytes } = tlv.decode(2, rLeftBytes);
      if (sLeftBytes.length)
        throw new E("invalid signature: left bytes after parsing");
      return { r: int.decode(rBytes), s: int.decode(sBytes) };
    },
    hexFromSig(sig) {
      const { _tlv: tlv, _int: int } = DER;
      const rs = tlv.encode(2, int.encode(sig.r));
      const ss = tlv.encode(2, int.encode(sig.s));
      const seq = rs + ss;
      return tlv.encode(48, seq);
    }
  };
  var _0n4 = BigInt(0);
  var _1n42 = BigInt(1);
  var _2n22 = BigInt(2);
  var _3n22 = BigInt(3);
  var _4n2 = BigInt(4);
  function _normFnElement(Fn, key) {
    const { BYTES: expected } = Fn;
    let num;
    if (typeof key === "bigint") {
      num = key;
    } else {
      let bytes = ensureBytes("private key", key);
      try {
        num = Fn.fromBytes(bytes);
      } catch (error) {
        throw new Error(`invalid private key: expected ui8a of size ${expected}, got ${typeof key}`);
      }
    }
    if (!Fn.isValidNot0(num))
      throw new Error("invalid private key: out of range [1..N-1]");
    return num;
  }
  function weierstrassN(params, extraOpts = {}) {
    const validated = _createCurveFields("weierstrass", params, extraOpts);
    const { Fp, Fn } = validated;
    let CURVE = validated.CURVE;
    const { h: cofactor, n: CURVE_ORDER } = CURVE;
    _validateObject(extraOpts, {}, {
      allowInfinityPoint: "boolean",
      clearCofactor: "function",
      isTorsionFree: "function",
      fromBytes: "function",
      toBytes: "function",
      endo: "object",
      wrapPrivateKey: "boolean"
    });
    const { endo } = extraOpts;
    if (endo) {
      if (!Fp.is0(CURVE.a) || typeof endo.beta !== "bigint" || !Array.isArray(endo.basises)) {
        throw new Error('invalid endo: expected "beta": bigint and "basises": array');
      }
    }
    const lengths = getWLengths(Fp, Fn);
    function assertCompressionIsSupported() {
      if (!Fp.isOdd)
        throw new Error("compression is not supported: Field does not have .isOdd()");
    }
    function pointToBytes(_c, point, isCompressed) {
      const { x: x2, y } = point.toAffine();
      const bx = Fp.toBytes(x2);
      _abool2(isCompressed, "isCompressed");
      if (isCompressed) {
        assertCompressionIsSupported();
        const hasEvenY = !Fp.isOdd(y);
        return concatBytes(pprefix(hasEvenY), bx);
      } else {
        return concatBytes(Uint8Array.of(4), bx, Fp.toBytes(y));
      }
    }
    function pointFromBytes(bytes) {
      _abytes2(bytes, void 0, "Point");
      const { publicKey: comp, publicKeyUncompressed: uncomp } = lengths;
      const length = bytes.length;
      const head = bytes[0];
      const tail = bytes.subarray(1);
      if (length === comp && (head === 2 || head === 3)) {
        const x2 = Fp.fromBytes(tail);
        if (!Fp.isValid(x2))
          throw new Error("bad point: is not on curve, wrong x");
        const y2 = weierstrassEquation(x2);
        let y;
        try {
          y = Fp.sqrt(y2);
        } catch (sqrtError) {
          const err = sqrtError instanceof Error ? ": " + sqrtError.message : "";
          throw new Error("bad point: is not on curve, sqrt error" + err);
        }
        assertCompressionIsSupported();
        const isYOdd = Fp.isOdd(y);
        const isHeadOdd = (head & 1) === 1;
        if (isHeadOdd !== isYOdd)
          y = Fp.neg(y);
        return { x: x2, y };
      } else if (length === uncomp && head === 4) {
        const L = Fp.BYTES;
        const x2 = Fp.fromBytes(tail.subarray(0, L));
        const y = Fp.fromBytes(tail.subarray(L, L * 2));
        if (!isValidXY(x2, y))
          throw new Error("bad point: is not on curve");
        return { x: x2, y };
      } else {
        throw new Error(`bad point: got length ${length}, expected compressed=${comp} or uncompressed=${uncomp}`);
      }
    }
    const encodePoint = extraOpts.toBytes || pointToBytes;
    const decodePoint = extraOpts.fromBytes || pointFromBytes;
    function weierstrassEquation(x2) {
      const x22 = Fp.sqr(x2);
      const x3 = Fp.mul(x22, x2);
      return Fp.add(Fp.add(x3, Fp.mul(x2, CURVE.a)), CURVE.b);
    }
    function isValidXY(x2, y) {
      const left = Fp.sqr(y);
      const right = weierstrassEquation(x2);
      return Fp.eql(left, right);
    }
    if (!isValidXY(CURVE.Gx, CURVE.Gy))
      throw new Error("bad curve params: generator point");
    const _4a3 = Fp.mul(Fp.pow(CURVE.a, _3n22), _4n2);
    const _27b2 = Fp.mul(Fp.sqr(CURVE.b), BigInt(27));
    if (Fp.is0(Fp.add(_4a3, _27b2)))
      throw new Error("bad curve params: a or b");
    function acoord(title, n, banZero = false) {
      if (!Fp.isValid(n) || banZero && Fp.is0(n))
        throw new Error(`bad point coordinate ${title}`);
      return n;
    }
    function aprjpoint(other) {
      if (!(other instanceof Point))
        throw new Error("ProjectivePoint expected");
    }
    function splitEndoScalarN(k) {
      if (!endo || !endo.basises)
        throw new Error("no endo");
      return _splitEndoScalar(k, endo.basises, Fn.ORDER);
    }
    const toAffineMemo = memoized((p, iz) => {
      const { X, Y, Z } = p;
      if (Fp.eql(Z, Fp.ONE))
        return { x: X, y: Y };
      const is0 = p.is0();
      if (iz == null)
        iz = is0 ? Fp.ONE : Fp.inv(Z);
      const x2 = Fp.mul(X, iz);
      const y = Fp.mul(Y, iz);
      const zz = Fp.mul(Z, iz);
      if (is0)
        return { x: Fp.ZERO, y: Fp.ZERO };
      if (!Fp.eql(zz, Fp.ONE))
        throw new Error("invZ was invalid");
      return { x: x2, y };
    });
    const assertValidMemo = memoized((p) => {
      if (p.is0()) {
        if (extraOpts.allowInfinityPoint && !Fp.is0(p.Y))
          return;
        throw new Error("bad point: ZERO");
      }
      const { x: x2, y } = p.toAffine();
      if (!Fp.isValid(x2) || !Fp.isValid(y))
        throw new Error("bad point: x or y not field elements");
      if (!isValidXY(x2, y))
        throw new Error("bad point: equation left != right");
      if (!p.isTorsionFree())
        throw new Error("bad point: not in prime-order subgroup");
      return true;
    });
    function finishEndo(endoBeta, k1p, k2p, k1neg, k2neg) {
      k2p = new Point(Fp.mul(k2p.X, endoBeta), k2p.Y, k2p.Z);
      k1p = negateCt(k1neg, k1p);
      k2p = negateCt(k2neg, k2p);
      return k1p.add(k2p);
    }
    class Point {
      /** Does NOT validate if the point is valid. Use `.assertValidity()`. */
      constructor(X, Y, Z) {
        this.X = acoord("x", X);
        this.Y = acoord("y", Y, true);
        this.Z = acoord("z", Z);
        Object.freeze(this);
      }
      static CURVE() {
        return CURVE;
      }
      /** Does NOT validate if the point is valid. Use `.assertValidity()`. */
      static fromAffine(p) {
        const { x: x2, y } = p || {};
        if (!p || !Fp.isValid(x2) || !Fp.isValid(y))
          throw new Error("invalid affine point");
        if (p instanceof Point)
          throw new Error("projective point not allowed");
        if (Fp.is0(x2) && Fp.is0(y))
          return Point.ZERO;
        return new Point(x2, y, Fp.ONE);
      }
      static fromBytes(bytes) {
        const P = Point.fromAffine(decodePoint(_abytes2(bytes, void 0, "point")));
        P.assertValidity();
        return P;
      }
      static fromHex(hex2) {
        return Point.fromBytes(ensureBytes("pointHex", hex2));
      }
      get x() {
        return this.toAffine().x;
      }
      get y() {
        return this.toAffine().y;
      }
      /**
       *
       * @param windowSize
       * @param isLazy true will defer table computation until the first multiplication
       * @returns
       */
      precompute(windowSize = 8, isLazy = true) {
        wnaf.createCache(this, windowSize);
        if (!isLazy)
          this.multiply(_3n22);
        return this;
      }
      // TODO: return `this`
      /** A point on curve is valid if it conforms to equation. */
      assertValidity() {
        assertValidMemo(this);
      }
      hasEvenY() {
        const { y } = this.toAffine();
        if (!Fp.isOdd)
          throw new Error("Field doesn't support isOdd");
        return !Fp.isOdd(y);
      }
      /** Compare one point to another. */
      equals(other) {
        aprjpoint(other);
        const { X: X1, Y: Y1, Z: Z1 } = this;
        const { X: X2, Y: Y2, Z: Z2 } = other;
        const U1 = Fp.eql(Fp.mul(X1, Z2), Fp.mul(X2, Z1));
        const U2 = Fp.eql(Fp.mul(Y1, Z2), Fp.mul(Y2, Z1));
        return U1 && U2;
      }
      /** Flips point to one corresponding to (x, -y) in Affine coordinates. */
      negate() {
        return new Point(this.X, Fp.neg(this.Y), this.Z);
      }
      // Renes-Costello-Batina exception-free doubling formula.
      // There is 30% faster Jacobian formula, but it is not complete.
      // https://eprint.iacr.org/2015/1060, algorithm 3
      // Cost: 8M + 3S + 3*a + 2*b3 + 15add.
      double() {
        const { a, b } = CURVE;
        const b3 = Fp.mul(b, _3n22);
        const { X: X1, Y: Y1, Z: Z1 } = this;
        let X3 = Fp.ZERO, Y3 = Fp.ZERO, Z3 = Fp.ZERO;
        let t0 = Fp.mul(X1, X1);
        let t1 = Fp.mul(Y1, Y1);
        let t2 = Fp.mul(Z1, Z1);
        let t3 = Fp.mul(X1, Y1);
        t3 = Fp.add(t3, t3);
        Z3 = Fp.mul(X1, Z1);
        Z3 = Fp.add(Z3, Z3);
        X3 = Fp.mul(a, Z3);
        Y3 = Fp.mul(b3, t2);
        Y3 = Fp.add(X3, Y3);
        X3 = Fp.sub(t1, Y3);
        Y3 = Fp.add(t1, Y3);
        Y3 = Fp.mul(X3, Y3);
        X3 = Fp.mul(t3, X3);
        Z3 = Fp.mul(b3, Z3);
        t2 = Fp.mul(a, t2);
        t3 = Fp.sub(t0, t2);
        t3 = Fp.mul(a, t3);
        t3 = Fp.add(t3, Z3);
        Z3 = Fp.add(t0, t0);
        t0 = Fp.add(Z3, t0);
        t0 = Fp.add(t0, t2);
        t0 = Fp.mul(t0, t3);
        Y3 = Fp.add(Y3, t0);
        t2 = Fp.mul(Y1, Z1);
        t2 = Fp.add(t2, t2);
        t0 = Fp.mul(t2, t3);
        X3 = Fp.sub(X3, t0);
        Z3 = Fp.mul(t2, t1);
        Z3 = Fp.add(Z3, Z3);
        Z3 = Fp.add(Z3, Z3);
        return new Point(X3, Y3, Z3);
      }
      // Renes-Costello-Batina exception-free addition formula.
      // There is 30% faster Jacobian formula, but it is not complete.
      // https://eprint.iacr.org/2015/1060, algorithm 1
      // Cost: 12M + 0S + 3*a + 3*b3 + 23add.
      add(other) {
        aprjpoint(other);
        const { X: X1, Y: Y1, Z: Z1 } = this;
        const { X: X2, Y: Y2, Z: Z2 } = other;
        let X3 = Fp.ZERO, Y3 = Fp.ZERO, Z3 = Fp.ZERO;
        const a = CURVE.a;
        const b3 = Fp.mul(CURVE.b, _3n22);
        let t0 = Fp.mul(X1, X2);
        let t1 = Fp.mul(Y1, Y2);
        let t2 = Fp.mul(Z1, Z2);
        let t3 = Fp.add(X1, Y1);
        let t4 = Fp.add(X2, Y2);
        t3 = Fp.mul(t3, t4);
        t4 = Fp.add(t0, t1);
        t3 = Fp.sub(t3, t4);
        t4 = Fp.add(X1, Z1);
        let t5 = Fp.add(X2, Z2);
        t4 = Fp.mul(t4, t5);
        t5 = Fp.add(t0, t2);
        t4 = Fp.sub(t4, t5);
        t5 = Fp.add(Y1, Z1);
        X3 = Fp.add(Y2, Z2);
        t5 = Fp.mul(t5, X3);
        X3 = Fp.add(t1, t2);
        t5 = Fp.sub(t5, X3);
        Z3 = Fp.mul(a, t4);
        X3 = Fp.mul(b3, t2);
        Z3 = Fp.add(X3, Z3);
        X3 = Fp.sub(t1, Z3);
        Z3 = Fp.add(t1, Z3);
        Y3 = Fp.mul(X3, Z3);
        t1 = Fp.add(t0, t0);
        t1 = Fp.add(t1, t0);
        t2 = Fp.mul(a, t2);
        t4 = Fp.mul(b3, t4);
        t1 = Fp.add(t1, t2);
        t2 = Fp.sub(t0, t2);
        t2 = Fp.mul(a, t2);
        t4 = Fp.add(t4, t2);
        t0 = Fp.mul(t1, t4);
        Y3 = Fp.add(Y3, t0);
        t0 = Fp.mul(t5, t4);
        X3 = Fp.mul(t3, X3);
        X3 = Fp.sub(X3, t0);
        t0 = Fp.mul(t3, t1);
        Z3 = Fp.mul(t5, Z3);
        Z3 = Fp.add(Z3, t0);
        return new Point(X3, Y3, Z3);
      }
      subtract(other) {
        return this.add(other.negate());
      }
      is0() {
        return this.equals(Point.ZERO);
      }
      /**
       * Constant time multiplication.
       * Uses wNAF method. Windowed method may be 10% faster,
       * but takes 2x longer to generate and consumes 2x memory.
       * Uses precomputes when available.
       * Uses endomorphism for Koblitz curves.
       * @param scalar by which the point would be multiplied
       * @returns New point
       */
      multiply(scalar) {
        const { endo: endo2 } = extraOpts;
        if (!Fn.isValidNot0(scalar))
          throw new Error("invalid scalar: out of range");
        let point, fake;
        const mul = (n) => wnaf.cached(this, n, (p) => normalizeZ(Point, p));
        if (endo2) {
          const { k1neg, k1, k2neg, k2 } = splitEndoScalarN(scalar);
          const { p: k1p, f: k1f } = mul(k1);
          const { p: k2p, f: k2f } = mul(k2);
          fake = k1f.add(k2f);
          point = finishEndo(endo2.beta, k1p, k2p, k1neg, k2neg);
        } else {
          const { p, f } = mul(scalar);
          point = p;
          fake = f;
        }
        return normalizeZ(Point, [point, fake])[0];
      }
      /**
       * Non-constant-time multiplication. Uses double-and-add algorithm.
       * It's faster, but should only be used when you don't care about
       * an exposed secret key e.g. sig verification, which works over *public* keys.
       */
      multiplyUnsafe(sc) {
        const { endo: endo2 } = extraOpts;
        const p = this;
        if (!Fn.isValid(sc))
          throw new Error("invalid scalar: out of range");
        if (sc === _0n4 || p.is0())
          return Point.ZERO;
        if (sc === _1n42)
          return p;
        if (wnaf.hasCache(this))
          return this.multiply(sc);
        if (endo2) {
          const { k1neg, k1, k2neg, k2 } = splitEndoScalarN(sc);
          const { p1, p2 } = mulEndoUnsafe(Point, p, k1, k2);
          return finishEndo(endo2.beta, p1, p2, k1neg, k2neg);
        } else {
          return wnaf.unsafe(p, sc);
        }
      }
      multiplyAndAddUnsafe(Q2, a, b) {
        const sum = this.multiplyUnsafe(a).add(Q2.multiplyUnsafe(b));
        return sum.is0() ? void 0 : sum;
      }
      /**
       * Converts Projective point to affine (x, y) coordinates.
       * @param invertedZ Z^-1 (inverted zero) - optional, precomputation is useful for invertBatch
       */
      toAffine(invertedZ) {
        return toAffineMemo(this, invertedZ);
      }
      /**
       * Checks whether Point is free of torsion elements (is in prime subgroup).
       * Always torsion-free for cofactor=1 curves.
       */
      isTorsionFree() {
        const { isTorsionFree } = extraOpts;
        if (cofactor === _1n42)
          return true;
        if (isTorsionFree)
          return isTorsionFree(Point, this);
        return wnaf.unsafe(this, CURVE_ORDER).is0();
      }
      clearCofactor() {
        const { clearCofactor } = extraOpts;
        if (cofactor === _1n42)
          return this;
        if (clearCofactor)
          return clearCofactor(Point, this);
        return this.multiplyUnsafe(cofactor);
      }
      isSmallOrder() {
        return this.multiplyUnsafe(cofactor).is0();
      }
      toBytes(isCompressed = true) {
        _abool2(isCompressed, "isCompressed");
        this.assertValidity();
        return encodePoint(Point, this, isCompressed);
      }
      toHex(isCompressed = true) {
        return bytesToHex2(this.toBytes(isCompressed));
      }
      toString() {
        return `<Point ${this.is0() ? "ZERO" : this.toHex()}>`;
      }
      // TODO: remove
      get px() {
        return this.X;
      }
      get py() {
        return this.X;
      }
      get pz() {
        return this.Z;
      }
      toRawBytes(isCompressed = true) {
        return this.toBytes(isCompressed);
      }
      _setWindowSize(windowSize) {
        this.precompute(windowSize);
      }
      static normalizeZ(points) {
        return normalizeZ(Point, points);
      }
      static msm(points, scalars) {
        return pippenger(Point, Fn, points, scalars);
      }
      static fromPrivateKey(privateKey) {
        return Point.BASE.multiply(_normFnElement(Fn, privateKey));
      }
    }
    Point.BASE = new Point(CURVE.Gx, CURVE.Gy, Fp.ONE);
    Point.ZERO = new Point(Fp.ZERO, Fp.ONE, Fp.ZERO);
    Point.Fp = Fp;
    Point.Fn = Fn;
    const bits = Fn.BITS;
    const wnaf = new wNAF(Point, extraOpts.endo ? Math.ceil(bits / 2) : bits);
    Point.BASE.precompute(8);
    return Point;
  }
  function pprefix(hasEvenY) {
    return Uint8Array.of(hasEvenY ? 2 : 3);
  }
  function getWLengths(Fp, Fn) {
    return {
      secretKey: Fn.BYTES,
      publicKey: 1 + Fp.BYTES,
      publicKeyUncompressed: 1 + 2 * Fp.BYTES,
      publicKeyHasPrefix: true,
      signature: 2 * Fn.BYTES
    };
  }
  function ecdh(Point, ecdhOpts = {}) {
    const { Fn } = Point;
    const randomBytes_ = ecdhOpts.randomBytes || randomBytes;
    const lengths = Object.assign(getWLengths(Point.Fp, Fn), { seed: getMinHashLength(Fn.ORDER) });
    function isValidSecretKey(secretKey) {
      try {
        return !!_normFnElement(Fn, secretKey);
      } catch (error) {
        return false;
      }
    }
    function isValidPublicKey(publicKey, isCompressed) {
      const { publicKey: comp, publicKeyUncompressed } = lengths;
      try {
        const l = publicKey.length;
        if (isCompressed === true && l !== comp)
          return false;
        if (isCompressed === false && l !== publicKeyUncompressed)
          return false;
        return !!Point.fromBytes(publicKey);
      } catch (error) {
        return false;
      }
    }
    function randomSecretKey(seed = randomBytes_(lengths.seed)) {
      return mapHashToField(_abytes2(seed, lengths.seed, "seed"), Fn.ORDER);
    }
    function getPublicKey(secretKey, isCompressed = true) {
      return Point.BASE.multiply(_normFnElement(Fn, secretKey)).toBytes(isCompressed);
    }
    function keygen(seed) {
      const secretKey = randomSecretKey(seed);
      return { secretKey, publicKey: getPublicKey(secretKey) };
    }
    function isProbPub(item) {
      if (typeof item === "bigint")
        return false;
      if (item instanceof Point)
        return true;
      const { secretKey, publicKey, publicKeyUncompressed } = lengths;
      if (Fn.allowedLengths || secretKey === publicKey)
        return void 0;
      const l = ensureBytes("key", item).length;
      return l === publicKey || l === publicKeyUncompressed;
    }
    function getSharedSecret2(secretKeyA, publicKeyB, isCompressed = true) {
      if (isProbPub(secretKeyA) === true)
        throw new Error("first arg must be private key");
      if (isProbPub(publicKeyB) === false)
        throw new Error("second arg must be public key");
      const s = _normFnElement(Fn, secretKeyA);
      const b = Point.fromHex(publicKeyB);
      return b.multiply(s).toBytes(isCompressed);
    }
    const utils = {
      isValidSecretKey,
      isValidPublicKey,
      randomSecretKey,
      // TODO: remove
      isValidPrivateKey: isValidSecretKey,
      randomPrivateKey: randomSecretKey,
      normPrivateKeyToScalar: (key) => _normFnElement(Fn, key),
      precompute(windowSize = 8, point = Point.BASE) {
        return point.precompute(windowSize, false);
      }
    };
    return Object.freeze({ getPublicKey, getSharedSecret: getSharedSecret2, keygen, Point, utils, lengths });
  }
  function ecdsa(Point, hash, ecdsaOpts = {}) {
    ahash2(hash);
    _validateObject(ecdsaOpts, {}, {
      hmac: "function",
      lowS: "boolean",
      randomBytes: "function",
      bits2int: "function",
      bits2int_modN: "function"
    });
    const randomBytes3 = ecdsaOpts.randomBytes || randomBytes;
    const hmac3 = ecdsaOpts.hmac || ((key, ...msgs) => hmac2(hash, key, concatBytes(...msgs)));
    const { Fp, Fn } = Point;
    const { ORDER: CURVE_ORDER, BITS: fnBits } = Fn;
    const { keygen, getPublicKey, getSharedSecret: getSharedSecret2, utils, lengths } = ecdh(Point, ecdsaOpts);
    const defaultSigOpts = {
      prehash: false,
      lowS: typeof ecdsaOpts.lowS === "boolean" ? ecdsaOpts.lowS : false,
      format: void 0,
      //'compact' as ECDSASigFormat,
      extraEntropy: false
    };
    const defaultSigOpts_format = "compact";
    function isBiggerThanHalfOrder(number) {
      const HALF = CURVE_ORDER >> _1n42;
      return number > HALF;
    }
    function validateRS(title, num) {
      if (!Fn.isValidNot0(num))
        throw new Error(`invalid signature ${title}: out of range 1..Point.Fn.ORDER`);
      return num;
    }
    function validateSigLength(bytes, format) {
      validateSigFormat(format);
      const size = lengths.signature;
      const sizer = format === "compact" ? size : format === "recovered" ? size + 1 : void 0;
      return _abytes2(bytes, sizer, `${format} signature`);
    }
    class Signature {
      constructor(r, s, recovery) {
        this.r = validateRS("r", r);
        this.s = validateRS("s", s);
        if (recovery != null)
          this.recovery = recovery;
        Object.freeze(this);
      }
      static fromBytes(bytes, format = defaultSigOpts_format) {
        validateSigLength(bytes, format);
        let recid;
        if (format === "der") {
          const { r: r2, s: s2 } = DER.toSig(_abytes2(bytes));
          return new Signature(r2, s2);
        }
        if (format === "recovered") {
          recid = bytes[0];
          format = "compact";
          bytes = bytes.subarray(1);
        }
        const L = Fn.BYTES;
        const r = bytes.subarray(0, L);
        const s = bytes.subarray(L, L * 2);
        return new Signature(Fn.fromBytes(r), Fn.fromBytes(s), recid);
      }
      static fromHex(hex2, format) {
        return this.fromBytes(hexToBytes2(hex2), format);
      }
      addRecoveryBit(recovery) {
        return new Signature(this.r, this.s, recovery);
      }
      recoverPublicKey(messageHash) {
        const FIELD_ORDER = Fp.ORDER;
        const { r, s, recovery: rec } = this;
        if (rec == null || ![0, 1, 2, 3].includes(rec))
          throw new Error("recovery id invalid");
        const hasCofactor = CURVE_ORDER * _2n22 < FIELD_ORDER;
        if (hasCofactor && rec > 1)
          throw new Error("recovery id is ambiguous for h>1 curve");
        const radj = rec === 2 || rec === 3 ? r + CURVE_ORDER : r;
        if (!Fp.isValid(radj))
          throw new Error("recovery id 2 or 3 invalid");
        const x2 = Fp.toBytes(radj);
        const R = Point.fromBytes(concatBytes(pprefix((rec & 1) === 0), x2));
        const ir = Fn.inv(radj);
        const h = bits2int_modN(ensureBytes("msgHash", messageHash));
        const u1 = Fn.create(-h * ir);
        const u2 = Fn.create(s * ir);
        const Q2 = Point.BASE.multiplyUnsafe(u1).add(R.multiplyUnsafe(u2));
        if (Q2.is0())
          throw new Error("point at infinify");
        Q2.assertValidity();
        return Q2;
      }
      // Signatures should be low-s, to prevent malleability.
      hasHighS() {
        return isBiggerThanHalfOrder(this.s);
      }
      toBytes(format = defaultSigOpts_format) {
        validateSigFormat(format);
        if (format === "der")
          return hexToBytes2(DER.hexFromSig(this));
        const r = Fn.toBytes(this.r);
        const s = Fn.toBytes(this.s);
        if (format === "recovered") {
          if (this.recovery == null)
            throw new Error("recovery bit must be present");
          return concatBytes(Uint8Array.of(this.recovery), r, s);
        }
        return concatBytes(r, s);
      }
      toHex(format) {
        return bytesToHex2(this.toBytes(format));
      }
      // TODO: remove
      assertValidity() {
      }
      static fromCompact(hex2) {
        return Signature.fromBytes(ensureBytes("sig", hex2), "compact");
      }
      static fromDER(hex2) {
        return Signature.fromBytes(ensureBytes("sig", hex2), "der");
      }
      normalizeS() {
        return this.hasHighS() ? new Signature(this.r, Fn.neg(this.s), this.recovery) : this;
      }
      toDERRawBytes() {
        return this.toBytes("der");
      }
      toDERHex() {
        return bytesToHex2(this.toBytes("der"));
      }
      toCompactRawBytes() {
        return this.toBytes("compact");
      }
      toCompactHex() {
        return bytesToHex2(this.toBytes("compact"));
      }
    }
    const bits2int = ecdsaOpts.bits2int || function bits2int_def(bytes) {
      if (bytes.length > 8192)
        throw new Error("input is too large");
      const num = bytesToNumberBE(bytes);
      const delta = bytes.length * 8 - fnBits;
      return delta > 0 ? num >> BigInt(delta) : num;
    };
    const bits2int_modN = ecdsaOpts.bits2int_modN || function bits2int_modN_def(bytes) {
      return Fn.create(bits2int(bytes));
    };
    const ORDER_MASK = bitMask(fnBits);
    function int2octets(num) {
      aInRange2("num < 2^" + fnBits, num, _0n4, ORDER_MASK);
      return Fn.toBytes(num);
    }
    function validateMsgAndHash(message, prehash) {
      _abytes2(message, void 0, "message");
      return prehash ? _abytes2(hash(message), void 0, "prehashed message") : message;
    }
    function prepSig(message, privateKey, opts) {
      if (["recovered", "canonical"].some((k) => k in opts))
        throw new Error("sign() legacy options not supported");
      const { lowS, prehash, extraEntropy } = validateSigOpts(opts, defaultSigOpts);
      message = validateMsgAndHash(message, prehash);
      const h1int = bits2int_modN(message);
      const d = _normFnElement(Fn, privateKey);
      const seedArgs = [int2octets(d), int2octets(h1int)];
      if (extraEntropy != null && extraEntropy !== false) {
        const e = extraEntropy === true ? randomBytes3(lengths.secretKey) : extraEntropy;
        seedArgs.push(ensureBytes("extraEntropy", e));
      }
      const seed = concatBytes(...seedArgs);
      const m = h1int;
      function k2sig(kBytes) {
        const k = bits2int(kBytes);
        if (!Fn.isValidNot0(k))
          return;
        const ik = Fn.inv(k);
        const q = Point.BASE.multiply(k).toAffine();
        const r = Fn.create(q.x);
        if (r === _0n4)
          return;
        const s = Fn.create(ik * Fn.create(m + r * d));
        if (s === _0n4)
          return;
        let recovery = (q.x === r ? 0 : 2) | Number(q.y & _1n42);
        let normS = s;
        if (lowS && isBiggerThanHalfOrder(s)) {
          normS = Fn.neg(s);
          recovery ^= 1;
        }
        return new Signature(r, normS, recovery);
      }
      return { seed, k2sig };
    }
    function sign(message, secretKey, opts = {}) {
      message = ensureBytes("message", message);
      const { seed, k2sig } = prepSig(message, secretKey, opts);
      const drbg = createHmacDrbg(hash.outputLen, Fn.BYTES, hmac3);
      const sig = drbg(seed, k2sig);
      return sig;
    }
    function tryParsingSig(sg) {
      let sig = void 0;
      const isHex = typeof sg === "string" || isBytes3(sg);
      const isObj = !isHex && sg !== null && typeof sg === "object" && typeof sg.r === "bigint" && typeof sg.s === "bigint";
      if (!isHex && !isObj)
        throw new Error("invalid signature, expected Uint8Array, hex string or Signature instance");
      if (isObj) {
        sig = new Signature(sg.r, sg.s);
      } else if (isHex) {
        try {
          sig = Signature.fromBytes(ensureBytes("sig", sg), "der");
        } catch (derError) {
          if (!(derError instanceof DER.Err))
            throw derError;
        }
        if (!sig) {
          try {
            sig = Signature.fromBytes(ensureBytes("sig", sg), "compact");
          } catch (error) {
            return false;
          }
        }
      }
      if (!sig)
        return false;
      return sig;
    }
    function verify(signature, message, publicKey, opts = {}) {
      const { lowS, prehash, format } = validateSigOpts(opts, defaultSigOpts);
      publicKey = ensureBytes("publicKey", publicKey);
      message = validateMsgAndHash(ensureBytes("message", message), prehash);
      if ("strict" in opts)
        throw new Error("options.strict was renamed to lowS");
      const sig = format === void 0 ? tryParsingSig(signature) : Signature.fromBytes(ensureBytes("sig", signature), format);
      if (sig === false)
        return false;
      try {
        const P = Point.fromBytes(publicKey);
        if (lowS && sig.hasHighS())
          return false;
        const { r, s } = sig;
        const h = bits2int_modN(message);
        const is = Fn.inv(s);
        const u1 = Fn.create(h * is);
        const u2 = Fn.create(r * is);
        const R = Point.BASE.multiplyUnsafe(u1).add(P.multiplyUnsafe(u2));
        if (R.is0())
          return false;
        const v = Fn.create(R.x);
        return v === r;
      } catch (e) {
        return false;
      }
    }
    function recoverPublicKey(signature, message, opts = {}) {
      const { prehash } = validateSigOpts(opts, defaultSigOpts);
      message = validateMsgAndHash(message, prehash);
      return Signature.fromBytes(signature, "recovered").recoverPublicKey(message).toBytes();
    }
    return Object.freeze({
      keygen,
      getPublicKey,
      getSharedSecret: getSharedSecret2,
      utils,
      lengths,
      Point,
      sign,
      verify,
      recoverPublicKey,
      Signature,
      hash
    });
  }
  function _weierstrass_legacy_opts_to_new(c) {
    const CURVE = {
      a: c.a,
      b: c.b,
      p: c.Fp.ORDER,
      n: c.n,
      h: c.h,
      Gx: c.Gx,
      Gy: c.Gy
    };
    const Fp = c.Fp;
    let allowedLengths = c.allowedPrivateKeyLengths ? Array.from(new Set(c.allowedPrivateKeyLengths.map((l) => Math.ceil(l / 2)))) : void 0;
    const Fn = Field(CURVE.n, {
      BITS: c.nBitLength,
      allowedLengths,
      modFromBytes: c.wrapPrivateKey
    });
    const curveOpts = {
      Fp,
      Fn,
      allowInfinityPoint: c.allowInfinityPoint,
      endo: c.endo,
      isTorsionFree: c.isTorsionFree,
      clearCofactor: c.clearCofactor,
      fromBytes: c.fromBytes,
      toBytes: c.toBytes
    };
    return { CURVE, curveOpts };
  }
  function _ecdsa_legacy_opts_to_new(c) {
    const { CURVE, curveOpts } = _weierstrass_legacy_opts_to_new(c);
    const ecdsaOpts = {
      hmac: c.hmac,
      randomBytes: c.randomBytes,
      lowS: c.lowS,
      bits2int: c.bits2int,
      bits2int_modN: c.bits2int_modN
    };
    return { CURVE, curveOpts, hash: c.hash, ecdsaOpts };
  }
  function _ecdsa_new_output_to_legacy(c, _ecdsa) {
    const Point = _ecdsa.Point;
    return Object.assign({}, _ecdsa, {
      ProjectivePoint: Point,
      CURVE: Object.assign({}, c, nLength(Point.Fn.ORDER, Point.Fn.BITS))
    });
  }
  function weierstrass(c) {
    const { CURVE, curveOpts, hash, ecdsaOpts } = _ecdsa_legacy_opts_to_new(c);
    const Point = weierstrassN(CURVE, curveOpts);
    const signs = ecdsa(Point, hash, ecdsaOpts);
    return _ecdsa_new_output_to_legacy(c, signs);
  }
  /*! noble-ciphers - MIT License (c) 2023 Paul Miller (paulmillr.com) */
  function isBytes22(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array";
  }
  function abytes22(b, ...lengths) {
    if (!isBytes22(b))
      throw new Error("Uint8Array expected");
    if (lengths.length > 0 && !lengths.includes(b.length))
      throw new Error("Uint8Array expected of length " + lengths + ", got length=" + b.length);
  }
  function aexists22(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("Hash instance has been destroyed");
    if (checkFinished && instance.finished)
      throw new Error("Hash#digest() has already been called");
  }
  function aoutput3(out, instance) {
    abytes22(out);
    const min = instance.outputLen;
    if (out.length < min) {
      throw new Error("digestInto() expects output buffer of length at least " + min);
    }
  }
  function u32(arr) {
    return new Uint32Array(arr.buffer, arr.byteOffset, Math.floor(arr.byteLength / 4));
  }
  function clean22(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView2(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function utf8ToBytes2(str) {
    if (typeof str !== "string")
      throw new Error("string expected");
    return new Uint8Array(new TextEncoder().encode(str));
  }
  function toBytes2(data) {
    if (typeof data === "string")
      data = utf8ToBytes2(data);
    else if (isBytes22(data))
      data = copyBytes2(data);
    else
      throw new Error("Uint8Array expected, got " + typeof data);
    return data;
  }
  function setBigUint64(view, byteOffset, value, isLE22) {
    if (typeof view.setBigUint64 === "function")
      return view.setBigUint64(byteOffset, value, isLE22);
    const _32n3 = BigInt(32);
    const _u32_max = BigInt(4294967295);
    const wh = Number(value >> _32n3 & _u32_max);
    const wl = Number(value & _u32_max);
    const h = isLE22 ? 4 : 0;
    const l = isLE22 ? 0 : 4;
    view.setUint32(byteOffset + h, wh, isLE22);
    view.setUint32(byteOffset + l, wl, isLE22);
  }
  function copyBytes2(bytes) {
    return Uint8Array.from(bytes);
  }
  var BLOCK_SIZE = 16;
  var ZEROS16 = /* @__PURE__ */ new Uint8Array(16);
  var ZEROS32 = u32(ZEROS16);
  var POLY = 225;
  var mul2 = (s0, s1, s2, s3) => {
    const hiBit = s3 & 1;
    return {
      s3: s2 << 31 | s3 >>> 1,
      s2: s1 << 31 | s2 >>> 1,
      s1: s0 << 31 | s1 >>> 1,
      s0: s0 >>> 1 ^ POLY << 24 & -(hiBit & 1)
      // reduce % poly
    };
  };
  var swapLE = (n) => (n >>> 0 & 255) << 24 | (n >>> 8 & 255) << 16 | (n >>> 16 & 255) << 8 | n >>> 24 & 255 | 0;
  function _toGHASHKey(k) {
    k.reverse();
    const hiBit = k[15] & 1;
    let carry = 0;
    for (let i = 0; i < k.length; i++) {
      const t = k[i];
      k[i] = t >>> 1 | carry;
      carry = (t & 1) << 7;
    }
    k[0] ^= -hiBit & 225;
    return k;
  }
  var estimateWindow = (bytes) => {
    if (bytes > 64 * 1024)
      return 8;
    if (bytes > 1024)
      return 4;
    return 2;
  };
  var GHASH = class {
    // We select bits per window adaptively based on expectedLength
    constructor(key, expectedLength) {
      this.blockLen = BLOCK_SIZE;
      this.outputLen = BLOCK_SIZE;
      this.s0 = 0;
      this.s1 = 0;
      this.s2 = 0;
      this.s3 = 0;
      this.finished = false;
      key = toBytes2(key);
      abytes22(key, 16);
      const kView = createView2(key);
      let k0 = kView.getUint32(0, false);
      let k1 = kView.getUint32(4, false);
      let k2 = kView.getUint32(8, false);
      let k3 = kView.getUint32(12, false);
      const doubles = [];
      for (let i = 0; i < 128; i++) {
        doubles.push({ s0: swapLE(k0), s1: swapLE(k1), s2: swapLE(k2), s3: swapLE(k3) });
        ({ s0: k0, s1: k1, s2: k2, s3: k3 } = mul2(k0, k1, k2, k3));
      }
      const W = estimateWindow(expectedLength || 1024);
      if (![1, 2, 4, 8].includes(W))
        throw new Error("ghash: invalid window size, expected 2, 4 or 8");
      this.W = W;
      const bits = 128;
      const windows = bits / W;
      const windowSize = this.windowSize = 2 ** W;
      const items = [];
      for (let w = 0; w < windows; w++) {
        for (let byte2 = 0; byte2 < windowSize; byte2++) {
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let j = 0; j < W; j++) {
            const bit = byte2 >>> W - j - 1 & 1;
            if (!bit)
              continue;
            const { s0: d0, s1: d1, s2: d2, s3: d3 } = doubles[W * w + j];
            s0 ^= d0, s1 ^= d1, s2 ^= d2, s3 ^= d3;
          }
          items.push({ s0, s1, s2, s3 });
        }
      }
      this.t = items;
    }
    _updateBlock(s0, s1, s2, s3) {
      s0 ^= this.s0, s1 ^= this.s1, s2 ^= this.s2, s3 ^= this.s3;
      const { W, t, windowSize } = this;
      let o0 = 0, o1 = 0, o2 = 0, o3 = 0;
      const mask = (1 << W) - 1;
      let w = 0;
      for (const num of [s0, s1, s2, s3]) {
        for (let bytePos = 0; bytePos < 4; bytePos++) {
          const byte2 = num >>> 8 * bytePos & 255;
          for (let bitPos = 8 / W - 1; bitPos >= 0; bitPos--) {
            const bit = byte2 >>> W * bitPos & mask;
            const { s0: e0, s1: e1, s2: e2, s3: e3 } = t[w * windowSize + bit];
            o0 ^= e0, o1 ^= e1, o2 ^= e2, o3 ^= e3;
            w += 1;
          }
        }
      }
      this.s0 = o0;
      this.s1 = o1;
      this.s2 = o2;
      this.s3 = o3;
    }
    update(data) {
      aexists22(this);
      data = toBytes2(data);
      abytes22(data);
      const b32 = u32(data);
      const blocks = Math.floor(data.length / BLOCK_SIZE);
      const left = data.length % BLOCK_SIZE;
      for (let i = 0; i < blocks; i++) {
        this._updateBlock(b32[i * 4 + 0], b32[i * 4 + 1], b32[i * 4 + 2], b32[i * 4 + 3]);
      }
      if (left) {
        ZEROS16.set(data.subarray(blocks * BLOCK_SIZE));
        this._updateBlock(ZEROS32[0], ZEROS32[1], ZEROS32[2], ZEROS32[3]);
        clean22(ZEROS32);
      }
      return this;
    }
    destroy() {
      const { t } = this;
      for (const elm of t) {
        elm.s0 = 0, elm.s1 = 0, elm.s2 = 0, elm.s3 = 0;
      }
    }
    digestInto(out) {
      aexists22(this);
      aoutput3(out, this);
      this.finished = true;
      const { s0, s1, s2, s3 } = this;
      const o32 = u32(out);
      o32[0] = s0;
      o32[1] = s1;
      o32[2] = s2;
      o32[3] = s3;
      return out;
    }
    digest() {
      const res = new Uint8Array(BLOCK_SIZE);
      this.digestInto(res);
      this.destroy();
      return res;
    }
  };
  var Polyval = class extends GHASH {
    constructor(key, expectedLength) {
      key = toBytes2(key);
      abytes22(key);
      const ghKey = _toGHASHKey(copyBytes2(key));
      super(ghKey, expectedLength);
      clean22(ghKey);
    }
    update(data) {
      data = toBytes2(data);
      aexists22(this);
      const b32 = u32(data);
      const left = data.length % BLOCK_SIZE;
      const blocks = Math.floor(data.length / BLOCK_SIZE);
      for (let i = 0; i < blocks; i++) {
        this._updateBlock(swapLE(b32[i * 4 + 3]), swapLE(b32[i * 4 + 2]), swapLE(b32[i * 4 + 1]), swapLE(b32[i * 4 + 0]));
      }
      if (left) {
        ZEROS16.set(data.subarray(blocks * BLOCK_SIZE));
        this._updateBlock(swapLE(ZEROS32[3]), swapLE(ZEROS32[2]), swapLE(ZEROS32[1]), swapLE(ZEROS32[0]));
        clean22(ZEROS32);
      }
      return this;
    }
    digestInto(out) {
      aexists22(this);
      aoutput3(out, this);
      this.finished = true;
      const { s0, s1, s2, s3 } = this;
      const o32 = u32(out);
      o32[0] = s0;
      o32[1] = s1;
      o32[2] = s2;
      o32[3] = s3;
      return out.reverse();
    }
  };
  function wrapConstructorWithKey(hashCons) {
    const hashC = (msg, key) => hashCons(key, msg.length).update(toBytes2(msg)).digest();
    const tmp2 = hashCons(new Uint8Array(16), 0);
    hashC.outputLen = tmp2.outputLen;
    hashC.blockLen = tmp2.blockLen;
    hashC.create = (key, expectedLength) => hashCons(key, expectedLength);
    return hashC;
  }
  var ghash = wrapConstructorWithKey((key, expectedLength) => new GHASH(key, expectedLength));
  var polyval = wrapConstructorWithKey((key, expectedLength) => new Polyval(key, expectedLength));
  var __defProp2 = Object.defineProperty;
  var __defNormalProp = (obj, key, value) => key in obj ? __defProp2(obj, key, { enumerable: true, configurable: true, writable: true, value }) : obj[key] = value;
  var __export = (target, all) => {
    for (var name in all)
      __defProp2(target, name, { get: all[name], enumerable: true });
  };
  var __publicField = (obj, key, value) => {
    __defNormalProp(obj, typeof key !== "symbol" ? key + "" : key, value);
    return value;
  };
  var sm2_exports = {};
  __export(sm2_exports, {
    EmptyArray: () => EmptyArray,
    arrayToHex: () => arrayToHex,
    arrayToUtf8: () => arrayToUtf8,
    calculateSharedKey: () => calculateSharedKey,
    comparePublicKeyHex: () => comparePublicKeyHex,
    compressPublicKeyHex: () => compressPublicKeyHex,
    doDecrypt: () => doDecrypt,
    doEncrypt: () => doEncrypt,
    doSignature: () => doSignature,
    doVerifySignature: () => doVerifySignature,
    ecdh: () => getSharedSecret,
    generateKeyPairHex: () => generateKeyPairHex,
    getHash: () => getHash,
    getPoint: () => getPoint,
    getPublicKeyFromPrivateKey: () => getPublicKeyFromPrivateKey,
    getZ: () => getZ,
    hexToArray: () => hexToArray,
    initRNGPool: () => initRNGPool,
    leftPad: () => leftPad,
    precomputePublicKey: () => precomputePublicKey,
    utf8ToHex: () => utf8ToHex,
    verifyPublicKey: () => verifyPublicKey
  });
  var ZERO = BigInt(0);
  var ONE = BigInt(1);
  var TWO = BigInt(2);
  var THREE = BigInt(3);
  function bigintToValue(bigint) {
    let h = bigint.toString(16);
    if (h[0] !== "-") {
      if (h.length % 2 === 1)
        h = "0" + h;
      else if (!h.match(/^[0-7]/))
        h = "00" + h;
    } else {
      h = h.substring(1);
      let len = h.length;
      if (len % 2 === 1)
        len += 1;
      else if (!h.match(/^[0-7]/))
        len += 2;
      let maskString = "";
      for (let i = 0; i < len; i++)
        maskString += "f";
      let mask = hexToNumber22(maskString);
      let output = (mask ^ bigint) + ONE;
      h = output.toString(16).replace(/^-/, "");
    }
    return h;
  }
  var ASN1Object = class {
    constructor(tlv = null, t = "00", l = "00", v = "") {
      this.tlv = tlv;
      this.t = t;
      this.l = l;
      this.v = v;
    }
    /**
     * 获取 der 编码比特流16进制串
     */
    getEncodedHex() {
      if (!this.tlv) {
        this.v = this.getValue();
        this.l = this.getLength();
        this.tlv = this.t + this.l + this.v;
      }
      return this.tlv;
    }
    getLength() {
      const n = this.v.length / 2;
      let nHex = n.toString(16);
      if (nHex.length % 2 === 1)
        nHex = "0" + nHex;
      if (n < 128) {
        return nHex;
      } else {
        const head = 128 + nHex.length / 2;
        return head.toString(16) + nHex;
      }
    }
    getValue() {
      return "";
    }
  };
  var DERInteger = class extends ASN1Object {
    constructor(bigint) {
      super();
      this.t = "02";
      if (bigint)
        this.v = bigintToValue(bigint);
    }
    getValue() {
      return this.v;
    }
  };
  var DEROctetString = class extends ASN1Object {
    constructor(s) {
      super();
      this.s = s;
      __publicField(this, "hV", "");
      this.t = "04";
      if (s)
        this.v = s.toLowerCase();
    }
    getValue() {
      return this.v;
    }
  };
  var DERSequence = class extends ASN1Object {
    constructor(asn1Array) {
      super();
      this.asn1Array = asn1Array;
      __publicField(this, "t", "30");
    }
    getValue() {
      this.v = this.asn1Array.map((asn1Object) => asn1Object.getEncodedHex()).join("");
      return this.v;
    }
  };
  function getLenOfL(str, start) {
    if (+str[start + 2] < 8)
      return 1;
    const encoded = str.slice(start + 2, start + 6);
    const headHex = encoded.slice(0, 2);
    const head = parseInt(headHex, 16);
    const nHexLength = 1 + (head - 128);
    return nHexLength;
  }
  function getL(str, start) {
    const len = getLenOfL(str, start);
    const l = str.substring(start + 2, start + 2 + len * 2);
    if (!l)
      return -1;
    const bigint = +l[0] < 8 ? hexToNumber22(l) : hexToNumber22(l.substring(2));
    return +bigint.toString();
  }
  function getStartOfV(str, start) {
    const len = getLenOfL(str, start);
    return start + (len + 1) * 2;
  }
  function encodeDer(r, s) {
    const derR = new DERInteger(r);
    const derS = new DERInteger(s);
    const derSeq = new DERSequence([derR, derS]);
    return derSeq.getEncodedHex();
  }
  function encodeEnc(x2, y, hash, cipher) {
    const derX = new DERInteger(x2);
    const derY = new DERInteger(y);
    const derHash = new DEROctetString(hash);
    const derCipher = new DEROctetString(cipher);
    const derSeq = new DERSequence([derX, derY, derHash, derCipher]);
    return derSeq.getEncodedHex();
  }
  function decodeDer(input) {
    const start = getStartOfV(input, 0);
    const vIndexR = getStartOfV(input, start);
    const lR = getL(input, start);
    const vR = input.substring(vIndexR, vIndexR + lR * 2);
    const nextStart = vIndexR + vR.length;
    const vIndexS = getStartOfV(input, nextStart);
    const lS = getL(input, nextStart);
    const vS = input.substring(vIndexS, vIndexS + lS * 2);
    const r = hexToNumber22(vR);
    const s = hexToNumber22(vS);
    return { r, s };
  }
  function decodeEnc(input) {
    function extractSequence(input2, start2) {
      const vIndex = getStartOfV(input2, start2);
      const length = getL(input2, start2);
      const value = input2.substring(vIndex, vIndex + length * 2);
      const nextStart = vIndex + value.length;
      return { value, nextStart };
    }
    const start = getStartOfV(input, 0);
    const { value: vR, nextStart: startS } = extractSequence(input, start);
    const { value: vS, nextStart: startHash } = extractSequence(input, startS);
    const { value: hash, nextStart: startCipher } = extractSequence(input, startHash);
    const { value: cipher } = extractSequence(input, startCipher);
    const x2 = hexToNumber22(vR);
    const y = hexToNumber22(vS);
    return { x: x2, y, hash, cipher };
  }
  var DEFAULT_PRNG_POOL_SIZE = 16384;
  var prngPool = new Uint8Array(0);
  var _syncCrypto;
  async function initRNGPool() {
    if ("crypto" in globalThis) {
      _syncCrypto = globalThis.crypto;
      return;
    }
    if (prngPool.length > DEFAULT_PRNG_POOL_SIZE / 2)
      return;
    if ("wx" in globalThis && "getRandomValues" in globalThis.wx) {
      prngPool = await new Promise((r) => {
        wx.getRandomValues({
          length: DEFAULT_PRNG_POOL_SIZE,
          success(res) {
            r(new Uint8Array(res.randomValues));
          }
        });
      });
    } else {
      try {
        if (globalThis.crypto) {
          _syncCrypto = globalThis.crypto;
        } else {
          const crypto22 = await import(
            /* webpackIgnore: true */
            "crypto"
          );
          _syncCrypto = crypto22.webcrypto;
        }
        const array = new Uint8Array(DEFAULT_PRNG_POOL_SIZE);
        _syncCrypto.getRandomValues(array);
        prngPool = array;
      } catch (error) {
        throw new Error("no available csprng, abort.");
      }
    }
  }
  initRNGPool();
  function consumePool(length) {
    if (prngPool.length > length) {
      const prng = prngPool.slice(0, length);
      prngPool = prngPool.slice(length);
      initRNGPool();
      return prng;
    } else {
      throw new Error("random number pool is not ready or insufficient, prevent getting too long random values or too often.");
    }
  }
  function randomBytes2(length = 0) {
    const array = new Uint8Array(length);
    if (_syncCrypto) {
      return _syncCrypto.getRandomValues(array);
    } else {
      const result = consumePool(length);
      return result;
    }
  }
  var u8a = (a) => a instanceof Uint8Array;
  var createView22 = (arr) => new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  var isLE3 = new Uint8Array(new Uint32Array([287454020]).buffer)[0] === 68;
  if (!isLE3)
    throw new Error("Non little-endian hardware is not supported");
  var hexes22 = Array.from(
    { length: 256 },
    (v, i) => i.toString(16).padStart(2, "0")
  );
  function bytesToHex3(bytes) {
    if (!u8a(bytes))
      throw new Error("Uint8Array expected");
    let hex2 = "";
    for (let i = 0; i < bytes.length; i++) {
      hex2 += hexes22[bytes[i]];
    }
    return hex2;
  }
  var te = typeof TextEncoder != "undefined" && /* @__PURE__ */ new TextEncoder();
  var slc = (v, s, e) => {
    if (s == null || s < 0)
      s = 0;
    if (e == null || e > v.length)
      e = v.length;
    return new Uint8Array(v.subarray(s, e));
  };
  function strToU8(str) {
    if (te)
      return te.encode(str);
    const l = str.length;
    let ar = new Uint8Array(str.length + (str.length >> 1));
    let ai = 0;
    const w = (v) => {
      ar[ai++] = v;
    };
    for (let i = 0; i < l; ++i) {
      if (ai + 5 > ar.length) {
        const n = new Uint8Array(ai + 8 + (l - i << 1));
        n.set(ar);
        ar = n;
      }
      let c = str.charCodeAt(i);
      if (c < 128)
        w(c);
      else if (c < 2048)
        w(192 | c >> 6), w(128 | c & 63);
      else if (c > 55295 && c < 57344)
        c = 65536 + (c & 1023 << 10) | str.charCodeAt(++i) & 1023, w(240 | c >> 18), w(128 | c >> 12 & 63), w(128 | c >> 6 & 63), w(128 | c & 63);
      else
        w(224 | c >> 12), w(128 | c >> 6 & 63), w(128 | c & 63);
    }
    return slc(ar, 0, ai);
  }
  function toBytes3(data) {
    if (typeof data === "string")
      data = strToU8(data);
    if (!u8a(data))
      throw new Error(`expected Uint8Array, got ${typeof data}`);
    return data;
  }
  var Hash3 = class {
    // Safe version that clones internal state
    clone() {
      return this._cloneInto();
    }
  };
  function wrapConstructor(hashCons) {
    const hashC = (msg) => hashCons().update(toBytes3(msg)).digest();
    const tmp2 = hashCons();
    hashC.outputLen = tmp2.outputLen;
    hashC.blockLen = tmp2.blockLen;
    hashC.create = () => hashCons();
    return hashC;
  }
  var BoolA = (A, B, C) => A & B | A & C | B & C;
  var BoolB = (A, B, C) => A ^ B ^ C;
  var BoolC = (A, B, C) => A & B | ~A & C;
  function setBigUint642(view, byteOffset, value, isLE22) {
    if (typeof view.setBigUint64 === "function")
      return view.setBigUint64(byteOffset, value, isLE22);
    const _32n3 = BigInt(32);
    const _u32_max = BigInt(4294967295);
    const wh = Number(value >> _32n3 & _u32_max);
    const wl = Number(value & _u32_max);
    const h = isLE22 ? 4 : 0;
    const l = isLE22 ? 0 : 4;
    view.setUint32(byteOffset + h, wh, isLE22);
    view.setUint32(byteOffset + l, wl, isLE22);
  }
  function rotl(x2, n) {
    const s = n & 31;
    return x2 << s | x2 >>> 32 - s;
  }
  function P0(X) {
    return X ^ rotl(X, 9) ^ rotl(X, 17);
  }
  function P1(X) {
    return X ^ rotl(X, 15) ^ rotl(X, 23);
  }
  var SHA2 = class extends Hash3 {
    constructor(blockLen, outputLen, padOffset, isLE22) {
      super();
      this.blockLen = blockLen;
      this.outputLen = outputLen;
      this.padOffset = padOffset;
      this.isLE = isLE22;
      __publicField(this, "buffer");
      __publicField(this, "view");
      __publicField(this, "finished", false);
      __publicField(this, "length", 0);
      __publicField(this, "pos", 0);
      __publicField(this, "destroyed", false);
      this.buffer = new Uint8Array(blockLen);
      this.view = createView22(this.buffer);
    }
    update(data) {
      const { view, buffer, blockLen } = this;
      data = toBytes3(data);
      const len = data.length;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        if (take === blockLen) {
          const dataView = createView22(data);
          for (; blockLen <= len - pos; pos += blockLen)
            this.process(dataView, pos);
          continue;
        }
        buffer.set(data.subarray(pos, pos + take), this.pos);
        this.pos += take;
        pos += take;
        if (this.pos === blockLen) {
          this.process(view, 0);
          this.pos = 0;
        }
      }
      this.length += data.length;
      this.roundClean();
      return this;
    }
    digestInto(out) {
      this.finished = true;
      const { buffer, view, blockLen, isLE: isLE22 } = this;
      let { pos } = this;
      buffer[pos++] = 128;
      this.buffer.subarray(pos).fill(0);
      if (this.padOffset > blockLen - pos) {
        this.process(view, 0);
        pos = 0;
      }
      for (let i = pos; i < blockLen; i++)
        buffer[i] = 0;
      setBigUint642(view, blockLen - 8, BigInt(this.length * 8), isLE22);
      this.process(view, 0);
      const oview = createView22(out);
      const len = this.outputLen;
      if (len % 4)
        throw new Error("_sha2: outputLen should be aligned to 32bit");
      const outLen = len / 4;
      const state = this.get();
      if (outLen > state.length)
        throw new Error("_sha2: outputLen bigger than state");
      for (let i = 0; i < outLen; i++)
        oview.setUint32(4 * i, state[i], isLE22);
    }
    digest() {
      const { buffer, outputLen } = this;
      this.digestInto(buffer);
      const res = buffer.slice(0, outputLen);
      this.destroy();
      return res;
    }
    _cloneInto(to) {
      to || (to = new this.constructor());
      to.set(...this.get());
      const { blockLen, buffer, length, finished, destroyed, pos } = this;
      to.length = length;
      to.pos = pos;
      to.finished = finished;
      to.destroyed = destroyed;
      if (length % blockLen)
        to.buffer.set(buffer);
      return to;
    }
  };
  var IV = new Uint32Array([1937774191, 1226093241, 388252375, 3666478592, 2842636476, 372324522, 3817729613, 2969243214]);
  var SM3_W = new Uint32Array(68);
  var SM3_M = new Uint32Array(64);
  var T1 = 2043430169;
  var T2 = 2055708042;
  var SM3 = class extends SHA2 {
    constructor() {
      super(64, 32, 8, false);
      __publicField(this, "A", IV[0] | 0);
      __publicField(this, "B", IV[1] | 0);
      __publicField(this, "C", IV[2] | 0);
      __publicField(this, "D", IV[3] | 0);
      __publicField(this, "E", IV[4] | 0);
      __publicField(this, "F", IV[5] | 0);
      __publicField(this, "G", IV[6] | 0);
      __publicField(this, "H", IV[7] | 0);
    }
    get() {
      const { A, B, C, D, E, F, G, H } = this;
      return [A, B, C, D, E, F, G, H];
    }
    // prettier-ignore
    set(A, B, C, D, E, F, G, H) {
      this.A = A | 0;
      this.B = B | 0;
      this.C = C | 0;
      this.D = D | 0;
      this.E = E | 0;
      this.F = F | 0;
      this.G = G | 0;
      this.H = H | 0;
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4)
        SM3_W[i] = view.getUint32(offset, false);
      for (let i = 16; i < 68; i++) {
        SM3_W[i] = P1(SM3_W[i - 16] ^ SM3_W[i - 9] ^ rotl(SM3_W[i - 3], 15)) ^ rotl(SM3_W[i - 13], 7) ^ SM3_W[i - 6];
      }
      for (let i = 0; i < 64; i++) {
        SM3_M[i] = SM3_W[i] ^ SM3_W[i + 4];
      }
      let { A, B, C, D, E, F, G, H } = this;
      for (let j = 0; j < 64; j++) {
        let small = j >= 0 && j <= 15;
        let T = small ? T1 : T2;
        let SS1 = rotl(rotl(A, 12) + E + rotl(T, j), 7);
        let SS2 = SS1 ^ rotl(A, 12);
        let TT1 = (small ? BoolB(A, B, C) : BoolA(A, B, C)) + D + SS2 + SM3_M[j] | 0;
        let TT2 = (small ? BoolB(E, F, G) : BoolC(E, F, G)) + H + SS1 + SM3_W[j] | 0;
        D = C;
        C = rotl(B, 9);
        B = A;
        A = TT1;
        H = G;
        G = rotl(F, 19);
        F = E;
        E = P0(TT2);
      }
      A = A ^ this.A | 0;
      B = B ^ this.B | 0;
      C = C ^ this.C | 0;
      D = D ^ this.D | 0;
      E = E ^ this.E | 0;
      F = F ^ this.F | 0;
      G = G ^ this.G | 0;
      H = H ^ this.H | 0;
      this.set(A, B, C, D, E, F, G, H);
    }
    roundClean() {
      SM3_W.fill(0);
    }
    destroy() {
      this.set(0, 0, 0, 0, 0, 0, 0, 0);
      this.buffer.fill(0);
    }
  };
  var sm3 = wrapConstructor(() => new SM3());
  var HMAC2 = class extends Hash3 {
    constructor(hash, _key) {
      super();
      __publicField(this, "oHash");
      __publicField(this, "iHash");
      __publicField(this, "blockLen");
      __publicField(this, "outputLen");
      __publicField(this, "finished", false);
      __publicField(this, "destroyed", false);
      const key = toBytes3(_key);
      this.iHash = hash.create();
      if (typeof this.iHash.update !== "function")
        throw new Error("Expected instance of class which extends utils.Hash");
      this.blockLen = this.iHash.blockLen;
      this.outputLen = this.iHash.outputLen;
      const blockLen = this.blockLen;
      const pad = new Uint8Array(blockLen);
      pad.set(key.length > blockLen ? hash.create().update(key).digest() : key);
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54;
      this.iHash.update(pad);
      this.oHash = hash.create();
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54 ^ 92;
      this.oHash.update(pad);
      pad.fill(0);
    }
    update(buf) {
      this.iHash.update(buf);
      return this;
    }
    digestInto(out) {
      this.finished = true;
      this.iHash.digestInto(out);
      this.oHash.update(out);
      this.oHash.digestInto(out);
      this.destroy();
    }
    digest() {
      const out = new Uint8Array(this.oHash.outputLen);
      this.digestInto(out);
      return out;
    }
    _cloneInto(to) {
      to || (to = Object.create(Object.getPrototypeOf(this), {}));
      const { oHash, iHash, finished, destroyed, blockLen, outputLen } = this;
      to = to;
      to.finished = finished;
      to.destroyed = destroyed;
      to.blockLen = blockLen;
      to.outputLen = outputLen;
      to.oHash = oHash._cloneInto(to.oHash);
      to.iHash = iHash._cloneInto(to.iHash);
      return to;
    }
    destroy() {
      this.destroyed = true;
      this.oHash.destroy();
      this.iHash.destroy();
    }
  };
  var hmac22 = (hash, key, message) => new HMAC2(hash, key).update(message).digest();
  hmac22.create = (hash, key) => new HMAC2(hash, key);
  var sm2Fp = Field(BigInt("115792089210356248756420345214020892766250353991924191454421193933289684991999"));
  var sm2Curve = weierstrass({
    // sm2: short weierstrass.
    a: BigInt("115792089210356248756420345214020892766250353991924191454421193933289684991996"),
    b: BigInt("18505919022281880113072981827955639221458448578012075254857346196103069175443"),
    Fp: sm2Fp,
    h: ONE,
    n: BigInt("115792089210356248756420345214020892766061623724957744567843809356293439045923"),
    Gx: BigInt("22963146547237050559479531362550074578802567295341616970375194840604139615431"),
    Gy: BigInt("85132369209828568825618990617112496413088388631904505083283536607588877201568"),
    hash: sm3,
    hmac: (key, ...msgs) => hmac22(sm3, key, concatBytes2(...msgs)),
    randomBytes: randomBytes2
  });
  var field = Field(BigInt(sm2Curve.CURVE.n));
  function generateKeyPairHex(str) {
    const privateKey = str ? numberToBytesBE22(mod2(BigInt(str), ONE) + ONE, 32) : sm2Curve.utils.randomPrivateKey();
    const publicKey = sm2Curve.getPublicKey(privateKey, false);
    const privPad = leftPad(bytesToHex22(privateKey), 64);
    const pubPad = leftPad(bytesToHex22(publicKey), 64);
    return { privateKey: privPad, publicKey: pubPad };
  }
  function compressPublicKeyHex(s) {
    if (s.length !== 130)
      throw new Error("Invalid public key to compress");
    const len = (s.length - 2) / 2;
    const xHex = s.substring(2, 2 + len);
    const y = hexToNumber22(s.substring(len + 2, len + len + 2));
    let prefix = "03";
    if (mod2(y, TWO) === ZERO)
      prefix = "02";
    return prefix + xHex;
  }
  function utf8ToHex(input) {
    const bytes = strToU8(input);
    return bytesToHex22(bytes);
  }
  function leftPad(input, num) {
    if (input.length >= num)
      return input;
    return new Array(num - input.length + 1).join("0") + input;
  }
  function arrayToHex(arr) {
    return arr.map((item) => {
      const hex2 = item.toString(16);
      return hex2.length === 1 ? "0" + hex2 : hex2;
    }).join("");
  }
  function arrayToUtf8(arr) {
    const str = [];
    for (let i = 0, len = arr.length; i < len; i++) {
      if (arr[i] >= 240 && arr[i] <= 247) {
        str.push(String.fromCodePoint(((arr[i] & 7) << 18) + ((arr[i + 1] & 63) << 12) + ((arr[i + 2] & 63) << 6) + (arr[i + 3] & 63)));
        i += 3;
      } else if (arr[i] >= 224 && arr[i] <= 239) {
        str.push(String.fromCodePoint(((arr[i] & 15) << 12) + ((arr[i + 1] & 63) << 6) + (arr[i + 2] & 63)));
        i += 2;
      } else if (arr[i] >= 192 && arr[i] <= 223) {
        str.push(String.fromCodePoint(((arr[i] & 31) << 6) + (arr[i + 1] & 63)));
        i++;
      } else {
        str.push(String.fromCodePoint(arr[i]));
      }
    }
    return str.join("");
  }
  function hexToArray(hexStr) {
    let hexStrLength = hexStr.length;
    if (hexStrLength % 2 !== 0) {
      hexStr = leftPad(hexStr, hexStrLength + 1);
    }
    hexStrLength = hexStr.length;
    const wordLength = hexStrLength / 2;
    const words = new Uint8Array(wordLength);
    for (let i = 0; i < wordLength; i++) {
      words[i] = parseInt(hexStr.substring(i * 2, i * 2 + 2), 16);
    }
    return words;
  }
  function verifyPublicKey(publicKey) {
    const point = sm2Curve.ProjectivePoint.fromHex(publicKey);
    if (!point)
      return false;
    try {
      point.assertValidity();
      return true;
    } catch (error) {
      return false;
    }
  }
  function comparePublicKeyHex(publicKey1, publicKey2) {
    const point1 = sm2Curve.ProjectivePoint.fromHex(publicKey1);
    if (!point1)
      return false;
    const point2 = sm2Curve.ProjectivePoint.fromHex(publicKey2);
    if (!point2)
      return false;
    return point1.equals(point2);
  }
  function utf8ToArray(str) {
    const arr = [];
    for (let i = 0, len = str.length; i < len; i++) {
      const point = str.codePointAt(i);
      if (point <= 127) {
        arr.push(point);
      } else if (point <= 2047) {
        arr.push(192 | point >>> 6);
        arr.push(128 | point & 63);
      } else if (point <= 55295 || point >= 57344 && point <= 65535) {
        arr.push(224 | point >>> 12);
        arr.push(128 | point >>> 6 & 63);
        arr.push(128 | point & 63);
      } else if (point >= 65536 && point <= 1114111) {
        i++;
        arr.push(240 | point >>> 18 & 28);
        arr.push(128 | point >>> 12 & 63);
        arr.push(128 | point >>> 6 & 63);
        arr.push(128 | point & 63);
      } else {
        arr.push(point);
        throw new Error("input is not supported");
      }
    }
    return new Uint8Array(arr);
  }
  function sm32(input, options) {
    input = typeof input === "string" ? utf8ToArray(input) : input;
    if (options) {
      const mode = options.mode || "hmac";
      if (mode !== "hmac")
        throw new Error("invalid mode");
      let key = options.key;
      if (!key)
        throw new Error("invalid key");
      key = typeof key === "string" ? hexToArray(key) : key;
      return bytesToHex3(hmac22(sm3, key, input));
    }
    return bytesToHex3(sm3(input));
  }
  function kdf(z, keylen, iv) {
    z = typeof z === "string" ? utf8ToArray(z) : z;
    const IV2 = iv == null ? EmptyArray : typeof iv === "string" ? utf8ToArray(iv) : iv;
    let msg = new Uint8Array(keylen);
    let ct = 1;
    let offset = 0;
    let t = EmptyArray;
    const ctShift = new Uint8Array(4);
    const nextT = () => {
      ctShift[0] = ct >> 24 & 255;
      ctShift[1] = ct >> 16 & 255;
      ctShift[2] = ct >> 8 & 255;
      ctShift[3] = ct & 255;
      t = sm3(concatBytes2(z, ctShift, IV2));
      ct++;
      offset = 0;
    };
    nextT();
    for (let i = 0, len = msg.length; i < len; i++) {
      if (offset === t.length)
        nextT();
      msg[i] = t[offset++] & 255;
    }
    return msg;
  }
  var wPow2 = hexToNumber22("80000000000000000000000000000000");
  var wPow2Sub1 = hexToNumber22("7fffffffffffffffffffffffffffffff");
  function calculateSharedKey(keypairA, ephemeralKeypairA, publicKeyB, ephemeralPublicKeyB, sharedKeyLength, isRecipient = false, idA = "1234567812345678", idB = "1234567812345678") {
    const RA = sm2Curve.ProjectivePoint.fromHex(ephemeralKeypairA.publicKey);
    const RB = sm2Curve.ProjectivePoint.fromHex(ephemeralPublicKeyB);
    const PB = sm2Curve.ProjectivePoint.fromHex(publicKeyB);
    let ZA = getZ(keypairA.publicKey, idA);
    let ZB = getZ(publicKeyB, idB);
    if (isRecipient) {
      [ZA, ZB] = [ZB, ZA];
    }
    const rA = hexToNumber22(ephemeralKeypairA.privateKey);
    const dA = hexToNumber22(keypairA.privateKey);
    const x1 = RA.x;
    const x1_ = wPow2 + (x1 & wPow2Sub1);
    const tA = field.add(dA, field.mulN(x1_, rA));
    const x2 = RB.x;
    const x2_ = field.add(wPow2, x2 & wPow2Sub1);
    const U = RB.multiply(x2_).add(PB).multiply(tA);
    const xU = hexToArray(leftPad(numberToHexUnpadded2(U.x), 64));
    const yU = hexToArray(leftPad(numberToHexUnpadded2(U.y), 64));
    const KA = kdf(concatBytes2(xU, yU, ZA, ZB), sharedKeyLength);
    return KA;
  }
  var { getSharedSecret } = sm2Curve;
  function xorCipherStream(x2, y2, msg) {
    const stream = kdf(concatBytes2(x2, y2), msg.length);
    for (let i = 0, len = msg.length; i < len; i++) {
      msg[i] ^= stream[i] & 255;
    }
  }
  var C1C2C3 = 0;
  var EmptyArray = new Uint8Array();
  function doEncrypt(msg, publicKey, cipherMode = 1, options) {
    const msgArr = typeof msg === "string" ? hexToArray(utf8ToHex(msg)) : Uint8Array.from(msg);
    const publicKeyPoint = typeof publicKey === "string" ? sm2Curve.ProjectivePoint.fromHex(publicKey) : publicKey;
    const keypair = generateKeyPairHex();
    const k = hexToNumber22(keypair.privateKey);
    let c1 = keypair.publicKey;
    if (c1.length > 128)
      c1 = c1.substring(c1.length - 128);
    const p = publicKeyPoint.multiply(k);
    const x2 = hexToArray(leftPad(numberToHexUnpadded2(p.x), 64));
    const y2 = hexToArray(leftPad(numberToHexUnpadded2(p.y), 64));
    const c3 = bytesToHex3(sm3(concatBytes2(x2, msgArr, y2)));
    xorCipherStream(x2, y2, msgArr);
    const c2 = bytesToHex3(msgArr);
    if (options?.asn1) {
      const point = sm2Curve.ProjectivePoint.fromHex(keypair.publicKey);
      const encode = cipherMode === C1C2C3 ? encodeEnc(point.x, point.y, c2, c3) : encodeEnc(point.x, point.y, c3, c2);
      return encode;
    }
    return cipherMode === C1C2C3 ? c1 + c2 + c3 : c1 + c3 + c2;
  }
  function doDecrypt(encryptData, privateKey, cipherMode = 1, options) {
    const { output = "string", asn1 = false } = options || {};
    const privateKeyInteger = hexToNumber22(privateKey);
    let c1;
    let c2;
    let c3;
    if (asn1) {
      const { x: x3, y, cipher, hash } = decodeEnc(encryptData);
      c1 = sm2Curve.ProjectivePoint.fromAffine({ x: x3, y });
      c3 = hash;
      c2 = cipher;
      if (cipherMode === C1C2C3) {
        [c2, c3] = [c3, c2];
      }
    } else {
      c1 = sm2Curve.ProjectivePoint.fromHex("04" + encryptData.substring(0, 128));
      c3 = encryptData.substring(128, 128 + 64);
      c2 = encryptData.substring(128 + 64);
      if (cipherMode === C1C2C3) {
        c3 = encryptData.substring(encryptData.length - 64);
        c2 = encryptData.substring(128, encryptData.length - 64);
      }
    }
    const msg = hexToArray(c2);
    const p = c1.multiply(privateKeyInteger);
    const x2 = hexToArray(leftPad(numberToHexUnpadded2(p.x), 64));
    const y2 = hexToArray(leftPad(numberToHexUnpadded2(p.y), 64));
    xorCipherStream(x2, y2, msg);
    const checkC3 = arrayToHex(Array.from(sm3(concatBytes2(x2, msg, y2))));
    if (checkC3 === c3.toLowerCase()) {
      return output === "array" ? msg : arrayToUtf8(msg);
    } else {
      return output === "array" ? [] : "";
    }
  }
  function doSignature(msg, privateKey, options = {}) {
    let {
      pointPool,
      der,
      hash,
      publicKey,
      userId
    } = options;
    let hashHex = typeof msg === "string" ? utf8ToHex(msg) : arrayToHex(Array.from(msg));
    if (hash) {
      publicKey = publicKey || getPublicKeyFromPrivateKey(privateKey);
      hashHex = getHash(hashHex, publicKey, userId);
    }
    const dA = hexToNumber22(privateKey);
    const e = hexToNumber22(hashHex);
    let k = null;
    let r = null;
    let s = null;
    do {
      do {
        let point;
        if (pointPool && pointPool.length) {
          point = pointPool.pop();
        } else {
          point = getPoint();
        }
        k = point.k;
        r = field.add(e, point.x1);
      } while (r === ZERO || r + k === sm2Curve.CURVE.n);
      s = field.mul(field.inv(field.addN(dA, ONE)), field.subN(k, field.mulN(r, dA)));
    } while (s === ZERO);
    if (der)
      return encodeDer(r, s);
    return leftPad(numberToHexUnpadded2(r), 64) + leftPad(numberToHexUnpadded2(s), 64);
  }
  function doVerifySignature(msg, signHex, publicKey, options = {}) {
    let hashHex;
    const {
      hash,
      der,
      userId
    } = options;
    const publicKeyHex = typeof publicKey === "string" ? publicKey : publicKey.toHex(false);
    if (hash) {
      hashHex = getHash(typeof msg === "string" ? utf8ToHex(msg) : msg, publicKeyHex, userId);
    } else {
      hashHex = typeof msg === "string" ? utf8ToHex(msg) : arrayToHex(Array.from(msg));
    }
    let r;
    let s;
    if (der) {
      const decodeDerObj = decodeDer(signHex);
      r = decodeDerObj.r;
      s = decodeDerObj.s;
    } else {
      r = hexToNumber22(signHex.substring(0, 64));
      s = hexToNumber22(signHex.substring(64));
    }
    const PA = typeof publicKey === "string" ? sm2Curve.ProjectivePoint.fromHex(publicKey) : publicKey;
    const e = hexToNumber22(hashHex);
    const t = field.add(r, s);
    if (t === ZERO)
      return false;
    const x1y1 = sm2Curve.ProjectivePoint.BASE.multiply(s).add(PA.multiply(t));
    const R = field.add(e, x1y1.x);
    return r === R;
  }
  function getZ(publicKey, userId = "1234567812345678") {
    userId = utf8ToHex(userId);
    const a = leftPad(numberToHexUnpadded2(sm2Curve.CURVE.a), 64);
    const b = leftPad(numberToHexUnpadded2(sm2Curve.CURVE.b), 64);
    const gx = leftPad(numberToHexUnpadded2(sm2Curve.ProjectivePoint.BASE.x), 64);
    const gy = leftPad(numberToHexUnpadded2(sm2Curve.ProjectivePoint.BASE.y), 64);
    let px;
    let py;
    if (publicKey.length === 128) {
      px = publicKey.substring(0, 64);
      py = publicKey.substring(64, 128);
    } else {
      const point = sm2Curve.ProjectivePoint.fromHex(publicKey);
      px = leftPad(numberToHexUnpadded2(point.x), 64);
      py = leftPad(numberToHexUnpadded2(point.y), 64);
    }
    const data = hexToArray(userId + a + b + gx + gy + px + py);
    const entl = userId.length * 4;
    const z = sm3(concatBytes2(new Uint8Array([entl >> 8 & 255, entl & 255]), data));
    return z;
  }
  function getHash(hashHex, publicKey, userId = "1234567812345678") {
    const z = getZ(publicKey, userId);
    return bytesToHex3(sm3(concatBytes2(z, typeof hashHex === "string" ? hexToArray(hashHex) : hashHex)));
  }
  function precomputePublicKey(publicKey, windowSize) {
    const point = sm2Curve.ProjectivePoint.fromHex(publicKey);
    return sm2Curve.utils.precompute(windowSize, point);
  }
  function getPublicKeyFromPrivateKey(privateKey) {
    const pubKey = sm2Curve.getPublicKey(privateKey, false);
    const pubPad = leftPad(bytesToHex22(pubKey), 64);
    return pubPad;
  }
  function getPoint() {
    const keypair = generateKeyPairHex();
    const PA = sm2Curve.ProjectivePoint.fromHex(keypair.publicKey);
    const k = hexToNumber22(keypair.privateKey);
    return {
      ...keypair,
      k,
      x1: PA.x
    };
  }
  var sm4_exports = {};
  __export(sm4_exports, {
    decrypt: () => decrypt,
    encrypt: () => encrypt,
    sm4: () => sm4
  });
  var DECRYPT = 0;
  var ROUND = 32;
  var BLOCK = 16;
  var Sbox = Uint8Array.from([
    214,
    144,
    233,
    254,
    204,
    225,
    61,
    183,
    22,
    182,
    20,
    194,
    40,
    251,
    44,
    5,
    43,
    103,
    154,
    118,
    42,
    190,
    4,
    195,
    170,
    68,
    19,
    38,
    73,
    134,
    6,
    153,
    156,
    66,
    80,
    244,
    145,
    239,
    152,
    122,
    51,
    84,
    11,
    67,
    237,
    207,
    172,
    98,
    228,
    179,
    28,
    169,
    201,
    8,
    232,
    149,
    128,
    223,
    148,
    250,
    117,
    143,
    63,
    166,
    71,
    7,
    167,
    252,
    243,
    115,
    23,
    186,
    131,
    89,
    60,
    25,
    230,
    133,
    79,
    168,
    104,
    107,
    129,
    178,
    113,
    100,
    218,
    139,
    248,
    235,
    15,
    75,
    112,
    86,
    157,
    53,
    30,
    36,
    14,
    94,
    99,
    88,
    209,
    162,
    37,
    34,
    124,
    59,
    1,
    33,
    120,
    135,
    212,
    0,
    70,
    87,
    159,
    211,
    39,
    82,
    76,
    54,
    2,
    231,
    160,
    196,
    200,
    158,
    234,
    191,
    138,
    210,
    64,
    199,
    56,
    181,
    163,
    247,
    242,
    206,
    249,
    97,
    21,
    161,
    224,
    174,
    93,
    164,
    155,
    52,
    26,
    85,
    173,
    147,
    50,
    48,
    245,
    140,
    177,
    227,
    29,
    246,
    226,
    46,
    130,
    102,
    202,
    96,
    192,
    41,
    35,
    171,
    13,
    83,
    78,
    111,
    213,
    219,
    55,
    69,
    222,
    253,
    142,
    47,
    3,
    255,
    106,
    114,
    109,
    108,
    91,
    81,
    141,
    27,
    175,
    146,
    187,
    221,
    188,
    127,
    17,
    217,
    92,
    65,
    31,
    16,
    90,
    216,
    10,
    193,
    49,
    136,
    165,
    205,
    123,
    189,
    45,
    116,
    208,
    18,
    184,
    229,
    180,
    176,
    137,
    105,
    151,
    74,
    12,
    150,
    119,
    126,
    101,
    185,
    241,
    9,
    197,
    110,
    198,
    132,
    24,
    240,
    125,
    236,
    58,
    220,
    77,
    32,
    121,
    238,
    95,
    62,
    215,
    203,
    57,
    72
  ]);
  var CK = new Uint32Array([
    462357,
    472066609,
    943670861,
    1415275113,
    1886879365,
    2358483617,
    2830087869,
    3301692121,
    3773296373,
    4228057617,
    404694573,
    876298825,
    1347903077,
    1819507329,
    2291111581,
    2762715833,
    3234320085,
    3705924337,
    4177462797,
    337322537,
    808926789,
    1280531041,
    1752135293,
    2223739545,
    2695343797,
    3166948049,
    3638552301,
    4110090761,
    269950501,
    741554753,
    1213159005,
    1684763257
  ]);
  function byteSub(a) {
    return (Sbox[a >>> 24 & 255] & 255) << 24 | (Sbox[a >>> 16 & 255] & 255) << 16 | (Sbox[a >>> 8 & 255] & 255) << 8 | Sbox[a & 255] & 255;
  }
  var x = new Uint32Array(4);
  var tmp = new Uint32Array(4);
  function sms4Crypt(input, output, roundKey) {
    let x0 = 0, x1 = 0, x2 = 0, x3 = 0, tmp0 = 0, tmp1 = 0, tmp2 = 0, tmp3 = 0;
    tmp0 = input[0] & 255;
    tmp1 = input[1] & 255;
    tmp2 = input[2] & 255;
    tmp3 = input[3] & 255;
    x0 = tmp0 << 24 | tmp1 << 16 | tmp2 << 8 | tmp3;
    tmp0 = input[4] & 255;
    tmp1 = input[5] & 255;
    tmp2 = input[6] & 255;
    tmp3 = input[7] & 255;
    x1 = tmp0 << 24 | tmp1 << 16 | tmp2 << 8 | tmp3;
    tmp0 = input[8] & 255;
    tmp1 = input[9] & 255;
    tmp2 = input[10] & 255;
    tmp3 = input[11] & 255;
    x2 = tmp0 << 24 | tmp1 << 16 | tmp2 << 8 | tmp3;
    tmp0 = input[12] & 255;
    tmp1 = input[13] & 255;
    tmp2 = input[14] & 255;
    tmp3 = input[15] & 255;
    x3 = tmp0 << 24 | tmp1 << 16 | tmp2 << 8 | tmp3;
    for (let r = 0; r < 32; r += 4) {
      tmp0 = x1 ^ x2 ^ x3 ^ roundKey[r];
      tmp0 = byteSub(tmp0);
      x0 ^= tmp0 ^ (tmp0 << 2 | tmp0 >>> 30) ^ (tmp0 << 10 | tmp0 >>> 22) ^ (tmp0 << 18 | tmp0 >>> 14) ^ (tmp0 << 24 | tmp0 >>> 8);
      tmp1 = x2 ^ x3 ^ x0 ^ roundKey[r + 1];
      tmp1 = byteSub(tmp1);
      x1 ^= tmp1 ^ (tmp1 << 2 | tmp1 >>> 30) ^ (tmp1 << 10 | tmp1 >>> 22) ^ (tmp1 << 18 | tmp1 >>> 14) ^ (tmp1 << 24 | tmp1 >>> 8);
      tmp2 = x3 ^ x0 ^ x1 ^ roundKey[r + 2];
      tmp2 = byteSub(tmp2);
      x2 ^= tmp2 ^ (tmp2 << 2 | tmp2 >>> 30) ^ (tmp2 << 10 | tmp2 >>> 22) ^ (tmp2 << 18 | tmp2 >>> 14) ^ (tmp2 << 24 | tmp2 >>> 8);
      tmp3 = x0 ^ x1 ^ x2 ^ roundKey[r + 3];
      tmp3 = byteSub(tmp3);
      x3 ^= tmp3 ^ (tmp3 << 2 | tmp3 >>> 30) ^ (tmp3 << 10 | tmp3 >>> 22) ^ (tmp3 << 18 | tmp3 >>> 14) ^ (tmp3 << 24 | tmp3 >>> 8);
    }
    output[0] = x3 >>> 24 & 255;
    output[1] = x3 >>> 16 & 255;
    output[2] = x3 >>> 8 & 255;
    output[3] = x3 & 255;
    output[4] = x2 >>> 24 & 255;
    output[5] = x2 >>> 16 & 255;
    output[6] = x2 >>> 8 & 255;
    output[7] = x2 & 255;
    output[8] = x1 >>> 24 & 255;
    output[9] = x1 >>> 16 & 255;
    output[10] = x1 >>> 8 & 255;
    output[11] = x1 & 255;
    output[12] = x0 >>> 24 & 255;
    output[13] = x0 >>> 16 & 255;
    output[14] = x0 >>> 8 & 255;
    output[15] = x0 & 255;
  }
  function sms4KeyExt(key, roundKey, cryptFlag) {
    let x0 = 0, x1 = 0, x2 = 0, x3 = 0, mid = 0;
    x0 = (key[0] & 255) << 24 | (key[1] & 255) << 16 | (key[2] & 255) << 8 | key[3] & 255;
    x1 = (key[4] & 255) << 24 | (key[5] & 255) << 16 | (key[6] & 255) << 8 | key[7] & 255;
    x2 = (key[8] & 255) << 24 | (key[9] & 255) << 16 | (key[10] & 255) << 8 | key[11] & 255;
    x3 = (key[12] & 255) << 24 | (key[13] & 255) << 16 | (key[14] & 255) << 8 | key[15] & 255;
    x0 ^= 2746333894;
    x1 ^= 1453994832;
    x2 ^= 1736282519;
    x3 ^= 2993693404;
    for (let r = 0; r < 32; r += 4) {
      mid = x1 ^ x2 ^ x3 ^ CK[r + 0];
      mid = byteSub(mid);
      x0 ^= mid ^ (mid << 13 | mid >>> 19) ^ (mid << 23 | mid >>> 9);
      roundKey[r + 0] = x0;
      mid = x2 ^ x3 ^ x0 ^ CK[r + 1];
      mid = byteSub(mid);
      x1 ^= mid ^ (mid << 13 | mid >>> 19) ^ (mid << 23 | mid >>> 9);
      roundKey[r + 1] = x1;
      mid = x3 ^ x0 ^ x1 ^ CK[r + 2];
      mid = byteSub(mid);
      x2 ^= mid ^ (mid << 13 | mid >>> 19) ^ (mid << 23 | mid >>> 9);
      roundKey[r + 2] = x2;
      mid = x0 ^ x1 ^ x2 ^ CK[r + 3];
      mid = byteSub(mid);
      x3 ^= mid ^ (mid << 13 | mid >>> 19) ^ (mid << 23 | mid >>> 9);
      roundKey[r + 3] = x3;
    }
    if (cryptFlag === DECRYPT) {
      for (let r = 0; r < 16; r++) {
        [roundKey[r], roundKey[31 - r]] = [roundKey[31 - r], roundKey[r]];
      }
    }
  }
  function incrementCounter(counter) {
    for (let i = counter.length - 1; i >= 0; i--) {
      counter[i]++;
      if (counter[i] !== 0)
        break;
    }
  }
  function sm4Gcm(inArray, key, ivArray, aadArray, cryptFlag, tagArray) {
    const tagLength = 16;
    function deriveKeys() {
      const roundKey2 = new Uint32Array(ROUND);
      sms4KeyExt(key, roundKey2, 1);
      const authKey = new Uint8Array(16).fill(0);
      const h2 = new Uint8Array(16);
      sms4Crypt(authKey, h2, roundKey2);
      let j02;
      if (ivArray.length === 12) {
        j02 = new Uint8Array(16);
        j02.set(ivArray, 0);
        j02[15] = 1;
      } else {
        const g = ghash.create(h2);
        g.update(ivArray);
        const lenIv = new Uint8Array(16);
        const view = createView2(lenIv);
        setBigUint64(view, 8, BigInt(ivArray.length * 8), false);
        g.update(lenIv);
        j02 = g.digest();
      }
      const counter2 = new Uint8Array(j02);
      incrementCounter(counter2);
      const tagMask2 = new Uint8Array(16);
      sms4Crypt(j02, tagMask2, roundKey2);
      return { roundKey: roundKey2, h: h2, j0: j02, counter: counter2, tagMask: tagMask2 };
    }
    function computeTag(h2, data) {
      const aadLength = aadArray.length;
      const dataLength = data.length;
      const g = ghash.create(h2);
      if (aadLength > 0) {
        g.update(aadArray);
      }
      g.update(data);
      const lenBlock = new Uint8Array(16);
      const view = createView2(lenBlock);
      setBigUint64(view, 0, BigInt(aadLength * 8), false);
      setBigUint64(view, 8, BigInt(dataLength * 8), false);
      g.update(lenBlock);
      return g.digest();
    }
    const { roundKey, h, j0, counter, tagMask } = deriveKeys();
    if (cryptFlag === DECRYPT && tagArray) {
      const calculatedTag = computeTag(h, inArray);
      for (let i = 0; i < 16; i++) {
        calculatedTag[i] ^= tagMask[i];
      }
      let tagMatch = 0;
      for (let i = 0; i < 16; i++) {
        tagMatch |= calculatedTag[i] ^ tagArray[i];
      }
      if (tagMatch !== 0) {
        throw new Error("authentication tag mismatch");
      }
    }
    const outArray = new Uint8Array(inArray.length);
    let point = 0;
    let restLen = inArray.length;
    while (restLen >= BLOCK) {
      const blockOut = new Uint8Array(BLOCK);
      sms4Crypt(counter, blockOut, roundKey);
      for (let i = 0; i < BLOCK && i < restLen; i++) {
        outArray[point + i] = inArray[point + i] ^ blockOut[i];
      }
      incrementCounter(counter);
      point += BLOCK;
      restLen -= BLOCK;
    }
    if (restLen > 0) {
      const blockOut = new Uint8Array(BLOCK);
      sms4Crypt(counter, blockOut, roundKey);
      for (let i = 0; i < restLen; i++) {
        outArray[point + i] = inArray[point + i] ^ blockOut[i];
      }
    }
    if (cryptFlag !== DECRYPT) {
      const calculatedTag = computeTag(h, outArray);
      for (let i = 0; i < 16; i++) {
        calculatedTag[i] ^= tagMask[i];
      }
      return { output: outArray, tag: calculatedTag };
    }
    return { output: outArray };
  }
  var blockOutput = new Uint8Array(16);
  function sm4(inArray, key, cryptFlag, options = {}) {
    let {
      padding = "pkcs#7",
      mode,
      iv = new Uint8Array(16),
      output,
      associatedData,
      outputTag,
      tag
    } = options;
    if (mode === "gcm") {
      const keyArray = typeof key === "string" ? hexToArray(key) : Uint8Array.from(key);
      const ivArray = typeof iv === "string" ? hexToArray(iv) : Uint8Array.from(iv);
      const aadArray = associatedData ? typeof associatedData === "string" ? hexToArray(associatedData) : Uint8Array.from(associatedData) : new Uint8Array(0);
      let inputArray;
      if (typeof inArray === "string") {
        if (cryptFlag !== DECRYPT) {
          inputArray = utf8ToArray(inArray);
        } else {
          inputArray = hexToArray(inArray);
        }
      } else {
        inputArray = Uint8Array.from(inArray);
      }
      const tagArray = tag ? typeof tag === "string" ? hexToArray(tag) : Uint8Array.from(tag) : void 0;
      const result = sm4Gcm(inputArray, keyArray, ivArray, aadArray, cryptFlag, tagArray);
      if (output === "array") {
        if (outputTag && cryptFlag !== DECRYPT) {
          return result;
        }
        return result.output;
      } else {
        if (outputTag && cryptFlag !== DECRYPT) {
          return {
            output: bytesToHex3(result.output),
            tag: result.tag ? bytesToHex3(result.tag) : void 0
          };
        }
        if (cryptFlag !== DECRYPT) {
          return {
            output: bytesToHex3(result.output),
            tag: result.tag ? bytesToHex3(result.tag) : void 0
          };
        } else {
          return arrayToUtf8(result.output);
        }
      }
    }
    if (mode === "cbc") {
      if (typeof iv === "string")
        iv = hexToArray(iv);
      if (iv.length !== 128 / 8) {
        throw new Error("iv is invalid");
      }
    }
    if (typeof key === "string")
      key = hexToArray(key);
    if (key.length !== 128 / 8) {
      throw new Error("key is invalid");
    }
    if (typeof inArray === "string") {
      if (cryptFlag !== DECRYPT) {
        inArray = utf8ToArray(inArray);
      } else {
        inArray = hexToArray(inArray);
      }
    } else {
      inArray = Uint8Array.from(inArray);
    }
    if ((padding === "pkcs#5" || padding === "pkcs#7") && cryptFlag !== DECRYPT) {
      const paddingCount = BLOCK - inArray.length % BLOCK;
      const newArray = new Uint8Array(inArray.length + paddingCount);
      newArray.set(inArray, 0);
      for (let i = 0; i < paddingCount; i++)
        newArray[inArray.length + i] = paddingCount;
      inArray = newArray;
    }
    const roundKey = new Uint32Array(ROUND);
    sms4KeyExt(key, roundKey, cryptFlag);
    let outArray = new Uint8Array(inArray.length);
    let lastVector = iv;
    let restLen = inArray.length;
    let point = 0;
    while (restLen >= BLOCK) {
      const input = inArray.subarray(point, point + 16);
      if (mode === "cbc") {
        for (let i = 0; i < BLOCK; i++) {
          if (cryptFlag !== DECRYPT) {
            input[i] ^= lastVector[i];
          }
        }
      }
      sms4Crypt(input, blockOutput, roundKey);
      for (let i = 0; i < BLOCK; i++) {
        if (mode === "cbc") {
          if (cryptFlag === DECRYPT) {
            blockOutput[i] ^= lastVector[i];
          }
        }
        outArray[point + i] = blockOutput[i];
      }
      if (mode === "cbc") {
        if (cryptFlag !== DECRYPT) {
          lastVector = blockOutput;
        } else {
          lastVector = input;
        }
      }
      restLen -= BLOCK;
      point += BLOCK;
    }
    if ((padding === "pkcs#5" || padding === "pkcs#7") && cryptFlag === DECRYPT) {
      const len = outArray.length;
      const paddingCount = outArray[len - 1];
      for (let i = 1; i <= paddingCount; i++) {
        if (outArray[len - i] !== paddingCount)
          throw new Error("padding is invalid");
      }
      outArray = outArray.slice(0, len - paddingCount);
    }
    if (output !== "array") {
      if (cryptFlag !== DECRYPT) {
        return bytesToHex3(outArray);
      } else {
        return arrayToUtf8(outArray);
      }
    } else {
      return outArray;
    }
  }
  function encrypt(inArray, key, options = {}) {
    return sm4(inArray, key, 1, options);
  }
  function decrypt(inArray, key, options = {}) {
    return sm4(inArray, key, 0, options);
  }
  /*! noble-hashes - MIT License (c) 2022 Paul Miller (paulmillr.com) */

  // ../../trading/static/gm/gm-suite.js
  var KEM_SM2 = 65328;
  var KEM_SM2_MLKEM768 = 65329;
  var KDF_HKDF_SM3 = 65330;
  var AEAD_SM4_GCM = 65331;
  var EXPORT_ONLY = 65535;
  var NH = 32;
  var NK = 16;
  var NN = 12;
  var NT = 16;
  var VERSION_LABEL = utf8("HPKE-v1");
  var SM2_ENC_LEN = 65 + 32 + 32;
  var MLKEM_EK_LEN = 1184;
  var MLKEM_CT_LEN = 1088;
  var HYBRID_PUBLIC_LEN = MLKEM_EK_LEN + 65;
  var HYBRID_ENC_LEN = MLKEM_CT_LEN + SM2_ENC_LEN;
  var HYBRID_LABEL = utf8("bid_crypto/v1 SM2+ML-KEM-768");
  var MLKEM_SEED_LABEL = utf8("bid_crypto/v1 ML-KEM-768 seed");
  var GmError = class extends Error {
  };
  function utf8(text2) {
    return new TextEncoder().encode(text2);
  }
  function concat2(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function unhex(text2) {
    if (text2.length % 2 || /[^0-9a-fA-F]/.test(text2)) throw new GmError("not hex");
    return Uint8Array.from(text2.match(/../g) || [], (pair) => parseInt(pair, 16));
  }
  function i2osp(value, length) {
    const out = new Uint8Array(length);
    for (let i = length - 1, v = BigInt(value); i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
    return out;
  }
  function sm3Digest(data) {
    return unhex(sm32(data));
  }
  function hmacSm3(key, data) {
    return unhex(sm32(data, { key: key.length ? key : new Uint8Array(NH) }));
  }
  function hkdfExpandSm3(prk, info, length) {
    const blocks = [];
    let previous = new Uint8Array(0);
    for (let i = 1, have = 0; have < length; i++) {
      previous = hmacSm3(prk, concat2(previous, info, Uint8Array.of(i)));
      blocks.push(previous);
      have += previous.length;
    }
    return concat2(...blocks).slice(0, length);
  }
  function sm4GcmSeal(key, nonce, aad, plaintext) {
    const { output, tag } = sm4_exports.encrypt(plaintext, key, {
      mode: "gcm",
      iv: nonce,
      associatedData: aad,
      padding: "none",
      output: "array",
      outputTag: true
    });
    return concat2(output, tag);
  }
  function sm4GcmOpen(key, nonce, aad, sealed) {
    if (sealed.length < NT) throw new GmError("SM4-GCM ciphertext shorter than its tag");
    try {
      return sm4_exports.decrypt(sealed.subarray(0, sealed.length - NT), key, {
        mode: "gcm",
        iv: nonce,
        associatedData: aad,
        tag: sealed.subarray(sealed.length - NT),
        padding: "none",
        output: "array"
      });
    } catch (error) {
      throw new GmError("SM4-GCM authentication failed");
    }
  }
  function checkPublic(publicKey) {
    if (publicKey.length !== 65 || publicKey[0] !== 4) throw new GmError("an SM2 public key is 65 bytes: 04 || x || y");
    try {
      sm2_exports.precomputePublicKey(hex(publicKey));
    } catch (error) {
      throw new GmError("not a point of the SM2 curve sm2p256v1");
    }
    return publicKey;
  }
  function sm2Encrypt(publicKey, message) {
    checkPublic(publicKey);
    return unhex("04" + sm2_exports.doEncrypt(message, hex(publicKey), 1, { asn1: false }));
  }
  function sm2Decrypt(privateKey, ciphertext) {
    if (ciphertext.length < 65 + 32 + 1 || ciphertext[0] !== 4) throw new GmError("SM2 ciphertext malformed");
    let plain;
    try {
      plain = sm2_exports.doDecrypt(hex(ciphertext.subarray(1)), hex(privateKey), 1, { output: "array" });
    } catch (error) {
      plain = null;
    }
    if (!plain || plain.length !== ciphertext.length - 97) throw new GmError("SM2 decryption failed: altered ciphertext or wrong key");
    return Uint8Array.from(plain);
  }
  var SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
  function sm2PublicKey(privateKey) {
    const d = privateKey.length === 32 ? BigInt("0x" + hex(privateKey)) : 0n;
    if (d < 1n || d > SM2_N - 2n) throw new GmError("an SM2 private key is a scalar in [1, n-2] (32 bytes)");
    return unhex(sm2_exports.getPublicKeyFromPrivateKey(hex(privateKey)));
  }
  function sm2KeyPair() {
    const pair = sm2_exports.generateKeyPairHex();
    return { privateKey: unhex(pair.privateKey.padStart(64, "0")), publicKey: unhex(pair.publicKey) };
  }
  function sm3Kdf(z, length) {
    return Uint8Array.from(kdf(z, length));
  }
  var Labels = class {
    constructor(suiteId) {
      this.suiteId = suiteId;
    }
    extract(salt, label, ikm) {
      return hmacSm3(salt, concat2(VERSION_LABEL, this.suiteId, label, ikm));
    }
    expand(prk, label, info, length) {
      return hkdfExpandSm3(prk, concat2(i2osp(length, 2), VERSION_LABEL, this.suiteId, label, info), length);
    }
    extractAndExpand(ikm, kemContext) {
      return this.expand(this.extract(new Uint8Array(0), utf8("eae_prk"), ikm), utf8("shared_secret"), kemContext, NH);
    }
  };
  var SM2_KEM = new Labels(concat2(utf8("KEM"), i2osp(KEM_SM2, 2)));
  var Context = class {
    constructor(labels, aead, enc, key, baseNonce, exporterSecret) {
      Object.assign(this, { labels, aead, enc, key, baseNonce, exporterSecret, seq: 0 });
    }
    nonce() {
      if (!this.aead) throw new GmError("an export-only context cannot seal or open");
      const seq = i2osp(this.seq, NN);
      return this.baseNonce.map((b, i) => b ^ seq[i]);
    }
    seal(plaintext, aad) {
      const out = sm4GcmSeal(this.key, this.nonce(), aad, plaintext);
      this.seq++;
      return out;
    }
    open(sealed, aad) {
      const out = sm4GcmOpen(this.key, this.nonce(), aad, sealed);
      this.seq++;
      return out;
    }
    export(exporterContext, length) {
      return this.labels.expand(this.exporterSecret, utf8("sec"), exporterContext, length);
    }
  };
  function keySchedule(kemId, sharedSecret, enc, info, { psk = null, exportOnly = false } = {}) {
    const aeadId = exportOnly ? EXPORT_ONLY : AEAD_SM4_GCM;
    const labels = new Labels(concat2(utf8("HPKE"), i2osp(kemId, 2), i2osp(KDF_HKDF_SM3, 2), i2osp(aeadId, 2)));
    const mode = psk ? 1 : 0;
    if (psk && (!psk.id.length || psk.key.length < 32)) throw new GmError("PSK mode needs a psk_id and a 32-byte psk");
    const context = concat2(
      Uint8Array.of(mode),
      labels.extract(new Uint8Array(0), utf8("psk_id_hash"), psk ? psk.id : new Uint8Array(0)),
      labels.extract(new Uint8Array(0), utf8("info_hash"), info)
    );
    const secret = labels.extract(sharedSecret, utf8("secret"), psk ? psk.key : new Uint8Array(0));
    const key = exportOnly ? null : labels.expand(secret, utf8("key"), context, NK);
    const baseNonce = exportOnly ? null : labels.expand(secret, utf8("base_nonce"), context, NN);
    return new Context(labels, !exportOnly, enc, key, baseNonce, labels.expand(secret, utf8("exp"), context, NH));
  }
  function sm2Sender(publicKey, info, options = {}) {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const enc = sm2Encrypt(publicKey, secret);
    return keySchedule(KEM_SM2, SM2_KEM.extractAndExpand(secret, concat2(enc, publicKey)), enc, info, options);
  }
  function sm2Receiver(privateKey, publicKey, enc, info, options = {}) {
    if (enc.length !== SM2_ENC_LEN) throw new GmError(`SM2-KEM enc must be ${SM2_ENC_LEN} bytes`);
    const secret = sm2Decrypt(privateKey, enc);
    return keySchedule(KEM_SM2, SM2_KEM.extractAndExpand(secret, concat2(enc, publicKey)), enc, info, options);
  }
  async function mlkemKeyPair(seed32) {
    if (seed32.length !== 32) throw new GmError("the ML-KEM seed is 32 bytes");
    return new MlKem768().deriveKeyPair(sm3Kdf(concat2(MLKEM_SEED_LABEL, seed32), 64));
  }
  async function hybridPublicKey(secret) {
    if (secret.length !== 64) throw new GmError("an sm2mlkem private key is 64 bytes");
    const [ek] = await mlkemKeyPair(secret.subarray(0, 32));
    return concat2(ek, sm2PublicKey(secret.subarray(32)));
  }
  function combine(ssMlkem, ssSm2, ctSm2, pkSm2) {
    return sm3Digest(concat2(ssMlkem, ssSm2, ctSm2, pkSm2, HYBRID_LABEL));
  }
  async function hybridSender(publicKey, info, options = {}) {
    if (publicKey.length !== HYBRID_PUBLIC_LEN) throw new GmError(`an sm2mlkem public key is ${HYBRID_PUBLIC_LEN} bytes`);
    const ek = publicKey.subarray(0, MLKEM_EK_LEN), pkSm2 = publicKey.subarray(MLKEM_EK_LEN);
    const [ctMlkem, ssMlkem] = await new MlKem768().encap(ek);
    const ssSm2 = crypto.getRandomValues(new Uint8Array(32));
    const ctSm2 = sm2Encrypt(pkSm2, ssSm2);
    return keySchedule(KEM_SM2_MLKEM768, combine(ssMlkem, ssSm2, ctSm2, pkSm2), concat2(ctMlkem, ctSm2), info, options);
  }
  async function hybridReceiver(secret, publicKey, enc, info, options = {}) {
    if (enc.length !== HYBRID_ENC_LEN) throw new GmError(`sm2mlkem enc must be ${HYBRID_ENC_LEN} bytes`);
    const ctMlkem = enc.subarray(0, MLKEM_CT_LEN), ctSm2 = enc.subarray(MLKEM_CT_LEN);
    const [, dk] = await mlkemKeyPair(secret.subarray(0, 32));
    const ssMlkem = await new MlKem768().decap(ctMlkem, dk);
    const ssSm2 = sm2Decrypt(secret.subarray(32), ctSm2);
    return keySchedule(
      KEM_SM2_MLKEM768,
      combine(ssMlkem, ssSm2, ctSm2, publicKey.subarray(MLKEM_EK_LEN)),
      enc,
      info,
      options
    );
  }

  // ../../trading/static/js/tbid.js
  function errorClass(name, base) {
    const cls = class extends base {
    };
    Object.defineProperty(cls, "name", { value: name });
    Object.defineProperty(cls.prototype, "name", { value: name });
    return cls;
  }
  var BidCryptoError = errorClass("BidCryptoError", Error);
  var InvalidHeader = errorClass("InvalidHeader", BidCryptoError);
  var EnvelopeError = errorClass("EnvelopeError", BidCryptoError);
  var UnsupportedEnvelope = errorClass("UnsupportedEnvelope", EnvelopeError);
  var TamperedEnvelope = errorClass("TamperedEnvelope", EnvelopeError);
  var TruncatedEnvelope = errorClass("TruncatedEnvelope", EnvelopeError);
  var WrongKey = errorClass("WrongKey", BidCryptoError);
  var DecryptionShareError = errorClass("DecryptionShareError", WrongKey);
  var HeaderMismatch = errorClass("HeaderMismatch", BidCryptoError);
  var WrongProject = errorClass("WrongProject", HeaderMismatch);
  var InvalidOffer = errorClass("InvalidOffer", BidCryptoError);
  var InvalidPackage = errorClass("InvalidPackage", BidCryptoError);
  var KeyFormatError = errorClass("KeyFormatError", BidCryptoError);
  var encoder = new TextEncoder();
  var utf82 = (text2) => encoder.encode(text2);
  var strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  function toHex(bytes) {
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let out = "";
    for (const byte2 of view) out += byte2.toString(16).padStart(2, "0");
    return out;
  }
  var HEX_RE = /^(?:[0-9a-f]{2})*$/;
  function fromHex(field3, value, length, error) {
    if (typeof value !== "string" || !HEX_RE.test(value)) {
      throw new error(`${field3} must be lowercase hex`);
    }
    const out = new Uint8Array(value.length / 2);
    for (let i = 0; i < out.length; i += 1) out[i] = parseInt(value.substr(i * 2, 2), 16);
    if (length !== null && out.length !== length) {
      throw new error(`${field3} must be ${length} bytes, got ${out.length}`);
    }
    return out;
  }
  function concat4(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let position = 0;
    for (const part of parts) {
      out.set(part, position);
      position += part.length;
    }
    return out;
  }
  function u16(n) {
    return new Uint8Array([n >>> 8 & 255, n & 255]);
  }
  function u323(n) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return b;
  }
  function u64(n) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n));
    return b;
  }
  async function sha2562(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i];
    return diff === 0;
  }
  function codePointCompare(a, b) {
    const x2 = Array.from(a);
    const y = Array.from(b);
    for (let i = 0; i < Math.min(x2.length, y.length); i += 1) {
      const d = x2[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x2.length - y.length;
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
  function canonicalJson(value) {
    return utf82(canonicalText(value));
  }
  function sortedJson(value, indent = 2) {
    const sort = (v) => {
      if (Array.isArray(v)) return v.map(sort);
      if (v && typeof v === "object") {
        return Object.fromEntries(Object.keys(v).sort(codePointCompare).map((k) => [k, sort(v[k])]));
      }
      return v;
    };
    return JSON.stringify(sort(value), null, indent);
  }
  var INT_RE = /^-?(?:0|[1-9][0-9]*)$/;
  function parseStrict(data, what, error) {
    let text2;
    try {
      text2 = typeof data === "string" ? data : strictUtf8.decode(data);
      return new StrictParser(text2).document();
    } catch (caught) {
      if (caught instanceof BidCryptoError) throw caught;
      throw new error(`${what} is not valid JSON: ${caught.message}`);
    }
  }
  var StrictParser = class {
    constructor(text2) {
      this.text = text2;
      this.at = 0;
    }
    document() {
      const value = this.value();
      this.space();
      if (this.at !== this.text.length) this.fail("extra data");
      return value;
    }
    fail(message) {
      throw new SyntaxError(`${message} at ${this.at}`);
    }
    space() {
      while (this.at < this.text.length && " 	\n\r".includes(this.text[this.at])) this.at += 1;
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
      const seen = /* @__PURE__ */ new Set();
      this.space();
      if (this.text[this.at] === "}") {
        this.at += 1;
        return out;
      }
      for (; ; ) {
        this.space();
        if (this.text[this.at] !== '"') this.fail("expected a key");
        const key = this.string();
        if (seen.has(key)) this.fail("duplicate key");
        seen.add(key);
        this.space();
        if (this.text[this.at] !== ":") this.fail("expected ':'");
        this.at += 1;
        Object.defineProperty(out, key, {
          value: this.value(),
          enumerable: true,
          writable: true,
          configurable: true
        });
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
      for (; ; ) {
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
      for (; ; ) {
        const c = this.text[this.at];
        if (c === void 0) this.fail("unterminated string");
        if (c === '"') {
          this.at += 1;
          return out;
        }
        if (c < " ") this.fail("control character in string");
        if (c === "\\") {
          const e = this.text[this.at + 1];
          const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "	" };
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
  };
  var ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/;
  var TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;
  function checkId(field3, value, error) {
    if (typeof value !== "string" || !ID_RE.test(value)) {
      throw new error(`${field3} must be 1-128 characters of A-Z a-z 0-9 . _ : @ + - starting with a letter or digit, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  function checkTimestamp(field3, value, error) {
    const m = typeof value === "string" ? TIMESTAMP_RE.exec(value) : null;
    if (!m) throw new error(`${field3} must look like 2025-03-01T08:30:00.123Z`);
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) {
      throw new error(`${field3} is not a real date and time: ${value}`);
    }
    return value;
  }
  function formatTimestamp(date) {
    return date.toISOString();
  }
  var KDF = new HkdfSha256();
  function hpkeSuite(name, code, publicLen, encLen, kem) {
    return {
      name,
      code,
      publicLen,
      encLen,
      kem,
      national: false,
      digest: sha2562,
      async sender(publicKey, info, { psk = null, exportOnly = false } = {}) {
        const params = { recipientPublicKey: await publicKey.hpkeKey(), info };
        if (psk) params.psk = psk;
        return cipherSuite(this, exportOnly ? new ExportOnly() : void 0).createSenderContext(params);
      },
      async receiver(privateKey, enc, info, { psk = null, exportOnly = false } = {}) {
        const params = { recipientKey: await privateKey.hpkeKey(), enc, info };
        if (psk) params.psk = psk;
        return cipherSuite(this, exportOnly ? new ExportOnly() : void 0).createRecipientContext(params);
      }
    };
  }
  var SM2_SUITE = {
    name: "sm2",
    code: 3,
    publicLen: 65,
    encLen: SM2_ENC_LEN,
    national: true,
    digest: async (bytes) => sm3Digest(bytes),
    async sender(publicKey, info, options = {}) {
      return sm2Sender(publicKey.raw, info, options);
    },
    async receiver(privateKey, enc, info, options = {}) {
      return sm2Receiver(privateKey.secret, privateKey.publicKey.raw, enc, info, options);
    }
  };
  var SM2MLKEM_SUITE = {
    name: "sm2mlkem",
    code: 4,
    publicLen: HYBRID_PUBLIC_LEN,
    encLen: HYBRID_ENC_LEN,
    secretLen: 64,
    national: true,
    digest: SM2_SUITE.digest,
    async sender(publicKey, info, options = {}) {
      return hybridSender(publicKey.raw, info, options);
    },
    async receiver(privateKey, enc, info, options = {}) {
      return hybridReceiver(privateKey.secret, privateKey.publicKey.raw, enc, info, options);
    }
  };
  var SUITES = {
    x25519: hpkeSuite("x25519", 1, 32, 32, () => new DhkemX25519HkdfSha256()),
    xwing: hpkeSuite("xwing", 2, 1216, 1120, () => new XWing()),
    sm2: SM2_SUITE,
    sm2mlkem: SM2MLKEM_SUITE
  };
  function getSuite(name) {
    if (typeof name === "string" && Object.hasOwn(SUITES, name)) return SUITES[name];
    throw new UnsupportedEnvelope(`unknown suite ${JSON.stringify(name)} (known: ${Object.keys(SUITES).join(", ")})`);
  }
  function cipherSuite(suite, aead = new Aes256Gcm()) {
    return new CipherSuite({ kem: suite.kem(), kdf: KDF, aead });
  }
  async function keyId(suiteName, publicBytes) {
    return toHex(await getSuite(suiteName).digest(concat4(utf82(suiteName), new Uint8Array([0]), publicBytes)));
  }
  var PKCS8_X25519 = new Uint8Array([
    48,
    46,
    2,
    1,
    0,
    48,
    5,
    6,
    3,
    43,
    101,
    110,
    4,
    34,
    4,
    32
  ]);
  function base64url(text2) {
    const b64 = text2.replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
  }
  async function publicFromSecret(suiteName, secret) {
    const suite = getSuite(suiteName);
    if (suite.national) {
      try {
        return suite.name === "sm2" ? sm2PublicKey(secret) : await hybridPublicKey(secret);
      } catch (error) {
        throw new KeyFormatError(`invalid ${suite.name} private key: ${error.message}`);
      }
    }
    if (suite.name === "x25519") {
      const key = await crypto.subtle.importKey(
        "pkcs8",
        concat4(PKCS8_X25519, secret),
        { name: "X25519" },
        true,
        ["deriveBits"]
      );
      return base64url((await crypto.subtle.exportKey("jwk", key)).x);
    }
    const kem = suite.kem();
    const pair = await kem.generateKeyPairDerand(secret);
    return new Uint8Array(await kem.serializePublicKey(pair.publicKey));
  }
  var PublicKey = class _PublicKey {
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
          checkPublic(raw.subarray(raw.length - 65));
        } catch (error) {
          throw new KeyFormatError(`invalid ${suite.name} public key: ${error.message}`);
        }
      }
      return new _PublicKey(suite.name, raw, await keyId(suite.name, raw));
    }
    async hpkeKey() {
      return getSuite(this.suite).kem().deserializePublicKey(this.raw);
    }
    toJson() {
      return `${JSON.stringify({
        kind: PUBLIC_KIND,
        version: 1,
        suite: this.suite,
        key_id: this.keyId,
        public: toHex(this.raw)
      }, null, 2)}
`;
    }
    static async fromJson(data) {
      const doc = parseKeyFile(data, PUBLIC_KIND, ["kind", "version", "suite", "key_id", "public"]);
      const key = await _PublicKey.create(doc.suite, fromHex("public", doc.public, null, KeyFormatError));
      checkKeyId(doc, key.keyId);
      return key;
    }
  };
  var PrivateKey = class _PrivateKey {
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
      return new _PrivateKey(suite.name, secret, publicKey);
    }
    static async generate(suiteName = "x25519") {
      if (suiteName === "sm2") return _PrivateKey.create(suiteName, sm2KeyPair().privateKey);
      if (suiteName === "sm2mlkem") {
        return _PrivateKey.create(suiteName, concat4(crypto.getRandomValues(new Uint8Array(32)), sm2KeyPair().privateKey));
      }
      return _PrivateKey.create(suiteName, crypto.getRandomValues(new Uint8Array(32)));
    }
    async hpkeKey() {
      const kem = getSuite(this.suite).kem();
      if (this.suite === "x25519") return kem.deserializePrivateKey(this.secret);
      return (await kem.generateKeyPairDerand(this.secret)).privateKey;
    }
    toJson() {
      const doc = {
        kind: PRIVATE_KIND,
        version: 1,
        suite: this.suite,
        key_id: this.keyId,
        secret: toHex(this.secret)
      };
      if (getSuite(this.suite).national) doc.public = toHex(this.publicKey.raw);
      return `${JSON.stringify(doc, null, 2)}
`;
    }
    static async fromJson(data) {
      const doc = parseKeyFile(data, PRIVATE_KIND, ["kind", "version", "suite", "key_id", "secret"], true);
      const given = getSuite(doc.suite).national ? fromHex("public", doc.public, null, KeyFormatError) : null;
      const key = await _PrivateKey.create(doc.suite, fromHex("secret", doc.secret, null, KeyFormatError), given);
      checkKeyId(doc, key.keyId);
      return key;
    }
  };
  var PUBLIC_KIND = "bid_crypto.public_key";
  var PRIVATE_KIND = "bid_crypto.private_key";
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
  var MAGIC = new Uint8Array([137, 84, 66, 68, 13, 10, 26, 10]);
  var FORMAT_VERSION = 1;
  var MAX_HEADER_JSON = 64 * 1024;
  var DEFAULT_CHUNK_SIZE = 1024 * 1024;
  var MIN_CHUNK_SIZE = 64;
  var MAX_CHUNK_SIZE = 16 * 1024 * 1024;
  var CUSTODY_MODES = ["auto", "custodians", "dual"];
  var INFO = utf82("bid_crypto/v1 envelope");
  var DUAL_INFO = utf82("bid_crypto/v1 dual share");
  var EXPORT_CONTEXT = utf82("psk");
  var CHECK_LABEL = utf82("bid_crypto/v1 dual share check");
  function validateHeader(h) {
    const suite = getSuite(h.suite);
    for (const name of ["project", "lot", "bidder"]) checkId(name, h[name], InvalidHeader);
    fromHex("recipient", h.recipient, 32, InvalidHeader);
    if (!(h.enc instanceof Uint8Array) || h.enc.length !== suite.encLen) {
      throw new InvalidHeader(`enc must be ${suite.encLen} bytes`);
    }
    if (typeof h.chunk_size !== "number" || !Number.isInteger(h.chunk_size) || h.chunk_size < MIN_CHUNK_SIZE || h.chunk_size > MAX_CHUNK_SIZE) {
      throw new InvalidHeader(`chunk_size must be an integer in [${MIN_CHUNK_SIZE}, ${MAX_CHUNK_SIZE}]`);
    }
    if (!CUSTODY_MODES.includes(h.custody)) throw new InvalidHeader(`unknown custody mode ${h.custody}`);
    if (h.custody === "dual" !== (h.dual !== null)) {
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
  var EnvelopeHeader = class {
    /** Fields as in Python: enc and dual.enc/check are bytes; created_at and dual may be null. */
    constructor(fields) {
      Object.assign(this, { custody: "auto", created_at: null, dual: null }, fields);
      validateHeader(this);
    }
    toDict() {
      const doc = {
        suite: this.suite,
        project: this.project,
        lot: this.lot,
        bidder: this.bidder,
        recipient: this.recipient,
        enc: toHex(this.enc),
        chunk_size: this.chunk_size,
        custody: this.custody
      };
      if (this.created_at !== null) doc.created_at = this.created_at;
      if (this.dual !== null) {
        doc.dual = {
          suite: this.dual.suite,
          key: this.dual.key,
          enc: toHex(this.dual.enc),
          check: toHex(this.dual.check)
        };
      }
      return doc;
    }
    /** The header block exactly as written: prefix, then canonical JSON. */
    encode() {
      const body = canonicalJson(this.toDict());
      return concat4(MAGIC, u16(FORMAT_VERSION), u323(body.length), body);
    }
    async sha256() {
      if (!this._sha256) this._sha256 = await sha2562(this.encode());
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
  };
  async function shareCheck(secret, suiteName = "x25519") {
    return getSuite(suiteName).digest(concat4(CHECK_LABEL, secret));
  }
  async function sealDual(bidderKey) {
    const suite = getSuite(bidderKey.suite);
    const context = await suite.sender(bidderKey, DUAL_INFO, { exportOnly: true });
    const secret = new Uint8Array(await context.export(EXPORT_CONTEXT, 32));
    const dual = {
      suite: suite.name,
      key: bidderKey.keyId,
      enc: new Uint8Array(context.enc),
      check: await shareCheck(secret, suite.name)
    };
    return { psk: { id: fromHex("key", bidderKey.keyId, 32, InvalidHeader), key: secret }, dual };
  }
  async function chunkAad(headerSha256, index, final) {
    return concat4(headerSha256, u64(index), new Uint8Array([final ? 1 : 0]));
  }
  var EnvelopeWriter = class _EnvelopeWriter {
    static async create(recipient, {
      project,
      lot,
      bidder,
      custody = "auto",
      bidderKey = null,
      createdAt = null,
      chunkSize = DEFAULT_CHUNK_SIZE,
      sink,
      progress = null
    }) {
      let psk;
      let dual = null;
      if (custody === "dual") {
        if (!bidderKey) throw new InvalidHeader("dual custody needs the bidder's public key");
        ({ psk, dual } = await sealDual(bidderKey));
      } else if (bidderKey) {
        throw new InvalidHeader("a bidder key is only used with custody 'dual'");
      }
      const context = await getSuite(recipient.suite).sender(recipient, INFO, { psk });
      const header = new EnvelopeHeader({
        suite: recipient.suite,
        project,
        lot,
        bidder,
        recipient: recipient.keyId,
        enc: new Uint8Array(context.enc),
        chunk_size: chunkSize,
        custody,
        created_at: createdAt === null ? null : formatTimestamp(createdAt),
        dual
      });
      const writer = new _EnvelopeWriter(context, header, await header.bindingHash(), sink, progress);
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
  };
  var MAX_INT = Number.MAX_SAFE_INTEGER;
  var MAX_OFFER_BYTES = 1024 * 1024;
  var isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  var chars = (s) => Array.from(s).length;
  function integer(path, value) {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_INT) {
      throw new InvalidOffer(`${path} must be a non-negative integer (fen), got ${JSON.stringify(String(value))}`);
    }
  }
  function text(limit, required = false) {
    return (path, value) => {
      if (typeof value !== "string" || chars(value) > limit || required && !value.trim()) {
        throw new InvalidOffer(`${path} must be a ${required ? "non-empty string" : "string"} of at most ${limit} characters`);
      }
    };
  }
  var ITEM_FIELDS = {
    name: text(200, true),
    total_price: integer,
    unit_price: integer,
    quantity: integer,
    unit: text(20),
    spec: text(500)
  };
  var OFFER_FIELDS = {
    schema: (path, v) => {
      if (v !== "bid_crypto.offer/1") throw new InvalidOffer(`${path} must be 'bid_crypto.offer/1'`);
    },
    total_price: integer,
    currency: (path, v) => {
      if (typeof v !== "string" || !/^[A-Z]{3}$/.test(v)) throw new InvalidOffer(`${path} must be an ISO 4217 code such as 'CNY'`);
    },
    duration_days: integer,
    quality: text(500),
    project_manager: text(100),
    items: (path, v) => {
      if (!Array.isArray(v) || v.length > 1e4) throw new InvalidOffer(`${path} must be a list of at most 10000 items`);
      v.forEach((item, i) => checkObject(`${path}[${i}]`, item, ITEM_FIELDS, ["name", "total_price"]));
    },
    remarks: text(2e3),
    extra: (path, v) => {
      if (!isObject(v)) throw new InvalidOffer(`${path} must be an object`);
      for (const [key, item] of Object.entries(v)) {
        text(100, true)(`${path} key`, key);
        if (typeof item === "string") text(2e3)(`${path}.${key}`, item);
        else integer(`${path}.${key}`, item);
      }
    }
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
  function validateOffer(offer) {
    checkObject("offer", offer, OFFER_FIELDS, ["total_price"]);
    return JSON.parse(JSON.stringify(offer));
  }
  function encodeOffer(offer) {
    return utf82(`${sortedJson(validateOffer(offer), 2)}
`);
  }
  var DEVICES = /* @__PURE__ */ new Set(["con", "prn", "aux", "nul", ...["com", "lpt"].flatMap(
    (p) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${p}${n}`)
  )]);
  var UNSAFE = /[<>:"|?*\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
  var casefold = (s) => s.toUpperCase().toLowerCase();
  function stripDotsSpaces(s, leading = true) {
    let start = 0;
    let end = s.length;
    while (leading && start < end && (s[start] === " " || s[start] === ".")) start += 1;
    while (end > start && (s[end - 1] === " " || s[end - 1] === ".")) end -= 1;
    return s.slice(start, end);
  }
  function truncateUtf8(name, limit) {
    if (utf82(name).length <= limit) return name;
    const dot = name.lastIndexOf(".");
    let stem = dot >= 0 ? name.slice(0, dot) : name;
    let extension = dot >= 0 ? name.slice(dot + 1) : "";
    if (dot < 0 || utf82(extension).length > 16) {
      stem = name;
      extension = "";
    }
    const suffix = extension ? `.${extension}` : "";
    const bytes = utf82(stem);
    let budget = limit - utf82(suffix).length;
    while (budget > 0 && budget < bytes.length && (bytes[budget] & 192) === 128) budget -= 1;
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
  function sanitiseDocumentName(name) {
    let current = name;
    for (let i = 0; i < 8; i += 1) {
      const cleaned = cleanOnce(current);
      if (cleaned === current) return current;
      current = cleaned;
    }
    return "document";
  }
  var PACKAGE_MAGIC = utf82("TBIDPKG1");
  var SEGMENT_SIZE = 1024 * 1024;
  var KIND_END = 0;
  var KIND_OFFER = 1;
  var KIND_DOCUMENT = 2;
  function documentNames(documents) {
    const seen = /* @__PURE__ */ new Set();
    return documents.map((doc) => {
      const name = sanitiseDocumentName(doc.name);
      if (seen.has(casefold(name))) {
        throw new InvalidPackage(`two documents are named '${name}' (names ignore case)`);
      }
      seen.add(casefold(name));
      return name;
    });
  }
  async function sealBid(recipient, {
    offer,
    documents = [],
    project,
    lot,
    bidder,
    custody = "auto",
    bidderKey = null,
    createdAt = null,
    chunkSize = DEFAULT_CHUNK_SIZE,
    sink,
    progress = null,
    signal = null
  }) {
    const offerBytes = encodeOffer(offer);
    const names = documentNames(documents);
    const total = offerBytes.length + documents.reduce((n, d) => n + d.blob.size, 0);
    let done = 0;
    const writer = await EnvelopeWriter.create(recipient, {
      project,
      lot,
      bidder,
      custody,
      bidderKey,
      createdAt,
      chunkSize,
      sink
    });
    const entry = async (kind, name, blob) => {
      const encoded = utf82(name);
      await writer.write(concat4(new Uint8Array([kind]), u16(encoded.length), encoded));
      for (let position = 0; position < blob.size; position += SEGMENT_SIZE) {
        if (signal && signal.aborted) throw new DOMException("sealing cancelled", "AbortError");
        const segment = new Uint8Array(await blob.slice(position, position + SEGMENT_SIZE).arrayBuffer());
        await writer.write(u323(segment.length));
        await writer.write(segment);
        done += segment.length;
        if (progress) progress({ done, total });
      }
      await writer.write(u323(0));
    };
    await writer.write(PACKAGE_MAGIC);
    await entry(KIND_OFFER, "offer.json", new Blob([offerBytes]));
    for (let i = 0; i < documents.length; i += 1) await entry(KIND_DOCUMENT, names[i], documents[i].blob);
    await writer.write(new Uint8Array([KIND_END]));
    return writer.close();
  }

  // ../../trading/static/js/seal-form.js
  var MiB = 1024 * 1024;
  var FormError = class extends Error {
  };
  function yuanToFen(text2, label) {
    const value = String(text2).trim().replace(/[,，\s]/g, "");
    const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value);
    if (!match) throw new FormError(`${label}应为金额（元），最多两位小数，例如 1234567.89`);
    return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
  }
  function field2(root2, name) {
    const element = root2.querySelector(`[name="${name}"]`);
    return element ? element.value.trim() : "";
  }
  function readOffer(root2) {
    const offer = { total_price: yuanToFen(field2(root2, "total_price"), "投标总价"), currency: "CNY" };
    const duration = field2(root2, "duration_days");
    if (duration) {
      if (!/^\d{1,6}$/.test(duration)) throw new FormError("工期应为整数天数");
      offer.duration_days = Number(duration);
    }
    for (const key of ["quality", "project_manager", "remarks"]) {
      const value = field2(root2, key);
      if (value) offer[key] = value;
    }
    const items = [];
    for (const row of root2.querySelectorAll("[data-item]")) {
      const name = row.querySelector("[name=item_name]").value.trim();
      const price = row.querySelector("[name=item_price]").value.trim();
      if (!name && !price) continue;
      if (!name) throw new FormError("分项报价须填写分项名称");
      items.push({ name, total_price: yuanToFen(price, `分项“${name}”的金额`) });
    }
    if (items.length) offer.items = items;
    try {
      return validateOffer(offer);
    } catch (error) {
      throw new FormError(`报价信息无效：${error.message}`);
    }
  }
  function readDocuments(root2) {
    const input = root2.querySelector("[name=documents]");
    const documents = Array.from(input ? input.files : []).map((file) => ({ name: file.name, blob: file }));
    try {
      documentNames(documents);
    } catch (error) {
      throw new FormError("两个投标文件的文件名相同（不区分大小写），请重命名后再选择");
    }
    return documents;
  }
  function wireItems(root2) {
    const add = root2.querySelector("[data-add-item]");
    if (!add) return;
    add.addEventListener("click", () => {
      const rows = root2.querySelectorAll("[data-item]");
      const row = rows[rows.length - 1].cloneNode(true);
      for (const input of row.querySelectorAll("input")) input.value = "";
      rows[rows.length - 1].after(row);
    });
  }
  async function readTextFile(input, what) {
    const file = input && input.files && input.files[0];
    if (!file) throw new FormError(`请选择${what}`);
    if (file.size > 64 * 1024) throw new FormError(`${what}过大，请确认选择的文件`);
    return file.text();
  }
  function download(name, content, type = "application/json") {
    const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 6e4);
  }
  function wireBidderKey(root2, status, projectSuite = async () => "x25519") {
    const box = root2.querySelector("[data-dual]");
    if (!box) return () => null;
    let generated = null;
    const button = box.querySelector("[data-generate-key]");
    button.addEventListener("click", async () => {
      let suite;
      try {
        suite = getSuite(await projectSuite()).national ? "sm2" : "x25519";
      } catch (error) {
        status(error instanceof FormError ? error.message : "无法确定本项目的加密算法，请刷新页面后重试");
        return;
      }
      const key = await PrivateKey.generate(suite);
      generated = key.publicKey;
      download("bidder.key", key.toJson());
      download("bidder.pub", key.publicKey.toJson());
      box.querySelector("[data-key-id]").textContent = `${key.keyId.slice(0, 16)}…`;
      status(`已生成投标人密钥（${key.keyId.slice(0, 16)}…），bidder.key 与 bidder.pub 已下载。请妥善保存 bidder.key：开标时须用它解密，丢失则无法开启本投标。`);
    });
    return async () => {
      const input = box.querySelector("[name=bidder_key]");
      if (input && input.files && input.files.length) {
        try {
          return await PublicKey.fromJson(await readTextFile(input, "投标人公钥 bidder.pub"));
        } catch (error) {
          if (error instanceof FormError) throw error;
          throw new FormError("投标人公钥文件无效（应为 bidder.pub）");
        }
      }
      if (generated) return generated;
      throw new FormError("不见面开标项目须先生成或选择投标人密钥（bidder.pub）");
    };
  }
  function showProgress(root2, text2, done = null, total = null) {
    const bar = root2.querySelector("progress");
    const label = root2.querySelector("[data-progress-text]");
    if (bar) {
      bar.hidden = false;
      if (done === null) bar.removeAttribute("value");
      else {
        bar.max = Math.max(total, 1);
        bar.value = done;
      }
    }
    if (label) label.textContent = text2;
  }
  var mib = (n) => (n / MiB).toFixed(1);
  async function sealForm(root2, recipient, { ids: ids2, custody, bidderKey, sink, onProgress }) {
    const offer = readOffer(root2);
    const documents = readDocuments(root2);
    const key = custody === "dual" ? await bidderKey() : null;
    return sealBid(recipient, {
      offer,
      documents,
      ...ids2,
      custody,
      bidderKey: key,
      createdAt: /* @__PURE__ */ new Date(),
      sink,
      progress: onProgress
    });
  }

  // ../../trading/static/js/offline.js
  var root = document.getElementById("seal-offline");
  function ids() {
    const value = (name) => root.querySelector(`[name=${name}]`).value.trim();
    const out = { project: value("project"), lot: value("lot"), bidder: value("bidder") };
    const labels = { project: "项目编号", lot: "标段编号", bidder: "投标人编号" };
    for (const [name, id] of Object.entries(out)) {
      try {
        checkId(name, id, FormError);
      } catch {
        throw new FormError(`${labels[name]}应为字母、数字和 . _ : @ + - 组成的编号`);
      }
    }
    return out;
  }
  async function openingKey() {
    const text2 = await readTextFile(root.querySelector("[name=opening_key]"), "本项目开标公钥 opening.pub");
    try {
      return await PublicKey.fromJson(text2);
    } catch {
      throw new FormError("开标公钥文件无效（应为从平台下载的 opening.pub）");
    }
  }
  async function seal() {
    const button = root.querySelector("[data-seal]");
    const error = root.querySelector("[data-error]");
    error.hidden = true;
    button.disabled = true;
    try {
      const recipient = await openingKey();
      const envelopeIds = ids();
      const custody = root.querySelector("[name=custody]").value;
      const parts = [];
      const header = await sealForm(root, recipient, {
        ids: envelopeIds,
        custody,
        bidderKey: root.bidderKey,
        sink: async (bytes) => {
          parts.push(bytes.slice());
        },
        onProgress: ({ done, total }) => showProgress(root, `正在加密：${mib(done)} / ${mib(total)} MiB`, done, total)
      });
      const envelope = new Blob(parts, { type: "application/octet-stream" });
      const name = `bid-${envelopeIds.project}-${envelopeIds.lot}.tbid`;
      download(name, envelope);
      showProgress(root, `已生成 ${name}（${mib(envelope.size)} MiB，开标公钥 ${recipient.keyId.slice(0, 16)}…，信封头摘要 ${toHex(await header.sha256()).slice(0, 16)}…）。请在平台“我的投标”页面上传该文件。`, 1, 1);
    } catch (caught) {
      error.textContent = caught instanceof FormError ? caught.message : `加密失败：${caught.message}`;
      error.hidden = false;
      showProgress(root, "");
    } finally {
      button.disabled = false;
    }
  }
  if (root) {
    root.hidden = false;
    wireItems(root);
    root.bidderKey = wireBidderKey(
      root,
      (text2) => {
        root.querySelector("[data-key-status]").textContent = text2;
      },
      async () => {
        if (!root.querySelector("[name=opening_key]").files.length) {
          throw new FormError("请先选择本项目开标公钥 opening.pub：投标人密钥的算法随项目而定（国密项目为 SM2）");
        }
        return (await openingKey()).suite;
      }
    );
    const custody = root.querySelector("[name=custody]");
    const dual = root.querySelector("[data-dual]");
    const sync = () => {
      dual.hidden = custody.value !== "dual";
    };
    custody.addEventListener("change", sync);
    sync();
    root.querySelector("[data-seal]").addEventListener("click", seal);
  }
})();
