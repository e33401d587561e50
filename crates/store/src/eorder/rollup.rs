//! e-order's monthly rollups of the paid orders (migration 15): per month, buying unit and
//! supplier, and per month, product category and supplier. Kept in the payment's
//! transaction (and by the bulk path, set-based), so the statistics read whole months from
//! a few rows per unit and supplier instead of every order.

use crate::Result;
use crate::query::{Backend, Conn, Query, Tx, query_text};

/// The `YYYY-MM` of an order's payment day.
pub(super) fn paid_month(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "substr(o.paid_on, 1, 7)",
        Backend::Postgres => "to_char(o.paid_on, 'YYYY-MM')",
    }
}

/// Adds the orders that `filter` (a condition on `o`, with its arguments bound by `bind`)
/// selects to both rollups. The caller selects paid orders only (the one just paid, or a
/// bulk load's), by id, so the statement reads them by primary key.
pub(super) async fn add<F>(tx: &mut Tx, filter: &str, bind: F) -> Result<()>
where
    F: Fn(Query) -> Query,
{
    let m = paid_month(tx.backend());
    let sales = query_text(format!(
        "INSERT INTO eorder_month_sales (month, unit_code, member_id, orders, spend, tkdn, days) \
         SELECT {m}, o.unit_code, o.member_id, COUNT(*), SUM(o.amount_due), SUM(o.tkdn_amount), \
         SUM(o.days_to_pay) FROM orders o WHERE {filter} GROUP BY {m}, \
         o.unit_code, o.member_id ON CONFLICT (month, unit_code, member_id) DO UPDATE SET \
         orders = eorder_month_sales.orders + excluded.orders, spend = eorder_month_sales.spend \
         + excluded.spend, tkdn = eorder_month_sales.tkdn + excluded.tkdn, days = \
         eorder_month_sales.days + excluded.days"
    ));
    bind(sales).execute(&mut *tx).await?;
    let categories = query_text(format!(
        "INSERT INTO eorder_month_categories (month, category, member_id, orders, spend, tkdn, \
         days) SELECT c.month, c.category, c.member_id, COUNT(*), SUM(c.amount), SUM(c.tkdn), \
         SUM(c.days) FROM (SELECT {m} AS month, l.category, o.member_id, o.days_to_pay AS days, \
         SUM(l.price * COALESCE(l.received_quantity, l.quantity)) AS amount, SUM(CASE WHEN \
         l.tkdn_percent IS NOT NULL THEN l.price * COALESCE(l.received_quantity, l.quantity) ELSE \
         0 END) AS tkdn FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE {filter} GROUP BY o.id, {m}, l.category, o.member_id, o.days_to_pay) c WHERE \
         true GROUP BY c.month, c.category, c.member_id ON CONFLICT (month, category, member_id) \
         DO UPDATE SET orders = eorder_month_categories.orders + excluded.orders, spend = \
         eorder_month_categories.spend + excluded.spend, tkdn = eorder_month_categories.tkdn + \
         excluded.tkdn, days = eorder_month_categories.days + excluded.days"
    ));
    bind(categories).execute(&mut *tx).await?;
    Ok(())
}
