import { describe, expect, it } from 'vitest';
import { compareVietnameseNames } from '../../api/text/vietnamese-names.ts';
import { describeBrowser } from '../../api/console/pages/account-pages.ts';
import { readVnDate, readVnDateTime, writeVnDate } from '../../api/text/vn-date.ts';

describe('dates as typed in Vietnam', () => {
  it('reads day first, with or without leading zeros, and ISO', () => {
    expect(readVnDate('05/12/2026')).toBe('2026-12-05');
    expect(readVnDate('5/1/2027')).toBe('2027-01-05');
    expect(readVnDate('05-12-2026')).toBe('2026-12-05');
    expect(readVnDate('2026-12-05')).toBe('2026-12-05');
    expect(readVnDateTime('05/12/2026 19:30')).toBe('2026-12-05T19:30');
    expect(readVnDateTime('5/12/2026, 7:05')).toBe('2026-12-05T07:05');
    expect(readVnDateTime('2026-12-05T19:30')).toBe('2026-12-05T19:30');
    expect(writeVnDate('2026-12-05T19:30')).toBe('05/12/2026 19:30');
  });
  it('refuses what is not a real date or time', () => {
    for (const bad of ['31/02/2026', '12/31/2026', '2026-13-01', 'mai', '']) expect(readVnDate(bad)).toBeNull();
    for (const bad of ['05/12/2026', '05/12/2026 24:00', '05/12/2026 19:60']) expect(readVnDateTime(bad)).toBeNull();
  });
});

describe('a session’s browser, as a person names it', () => {
  it('says browser and device, never the raw user-agent', () => {
    const android =
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36';
    expect(describeBrowser(android)).toBe('Chrome trên Android');
    expect(describeBrowser('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0')).toBe(
      'Firefox trên Windows',
    );
    expect(describeBrowser(null)).toBe('không rõ');
  });
});

describe('names in the order party lists keep them', () => {
  it('by given name, Đ after D, then the rest of the name', () => {
    const names = ['Trần Văn Đức', 'Nguyễn Văn Dũng', 'Lê Thị An', 'Phạm Thị Ánh', 'Đỗ Văn An', 'Bùi Văn Bình'];
    expect([...names].sort(compareVietnameseNames)).toEqual([
      'Đỗ Văn An',
      'Lê Thị An',
      'Phạm Thị Ánh',
      'Bùi Văn Bình',
      'Nguyễn Văn Dũng',
      'Trần Văn Đức',
    ]);
  });
});
