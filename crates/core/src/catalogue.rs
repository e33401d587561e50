//! A member's products: the fixed list of categories, the fields a product must have,
//! and which changes undo a curation (name, category, unit, photos) and which do not
//! (price, stock, lead time). The store keeps the rows; this module only decides.

use serde::{Deserialize, Serialize};

use crate::text::{given, parse_int, parse_text};
use crate::{FieldError, ValidationErrors};

crate::member::string_enum!(
    /// What a member makes or offers. About 80% of members make food, so food comes in
    /// three kinds; services are split by what government units most often buy.
    Category, "category", "category_invalid" {
        FoodDrink => "food_drink",
        Snacks => "snacks",
        Catering => "catering",
        Crafts => "crafts",
        FashionBatik => "fashion_batik",
        Beauty => "beauty",
        Household => "household",
        Agriculture => "agriculture",
        Printing => "printing",
        Laundry => "laundry",
        OtherServices => "other_services",
    }
);

impl Category {
    /// Food the curators taste: the criteria `taste` and `halal` apply in full.
    pub fn is_food(self) -> bool {
        matches!(
            self,
            Category::FoodDrink | Category::Snacks | Category::Catering
        )
    }
}

/// The most photos a product may have.
pub const MAX_PHOTOS: usize = 6;
/// The highest price accepted for one unit, in rupiah (above e-order's per-transaction limit
/// on purpose: a unit may be sold in smaller quantities elsewhere).
pub const MAX_PRICE: i64 = 1_000_000_000;

/// A product as typed into a form or sent as JSON: every field optional and raw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDraft {
    pub name: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub unit: Option<String>,
    pub price: Option<String>,
    pub min_order: Option<String>,
    /// Blank or absent: made to order.
    pub stock: Option<String>,
    pub lead_days: Option<String>,
    pub tkdn_percent: Option<String>,
    pub halal_permit_id: Option<String>,
}

/// A checked product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewProduct {
    pub name: String,
    pub category: Category,
    pub description: String,
    pub unit: String,
    pub price: i64,
    pub min_order: i64,
    /// `None`: made to order.
    pub stock: Option<i64>,
    pub lead_days: i64,
    pub tkdn_percent: Option<i64>,
    /// The member's halal or PIRT permit (a P4 record) the product relies on; the store
    /// checks that it is the same member's, issued, and of one of those two types.
    pub halal_permit_id: Option<i64>,
}

/// A rupiah amount: digits, optionally grouped with dots as Indonesians write them
/// (`15.000`), or with commas; never decimals.
pub fn parse_rupiah(field: &'static str, raw: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    let s = raw.trim().trim_start_matches("Rp").trim();
    let grouped = s.contains(['.', ',']);
    let digits: String = s.chars().filter(|c| *c != '.' && *c != ',').collect();
    if grouped {
        // Groups of three after the first: 1.500.000, not 1.5 or 15.00.
        let sep = if s.contains('.') { '.' } else { ',' };
        let parts: Vec<&str> = s.split(sep).collect();
        let ok = !parts[0].is_empty()
            && parts[0].len() <= 3
            && parts[1..].iter().all(|p| p.len() == 3)
            && !(s.contains('.') && s.contains(','));
        if !ok {
            return Err(FieldError::new(
                field,
                "not_a_number",
                format!("{field} must be whole rupiah, written 15000 or 15.000"),
            ));
        }
    }
    parse_int(field, &digits, min, max).map_err(|e| {
        if e.code == "not_a_number" {
            FieldError::new(
                field,
                "not_a_number",
                format!("{field} must be whole rupiah, written 15000 or 15.000"),
            )
        } else {
            e
        }
    })
}

impl NewProduct {
    pub fn parse(d: &ProductDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let g = |v: &Option<String>| given(v.as_deref()).map(str::to_owned);
        let name = errs.take(parse_text("name", &g(&d.name).unwrap_or_default(), 3, 120));
        let category = errs.take(Category::parse(d.category.as_deref().unwrap_or("")));
        let description = match g(&d.description) {
            None => Some(String::new()),
            Some(t) => errs.take(parse_text("description", &t, 3, 2000)),
        };
        let unit = errs.take(parse_text("unit", &g(&d.unit).unwrap_or_default(), 1, 30));
        let price = errs.take(parse_rupiah(
            "price",
            &g(&d.price).unwrap_or_default(),
            1,
            MAX_PRICE,
        ));
        let min_order = match g(&d.min_order) {
            None => Some(1),
            Some(v) => errs.take(parse_int("min_order", &v, 1, 100_000)),
        };
        let stock = match g(&d.stock) {
            None => Some(None),
            Some(v) => errs.take(parse_int("stock", &v, 0, 10_000_000).map(Some)),
        };
        let lead_days = match g(&d.lead_days) {
            None => Some(1),
            Some(v) => errs.take(parse_int("lead_days", &v, 0, 90)),
        };
        let tkdn_percent = match g(&d.tkdn_percent) {
            None => Some(None),
            Some(v) => errs.take(parse_int("tkdn_percent", &v, 0, 100).map(Some)),
        };
        let halal_permit_id = match g(&d.halal_permit_id) {
            None => Some(None),
            Some(v) => errs.take(parse_int("halal_permit_id", &v, 1, i64::MAX).map(Some)),
        };
        match (
            name,
            category,
            description,
            unit,
            price,
            min_order,
            stock,
            lead_days,
            tkdn_percent,
            halal_permit_id,
        ) {
            (
                Some(name),
                Some(category),
                Some(description),
                Some(unit),
                Some(price),
                Some(min_order),
                Some(stock),
                Some(lead_days),
                Some(tkdn_percent),
                Some(halal_permit_id),
            ) if errs.is_empty() => Ok(Self {
                name,
                category,
                description,
                unit,
                price,
                min_order,
                stock,
                lead_days,
                tkdn_percent,
                halal_permit_id,
            }),
            _ => Err(errs),
        }
    }

