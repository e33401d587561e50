//! Demo products: what Jakarta's members really sell, by the member's business sector
//! (about 80% food: Betawi snacks, meeting boxes, drinks), with units and prices of the
//! kind government units buy through e-order.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::catalogue::ProductDraft;

/// One kind of product: category, name, unit, price range in rupiah, usual lead days.
struct Kind {
    category: &'static str,
    name: &'static str,
    unit: &'static str,
    price: (i64, i64),
    lead_days: i64,
}

const fn k(
    category: &'static str,
    name: &'static str,
    unit: &'static str,
    price: (i64, i64),
    lead_days: i64,
) -> Kind {
    Kind {
        category,
        name,
        unit,
        price,
        lead_days,
    }
}

const FOOD: &[Kind] = &[
    k(
        "snacks",
        "Keripik Tempe",
        "bungkus 200 g",
        (12_000, 20_000),
        2,
    ),
    k(
        "snacks",
        "Keripik Singkong",
        "bungkus 250 g",
        (10_000, 18_000),
        2,
    ),
    k(
        "snacks",
        "Kembang Goyang",
        "toples 300 g",
        (25_000, 40_000),
        3,
    ),
    k("snacks", "Dodol Betawi", "kotak 500 g", (35_000, 60_000), 5),
    k("snacks", "Kue Nastar", "toples 500 g", (70_000, 120_000), 4),
    k("snacks", "Rengginang", "bungkus 250 g", (15_000, 25_000), 3),
    k(
        "snacks",
        "Kacang Bawang",
        "toples 250 g",
        (20_000, 30_000),
        2,
    ),
    k(
        "snacks",
        "Kue Kering Putri Salju",
        "toples 400 g",
        (55_000, 90_000),
        4,
    ),
    k("catering", "Snack Box Rapat", "kotak", (12_000, 25_000), 1),
    k(
        "catering",
        "Nasi Kotak Ayam Bakar",
        "kotak",
        (30_000, 45_000),
        1,
    ),
    k("catering", "Nasi Uduk Betawi", "kotak", (20_000, 32_000), 1),
    k("catering", "Tumpeng Mini", "porsi", (35_000, 55_000), 2),
    k("catering", "Prasmanan Rapat", "orang", (45_000, 75_000), 3),
    k(
        "food_drink",
        "Bir Pletok",
        "botol 330 ml",
        (12_000, 20_000),
        2,
    ),
    k(
        "food_drink",
        "Es Kopi Susu Gula Aren",
        "botol 250 ml",
        (18_000, 28_000),
        1,
    ),
    k(
        "food_drink",
        "Teh Serai Jahe",
        "botol 330 ml",
        (10_000, 16_000),
        2,
    ),
    k(
        "food_drink",
        "Sambal Bawang",
        "botol 150 ml",
        (20_000, 35_000),
        3,
    ),
    k(
        "food_drink",
        "Kerak Telor Beku",
        "kotak isi 4",
        (45_000, 70_000),
        3,
    ),
];

const CRAFT: &[Kind] = &[
    k("crafts", "Ondel-ondel Mini", "buah", (45_000, 120_000), 7),
    k("crafts", "Tas Anyaman Purun", "buah", (65_000, 150_000), 7),
    k("crafts", "Miniatur Monas", "buah", (35_000, 90_000), 5),
    k(
        "fashion_batik",
        "Kemeja Batik Betawi",
        "potong",
        (150_000, 350_000),
        10,
    ),
    k(
        "fashion_batik",
        "Kain Batik Tulis Motif Ondel-ondel",
        "lembar",
        (250_000, 750_000),
        14,
    ),
    k(
        "fashion_batik",
        "Kerudung Motif Tumpal",
        "potong",
        (60_000, 110_000),
        5,
    ),
    k(
        "beauty",
        "Sabun Sereh Alami",
        "batang 100 g",
        (15_000, 30_000),
        3,
    ),
    k(
        "beauty",
        "Lulur Rempah",
        "toples 200 g",
        (35_000, 60_000),
        3,
    ),
];

const SHOP: &[Kind] = &[
    k("household", "Keset Kain Perca", "buah", (20_000, 40_000), 3),
    k(
        "household",
        "Tempat Tisu Rotan",
        "buah",
        (40_000, 80_000),
        5,
    ),
];

