// Compile-time checks (tsc -p tsconfig.types.json): the schema's types reach callers, and wrong
// paths, bodies and result uses do not compile.
import { Audome } from "../src/index.js";

const audome = new Audome({ token: "aud_x", baseUrl: "http://127.0.0.1:8000" });

export async function typed(): Promise<void> {
  const render = await audome.render("p", { "title.text": "Hi" }, { format: "jpeg", quality: 80 });
  const url: string = render.imageUrl;
  void url;
  const plan = await audome.plan();
  const used: number = plan.allowance.used;
  const options = await audome.options();
  const presets: { name: string; width: number; height: number }[] = options.sizePresets;
  const code = await audome.requestDeviceCode("Types", "test");
  const userCode: string = code.userCode;
  void used; void presets; void userCode;

  // @ts-expect-error: no such path
  await audome.request("get", "/api/nope");
  // @ts-expect-error: quality is a number
  await audome.render("p", {}, { quality: "high" });
  // @ts-expect-error: no such format
  await audome.render("p", {}, { format: "bmp" });
  // @ts-expect-error: the path parameter is project_id
  await audome.request("get", "/api/render/projects/{project_id}", { path: { id: "p" } });
  // @ts-expect-error: allowance.used is a number
  const wrong: string = plan.allowance.used;
  void wrong;
  // @ts-expect-error: appName is required
  await audome.request("post", "/api/auth/device/code", { body: { appType: "cli" } });
}
