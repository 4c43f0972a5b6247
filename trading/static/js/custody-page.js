// Custody in the browser, on the platform's own pages (no plaintext secret ever leaves it):
// - /account/custody-key: generate the custodian key here, keep it as a passphrase-
//   protected key file (custodian.key) the custodian downloads, enrol its public half;
// - the opening hall: a custodian releases its share for this opening (after the deadline,
//   by the custodian's own clock); a dual-custody bidder derives its decryption share from
//   its envelope's header and bidder.key. Each fills the platform's form and submits it.
// Without JavaScript the pages keep their CLI instructions and upload forms.

import * as tbid from "./tbid.js";
import { OpeningStatement, SealedShare, WeakPassphrase, checkPassphrase, makeRelease, passphraseProblem,
  protectPrivateKey, readPrivateKey } from "./custody.js";
import { download, readTextFile } from "./seal-form.js";

const MESSAGES = {
  WrongPassphrase: "口令不正确，或私钥文件已被改动。",
  WrongKey: "这不是分给您的份额所用的保管密钥（请选择您登记的 custodian.key）。",
  KeyFormatError: "文件格式不正确，请选择平台下载的文件和您自己的私钥文件。",
  InconsistentShares: "解开的份额与平台公布的校验值不符，请联系交易中心。",
  DecryptionShareError: "解密份额与投标信封不符。",
};

function say(box, text, error = false) {
  const out = box.querySelector("[data-status]");
  out.textContent = text;
  out.classList.toggle("flash-error", error);
  out.hidden = !text;
}

function explain(error) {
  if (error.name === "ReleaseRefused" && error.reason === "before_deadline") {
    return "投标截止时间（以您电脑的时钟为准）尚未到，不能释放份额。";
  }
  if (error.name === "ReleaseRefused") return "开标声明与您的份额不属于同一项目或同一次开标。";
  return MESSAGES[error.name] || error.message;
}

async function fetchText(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`无法下载 ${url}（${response.status}）`);
  return response.text();
}

function submitWith(form, name, text) {
  form.querySelector(`[name=${name}]`).value = text;
  for (const input of form.querySelectorAll("input[type=file]")) input.required = false;
  form.requestSubmit();
}

// -- the custodian key --------------------------------------------------------------------------

function wireKeygen(box) {
  const passphrase = box.querySelector("[data-passphrase]");
  const confirm = box.querySelector("[data-confirm]");
  const inputs = [box.dataset.label, box.dataset.name].filter(Boolean);
  let timer = null;
  passphrase.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const problem = passphrase.value ? await passphraseProblem(passphrase.value, inputs) : null;
      say(box, problem || (passphrase.value ? "口令强度符合要求。" : ""), Boolean(problem));
    }, 300);
  });
  box.querySelector("[data-generate]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await checkPassphrase(passphrase.value, inputs);
      if (passphrase.value !== confirm.value) throw new Error("两次输入的口令不一致。");
      say(box, "正在生成密钥并用口令加密（约需数秒）…");
      // x25519, or sm2 for the custodians of 国密 projects (their shares are sealed to SM2).
      const choice = box.querySelector("[data-suite]");
      const key = await tbid.PrivateKey.generate(choice && choice.value === "sm2" ? "sm2" : "x25519");
      const protectedKey = await protectPrivateKey(key, passphrase.value, { label: box.dataset.label,
        onProgress: (p) => say(box, `正在用口令加密私钥：${Math.round(p * 100)}%`) });
      download("custodian.key", protectedKey.toJson());
      download("custodian.pub", key.publicKey.toJson());
      passphrase.value = "";
      confirm.value = "";
      const form = document.querySelector(box.dataset.form);
      if (form) form.querySelector("[name=public_key_text]").value = key.publicKey.toJson();
      say(box, `已生成保管密钥（密钥标识 ${key.keyId.slice(0, 16)}…）：custodian.key（私钥，已用口令加密）和 ` +
        "custodian.pub 已下载到您的电脑。请妥善保存 custodian.key 并牢记口令，平台无法找回。公钥已填入下方，点击登记即可。");
    } catch (error) {
      say(box, error instanceof WeakPassphrase ? error.message : explain(error), true);
    } finally {
      button.disabled = false;
    }
  });
}

// -- a custodian's release ------------------------------------------------------------------------

function wireRelease(box) {
  box.querySelector("[data-release]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const keyText = await readTextFile(box.querySelector("[data-key-file]"), "您的保管私钥文件 custodian.key");
      const passphrase = box.querySelector("[data-passphrase]").value;
      say(box, "正在下载您的加密份额和本次开标声明…");
      const sealed = SealedShare.fromJson(await fetchText(box.dataset.shareUrl));
      const statement = OpeningStatement.fromJson(await fetchText(box.dataset.statementUrl));
      const key = await readPrivateKey(keyText, async () => passphrase,
        (p) => say(box, `正在用口令解开私钥：${Math.round(p * 100)}%`));
      const release = await makeRelease(sealed, key, statement, new Date());
      say(box, "已生成释放文件，正在提交…");
      submitWith(document.querySelector(box.dataset.form), "release_text", release);
    } catch (error) {
      say(box, explain(error), true);
      button.disabled = false;
    }
  });
}

// -- a dual-custody bidder's decryption share -------------------------------------------------------

async function envelopeHeader(url) {
  // Only the header is read (at most 14 + 64 KiB), then the download is cancelled: the
  // envelope itself may be hundreds of MiB.
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`无法读取投标信封（${response.status}）`);
  const reader = response.body.getReader();
  const parts = [];
  let size = 0;
  let wanted = 14;
  while (size < wanted) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
    if (size >= 14 && wanted === 14) {
      const head = tbid.concat(...parts);
      wanted = 14 + new DataView(head.buffer, head.byteOffset).getUint32(10);
    }
  }
  reader.cancel().catch(() => {});
  return tbid.readHeader(new tbid.BlobReader(new Blob(parts)));
}

function wireShare(box) {
  box.querySelector("[data-decrypt]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const keyText = await readTextFile(box.querySelector("[data-key-file]"), "投标人私钥文件 bidder.key");
      const key = await readPrivateKey(keyText, null);
      const header = await envelopeHeader(box.dataset.envelopeUrl);
      const share = await tbid.makeDecryptionShare(header, key);
      say(box, "已在本机生成解密份额，正在提交…");
      submitWith(box.closest("form"), "share_text", share.toJson());
    } catch (error) {
      say(box, explain(error), true);
      button.disabled = false;
    }
  });
}

for (const box of document.querySelectorAll("[data-custody-tool]")) {
  box.hidden = false;
  ({ keygen: wireKeygen, release: wireRelease, share: wireShare })[box.dataset.custodyTool](box);
}
