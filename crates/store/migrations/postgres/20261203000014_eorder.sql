-- e-order: government units (opd) and provincial companies (bumd) buy from members'
-- listed products. Buying units form a hierarchy (`path` holds the codes from the root,
-- `/PARENT/CHILD/`, so a unit's descendants are a prefix match). Buyer accounts belong to
-- one unit with one buyer role. Packages are planned procurements (SiRUP-style) whose
-- ceiling `committed` never exceeds: an order takes its amount from the package in the
-- same statement that checks the ceiling. Order lines freeze the product's name, price,
-- category and TKDN at ordering. The order's states, who moved them and why are in
-- `order_steps`; payments hold the computed taxes; `outbox` holds the notifications each
-- state change owes the next actor, written in the same transaction.

CREATE TABLE buyer_units (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('opd', 'bumd')),
    parent_code   TEXT REFERENCES buyer_units (code),
    path          TEXT NOT NULL UNIQUE,
    region_code   TEXT NOT NULL REFERENCES regions (code),
    address       TEXT NOT NULL,
    bank          TEXT NOT NULL,
    account_no    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    timestamptz NOT NULL,
    version       bigint NOT NULL DEFAULT 1
);

ALTER TABLE users ADD COLUMN buyer_unit_code TEXT REFERENCES buyer_units (code);
ALTER TABLE users ADD COLUMN buyer_role TEXT CHECK (buyer_role IN ('pa_kpa', 'ppk',
    'procurement_officer', 'treasurer'));

-- What the treasurer must know to compute the taxes of a payment to this member.
ALTER TABLE bank_accounts ADD COLUMN vat_registered boolean NOT NULL DEFAULT false;
ALTER TABLE bank_accounts ADD COLUMN umkm_final boolean NOT NULL DEFAULT false;

CREATE TABLE packages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_code       TEXT NOT NULL REFERENCES buyer_units (code),
    name            TEXT NOT NULL,
    budget_code     TEXT NOT NULL,
    ceiling         bigint NOT NULL CHECK (ceiling > 0),
    fiscal_year     bigint NOT NULL,
    committed       bigint NOT NULL DEFAULT 0 CHECK (committed >= 0 AND committed <= ceiling),
    ppk_user_id     bigint REFERENCES users (id),
    officer_user_id bigint REFERENCES users (id),
    created_by      TEXT NOT NULL,
    created_at      timestamptz NOT NULL,
    version         bigint NOT NULL DEFAULT 1
);
CREATE INDEX packages_unit ON packages (unit_code, fiscal_year, id);
CREATE INDEX packages_officer ON packages (officer_user_id);

CREATE TABLE orders (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_code        TEXT NOT NULL REFERENCES buyer_units (code),
    package_id       bigint NOT NULL REFERENCES packages (id),
    member_id        bigint NOT NULL REFERENCES members (id),
    placed_by_user   bigint REFERENCES users (id),
    placed_by        TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('submitted', 'accepted', 'shipped',
                         'received', 'paid', 'declined', 'cancelled')),
    ordered_on       date NOT NULL,
    needed_on        date NOT NULL,
    delivery_address TEXT NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    -- The ordered lines at their frozen prices; after receipt, `amount_due` is what was
    -- received at those prices.
    total            bigint NOT NULL CHECK (total > 0),
    amount_due       bigint NOT NULL CHECK (amount_due >= 0),
    accepted_on      date,
    shipped_on       date,
    received_on      date,
    bast_no          TEXT,
    receipt_note     TEXT,
    paid_on          date,
    -- Set at payment, for the statistics: days from ordering to payment, and the amount
    -- on lines of TKDN-certified products (received units at their frozen prices).
    days_to_pay      bigint,
    tkdn_amount      bigint,
    reason           TEXT,
    sale_event_id    bigint REFERENCES member_events (id),
    idempotency_key  TEXT,
    request_hash     TEXT,
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (placed_by, idempotency_key)
);
CREATE INDEX orders_unit ON orders (unit_code, state, id);
CREATE INDEX orders_member ON orders (member_id, state, id);
CREATE INDEX orders_package ON orders (package_id);
CREATE INDEX orders_paid ON orders (paid_on) WHERE paid_on IS NOT NULL;
CREATE INDEX orders_ordered ON orders (ordered_on, id);

CREATE TABLE order_lines (
    order_id          bigint NOT NULL REFERENCES orders (id),
    line_no           bigint NOT NULL,
    product_id        bigint NOT NULL REFERENCES products (id),
    name              TEXT NOT NULL,
    category          TEXT NOT NULL,
    unit              TEXT NOT NULL,
    price             bigint NOT NULL CHECK (price > 0),
    quantity          bigint NOT NULL CHECK (quantity > 0),
    received_quantity bigint CHECK (received_quantity >= 0 AND received_quantity <= quantity),
    tkdn_percent      bigint,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_product ON order_lines (product_id);

CREATE TABLE order_steps (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders (id),
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    taken_on    date NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX order_steps_order ON order_steps (order_id, id);
CREATE INDEX order_steps_taken ON order_steps (taken_on, order_id);

CREATE TABLE payments (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id           bigint NOT NULL UNIQUE REFERENCES orders (id),
    method             TEXT NOT NULL CHECK (method IN ('transfer', 'autodebit')),
    state              TEXT NOT NULL CHECK (state IN ('pending_approval', 'paid')),
    amount             bigint NOT NULL,
    vat                bigint NOT NULL,
    vat_rate_bp        bigint NOT NULL,
    income_tax_kind    TEXT NOT NULL,
    income_tax         bigint NOT NULL,
    income_tax_rate_bp bigint NOT NULL,
    net                bigint NOT NULL,
    proof_sha256       TEXT,
    proof_format       TEXT,
    slip_sha256        TEXT,
    slip_format        TEXT,
    requested_by       TEXT NOT NULL,
    requested_on       date NOT NULL,
    approved_by        TEXT,
    paid_on            date,
    created_at         timestamptz NOT NULL
);

CREATE TABLE order_ratings (
    order_id  bigint PRIMARY KEY REFERENCES orders (id),
    stars     bigint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    note      TEXT NOT NULL DEFAULT '',
    rated_by  TEXT NOT NULL,
    rated_on  date NOT NULL
);

CREATE TABLE order_complaints (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     bigint NOT NULL REFERENCES orders (id),
    text         TEXT NOT NULL,
    opened_by    TEXT NOT NULL,
    opened_on    date NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    outcome      TEXT CHECK (outcome IN ('upheld', 'rejected')),
    outcome_note TEXT,
    closed_by    TEXT,
    closed_on    date
);
CREATE INDEX order_complaints_order ON order_complaints (order_id);
CREATE INDEX order_complaints_open ON order_complaints (state, id);

-- Notifications owed to the next actor, delivered by a worker through the configured
-- channel (log or e-mail). `recipient`: `member:<member_no>` or `unit:<code>:<buyer role>`.
CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at   timestamptz NOT NULL,
    topic        TEXT NOT NULL,
    order_id     bigint REFERENCES orders (id),
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    attempts     bigint NOT NULL DEFAULT 0,
    last_error   TEXT,
    delivered_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;
