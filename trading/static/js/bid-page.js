// The bid page (templates/bidding/seal.jinja2): the bid is sealed here, in the bidder's
// browser, for the project's opening key, and only the sealed .tbid leaves it, uploaded in
// parts as it is produced (trading/bidding/uploads.py). Neither side ever holds the whole
// envelope; plaintext never reaches the server.

import * as tbid from "./tbid.js";
import { FormError, mib, sealForm, showProgress, wireBidderKey, wireItems } from "./seal-form.js";

const root = document.getElementById("seal-bid");

class UploadError extends Error {}

async function call(method, url, csrf, body = null) {
  let response;
  try {
    response = await fetch(url, { method, body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" } });
  } catch (error) {
    return { ok: false, status: 0, body: { message: "网络连接中断" } };
  }
  let json = {};
  try {
    json = await response.json();
  } catch {
    json = { message: `服务器返回 ${response.status}` };
  }
  return { ok: response.ok, status: response.status, body: json };
}

/** Parts of at most `partBytes`, PUT in order; a failed part is retried from what the server has. */
class PartUploader {
  constructor(url, csrf, partBytes, onSent) {
    this.url = url;
    this.csrf = csrf;
    this.partBytes = partBytes;
    this.onSent = onSent;
    this.pending = [];
    this.pendingBytes = 0;
    this.sent = 0;
  }

  sink = async (bytes) => {
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
    while (this.pendingBytes >= this.partBytes) await this.flush(this.partBytes);
  };

  take(size) {
    const out = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const head = this.pending[0];
      const n = Math.min(head.length, size - filled);
      out.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    this.pendingBytes -= size;
    return out;
  }

  async flush(size = this.pendingBytes) {
    if (!size) return;
    const part = this.take(size);
    for (let attempt = 0; ; attempt += 1) {
      const result = await call("PUT", `${this.url}?offset=${this.sent}`, this.csrf, part);
      if (result.ok) break;
      const received = result.body.received;
      if (result.status === 409 && received === this.sent + part.length) break; // it did arrive
      if (attempt >= 3 || (result.status && result.status !== 409 && result.status < 500)) {
        throw new UploadError(result.body.message || "上传失败");
      }
      await new Promise((resolve) => { setTimeout(resolve, 1000 * (attempt + 1)); });
    }
    this.sent += part.length;
    this.onSent(this.sent);
  }
}

async function submit() {
  const button = root.querySelector("[data-seal]");
  const error = root.querySelector("[data-error]");
  error.hidden = true;
  button.disabled = true;
  const data = root.dataset;
  try {
    showProgress(root, "正在读取本项目开标公钥…");
    const response = await fetch(data.keyUrl, { credentials: "same-origin" });
    if (!response.ok) throw new FormError("无法获取本项目开标公钥，请刷新页面后重试");
    const recipient = await tbid.PublicKey.fromJson(await response.text());
    if (recipient.keyId !== data.keyId) throw new FormError("开标公钥与页面显示的不一致，请刷新页面后重试");
    const started = await call("POST", data.uploadsUrl, data.csrf);
    if (!started.ok) throw new UploadError(started.body.message || "无法开始上传");
    const uploader = new PartUploader(started.body.part_url, data.csrf, started.body.part_bytes,
      (sent) => { root.querySelector("[data-sent]").textContent = `已上传 ${mib(sent)} MiB`; });
    const header = await sealForm(root, recipient, {
      ids: { project: data.project, lot: data.lot, bidder: data.bidder }, custody: data.custody,
      bidderKey: root.bidderKey, sink: uploader.sink,
      onProgress: ({ done, total }) => {
        showProgress(root, `正在本机加密并上传：${mib(done)} / ${mib(total)} MiB`, done, total);
      } });
    await uploader.flush();
    showProgress(root, "加密完成，正在校验并生成回执…");
    const finished = await call("POST", started.body.finish_url, data.csrf);
    if (!finished.ok) throw new UploadError(finished.body.message || "递交失败");
    showProgress(root, `已递交（信封头摘要 ${tbid.toHex(await header.sha256()).slice(0, 16)}…），正在打开回执…`, 1, 1);
    window.location.assign(finished.body.receipt_url);
  } catch (caught) {
    error.textContent = caught instanceof FormError || caught instanceof UploadError
      ? caught.message : `加密失败：${caught.message}`;
    error.hidden = false;
    button.disabled = false;
    showProgress(root, "");
  }
}

if (root) {
  root.hidden = false;
  wireItems(root);
  root.bidderKey = wireBidderKey(root, (text) => { root.querySelector("[data-key-status]").textContent = text; },
    async () => root.dataset.suite);
  root.querySelector("[data-seal]").addEventListener("click", submit);
}
