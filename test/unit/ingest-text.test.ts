import { describe, expect, it } from 'vitest';
import { normalizeText, stripPageFurniture } from '../../ingest/normalize.ts';
import { chunkDocument } from '../../ingest/chunk.ts';
import { coverage } from '../../knowledge/confidence.ts';
import { HashingEmbedder } from '../../knowledge/embed/hashing-embedder.ts';
import { headingTermCount, lexicalIndexEntry, lexicalTerms, queryTerms } from '../../knowledge/text.ts';
import { inOfficialWords, withOfficialWords } from '../../knowledge/thesaurus.ts';
import { isLikelySlip, oneEditAway } from '../../knowledge/spelling.ts';
import { canBeSyllable } from '../../knowledge/vietnamese-syllable.ts';

describe('repairing extracted Vietnamese text', () => {
  it('joins split diacritics into NFC, hyphenated words, and drops page furniture', () => {
    const broken = 'Đa\u0309 ng vie\u0302n\ncô-\nng tác đảng';
    expect(normalizeText(broken)).toBe('Đảng viên\ncông tác đảng');
    expect(normalizeText('Đảng'.normalize('NFD'))).toBe('Đảng');
    const words = ['mở đầu', 'điều kiện', 'thủ tục', 'hiệu lực'];
    const pages = words.map((w, i) => `ĐẢNG BỘ TỈNH MẪU\nPhần ${w} của quy định\nTrang ${i + 1}/4`);
    expect(stripPageFurniture(pages)).toEqual(words.map((w) => `Phần ${w} của quy định`));
  });
});

describe('structure-aware chunking', () => {
  const text = [
    'Chương II. Đảng viên',
    'Điều 3. Quyền của đảng viên',
    '1. Được thông tin và thảo luận các vấn đề về Cương lĩnh chính trị.',
    '2. Ứng cử, đề cử và bầu cử cơ quan lãnh đạo các cấp của Đảng.',
    'a) Đảng viên dự bị không có quyền biểu quyết.',
    'b) Đảng viên dự bị không được ứng cử.',
    '3. Phê bình, chất vấn về hoạt động của tổ chức đảng.',
    'Điều 4. Nhiệm vụ',
    'Tuyệt đối trung thành với mục đích lý tưởng cách mạng của Đảng.',
  ].join('\n');

  it('keeps the heading path and article of each chunk', async () => {
    const chunks = await chunkDocument(text, { label: '24-QĐ/TW' });
    expect(chunks.map((c) => [c.headingPath, c.article])).toEqual([
      ['24-QĐ/TW › Chương II › Điều 3', 3],
      ['24-QĐ/TW › Chương II › Điều 4', 4],
    ]);
  });

  it('splits a long article between khoản, never inside one that fits', async () => {
    const chunks = await chunkDocument(text, { label: '24-QĐ/TW', maxTokens: 50 });
    const art3 = chunks.filter((c) => c.article === 3);
    expect(art3.length).toBeGreaterThan(1);
    expect(art3.every((c) => c.body.startsWith('Điều 3. Quyền của đảng viên'))).toBe(true);
    // khoản 2 with its điểm a) and b) stays together
    expect(
      art3.some((c) => c.body.includes('2. Ứng cử') && c.body.includes('b) Đảng viên dự bị không được ứng cử.')),
    ).toBe(true);
    expect(art3.find((c) => c.body.includes('2. Ứng cử'))!.headingPath).toMatch(/Điều 3 › khoản 2/);
  });

  it('leaves out a Markdown title line, which every chunk already carries', async () => {
    const chunks = await chunkDocument(
      '# Hướng dẫn thu, nộp đảng phí\n\nĐiều 1. Phạm vi\nHướng dẫn này quy định mức đóng.',
      { label: '05-HD', title: 'Hướng dẫn thu, nộp đảng phí' },
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0].article).toBe(1);
  });

  it('falls back to a recursive splitter for text without structure', async () => {
    const prose = Array.from({ length: 60 }, (_, i) => `Câu văn số ${i} nói về công tác đảng ở cơ sở.`).join(' ');
    const chunks = await chunkDocument(prose, { label: 'Tài liệu', maxTokens: 50 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.article === null && c.headingPath === 'Tài liệu')).toBe(true);
  });
});

describe('offline embeddings', () => {
  it('are deterministic and match text typed without diacritics', () => {
    const e = new HashingEmbedder(256);
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
    const doc = e.vector('Mức đóng đảng phí của đảng viên nghỉ hưu');
    expect(e.vector('Mức đóng đảng phí của đảng viên nghỉ hưu')).toEqual(doc);
    expect(cos(e.vector('muc dong dang phi nghi huu'), doc)).toBeGreaterThan(
      cos(e.vector('thời tiết Hà Nội ngày mai'), doc) + 0.3,
    );
  });
  it('a question made of function words and one subject word is nearest to the text about that subject', () => {
    const e = new HashingEmbedder(512);
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
    const q = e.vector('đảng phí là gì vậy');
    expect(cos(q, e.vector('Mức đóng đảng phí hằng tháng'))).toBeGreaterThan(
      cos(q, e.vector('Đây là gì và vậy thì sao')),
    );
  });
  it('coverage tells an answering passage from an unrelated one', () => {
    const q = 'Phụ cấp của bí thư chi bộ là bao nhiêu?';
    expect(
      coverage(
        q,
        ['Bí thư chi bộ được hưởng phụ cấp hằng tháng bằng 0,3 mức lương cơ sở.'],
        ['phu', 'cap', 'bi', 'thu'],
      ),
    ).toBeGreaterThan(0.7);
    expect(coverage(q, ['Chi bộ sinh hoạt thường kỳ mỗi tháng một lần.'], ['phu', 'cap', 'bi', 'thu'])).toBeLessThan(
      0.3,
    );
  });
});

