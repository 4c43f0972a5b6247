// The sealing form shared by the bid page and the offline sealing page
// (templates/bidding/_seal_form.jinja2): reads the 开标一览表 fields into an offer.json,
// the chosen documents, the bidder's key for dual custody, and runs sealBid with progress.
// Amounts are typed in yuan and converted to integer fen from the text, never via floats.

import * as tbid from "./tbid.js";

const MiB = 1024 * 1024;

export class FormError extends Error {}

/** "1234567.8" → 123456780 (fen), from the digits; anything else is a FormError. */
export function yuanToFen(text, label) {
  const value = String(text).trim().replace(/[,，\s]/g, "");
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) throw new FormError(`${label}应为金额（元），最多两位小数，例如 1234567.89`);
  return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
}

function field(root, name) {
  const element = root.querySelector(`[name="${name}"]`);
  return element ? element.value.trim() : "";
}

/** The offer.json object from the form, validated as bid_crypto validates it. */
export function readOffer(root) {
  const offer = { total_price: yuanToFen(field(root, "total_price"), "投标总价"), currency: "CNY" };
  const duration = field(root, "duration_days");
  if (duration) {
    if (!/^\d{1,6}$/.test(duration)) throw new FormError("工期应为整数天数");
    offer.duration_days = Number(duration);
  }
  for (const key of ["quality", "project_manager", "remarks"]) {
    const value = field(root, key);
    if (value) offer[key] = value;
  }
  const items = [];
  for (const row of root.querySelectorAll("[data-item]")) {
    const name = row.querySelector("[name=item_name]").value.trim();
    const price = row.querySelector("[name=item_price]").value.trim();
    if (!name && !price) continue;
    if (!name) throw new FormError("分项报价须填写分项名称");
    items.push({ name, total_price: yuanToFen(price, `分项“${name}”的金额`) });
  }
  if (items.length) offer.items = items;
  try {
    return tbid.validateOffer(offer);
  } catch (error) {
    throw new FormError(`报价信息无效：${error.message}`);
  }
}

export function readDocuments(root) {
  const input = root.querySelector("[name=documents]");
  const documents = Array.from(input ? input.files : []).map((file) => ({ name: file.name, blob: file }));
  try {
    tbid.documentNames(documents);
  } catch (error) {
    throw new FormError("两个投标文件的文件名相同（不区分大小写），请重命名后再选择");
  }
  return documents;
}

/** Repeatable item rows: "添加分项" clones the last row, emptied. */
export function wireItems(root) {
  const add = root.querySelector("[data-add-item]");
  if (!add) return;
  add.addEventListener("click", () => {
    const rows = root.querySelectorAll("[data-item]");
    const row = rows[rows.length - 1].cloneNode(true);
    for (const input of row.querySelectorAll("input")) input.value = "";
    rows[rows.length - 1].after(row);
  });
}

export async function readTextFile(input, what) {
  const file = input && input.files && input.files[0];
  if (!file) throw new FormError(`请选择${what}`);
  if (file.size > 64 * 1024) throw new FormError(`${what}过大，请确认选择的文件`);
  return file.text();
}

export function download(name, content, type = "application/json") {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Dual custody: the bidder's public key, from a chosen bidder.pub or generated here (the
 * private key is offered as bidder.key to save, and never leaves this page otherwise).
 */
/** `projectSuite()` names the opening key's suite: a 国密 project gets an SM2 bidder key. */
export function wireBidderKey(root, status, projectSuite = async () => "x25519") {
  const box = root.querySelector("[data-dual]");
  if (!box) return () => null;
  let generated = null;
  const button = box.querySelector("[data-generate-key]");
  button.addEventListener("click", async () => {
    let suite;
    try {
      suite = tbid.getSuite(await projectSuite()).national ? "sm2" : "x25519";
    } catch (error) {
      status(error instanceof FormError ? error.message : "无法确定本项目的加密算法，请刷新页面后重试");
      return;
    }
    const key = await tbid.PrivateKey.generate(suite);
    generated = key.publicKey;
    download("bidder.key", key.toJson());
    download("bidder.pub", key.publicKey.toJson());
    box.querySelector("[data-key-id]").textContent = `${key.keyId.slice(0, 16)}…`;
    status(`已生成投标人密钥（${key.keyId.slice(0, 16)}…），bidder.key 与 bidder.pub 已下载。` +
      "请妥善保存 bidder.key：开标时须用它解密，丢失则无法开启本投标。");
  });
  return async () => {
    const input = box.querySelector("[name=bidder_key]");
    if (input && input.files && input.files.length) {
      try {
        return await tbid.PublicKey.fromJson(await readTextFile(input, "投标人公钥 bidder.pub"));
      } catch (error) {
        if (error instanceof FormError) throw error;
        throw new FormError("投标人公钥文件无效（应为 bidder.pub）");
      }
    }
    if (generated) return generated;
    throw new FormError("不见面开标项目须先生成或选择投标人密钥（bidder.pub）");
  };
}

export function showProgress(root, text, done = null, total = null) {
  const bar = root.querySelector("progress");
  const label = root.querySelector("[data-progress-text]");
  if (bar) {
    bar.hidden = false;
    if (done === null) bar.removeAttribute("value");
    else {
      bar.max = Math.max(total, 1);
      bar.value = done;
    }
  }
  if (label) label.textContent = text;
}

export const mib = (n) => (n / MiB).toFixed(1);

/** Seal the form's bid for `recipient` into `sink`, with the ids given. */
export async function sealForm(root, recipient, { ids, custody, bidderKey, sink, onProgress }) {
  const offer = readOffer(root);
  const documents = readDocuments(root);
  const key = custody === "dual" ? await bidderKey() : null;
  return tbid.sealBid(recipient, { offer, documents, ...ids, custody, bidderKey: key,
    createdAt: new Date(), sink, progress: onProgress });
}
