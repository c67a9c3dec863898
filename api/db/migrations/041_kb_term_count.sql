-- BM25 needs each chunk's length in lexical terms (syllables and syllable pairs, as
-- knowledge/text.ts counts them). Existing rows get it when the lexical index is rebuilt.
alter table kb_chunks add column term_count integer not null default 0;
