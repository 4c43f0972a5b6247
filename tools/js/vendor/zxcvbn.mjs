// Entry of trading/static/vendor/zxcvbn.js: the zxcvbn-ts passphrase strength estimator
// with its common and English dictionaries (keyboard graphs, common passwords, names).
import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";

zxcvbnOptions.setOptions({
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary },
});

export { zxcvbn };
