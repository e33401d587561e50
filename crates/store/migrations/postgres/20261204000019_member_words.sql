-- Word search over members' names and business names (the members list's search and the
-- header's search box on staff pages; business names only for the public check), so a
-- search costs what it finds, not a read of every member: GIN indexes on the words of
-- each, in the `simple` configuration (lowercased, no stemming), matched by prefix. The
-- region filters combine with them through the (region, id) B-tree indexes.
CREATE INDEX members_words_name ON members
    USING gin (to_tsvector('simple', COALESCE(full_name, '') || ' ' || business_name));
CREATE INDEX members_words_business ON members
    USING gin (to_tsvector('simple', business_name));
