/**
 * Vietnamese order for people's names, as party member lists are kept: by the given name (the
 * last word: "Nguyễn Văn An" is filed under "An"), then by the rest of the name from the family
 * name on; letters in the Vietnamese alphabet's order (a ă â b c d đ e ê … — "Đức" after
 * "Dũng"), tones after the letter. ICU's Vietnamese collation (Node ships full ICU) does this.
 */
const collator = new Intl.Collator('vi', { sensitivity: 'variant' });

const givenName = (fullName: string) => fullName.trim().split(/\s+/).at(-1) ?? '';

export function compareVietnameseNames(a: string, b: string): number {
  return collator.compare(givenName(a), givenName(b)) || collator.compare(a, b);
}

/** Vietnamese order for other words (units, titles): the alphabet's order, Đ after D. */
export const compareVietnamese = (a: string, b: string) => collator.compare(a, b);
