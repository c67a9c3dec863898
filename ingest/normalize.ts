/**
 * Vietnamese text as extracted from files, repaired: Unicode NFC; diacritics split from
 * their letters by PDF extraction ("đa ̉ng" → "đảng"); words hyphenated across lines;
 * page headers, footers and page numbers repeated on every page.
 */
export function normalizeText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // a combining mark separated from its base letter by spaces belongs to that letter
      .replace(/[ \t]+([\u0300-\u036f\u1dc0-\u1dff]+)/g, '$1')
      .normalize('NFC')
      // a syllable broken after its vowel ("Đả ng"): a lone final consonant cluster is no word
      .replace(/(\p{L}) (ch|ng|nh|c|m|n|p|t)(?=[\s.,;:!?)]|$)/gu, '$1$2')
      // "tổ chức cơ sở đảng-\nviên" → hyphenation at a line end joins the word
      .replace(/(\p{L})-\n(\p{Ll})/gu, '$1$2')
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/** Removes lines that repeat on most pages (running headers/footers) and bare page numbers. */
export function stripPageFurniture(pages: string[]): string[] {
  if (pages.length < 3)
    return pages.map((p) =>
      p
        .split('\n')
        .filter((l) => !isPageNumber(l))
        .join('\n'),
    );
  const counts = new Map<string, number>();
  for (const page of pages) {
    for (const line of new Set(page.split('\n').map(key).filter(Boolean)))
      counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  const repeated = new Set([...counts].filter(([, n]) => n >= Math.max(3, pages.length * 0.6)).map(([l]) => l));
  return pages.map((p) =>
    p
      .split('\n')
      .filter((l) => !repeated.has(key(l)) && !isPageNumber(l))
      .join('\n'),
  );
}

// Digits differ from page to page in "Trang 3/10"; compare lines without them.
const key = (line: string) => line.trim().replace(/\d+/g, '#');
const isPageNumber = (line: string) => /^\s*(-\s*)?(trang\s*)?\d{1,4}(\s*\/\s*\d{1,4})?(\s*-)?\s*$/i.test(line);