describe('lexical terms', () => {
  it('are folded syllables and adjacent pairs that do not cross punctuation', () => {
    const terms = lexicalTerms('Đảng viên dự bị, đảng phí.');
    expect([...terms.keys()]).toEqual(['dang', 'vien', 'dang vien', 'du', 'vien du', 'bi', 'du bi', 'phi', 'dang phi']);
    expect(terms.get('dang')).toEqual([0, 4]);
    expect(terms.has('bi dang')).toBe(false);
  });
  it('a question typed without diacritics gives the same terms, function words left out', () => {
    expect(queryTerms('đảng viên dự bị có được biểu quyết không')).toEqual(
      queryTerms('dang vien du bi co duoc bieu quyet khong'),
    );
    expect(queryTerms('có được không')).toEqual([]);
  });
  it('become a tsvector literal with 1-based positions, and a length for BM25', () => {
    expect(lexicalIndexEntry('Đảng phí')).toEqual({ tsv: "'dang':1 'phi':2 'dang phi':1", length: 3 });
  });
  it('mark the heading (title, path, the article title) with weight A for BM25F; the passage keeps D', () => {
    const text = 'Đảng phí\nĐiều 3. Mức đóng\nSinh viên đóng 5.000 đồng';
    const head = headingTermCount(text, 'Điều 3. Mức đóng\nSinh viên đóng 5.000 đồng');
    expect(head).toBe(6);
    const { tsv } = lexicalIndexEntry(text, head);
    expect(tsv).toContain("'dong':6A,9");
    expect(tsv).toContain("'sinh vien':7 ");
    expect(tsv).toContain("'dang phi':1A ");
  });
});

describe("everyday words and the documents' wording", () => {
  it('searches with the official wording added, typed with or without diacritics', () => {
    expect(withOfficialWords('Họp chi bộ online có được không?')).toBe(
      'Họp chi bộ online có được không? (sinh hoạt chi bộ, trực tuyến)',
    );
    expect(withOfficialWords('dang vien nghi huu dong bao nhieu')).toBe('dang vien nghi huu dong bao nhieu (hưu trí)');
  });
  it('matches whole words only, and leaves other questions alone', () => {
    expect(withOfficialWords('Tài liệu onlinexyz')).toBe('Tài liệu onlinexyz');
    expect(withOfficialWords('Thẻ đảng viên bị hỏng')).toBe('Thẻ đảng viên bị hỏng');
  });
  it('a passage in the official wording covers a question in everyday words', () => {
    expect(inOfficialWords('Người lớn tuổi xin vào Đảng được không')).toBe('nguoi tuoi cao ket nap duoc khong');
    const q = 'Họp chi bộ online có được không?';
    expect(
      coverage(q, ['Sinh hoạt chi bộ trực tuyến chỉ áp dụng với chi bộ đặc thù.'], ['truc', 'tuyen']),
    ).toBeGreaterThan(0.7);
  });
});

describe('typing mistakes', () => {
  it('one edit away: a letter deleted, inserted, changed, or two neighbours swapped', () => {
    const near = oneEditAway('tucc');
    expect(near).toEqual(expect.arrayContaining(['tuc', 'tcuc', 'tuca', 'tuccx']));
    expect(near).not.toContain('tucc');
    expect(oneEditAway('khnog')).toContain('khong');
  });

  it('tells words that cannot be Vietnamese syllables from those that can', () => {
    const words =
      'đảng viên chính thức được việc nghị quyết quyền khuyên chuyển huỳnh giếng gì gìn kia khuya yêu ' +
      'tuần xoong nghiêng kiểm ghế người rượu oanh huých ích inh cũng hỏng xuân căn cước mấy xăng';
    for (const w of words.split(' ')) expect(canBeSyllable(w), w).toBe(true);
    // A doubled letter, "yê" after "ch", "ng" after "i", "nh" after "iê", "c" after "ưi",
    // "qu" + "u", "ng" before "i", "c" before "e", a stop final with huyền, two tone marks.
    for (const w of ['gồmm', 'chyen', 'khing', 'miễnh', 'đưic', 'quuyết', 'ngi', 'cen', 'tiềt', 'đảảng']) {
      expect(canBeSyllable(w), w).toBe(false);
    }
  });

  it('a neighbouring key, a doubled or dropped letter and a swap are likely slips; a far key is not', () => {
    expect(isLikelySlip('viex', 'viec')).toBe(true); // x is next to c
    expect(isLikelySlip('viex', 'vien')).toBe(false);
    expect(isLikelySlip('nhhieu', 'nhieu')).toBe(true);
    expect(isLikelySlip('phm', 'pham')).toBe(true);
    expect(isLikelySlip('dagn', 'dang')).toBe(true);
    expect(isLikelySlip('dagn', 'dan')).toBe(false); // a stray g after a
  });
});
