// Entry of trading/static/vendor/scrypt.js: scrypt (RFC 7914) from @noble/hashes, for the
// custodians' passphrase-protected key files (WebCrypto has no memory-hard KDF).
export { scrypt, scryptAsync } from "@noble/hashes/scrypt.js";
