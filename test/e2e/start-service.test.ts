/**
 * `npm start` as a newcomer runs it: embedded database, demo organisation, printed entry
 * points, and data that survives a restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/spawn-service.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-start-'));
let service: RunningService | undefined;
let firstToken = '';
afterAll(async () => {
  await service?.stop('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// The embedded mode is what this test is about, whatever database the suite runs on.
const METRICS = 'metrics-token-for-the-start-test-0123456789';
const embedded = { DATABASE_URL: '', DATA_DIR: dataDir, METRICS_TOKEN: METRICS };
// Loading the demo on a busy two-core machine (the whole suite running beside) can take over a minute.
const START_MS = 180_000;

describe('starting the service on its embedded defaults', { timeout: START_MS + 60_000 }, () => {
  it('loads the demo organisation and prints the API, docs, web chat and an admin token', async () => {
    service = await startService(embedded, /Web chat:/, START_MS);
    const out = service.output();
    expect(out).toMatch(/API docs: +http:\/\/\S+\/docs/);
    expect(out).toMatch(/Web chat: +http:\/\/\S+\/chat/);
    expect(out).toContain('đã nạp Đảng bộ Thị trấn Hòa Bình');
    const token = /Admin token[^:]*: (sdv_\S+)/.exec(out)![1];
    firstToken = token;

    expect(await (await fetch(`${service.baseUrl}/health`)).json()).toEqual({ status: 'ok', database: 'pglite' });
    const docs = await (await fetch(`${service.baseUrl}/docs/json`)).json();
    expect(docs.paths['/orgs/{id}/members']).toBeTruthy();
    // /metrics is reached with METRICS_TOKEN only.
    expect((await fetch(`${service.baseUrl}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } });
    expect(await metrics.text()).toContain('http_request_duration_seconds');

    const root = Number(/tổ chức gốc id (\d+)/.exec(out)![1]);
    const report = await (
      await fetch(`${service.baseUrl}/orgs/${root}/adoption`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    const all = report.deployed.members + report.notDeployed.members;
    expect(all).toBe(320);
    expect(report.deployed.cells + report.notDeployed.cells).toBe(13);
    expect(report.deployed.official + report.deployed.probationary + report.notDeployed.members).toBe(320);
    expect(report.notDeployed.units).toHaveLength(1);
    expect(report.notDeployed.units[0].name).toMatch(/Công an/);
    const csv = await (
      await fetch(`${service.baseUrl}/orgs/${root}/members?format=csv`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    const rows = csv.trim().split('\n').slice(1);
    expect(rows).toHaveLength(320);
    expect(rows.filter((r) => r.includes(',Nam,')).length).toBe(155);
    expect(rows.filter((r) => r.includes(',Nữ,')).length).toBe(165);
    expect(rows.filter((r) => r.includes('Dự bị')).length).toBe(10);
  });

  it('keeps its data across a restart, does not load the demo twice, and mints no second admin token', async () => {
    expect(await service!.stop()).toBe(0);
    service = await startService(embedded, /Web chat:/, START_MS);
    expect(service.output()).toContain('đã có Đảng bộ Thị trấn Hòa Bình');
    // The admin token is printed once per data folder; later starts say how to get one.
    expect(service.output()).not.toMatch(/sdv_/);
    expect(service.output()).toMatch(/Admin token: đã in một lần.*npm run admin -- token --org 1/);
    const token = firstToken;
    const csv = await (
      await fetch(`${service.baseUrl}/orgs/1/members?format=csv`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    expect(csv.trim().split('\n')).toHaveLength(321);
  });

  it('with DEMO=0 prints no token and loads nothing', async () => {
    await service!.stop();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-nodemo-'));
    service = await startService({ DATABASE_URL: 'memory://', DATA_DIR: empty, DEMO: '0' }, /Web chat:/, START_MS);
    expect(service.output()).not.toMatch(/sdv_/);
    expect(service.output()).toContain('npm run admin -- token');
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
