-- e-order's statistics read whole months from two rollups of the paid orders, kept in
-- the payment's transaction: per month, buying unit and supplier; and per month, product
-- category and supplier (an order counts once in each category it holds). Days outside
-- whole months are read from the orders themselves (docs/eorder.md, "Statistics").
CREATE TABLE eorder_month_sales (
    month     text NOT NULL,
    unit_code text NOT NULL REFERENCES buyer_units (code),
    member_id bigint NOT NULL REFERENCES members (id),
    orders    bigint NOT NULL,
    spend     bigint NOT NULL,
    tkdn      bigint NOT NULL,
    days      bigint NOT NULL,
    PRIMARY KEY (month, unit_code, member_id)
);
CREATE TABLE eorder_month_categories (
    month     text NOT NULL,
    category  text NOT NULL,
    member_id bigint NOT NULL REFERENCES members (id),
    orders    bigint NOT NULL,
    spend     bigint NOT NULL,
    tkdn      bigint NOT NULL,
    days      bigint NOT NULL,
    PRIMARY KEY (month, category, member_id)
);
-- The days outside whole months are read from this index alone.
CREATE INDEX orders_paid_state ON orders (state, paid_on) INCLUDE (unit_code, member_id,
    amount_due, tkdn_amount, days_to_pay);

INSERT INTO eorder_month_sales (month, unit_code, member_id, orders, spend, tkdn, days)
SELECT to_char(o.paid_on, 'YYYY-MM'), o.unit_code, o.member_id, COUNT(*), SUM(o.amount_due), SUM(o.tkdn_amount),
       SUM(o.days_to_pay)
FROM orders o WHERE o.state = 'paid'
GROUP BY to_char(o.paid_on, 'YYYY-MM'), o.unit_code, o.member_id;

INSERT INTO eorder_month_categories (month, category, member_id, orders, spend, tkdn, days)
SELECT c.month, c.category, c.member_id, COUNT(*), SUM(c.amount), SUM(c.tkdn), SUM(c.days)
FROM (SELECT to_char(o.paid_on, 'YYYY-MM') AS month, l.category, o.member_id, o.days_to_pay AS days,
             SUM(l.price * COALESCE(l.received_quantity, l.quantity)) AS amount,
             SUM(CASE WHEN l.tkdn_percent IS NOT NULL
                      THEN l.price * COALESCE(l.received_quantity, l.quantity) ELSE 0 END) AS tkdn
      FROM orders o JOIN order_lines l ON l.order_id = o.id
      WHERE o.state = 'paid'
      GROUP BY o.id, to_char(o.paid_on, 'YYYY-MM'), l.category, o.member_id, o.days_to_pay) c
GROUP BY c.month, c.category, c.member_id;
