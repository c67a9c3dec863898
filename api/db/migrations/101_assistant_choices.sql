-- Issue 29 point 3: when the assistant is not confident enough to answer, it offers the two or
-- three most likely articles instead of a dead end. What it offered and what the member chose
-- are kept with the question, for the editors who review unanswered questions.
alter table kb_questions add column offered bigint[];
alter table kb_questions add column chosen_chunk_id bigint references kb_chunks(id) on delete set null;
