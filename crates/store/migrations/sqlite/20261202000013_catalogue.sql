-- The curated catalogue (facilities P3 and P5): a member's products with their price
-- history and photos, calls for curation and the chain each submission goes through
-- (mentor verifies → district validates → department forwards → curator grades), the
-- certificates a pass issues, a member's bank account, listing in the e-order catalogue,
-- and fair allocation of booths at market events.

CREATE TABLE products (
    id                      INTEGER PRIMARY KEY,
    member_id               INTEGER NOT NULL REFERENCES members (id),
    name                    TEXT NOT NULL,
    category                TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    unit                    TEXT NOT NULL,
    price                   INTEGER NOT NULL CHECK (price > 0),
    min_order               INTEGER NOT NULL CHECK (min_order >= 1),
    stock                   INTEGER CHECK (stock IS NULL OR stock >= 0),
    lead_days               INTEGER NOT NULL CHECK (lead_days >= 0),
    tkdn_percent            INTEGER CHECK (tkdn_percent BETWEEN 0 AND 100),
    halal_permit_id         INTEGER REFERENCES permits (id),
    -- Raised whenever what curation judged changes (name, category, unit, photos); a
    -- certificate covers one judged version.
    judged_version          INTEGER NOT NULL DEFAULT 1,
    -- The certificate in force for this judged version, if any.
    grade                   TEXT CHECK (grade IN ('A', 'B', 'C')),
    certificate_id          INTEGER,
    certificate_valid_until TEXT,
    listed                  INTEGER NOT NULL DEFAULT 0,
    listed_on               TEXT,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_by              TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    CHECK ((grade IS NULL) = (certificate_valid_until IS NULL))
);
CREATE INDEX products_member ON products (member_id, id);
CREATE INDEX products_listed ON products (listed_on, id) WHERE listed = 1;

-- Words of listed and unlisted products for the catalogue's search (rowid = products.id),
-- kept by the store in the same transaction as the product.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    name, description, business,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE product_prices (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    price       INTEGER NOT NULL CHECK (price > 0),
    valid_from  TEXT NOT NULL,
    changed_by  TEXT NOT NULL
);
CREATE INDEX product_prices_product ON product_prices (product_id, valid_from);

CREATE TABLE product_photos (
    product_id  INTEGER NOT NULL REFERENCES products (id),
    position    INTEGER NOT NULL CHECK (position BETWEEN 1 AND 6),
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'webp')),
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (product_id, position)
);

-- Each time a product was put in the catalogue, with the event that listing wrote.
CREATE TABLE product_listings (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products (id),
    listed_on    TEXT NOT NULL,
    event_id     INTEGER NOT NULL REFERENCES member_events (id),
    listed_by    TEXT NOT NULL,
    delisted_on  TEXT,
    delisted_by  TEXT
);
CREATE INDEX product_listings_product ON product_listings (product_id, id);

-- Where a member is paid. The account number is personal data: stored encrypted with the
-- data key, shown masked (its last four digits are kept for that).
CREATE TABLE bank_accounts (
    member_id         INTEGER PRIMARY KEY REFERENCES members (id),
    bank              TEXT NOT NULL,
    account_name      TEXT NOT NULL,
    account_no_cipher BLOB NOT NULL,
    account_no_last4  TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    updated_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE curation_calls (
    id                          INTEGER PRIMARY KEY,
    title                       TEXT NOT NULL,
    opens_on                    TEXT NOT NULL,
    closes_on                   TEXT NOT NULL,
    -- Category codes separated by commas; empty: every category.
    categories                  TEXT NOT NULL,
    region_code                 TEXT NOT NULL REFERENCES regions (code),
    places                      INTEGER NOT NULL CHECK (places >= 1),
    exclude_own_region_curators INTEGER NOT NULL,
    agency_code                 TEXT NOT NULL,
    created_by                  TEXT NOT NULL,
    created_at                  TEXT NOT NULL,
    CHECK (closes_on >= opens_on)
);
CREATE INDEX curation_calls_opens ON curation_calls (opens_on, id);

CREATE TABLE curation_submissions (
    id                INTEGER PRIMARY KEY,
    call_id           INTEGER NOT NULL REFERENCES curation_calls (id),
    product_id        INTEGER NOT NULL REFERENCES products (id),
    member_id         INTEGER NOT NULL REFERENCES members (id),
    state             TEXT NOT NULL CHECK (state IN ('submitted', 'verified', 'validated',
                          'forwarded', 'graded', 'returned')),
    submitted_on      TEXT NOT NULL,
    verified_on       TEXT,
    judged_version    INTEGER NOT NULL,
    grade             TEXT CHECK (grade IN ('A', 'B', 'C', 'fail')),
    score_taste       INTEGER CHECK (score_taste BETWEEN 1 AND 5),
    score_packaging   INTEGER CHECK (score_packaging BETWEEN 1 AND 5),
    score_hygiene     INTEGER CHECK (score_hygiene BETWEEN 1 AND 5),
    score_halal       INTEGER CHECK (score_halal BETWEEN 1 AND 5),
    score_photos      INTEGER CHECK (score_photos BETWEEN 1 AND 5),
    graded_on         TEXT,
    graded_by         TEXT,
    certificate_no    TEXT UNIQUE,
    valid_until       TEXT,
    assisted_event_id INTEGER REFERENCES member_events (id),
    curated_event_id  INTEGER REFERENCES member_events (id),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (call_id, product_id),
    CHECK ((state = 'graded') = (grade IS NOT NULL))
);
CREATE INDEX curation_submissions_state ON curation_submissions (state, id);
CREATE INDEX curation_submissions_member ON curation_submissions (member_id, id);
CREATE INDEX curation_submissions_product ON curation_submissions (product_id, id);

-- Every step of the chain, with its note: the submission's history as its page shows it.
CREATE TABLE curation_steps (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES curation_submissions (id),
    action        TEXT NOT NULL,
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    actor         TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    note          TEXT NOT NULL,
    -- The day the step was taken (the programme's date); `at` is when it was recorded.
    taken_on      TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX curation_steps_submission ON curation_steps (submission_id, id);

-- Fairs: booths, applications and the published allocation.
ALTER TABLE market_events ADD COLUMN booths INTEGER CHECK (booths IS NULL OR booths >= 1);

CREATE TABLE market_applications (
    market_event_id INTEGER NOT NULL REFERENCES market_events (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    applied_at      TEXT NOT NULL,
    applied_by      TEXT NOT NULL,
    rank            INTEGER,
    won             INTEGER,
    best_grade      TEXT,
    places_before   INTEGER,
    draw            TEXT,
    PRIMARY KEY (market_event_id, member_id)
);

CREATE TABLE market_allocations (
    market_event_id INTEGER PRIMARY KEY REFERENCES market_events (id),
    seed            TEXT NOT NULL,
    allocated_by    TEXT NOT NULL,
    allocated_at    TEXT NOT NULL
);
