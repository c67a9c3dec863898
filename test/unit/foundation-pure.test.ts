import { readConfig } from '../../api/config.ts';
import { describe, expect, it } from 'vitest';
import { foldVietnamese } from '../../api/text/fold.ts';
import { generateLinkCode, normalizeLinkCode } from '../../api/chat-accounts/link-code.ts';
import { addMonths, prepareMember } from '../../api/members/prepare-member.ts';
import { parseDate } from '../../api/members/import-members.ts';
import { versionInForce, type Rule } from '../../api/rules/rule.ts';

describe('foldVietnamese', () => {
  it('folds accents, đ and case so typed-without-diacritics input matches', () => {
    expect(foldVietnamese('Điểm Danh')).toBe('diem danh');
    expect(foldVietnamese('  BIỂU   QUYẾT ')).toBe('bieu quyet');
    expect(foldVietnamese('Đảng phí')).toBe(foldVietnamese('dang phi'));
  });
});

describe('link codes', () => {
  it('accepts what a member types: lowercase, spaces, no dash, O for 0, I/L for 1', () => {
    const code = generateLinkCode();
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const canonical = normalizeLinkCode(code)!;
    expect(normalizeLinkCode(code.toLowerCase().replace('-', ' '))).toBe(canonical);
    expect(normalizeLinkCode('o1234-abcde'.replace('1', 'l'))).toBe(normalizeLinkCode('0L234-ABCDE'));
    expect(normalizeLinkCode('ABC')).toBeNull();
    expect(normalizeLinkCode('ABCDE-FGHJU')).toBeNull(); // U is not in the alphabet
  });
  it('does not repeat across many draws', () => {
    const seen = new Set(Array.from({ length: 5000 }, generateLinkCode));
    expect(seen.size).toBe(5000);
  });
});

describe('members', () => {
  it('probation ends 12 months after admission (rule data), clamped to month end', () => {
    expect(addMonths('2025-02-28', 12)).toBe('2026-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    const { member } = prepareMember({
      fullName: ' Lê  Thị   Mai ',
      gender: 'female',
      cellId: 1,
      status: 'probationary',
      admittedOn: '2026-03-03',
    });
    expect(member.fullName).toBe('Lê Thị Mai');
    expect(member.probationEndsOn).toBe('2027-03-03');
  });
  it('refuses a probationary member without an admission date', () => {
    const { problems } = prepareMember({ fullName: 'A', gender: 'male', cellId: 1, status: 'probationary' });
    expect(problems.map((p) => p.field)).toContain('admittedOn');
  });
  it('reads dates the way Vietnamese spreadsheets write them, and rejects impossible ones', () => {
    expect(parseDate('19/05/1990')).toBe('1990-05-19');
    expect(parseDate('1990-05-19')).toBe('1990-05-19');
    expect(parseDate('31/02/2020')).toBeNull();
    expect(parseDate('hôm qua')).toBeNull();
  });
});

describe('rules as data', () => {
  const rule: Rule<number> = {
    key: 't',
    description: '',
    setting: false,
    versions: [
      { value: 1, effectiveFrom: '2011-01-19', source: 'A', confidence: 'firm' },
      { value: 2, effectiveFrom: '2025-06-01', source: 'B', confidence: 'firm' },
    ],
  };
  it('applies the version in force on the date', () => {
    expect(versionInForce(rule, '2025-05-31').value).toBe(1);
    expect(versionInForce(rule, '2025-06-01').value).toBe(2);
    expect(() => versionInForce(rule, '2000-01-01')).toThrow(/no version/);
  });
});

describe('configuration that faces the network', () => {
  it('listens on the loopback address unless HOST says otherwise', () => {
    expect(readConfig({}).host).toBe('127.0.0.1');
    expect(readConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('TRUST_PROXY=true trusts one hop (the proxy in front), never every X-Forwarded-For entry', () => {
    expect(readConfig({}).trustProxy).toBe(false);
    expect(readConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(readConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(readConfig({ TRUST_PROXY: '10.0.0.1,10.0.0.2' }).trustProxy).toBe('10.0.0.1,10.0.0.2');
  });

  it('METRICS_TOKEN is long, and unlike an API token; without it /metrics is off', () => {
    expect(readConfig({}).metricsToken).toBeNull();
    expect(readConfig({ METRICS_TOKEN: 'a'.repeat(32) }).metricsToken).toBe('a'.repeat(32));
    for (const bad of ['short', `sdv_${'a'.repeat(40)}`, `${'a'.repeat(20)} ${'a'.repeat(20)}`])
      expect(() => readConfig({ METRICS_TOKEN: bad })).toThrow(/METRICS_TOKEN/);
  });
});
