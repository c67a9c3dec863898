/**
 * Vietnamese accent folding: "Điểm Danh" → "diem danh". Members type without diacritics
 * (old phones, foreign keyboards), so matching of commands, headers and options folds both sides.
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
