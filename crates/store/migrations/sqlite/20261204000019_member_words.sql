-- Word search over members' names and business names (the members list's search and the
-- header's search box on staff pages; business names only for the public check), so a
-- search costs what it finds, not a read of every member. FTS5 without content: the names
-- stay in `members` alone; tokens are case- and accent-folded, and two-character prefixes
-- are indexed so a short start of a word is quick. `place` holds one token per region
-- level of the business (p31 c3171 d317101 v3171011001), so a search within an officer's
-- region is answered by the index too. Triggers keep it in step with `members`; an
-- erased member's name leaves the index with it.
CREATE VIRTUAL TABLE members_words USING fts5 (
    person, business, place,
    content = '', contentless_delete = 1, tokenize = 'unicode61', prefix = '2'
);

INSERT INTO members_words (rowid, person, business, place)
SELECT id, COALESCE(full_name, ''), business_name,
       'p' || replace(province_code, '.', '') || ' c' || replace(city_code, '.', '') ||
       ' d' || replace(district_code, '.', '') || ' v' || replace(village_code, '.', '')
FROM members;

CREATE TRIGGER members_words_insert AFTER INSERT ON members BEGIN
    INSERT INTO members_words (rowid, person, business, place)
    VALUES (new.id, COALESCE(new.full_name, ''), new.business_name,
            'p' || replace(new.province_code, '.', '') || ' c' || replace(new.city_code, '.', '') ||
            ' d' || replace(new.district_code, '.', '') || ' v' || replace(new.village_code, '.', ''));
END;

CREATE TRIGGER members_words_update
AFTER UPDATE OF full_name, business_name, province_code, city_code, district_code, village_code
ON members BEGIN
    DELETE FROM members_words WHERE rowid = old.id;
    INSERT INTO members_words (rowid, person, business, place)
    VALUES (new.id, COALESCE(new.full_name, ''), new.business_name,
            'p' || replace(new.province_code, '.', '') || ' c' || replace(new.city_code, '.', '') ||
            ' d' || replace(new.district_code, '.', '') || ' v' || replace(new.village_code, '.', ''));
END;

CREATE TRIGGER members_words_delete AFTER DELETE ON members BEGIN
    DELETE FROM members_words WHERE rowid = old.id;
END;
