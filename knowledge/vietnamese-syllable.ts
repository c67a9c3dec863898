/**
 * Whether a typed word can be a Vietnamese syllable: an initial consonant, a vowel group and a
 * final consonant that Vietnamese spelling allows together, with at most one tone mark, and a
 * tone a closed syllable can carry. Words read without diacritics; only what is certain is
 * refused, so a real word is never taken for a slip:
 * - "c" and "ng" do not stand before e, ê, i, y, nor "g" before e, ê; "k", "gh", "ngh" only
 *   do ("ki", "ghế", "nghe");
 * - "qu" is never followed by another "u"; "yê" and "ya" begin a syllable or follow "qu"/"u";
 * - a vowel group that ends in a glide ("ai", "ao", "ươi", "iêu" …) takes no final consonant;
 * - "ch" and "nh" close only a, ê, i, y (and "oa", "uê", "uy"); "c" and "ng" never close i or y;
 * - "c", "ch", "p", "t" close only syllables with the sắc or nặng tone.
 */
import { foldVietnamese } from '../api/text/fold.ts';

const INITIALS = ['ngh', 'ng', 'nh', 'ch', 'gh', 'gi', 'kh', 'ph', 'qu', 'th', 'tr', ...'bcdghklmnprstvx', ''];
const FINALS = ['ch', 'ng', 'nh', 'c', 'm', 'n', 'p', 't', ''];
/** The vowel groups of Vietnamese syllables, folded ("ươi" → "uoi", "hưu" → "huu"). */
const VOWELS = new Set(
  (
    'ieu yeu uoi uou uya uye uyu oai oay oeo uay ' +
    'ai ao au ay eo eu ia ie iu oa oe oi oo ua ue ui uo uu uy ya ye a e i o u y'
  ).split(' '),
);
/** Vowel groups that end in a glide: nothing may follow them. */
const OPEN = new Set('ai ao au ay eo eu ia iu oi ui uu ya oai oay uoi ieu yeu uou oeo uay uyu uya'.split(' '));
/** The vowels "ch" and "nh" may close. */
const BEFORE_CH_NH = new Set(['a', 'e', 'i', 'y', 'oa', 'ue', 'uy']);
const FRONT = /^[eiy]/;
const TONES = /[\u0300\u0301\u0303\u0309\u0323]/g;
/** Huyền, ngã, hỏi: tones a syllable closed by c, ch, p or t cannot carry. */
const OPEN_TONES = /[\u0300\u0303\u0309]/;
const STOPS = new Set(['c', 'ch', 'p', 't']);

export function canBeSyllable(typed: string): boolean {
  const word = foldVietnamese(typed);
  const tones = typed.normalize('NFD').match(TONES) ?? [];
  if (tones.length > 1) return false;
  const stopsBarred = OPEN_TONES.test(tones[0] ?? '');
  for (const initial of INITIALS) {
    if (!word.startsWith(initial)) continue;
    for (const final of FINALS) {
      if (!word.endsWith(final) || word.length < initial.length + final.length + 1) continue;
      const vowel = word.slice(initial.length, word.length - final.length);
      if (allowed(initial, vowel, final) && !(stopsBarred && STOPS.has(final))) return true;
    }
  }
  return false;
}

function allowed(initial: string, vowel: string, final: string): boolean {
  if (!VOWELS.has(vowel)) return false;
  if ((initial === 'c' || initial === 'ng') && FRONT.test(vowel)) return false;
  if (initial === 'g' && vowel.startsWith('e')) return false; // "gì", "gìn" are g + i
  if (['k', 'gh', 'ngh'].includes(initial) && !FRONT.test(vowel)) return false;
  if (initial === 'qu' && vowel.startsWith('u')) return false;
  if (/^y[ae]/.test(vowel) && initial !== '' && initial !== 'qu') return false;
  if (!final) return true;
  if (OPEN.has(vowel)) return false;
  if ((final === 'ch' || final === 'nh') && !BEFORE_CH_NH.has(vowel)) return false;
  if ((final === 'c' || final === 'ng') && /[iy]$/.test(vowel)) return false;
  return true;
}
