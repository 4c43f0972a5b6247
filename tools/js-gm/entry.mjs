// The parts of sm-crypto-v2 the 国密 suite uses (trading/static/gm/gm-suite.js).
export { kdf, sm2, sm3, sm4 } from "sm-crypto-v2";
