// Sealed offers typed into a page — 终次报价, 磋商最后报价, 中介超市报价: the amount is sealed
// here, in the browser, to the round's (or purchase's) public key with tbid.js (the
// envelope of bid_crypto FORMAT.md), and only the .tbid is posted, as the form's
// `envelope` file. The amount fields carry no `name`, so a form sent without this script
// carries no amount, and the server refuses it: it never receives an offer in clear.

import * as tbid from "./tbid.js";
import { FormError, yuanToFen } from "./seal-form.js";

/** A discount rate in percent, at most two decimals ("3.5" → "3.5"), checked not parsed. */
export function rateText(text) {
  const value = String(text).trim();
  if (!/^\d{1,3}(?:\.\d{1,2})?$/.test(value)) throw new FormError("下浮率应为百分数，最多两位小数，例如 3.5");
  return value;
}

/** base × (100 − rate) / 100, rounded half up to the 分, in integers (never floats). */
export function ratePrice(baseFen, rate) {
  const [whole, fraction = ""] = rate.split(".");
  const hundredths = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  const scaled = BigInt(baseFen) * (10000n - hundredths);
  return Number((scaled + 5000n) / 10000n);
}

/** offer.json for the form: total_price in 分; a 中介超市 quote also keeps what was typed. */
export function readOffer(form) {
  const data = form.dataset;
  const input = form.querySelector("[data-amount]");
  const plan = form.querySelector("[data-plan]");
  const offer = { currency: "CNY" };
  if (data.mode === "rate") {
    const rate = rateText(input.value);
    offer.total_price = ratePrice(data.rateBase, rate);
    offer.extra = { quote: rate };
  } else if (data.mode === "fixed") {
    offer.total_price = Number(data.fixed);
    offer.extra = { quote: "" };
  } else {
    offer.total_price = yuanToFen(input.value, data.amountLabel || "报价");
    if (data.mode === "range") offer.extra = { quote: String(offer.total_price) };
  }
  // The bounds shown on the page, checked before sealing to spare a wasted offer; the
  // server cannot check them (it never sees the amount): the opening does, again.
  const low = data.minFen ? Number(data.minFen) : null;
  const high = data.maxFen ? Number(data.maxFen) : null;
  if ((low !== null && offer.total_price < low) || (high !== null && offer.total_price > high)) {
    throw new FormError(data.rangeText || "报价超出允许范围");
  }
  if (plan) {
    const text = plan.value.trim();
    if (data.planRequired === "1" && !text) throw new FormError("方案择优须填写服务方案");
    if (text) offer.remarks = text;
  }
  try {
    return tbid.validateOffer(offer);
  } catch (error) {
    throw new FormError(`报价无效：${error.message}`);
  }
}

async function recipient(form) {
  let text = form.dataset.keyJson; // a key given in the page itself (中介超市)
  if (!text) {
    const response = await fetch(form.dataset.keyUrl, { credentials: "same-origin" });
    if (!response.ok) throw new FormError("无法取得加密公钥，请刷新页面后重试");
    text = await response.text();
  }
  const key = await tbid.PublicKey.fromJson(text);
  if (key.keyId !== form.dataset.keyId) throw new FormError("加密公钥与页面显示的不一致，请刷新页面");
  return key;
}

/** The sealed envelope of the form's offer, as a File for the `envelope` field. */
export async function sealOffer(form) {
  const offer = readOffer(form);
  const parts = [];
  await tbid.sealBid(await recipient(form), { offer, project: form.dataset.project,
    lot: form.dataset.lot, bidder: form.dataset.bidder, custody: "auto", createdAt: new Date(),
    sink: async (bytes) => { parts.push(bytes.slice()); } });
  return new File(parts, "offer.tbid", { type: "application/octet-stream" });
}

function wire(form) {
  for (const part of form.querySelectorAll("[data-in-page]")) part.hidden = false;
  const error = form.querySelector("[data-error]");
  const status = form.querySelector("[data-status]");
  form.addEventListener("submit", async (event) => {
    const file = form.querySelector("input[type=file][name=envelope]");
    if (file.files.length) return; // sealed elsewhere (offline page, CLI): sent as it is
    event.preventDefault();
    if (error) error.hidden = true;
    try {
      if (status) status.textContent = "正在本机加密…";
      const sealed = await sealOffer(form);
      const transfer = new DataTransfer();
      transfer.items.add(sealed);
      file.files = transfer.files;
      if (status) status.textContent = "已加密，正在提交密封信封…";
      form.submit();
    } catch (problem) {
      if (status) status.textContent = "";
      const text = problem instanceof FormError ? problem.message : `加密失败：${problem.message}`;
      if (error) {
        error.textContent = text;
        error.hidden = false;
      }
    }
  });
  form.dataset.ready = "1";
}

for (const form of document.querySelectorAll("form[data-sealed-offer]")) wire(form);
