-- e-order's statistics read whole months from two rollups of the paid orders, kept in
-- the payment's transaction: per month, buying unit and supplier; and per month, product
-- category and supplier (an order counts once in each category it holds). Days outside
-- whole months are read from the orders themselves (docs/eorder.md, "Statistics").
CREATE TABLE eorder_month_sales (
    month     TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES buyer_units (code),
    member_id INTEGER NOT NULL REFERENCES members (id),
    orders    INTEGER NOT NULL,
    spend     INTEGER NOT NULL,
    tkdn      INTEGER NOT NULL,
    days      INTEGER NOT NULL,
    PRIMARY KEY (month, unit_code, member_id)
) WITHOUT ROWID;
CREATE TABLE eorder_month_categories (
    month     TEXT NOT NULL,
    category  TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members (id),
    orders    INTEGER NOT NULL,
    spend     INTEGER NOT NULL,
    tkdn      INTEGER NOT NULL,
    days      INTEGER NOT NULL,
    PRIMARY KEY (month, category, member_id)
) WITHOUT ROWID;
-- The days outside whole months are read from this index alone.
CREATE INDEX orders_paid_state ON orders (state, paid_on, unit_code, member_id, amount_due,
    tkdn_amount, days_to_pay);

INSERT INTO eorder_month_sales (month, unit_code, member_id, orders, spend, tkdn, days)
SELECT substr(o.paid_on, 1, 7), o.unit_code, o.member_id, COUNT(*), SUM(o.amount_due), SUM(o.tkdn_amount),
       SUM(o.days_to_pay)
FROM orders o WHERE o.state = 'paid'
GROUP BY substr(o.paid_on, 1, 7), o.unit_code, o.member_id;

INSERT INTO eorder_month_categories (month, category, member_id, orders, spend, tkdn, days)
SELECT c.month, c.category, c.member_id, COUNT(*), SUM(c.amount), SUM(c.tkdn), SUM(c.days)
FROM (SELECT substr(o.paid_on, 1, 7) AS month, l.category, o.member_id, o.days_to_pay AS days,
             SUM(l.price * COALESCE(l.received_quantity, l.quantity)) AS amount,
             SUM(CASE WHEN l.tkdn_percent IS NOT NULL
                      THEN l.price * COALESCE(l.received_quantity, l.quantity) ELSE 0 END) AS tkdn
      FROM orders o JOIN order_lines l ON l.order_id = o.id
      WHERE o.state = 'paid'
      GROUP BY o.id, substr(o.paid_on, 1, 7), l.category, o.member_id, o.days_to_pay) c
GROUP BY c.month, c.category, c.member_id;
