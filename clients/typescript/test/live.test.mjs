// The built client (dist/) against a live Audome: run by clients/typescript/tests/test_typescript_client.py,
// which starts the server and a render worker and passes AUDOME_BASE_URL, AUDOME_TOKEN,
// AUDOME_PROJECT_ID and AUDOME_OTHER_PROJECT_ID (another account's template).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";

import { Audome, AudomeError, verifySignature } from "../dist/index.js";

const audome = new Audome();
const projectId = process.env.AUDOME_PROJECT_ID;

function pngSize(bytes) {
  assert.deepEqual([...bytes.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

test("render a template and download the PNG", async () => {
  const render = await audome.render(projectId, { "title.text": "From TypeScript" });
  assert.equal(render.format, "png");
  assert.match(render.generationId, /^gen_/);
  const bytes = await audome.download(render.imageUrl);
  assert.deepEqual(pngSize(bytes), [640, 360]);
  const record = await audome.generation(render.generationId);
  assert.equal(record.status, "completed");
});

test("a queued render, then waitForGeneration", async () => {
  const queued = await audome.render(projectId, { "title.text": "Later" }, { wait: false, format: "webp" });
  assert.ok(["pending", "processing"].includes(queued.status));
  const done = await audome.waitForGeneration(queued.generationId);
  assert.equal(done.format, "webp");
  assert.ok(done.imageUrl.startsWith(process.env.AUDOME_BASE_URL));
});

test("typed errors carry code and requestId", async () => {
  await assert.rejects(audome.render(projectId, { "nope.text": "x" }), (error) => {
    assert.ok(error instanceof AudomeError);
    assert.equal(error.status, 400);
    assert.equal(error.code, "VALIDATION_FAILED");
    assert.match(error.requestId, /^req_/);
    assert.equal(error.retryable, false);
    return true;
  });
  await assert.rejects(audome.project(process.env.AUDOME_OTHER_PROJECT_ID), { code: "PROJECT_NOT_FOUND", status: 404 });
  await assert.rejects(new Audome({ token: "aud_" + "x".repeat(40) }).plan(), { code: "UNAUTHORIZED" });
});

test("discovery and the template's dynamic keys", async () => {
  const options = await audome.options();
  assert.deepEqual(options.formats.map((f) => f.format), ["png", "jpeg", "webp"]);
  const plan = await audome.plan();
  assert.equal(typeof plan.allowance.remaining, "number");
  const project = await audome.project(projectId);
  assert.deepEqual(project.dynamicElements.map((e) => e.dynamicKey), ["title"]);
});

test("webhook signatures", async () => {
  const body = JSON.stringify({ id: "evt_1", type: "render.completed", data: {} });
  const t = Math.floor(Date.now() / 1000);
  const sig = createHmac("sha256", "whsec_test").update(`${t}.${body}`).digest("hex");
  assert.equal(await verifySignature(body, `t=${t},v1=${sig}`, "whsec_test"), true);
  assert.equal(await verifySignature(body + " ", `t=${t},v1=${sig}`, "whsec_test"), false);
  assert.equal(await verifySignature(body, `t=${t},v1=deadbeef,v1=${sig}`, "whsec_test"), true);
  assert.equal(await verifySignature(body, `t=${t - 3600},v1=${sig}`, "whsec_test"), false);
});