const SERVICE: &[Kind] = &[
    k("laundry", "Cuci Setrika Kiloan", "kg", (7_000, 12_000), 2),
    k("laundry", "Cuci Karpet", "m²", (15_000, 25_000), 3),
    k("printing", "Cetak Spanduk", "m²", (25_000, 45_000), 2),
    k(
        "printing",
        "Cetak Kartu Nama",
        "kotak isi 100",
        (30_000, 60_000),
        2,
    ),
];

const FARM: &[Kind] = &[
    k(
        "agriculture",
        "Sayur Hidroponik Selada",
        "ikat 250 g",
        (10_000, 18_000),
        1,
    ),
    k(
        "agriculture",
        "Bibit Cabai Rawit",
        "polybag",
        (5_000, 10_000),
        2,
    ),
];

const TASTES: &[&str] = &["Original", "Pedas", "Balado", "Keju", "Manis", "Daun Jeruk"];

/// A seeded source of demo products.
pub struct DemoProducts {
    rng: StdRng,
}

impl DemoProducts {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Whether a roll of `p` (0–1) comes up.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A whole number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi.max(lo))
    }

    /// A product a member of KBLI section `sector` would make: food for eating places,
    /// crafts, batik and beauty for manufacturing, goods for trade, services for service
    /// businesses; four in five are food whatever the sector.
    pub fn product(&mut self, sector: &str) -> ProductDraft {
        let own: &[Kind] = match sector {
            "C" => CRAFT,
            "G" => SHOP,
            "S" | "J" | "N" => SERVICE,
            "A" => FARM,
            _ => FOOD,
        };
        let list = if own.as_ptr() == FOOD.as_ptr() || self.rng.random_bool(0.8) {
            FOOD
        } else {
            own
        };
        let kind = &list[self.rng.random_range(0..list.len())];
        let name = if matches!(kind.category, "snacks" | "food_drink") && self.rng.random_bool(0.5)
        {
            let taste = TASTES[self.rng.random_range(0..TASTES.len())];
            format!("{} {taste}", kind.name)
        } else {
            kind.name.to_owned()
        };
        // Prices end in 500 or 000, as stalls price them.
        let price = self.rng.random_range(kind.price.0..=kind.price.1) / 500 * 500;
        let food = matches!(kind.category, "snacks" | "catering" | "food_drink");
        let stock = (!food || kind.category == "snacks")
            .then(|| self.rng.random_range(0..=200))
            .filter(|_| self.rng.random_bool(0.6));
        ProductDraft {
            name: Some(name),
            category: Some(kind.category.to_owned()),
            description: Some(describe(kind)),
            unit: Some(kind.unit.to_owned()),
            price: Some(price.to_string()),
            min_order: Some(
                if kind.category == "catering" {
                    "20"
                } else {
                    "1"
                }
                .into(),
            ),
            stock: stock.map(|s| s.to_string()),
            lead_days: Some(kind.lead_days.to_string()),
            // Few small producers hold a TKDN certificate.
            tkdn_percent: self
                .rng
                .random_bool(0.4)
                .then(|| self.rng.random_range(40..=100).to_string()),
            halal_permit_id: None,
        }
    }
}

fn describe(k: &Kind) -> String {
    match k.category {
        "catering" => format!(
            "{} dimasak pada hari pengiriman dengan bahan segar dari pasar setempat; cocok untuk rapat dan acara kantor.",
            k.name
        ),
        "snacks" | "food_drink" => format!(
            "{} buatan rumahan tanpa pengawet, dikemas rapi dan tahan beberapa minggu.",
            k.name
        ),
        "laundry" | "printing" => format!("{}: dijemput dan diantar di sekitar kecamatan.", k.name),
        _ => format!("{} buatan tangan perajin Jakarta.", k.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::NewProduct;

    #[test]
    fn products_are_valid_and_mostly_food() {
        let mut g = DemoProducts::new(7);
        let mut food = 0;
        for i in 0..500 {
            let sector = ["I", "G", "C", "S", "A"][i % 5];
            let p = NewProduct::parse(&g.product(sector)).expect("a valid demo product");
            if p.category.is_food() {
                food += 1;
            }
        }
        assert!((350..=480).contains(&food), "{food} of 500 are food");
    }
}
