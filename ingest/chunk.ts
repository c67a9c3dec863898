/**
 * Structure-aware chunking for Vietnamese legal and party documents. Recognises Phần /
 * Chương / Mục / Điều, numbered khoản ("1.") and lettered điểm ("a)"), keeps each chunk's
 * heading path ("QĐ 24-QĐ/TW › Chương II › Điều 3 › khoản 2") and its article number, and
 * never splits a khoản that fits. Text outside any Điều, or a khoản too long for one chunk,
 * falls back to a recursive splitter. Sizes are in tokens (syllables, for Vietnamese).
 */
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { Chunk } from '../knowledge/document.ts';

export type { Chunk };

export interface ChunkOptions {
  maxTokens?: number;
  /** Shown first in every heading path: the document number or title. */
  label: string;
  /** The document's title, indexed with every chunk so a passage keeps its document's subject. */
  title?: string;
}

const HEADINGS: { level: 'part' | 'chapter' | 'section'; re: RegExp }[] = [
  { level: 'part', re: /^phần\s+([IVXLC]+|\d+|thứ\s+\S+)(?=[\s.:]|$)/iu },
  { level: 'chapter', re: /^chương\s+([IVXLC]+|\d+)(?=[\s.:]|$)/iu },
  { level: 'section', re: /^mục\s+(\d+|[IVXLC]+)(?=[\s.:]|$)/iu },
];
const ARTICLE = /^điều\s+(\d+)\s*[.:]?\s*(.*)$/iu;
const CLAUSE = /^(\d{1,2})\.\s+/;

export const countTokens = (text: string) => text.split(/\s+/).filter(Boolean).length;

export async function chunkDocument(text: string, options: ChunkOptions): Promise<Chunk[]> {
  const maxTokens = options.maxTokens ?? 300;
  const path: Record<'part' | 'chapter' | 'section', string | null> = { part: null, chapter: null, section: null };
  const chunks: Omit<Chunk, 'ord'>[] = [];
  let article: {
    num: number;
    title: string;
    intro: string[];
    clauses: { num: number; lines: string[] }[];
    path: string;
  } | null = null;
  let loose: string[] = [];

  const prefix = () => [options.label, path.part, path.chapter, path.section].filter(Boolean).join(' › ');
  const flushLoose = async () => {
    const body = loose.join('\n').trim();
    loose = [];
    if (body) for (const piece of await recursive(body, maxTokens)) chunks.push(make(prefix(), null, null, piece));
  };
  const flushArticle = async () => {
    if (!article) return;
    const a = article;
    article = null;
    const head = `${a.path} › Điều ${a.num}`;
    const titleLine = `Điều ${a.num}. ${a.title}`.trim();
    const whole = [titleLine, ...a.intro, ...a.clauses.flatMap((c) => c.lines)].join('\n').trim();
    if (countTokens(whole) <= maxTokens || a.clauses.length === 0) {
      for (const piece of countTokens(whole) <= maxTokens ? [whole] : await recursive(whole, maxTokens))
        chunks.push(make(head, a.num, null, piece));
      return;
    }
    // Too long for one chunk: group whole khoản, each group under the article's title.
    let group: { num: number; lines: string[] }[] = [];
    const emit = async () => {
      if (!group.length) return;
      const body = [titleLine, ...group.flatMap((c) => c.lines)].join('\n');
      const where = `${head} › khoản ${group[0].num}${group.length > 1 ? `–${group.at(-1)!.num}` : ''}`;
      chunks.push(make(where, a.num, group[0].num, body));
      group = [];
    };
    if (a.intro.length) chunks.push(make(head, a.num, null, [titleLine, ...a.intro].join('\n')));
    for (const clause of a.clauses) {
      const size = countTokens(clause.lines.join(' '));
      if (size + countTokens(titleLine) > maxTokens) {
        await emit();
        for (const piece of await recursive(clause.lines.join('\n'), maxTokens - countTokens(titleLine))) {
          chunks.push(make(`${head} › khoản ${clause.num}`, a.num, clause.num, `${titleLine}\n${piece}`));
        }
        continue;
      }
      if (countTokens([titleLine, ...group.flatMap((c) => c.lines), ...clause.lines].join(' ')) > maxTokens)
        await emit();
      group.push(clause);
    }
    await emit();
  };

  for (const raw of text.split('\n')) {
    const line = raw.replace(/^#{1,6}\s+/, '').trim();
    // A Markdown H1 is the document's title, which every chunk already carries.
    if (!line || (options.title && /^#\s/.test(raw))) continue;
    const heading = HEADINGS.find((h) => h.re.test(line));
    if (heading) {
      await flushArticle();
      await flushLoose();
      path[heading.level] = line
        .replace(/[.:]\s*$/, '')
        .split(/[.:]\s/)[0]
        .trim();
      if (heading.level === 'part') path.chapter = path.section = null;
      if (heading.level === 'chapter') path.section = null;
      continue;
    }
    const art = ARTICLE.exec(line);
    if (art) {
      await flushArticle();
      await flushLoose();
      article = { num: Number(art[1]), title: art[2].trim(), intro: [], clauses: [], path: prefix() };
      continue;
    }
    if (article) {
      const clause = CLAUSE.exec(line);
      if (clause) article.clauses.push({ num: Number(clause[1]), lines: [line] });
      else if (article.clauses.length) article.clauses.at(-1)!.lines.push(line);
      else article.intro.push(line);
    } else loose.push(line);
  }
  await flushArticle();
  await flushLoose();
  return chunks.map((c, ord) => ({
    ...c,
    ord,
    text: options.title && options.title !== options.label ? `${options.title}\n${c.text}` : c.text,
  }));
}

function make(headingPath: string, article: number | null, clause: number | null, body: string): Omit<Chunk, 'ord'> {
  return { headingPath, article, clause, body, text: `${headingPath}\n${body}` };
}

/** LangChain's recursive splitter, sized in tokens (syllables). */
async function recursive(text: string, maxTokens: number): Promise<string[]> {
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: maxTokens,
    chunkOverlap: Math.floor(maxTokens / 10),
    lengthFunction: countTokens,
    separators: ['\n\n', '\n', '. ', '; ', ', ', ' '],
  });
  return splitter.splitText(text);
}