    /// The draft this product came from (to fill a form, or to apply a partial change).
    pub fn to_draft(&self) -> ProductDraft {
        ProductDraft {
            name: Some(self.name.clone()),
            category: Some(self.category.as_str().to_owned()),
            description: Some(self.description.clone()),
            unit: Some(self.unit.clone()),
            price: Some(self.price.to_string()),
            min_order: Some(self.min_order.to_string()),
            stock: self.stock.map(|s| s.to_string()),
            lead_days: Some(self.lead_days.to_string()),
            tkdn_percent: self.tkdn_percent.map(|s| s.to_string()),
            halal_permit_id: self.halal_permit_id.map(|s| s.to_string()),
        }
    }

    /// Whether changing `self` into `next` changes what curation judged (name, category,
    /// unit): such a change suspends the listing until the product is curated again.
    /// Price, stock, lead time, minimum order and description do not.
    pub fn judged_change(&self, next: &NewProduct) -> bool {
        self.name != next.name || self.category != next.category || self.unit != next.unit
    }
}

impl ProductDraft {
    /// `self` with every field given in `change` replaced; a field sent as an empty string
    /// clears an optional value (stock: made to order).
    pub fn merged(&self, change: &ProductDraft) -> ProductDraft {
        let pick = |new: &Option<String>, old: &Option<String>| match new {
            Some(v) => Some(v.clone()),
            None => old.clone(),
        };
        ProductDraft {
            name: pick(&change.name, &self.name),
            category: pick(&change.category, &self.category),
            description: pick(&change.description, &self.description),
            unit: pick(&change.unit, &self.unit),
            price: pick(&change.price, &self.price),
            min_order: pick(&change.min_order, &self.min_order),
            stock: pick(&change.stock, &self.stock),
            lead_days: pick(&change.lead_days, &self.lead_days),
            tkdn_percent: pick(&change.tkdn_percent, &self.tkdn_percent),
            halal_permit_id: pick(&change.halal_permit_id, &self.halal_permit_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ProductDraft {
        ProductDraft {
            name: Some("Keripik Tempe Pedas".into()),
            category: Some("snacks".into()),
            unit: Some("bungkus 200 g".into()),
            price: Some("15.000".into()),
            ..Default::default()
        }
    }

    #[test]
    fn parses_with_defaults() {
        let p = NewProduct::parse(&draft()).unwrap();
        assert_eq!(p.price, 15_000);
        assert_eq!(p.min_order, 1);
        assert_eq!(p.stock, None);
        assert_eq!(p.lead_days, 1);
        assert_eq!(p.category, Category::Snacks);
    }

    #[test]
    fn reports_every_bad_field() {
        let d = ProductDraft {
            name: Some("x".into()),
            category: Some("weapons".into()),
            price: Some("15,5".into()),
            min_order: Some("0".into()),
            stock: Some("-1".into()),
            lead_days: Some("400".into()),
            tkdn_percent: Some("101".into()),
            ..Default::default()
        };
        let errs = NewProduct::parse(&d).unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "category",
                "unit",
                "price",
                "min_order",
                "stock",
                "lead_days",
                "tkdn_percent"
            ]
        );
    }

    #[test]
    fn rupiah_as_written() {
        assert_eq!(parse_rupiah("p", "1.500.000", 1, MAX_PRICE), Ok(1_500_000));
        assert_eq!(parse_rupiah("p", "Rp 25000", 1, MAX_PRICE), Ok(25_000));
        assert_eq!(parse_rupiah("p", "1,500", 1, MAX_PRICE), Ok(1_500));
        for bad in ["1.5", "15.00", "1.500,00", "abc", ".500", "0"] {
            assert!(parse_rupiah("p", bad, 1, MAX_PRICE).is_err(), "{bad}");
        }
    }

    #[test]
    fn judged_change_is_name_category_unit() {
        let a = NewProduct::parse(&draft()).unwrap();
        let mut b = a.clone();
        b.price = 99_000;
        b.stock = Some(3);
        b.description = "Lebih renyah".into();
        assert!(!a.judged_change(&b));
        b.unit = "bungkus 250 g".into();
        assert!(a.judged_change(&b));
    }

    #[test]
    fn merge_keeps_what_is_not_given() {
        let base = NewProduct::parse(&draft()).unwrap().to_draft();
        let change = ProductDraft {
            price: Some("20000".into()),
            stock: Some(String::new()),
            ..Default::default()
        };
        let p = NewProduct::parse(&base.merged(&change)).unwrap();
        assert_eq!(p.price, 20_000);
        assert_eq!(p.name, "Keripik Tempe Pedas");
        assert_eq!(p.stock, None);
    }
}
