-- Meeting document links are opened from a page on our origin: only http(s) links are kept.
-- Links stored before the API checked the scheme (e.g. `javascript:`) are removed; the
-- document's title and text stay.
update meeting_documents set url = null where url is not null and url !~* '^https?://[^\s<>"]+$';
