//! The taxes on an e-order payment, computed from the amount due, the supplier's tax status
//! and the rates in force on the payment day (dated settings in `data/settings.csv`). The
//! rules, with their sources, are written in `docs/eorder.md`:
//! - **VAT** (PPN) only when the supplier is VAT-registered (PKP); most members are not.
//!   Catalogue prices are what the buyer pays, so for a VAT-registered supplier the VAT is
//!   the part of the amount above its base: `amount × rate / (1 + rate)`. The government
//!   treasurer collects it (pemungut PPN) and deposits it.
//! - **Income tax withheld** by the treasurer, on the amount without VAT: the final 0.5%
//!   of a small business that holds the certificate for it (PP 23/2018, PP 55/2022),
//!   else PPh 22 at 1.5% on purchases of goods above Rp 2,000,000.
//! - Every tax is rounded down to the whole rupiah. The supplier receives the amount less
//!   the VAT collected and the income tax withheld.

use chrono::NaiveDate;
use serde::Serialize;

use crate::settings::setting_on;

/// The VAT rate in basis points (1,100 = 11%): the effective rate on the selling price.
pub const VAT_RATE_BP: &str = "vat_rate_bp";
/// PPh 22 withheld by government treasurers on purchases of goods, in basis points.
pub const PPH22_RATE_BP: &str = "pph22_government_bp";
/// PPh 22 is withheld only on a purchase above this amount (without VAT), in rupiah.
pub const PPH22_THRESHOLD: &str = "pph22_threshold_rupiah";
/// The final income tax of a small business with the certificate, in basis points.
pub const UMKM_FINAL_RATE_BP: &str = "pph_final_umkm_bp";

/// What the treasurer needs to know about the supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SupplierTax {
    /// Registered for VAT (Pengusaha Kena Pajak).
    pub vat_registered: bool,
    /// Holds the certificate for the small-business final income tax.
    pub umkm_final: bool,
}

/// How a payment's amount divides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaxBreakdown {
    /// What the buyer owes: the received units at their frozen prices.
    pub amount: i64,
    pub vat: i64,
    pub vat_rate_bp: i64,
    /// `pph22`, `pph_final_umkm` or `none`.
    pub income_tax_kind: &'static str,
    pub income_tax: i64,
    pub income_tax_rate_bp: i64,
    /// What reaches the supplier's account.
    pub net: i64,
}

/// `amount × bp / 10,000`, rounded down, without overflow.
fn share(amount: i64, bp: i64) -> i64 {
    ((amount as i128 * bp as i128) / 10_000) as i64
}

/// The taxes on paying `amount` to a supplier with status `s` on `on`. `None` when a rate
/// needed is not in force on that day (the data does not reach back so far).
pub fn breakdown(amount: i64, s: SupplierTax, on: NaiveDate) -> Option<TaxBreakdown> {
    let (vat, vat_rate_bp) = if s.vat_registered {
        let bp = setting_on(VAT_RATE_BP, on)?;
        (
            ((amount as i128 * bp as i128) / (10_000 + bp) as i128) as i64,
            bp,
        )
    } else {
        (0, 0)
    };
    let base = amount - vat;
    let (income_tax_kind, income_tax_rate_bp) = if s.umkm_final {
        ("pph_final_umkm", setting_on(UMKM_FINAL_RATE_BP, on)?)
    } else if base > setting_on(PPH22_THRESHOLD, on)? {
        ("pph22", setting_on(PPH22_RATE_BP, on)?)
    } else {
        ("none", 0)
    };
    let income_tax = share(base, income_tax_rate_bp);
    Some(TaxBreakdown {
        amount,
        vat,
        vat_rate_bp,
        income_tax_kind,
        income_tax,
        income_tax_rate_bp,
        net: amount - vat - income_tax,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_member_not_registered_for_vat_pays_pph22_above_two_million() {
        let on = day("2026-12-02");
        let b = breakdown(3_000_000, SupplierTax::default(), on).unwrap();
        assert_eq!(
            (b.vat, b.income_tax_kind, b.income_tax),
            (0, "pph22", 45_000)
        );
        assert_eq!(b.net, 2_955_000);
        let small = breakdown(2_000_000, SupplierTax::default(), on).unwrap();
        assert_eq!((small.income_tax_kind, small.net), ("none", 2_000_000));
    }

    #[test]
    fn the_small_business_final_tax_replaces_pph22() {
        let s = SupplierTax {
            vat_registered: false,
            umkm_final: true,
        };
        let b = breakdown(1_000_000, s, day("2026-12-02")).unwrap();
        assert_eq!(
            (b.income_tax_kind, b.income_tax, b.net),
            ("pph_final_umkm", 5_000, 995_000)
        );
        // Under PP 46/2013 the rate was 1%.
        let old = breakdown(1_000_000, s, day("2018-06-30")).unwrap();
        assert_eq!(old.income_tax, 10_000);
    }

    #[test]
    fn vat_is_inside_the_price_and_its_rate_is_dated() {
        let s = SupplierTax {
            vat_registered: true,
            umkm_final: false,
        };
        let b = breakdown(11_100_000, s, day("2026-12-02")).unwrap();
        assert_eq!((b.vat, b.vat_rate_bp), (1_100_000, 1_100));
        assert_eq!(b.income_tax, 150_000); // 1.5% of the 10,000,000 base
        assert_eq!(b.net, 9_850_000);
        let before = breakdown(11_000_000, s, day("2022-03-31")).unwrap();
        assert_eq!((before.vat, before.vat_rate_bp), (1_000_000, 1_000));
    }
}
