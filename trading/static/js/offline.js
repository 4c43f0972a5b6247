// The offline sealing page (templates/bidding/offline.jinja2): one HTML file with this
// script inlined (offline.bundle.js, built by `make js`), saved to disk and opened from
// file:// with the network off. It seals for an opening.pub chosen from disk and hands the
// sealed bid.tbid back as a download; its own Content-Security-Policy forbids any network
// request (connect-src 'none'), so nothing typed here can leave the machine.

import * as tbid from "./tbid.js";
import { FormError, download, mib, readTextFile, sealForm, showProgress, wireBidderKey, wireItems }
  from "./seal-form.js";

const root = document.getElementById("seal-offline");

function ids() {
  const value = (name) => root.querySelector(`[name=${name}]`).value.trim();
  const out = { project: value("project"), lot: value("lot"), bidder: value("bidder") };
  const labels = { project: "项目编号", lot: "标段编号", bidder: "投标人编号" };
  for (const [name, id] of Object.entries(out)) {
    try {
      tbid.checkId(name, id, FormError);
    } catch {
      throw new FormError(`${labels[name]}应为字母、数字和 . _ : @ + - 组成的编号`);
    }
  }
  return out;
}

async function openingKey() {
  const text = await readTextFile(root.querySelector("[name=opening_key]"), "本项目开标公钥 opening.pub");
  try {
    return await tbid.PublicKey.fromJson(text);
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
    const header = await sealForm(root, recipient, { ids: envelopeIds, custody, bidderKey: root.bidderKey,
      sink: async (bytes) => { parts.push(bytes.slice()); },
      onProgress: ({ done, total }) => showProgress(root, `正在加密：${mib(done)} / ${mib(total)} MiB`, done, total) });
    const envelope = new Blob(parts, { type: "application/octet-stream" });
    const name = `bid-${envelopeIds.project}-${envelopeIds.lot}.tbid`;
    download(name, envelope);
    showProgress(root, `已生成 ${name}（${mib(envelope.size)} MiB，开标公钥 ${recipient.keyId.slice(0, 16)}…，` +
      `信封头摘要 ${tbid.toHex(await header.sha256()).slice(0, 16)}…）。请在平台“我的投标”页面上传该文件。`, 1, 1);
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
  root.bidderKey = wireBidderKey(root, (text) => { root.querySelector("[data-key-status]").textContent = text; },
    async () => {
      if (!root.querySelector("[name=opening_key]").files.length) {
        throw new FormError("请先选择本项目开标公钥 opening.pub：投标人密钥的算法随项目而定（国密项目为 SM2）");
      }
      return (await openingKey()).suite;
    });
  const custody = root.querySelector("[name=custody]");
  const dual = root.querySelector("[data-dual]");
  const sync = () => { dual.hidden = custody.value !== "dual"; };
  custody.addEventListener("change", sync);
  sync();
  root.querySelector("[data-seal]").addEventListener("click", seal);
}
