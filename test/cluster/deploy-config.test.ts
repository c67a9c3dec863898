/**
 * The deployment guide's files are checked by their own tools: the systemd units by
 * `systemd-analyze verify` (any warning fails: a misplaced key is ignored by systemd, silently),
 * and the nginx site by `nginx -t` inside a minimal nginx.conf with a throwaway certificate.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-deploy-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const has = (tool: string) => spawnSync('which', [tool]).status === 0;

describe('deployment files', () => {
  it.runIf(has('systemd-analyze'))('the systemd units pass systemd-analyze verify without a warning', () => {
    fs.copyFileSync(path.join(ROOT, 'deploy/systemd/sotay.service'), path.join(work, 'sotay.service'));
    fs.copyFileSync(path.join(ROOT, 'deploy/systemd/sotay-outbox@.service'), path.join(work, 'sotay-outbox@1.service'));
    const r = spawnSync('systemd-analyze', ['verify', 'sotay.service', 'sotay-outbox@1.service'], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it.runIf(has('nginx') && has('openssl'))('the nginx site passes nginx -t', () => {
    const cert = path.join(work, 'cert.pem');
    const key = path.join(work, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=sotay.test',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const site = fs
      .readFileSync(path.join(ROOT, 'deploy/nginx/sotay.conf'), 'utf8')
      .replace(/\/etc\/letsencrypt\/live\/[^;]*fullchain\.pem/, cert)
      .replace(/\/etc\/letsencrypt\/live\/[^;]*privkey\.pem/, key)
      .replaceAll('/var/log/nginx/', `${work}/`);
    fs.writeFileSync(path.join(work, 'sotay.conf'), site);
    fs.writeFileSync(
      path.join(work, 'nginx.conf'),
      [
        `pid ${work}/nginx.pid;`,
        `error_log ${work}/error.log;`,
        'events {}',
        `http { access_log off; include ${work}/sotay.conf; }`,
        '',
      ].join('\n'),
    );
    const r = spawnSync('nginx', ['-t', '-q', '-p', work, '-c', path.join(work, 'nginx.conf')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
