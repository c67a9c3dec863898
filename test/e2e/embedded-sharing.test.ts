/**
 * The README's own commands beside a running service on the embedded database: an org, a
 * token and a document made from the command line while `npm start` runs are seen by the
 * running service at once and are still there after a restart; a second service on the
 * same data folder refuses with one line instead of opening it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startService, type RunningService } from '../support/spawn-service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-shared-'));
const env = { DATABASE_URL: '', DATA_DIR: dataDir, DEMO: '0' };
let service: RunningService | undefined;

afterAll(async () => {
  await service?.stop('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function run(script: string, args: string[], extra: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const api = (token: string, url: string, init: RequestInit = {}) =>
  fetch(`${service!.baseUrl}${url}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });

async function ask(token: string) {
  const res = await api(token, '/knowledge/ask', {
    method: 'POST',
    body: JSON.stringify({ question: 'Đảng viên nghỉ hưu đóng đảng phí bao nhiêu?' }),
  });
  expect(res.status).toBe(200);
  return JSON.stringify(await res.json());
}

describe('the embedded database shared with the command-line tools', () => {
  let orgId: number;
  let token: string;

  it('admin and ingest work while the service runs, and the service sees their work at once', async () => {
    service = await startService(env, /Web chat:/, 180_000);
    const created = await run('api/cli/admin.ts', ['create-org', '--kind', 'province', '--name', 'Đảng bộ tỉnh Thử']);
    expect(created.code).toBe(0);
    orgId = JSON.parse(created.out.trim().split('\n').at(-1)!).id;
    const minted = await run('api/cli/admin.ts', ['token', '--org', String(orgId)]);
    expect(minted.code).toBe(0);
    token = /(sdv_\S+)/.exec(minted.out)![1];
    const ingested = await run('ingest/cli.ts', [path.join(ROOT, 'test/data/knowledge/corpus/phi-moi.md')]);
    expect(ingested.out).toContain('1 mới');
    expect(ingested.code).toBe(0);

    const org = await api(token, `/orgs/${orgId}`);
    expect(org.status).toBe(200);
    expect((await org.json()).name).toBe('Đảng bộ tỉnh Thử');
    expect(await ask(token)).toMatch(/0,5%/);
  }, 180_000);

  it('ingest loads a 1.3 MB document beside the running service', async () => {
    const article = (n: number) =>
      `## Điều ${n}. Quy định số ${n}\n\n` +
      `1. Chi bộ thực hiện nội dung thứ ${n} theo hướng dẫn của cấp ủy cấp trên, báo cáo định kỳ hằng tháng.\n` +
      `2. Đảng viên tham gia đầy đủ, đóng góp ý kiến và chấp hành nghị quyết của chi bộ về nội dung ${n}.\n\n`;
    let text = '---\nid: so-tay-lon\ntitle: Sổ tay lớn\n---\n# Sổ tay lớn\n\n';
    for (let n = 1; Buffer.byteLength(text) < 1.3 * 1024 * 1024; n++) text += article(n);
    text += '## Điều cuối. Kênh liên lạc\n\nMọi thắc mắc gửi về hộp thư điện tử hopthu-sotay-lon@example.vn.\n';
    const file = path.join(dataDir, 'so-tay-lon.md');
    fs.writeFileSync(file, text);
    const ingested = await run('ingest/cli.ts', [file]);
    expect(ingested.out).toContain('1 mới');
    expect(ingested.code).toBe(0);
    const res = await api(token, '/knowledge/ask', {
      method: 'POST',
      body: JSON.stringify({ question: 'Thắc mắc về sổ tay lớn gửi hộp thư nào?' }),
    });
    expect(JSON.stringify(await res.json())).toContain('hopthu-sotay-lon@example.vn');
  }, 300_000);

  it('a second service on the same data folder refuses with one clear line', async () => {
    const second = await run('api/main.ts', [], { PORT: String(await freePort()), HOST: '127.0.0.1' });
    expect(second.code).not.toBe(0);
    expect(second.out).toMatch(/đang được tiến trình \d+ dùng.*\/ The data folder .* is in use by process \d+/);
  }, 120_000);

  it('after a restart the org, the token and the document are all still there', async () => {
    expect(await service!.stop()).toBe(0);
    service = await startService(env, /Web chat:/, 180_000);
    const org = await api(token, `/orgs/${orgId}`);
    expect(org.status).toBe(200);
    expect(await ask(token)).toMatch(/0,5%/);
  }, 180_000);
});
