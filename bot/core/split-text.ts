/**
 * Splits a long text to a platform's limit on paragraph boundaries (then lines, then
 * words), numbering the parts "(1/3)" so a member on an old phone can follow them.
 */
export function splitText(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const budget = limit - ' (99/99)'.length;
  const parts: string[] = [];
  let current = '';
  for (const piece of pieces(text, budget)) {
    const joined = current ? `${current}\n\n${piece}` : piece;
    if (joined.length <= budget) current = joined;
    else {
      if (current) parts.push(current);
      current = piece;
    }
  }
  if (current) parts.push(current);
  return parts.map((p, i) => `${p} (${i + 1}/${parts.length})`);
}

/** Paragraphs no longer than `max`, cutting oversize ones at line, then word, then character boundaries. */
function pieces(text: string, max: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n{2,}/)) {
    if (para.length <= max) {
      out.push(para);
      continue;
    }
    let rest = para;
    while (rest.length > max) {
      const window = rest.slice(0, max);
      const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
      const at = cut > max / 2 ? cut : max;
      out.push(rest.slice(0, at).trimEnd());
      rest = rest.slice(at).trimStart();
    }
    if (rest) out.push(rest);
  }
  return out;
}
