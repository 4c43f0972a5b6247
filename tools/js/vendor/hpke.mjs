// Entry of trading/static/vendor/hpke.js: the parts of the hpke-js libraries the
// platform's sealing code uses (RFC 9180 HPKE over WebCrypto; X-Wing for the PQ suite).
export {
  Aes128Gcm,
  Aes256Gcm,
  CipherSuite,
  DhkemX25519HkdfSha256,
  ExportOnly,
  HkdfSha256,
  HpkeError,
} from "@hpke/core";
export { XWing } from "@hpke/hybridkem-x-wing";
// ML-KEM-768 (FIPS 203) on its own, for the 国密 hybrid suite sm2mlkem (FORMAT.md §3.3):
// the same module X-Wing is built on, so nothing new is vendored.
export { MlKem768 } from "mlkem";
