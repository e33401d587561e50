//! Realistic, reproducible fake members for demos, benchmarks and tests: spread over
//! Jakarta's real villages, with NIKs, birth dates and sexes that agree, Indonesian names,
//! phone numbers and businesses typical of the programme (food stalls, shops, crafts).

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::MemberDraft;
use crate::reference::{Region, reference};
use crate::region::RegionLevel;

const WOMEN: &[&str] = &[
    "Siti",
    "Nur",
    "Dewi",
    "Sri",
    "Rina",
    "Yuli",
    "Wati",
    "Lestari",
    "Fitri",
    "Ayu",
    "Indah",
    "Ratna",
    "Eka",
    "Dian",
    "Putri",
    "Aminah",
    "Sulastri",
    "Endang",
    "Mega",
    "Nining",
    "Rahmawati",
    "Kartini",
    "Lia",
    "Novi",
];
const MEN: &[&str] = &[
    "Budi", "Agus", "Ahmad", "Slamet", "Joko", "Dedi", "Rudi", "Hendra", "Bambang", "Eko", "Andi",
    "Yusuf", "Rizki", "Hasan", "Imam", "Wahyu", "Fajar", "Teguh", "Arif", "Dodi", "Irfan",
    "Sutrisno", "Bayu", "Dimas",
];
const FAMILY: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Saputra",
    "Hidayat",
    "Kurniawan",
    "Setiawan",
    "Siregar",
    "Nasution",
    "Lubis",
    "Simanjuntak",
    "Rahman",
    "Hakim",
    "Pratama",
    "Susanto",
    "Maulana",
    "Nugroho",
    "Sihombing",
    "Halim",
    "Permana",
    "Syahputra",
    "Firmansyah",
    "Rahayu",
    "Handayani",
    "Wulandari",
];
const STREETS: &[&str] = &[
    "Kebon Sirih",
    "Cikini Raya",
    "Salemba",
    "Pramuka",
    "Kramat Raya",
    "Matraman",
    "Cempaka Putih",
    "Rawamangun",
    "Kalimalang",
    "Pemuda",
    "Sunter",
    "Pluit",
    "Tanjung Duren",
    "Kemanggisan",
    "Fatmawati",
    "Ciledug Raya",
    "Pasar Minggu",
    "Kalibata",
    "Condet",
    "Otista",
    "Dewi Sartika",
    "Bekasi Raya",
];
/// Sector letter, weight, and typical business kinds.
const SECTORS: &[(&str, u32, &[&str])] = &[
    (
        "I",
        34,
        &[
            "Warung Makan",
            "Kedai Kopi",
            "Catering",
            "Bakso",
            "Nasi Uduk",
            "Kue Basah",
            "Soto",
            "Es Teh",
        ],
    ),
    (
        "G",
        28,
        &[
            "Toko Kelontong",
            "Grosir",
            "Kios Sembako",
            "Toko Busana",
            "Toko Online",
            "Pulsa dan Token",
        ],
    ),
    (
        "C",
        16,
        &[
            "Batik",
            "Konveksi",
            "Kerajinan Rotan",
            "Keripik",
            "Sambal",
            "Sabun Herbal",
            "Tas Anyaman",
        ],
    ),
    (
        "S",
        8,
        &[
            "Salon",
            "Laundry",
            "Jahit",
            "Pangkas Rambut",
            "Servis Elektronik",
        ],
    ),
    (
        "J",
        3,
        &["Studio Desain", "Percetakan Digital", "Jasa Konten"],
    ),
    ("N", 3, &["Jasa Kebersihan", "Rental Tenda", "Travel Umrah"]),
    ("A", 3, &["Hidroponik", "Ikan Hias", "Tanaman Hias"]),
    ("H", 2, &["Ojek Barang", "Kurir Lokal"]),
    ("P", 1, &["Kursus Menjahit", "Bimbel"]),
    ("R", 1, &["Sanggar Tari", "Sewa Kostum"]),
    ("Q", 1, &["Jasa Pijat", "Senam Sehat"]),
];
const MOBILE_PREFIXES: &[&str] = &[
    "0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0896", "0895",
];

/// A seeded source of demo member drafts.
pub struct DemoGenerator {
    rng: StdRng,
    villages: Vec<(&'static Region, u32)>,
    village_weight: u32,
    first_day: NaiveDate,
    today: NaiveDate,
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

impl DemoGenerator {
    /// `today` bounds registration dates; OK OCE began in December 2017.
    pub fn new(seed: u64, today: NaiveDate) -> Self {
        // Kepulauan Seribu is small islands with few residents; weigh its villages down.
        let villages: Vec<_> = reference()
            .regions_at(RegionLevel::Village)
            .map(|v| (v, if v.code.starts_with("31.01.") { 1 } else { 10 }))
            .collect();
        let village_weight = villages.iter().map(|(_, w)| w).sum();
        let first_day = NaiveDate::from_ymd_opt(2017, 12, 1)
            .unwrap_or(today)
            .min(today);
        Self {
            rng: StdRng::seed_from_u64(seed),
            villages,
            village_weight,
            first_day,
            today,
        }
    }

    fn village(&mut self) -> &'static Region {
        let mut roll = self.rng.random_range(0..self.village_weight);
        for (v, w) in &self.villages {
            if roll < *w {
                return v;
            }
            roll -= w;
        }
        self.villages[0].0
    }

    /// Registration dates lean to the programme's busy years (2018–2021).
    fn registered_on(&mut self) -> NaiveDate {
        let span = (self.today - self.first_day).num_days().max(0);
        let busy_end = NaiveDate::from_ymd_opt(2021, 12, 31)
            .unwrap_or(self.today)
            .min(self.today);
        let busy = (busy_end - self.first_day).num_days().max(0);
        let days = if self.rng.random_bool(0.75) && busy > 0 {
            self.rng.random_range(0..=busy)
        } else {
            self.rng.random_range(0..=span)
        };
        self.first_day + Duration::days(days)
    }

    pub fn draft(&mut self) -> MemberDraft {
        let village = self.village();
        let registered_on = self.registered_on();
        let female = self.rng.random_bool(0.62);
        let age = self.rng.random_range(18..=64);
        let birth = (registered_on - Duration::days(age * 365 + self.rng.random_range(0..365)))
            .with_day0(0)
            .map_or(registered_on, |d| {
                d + Duration::days(self.rng.random_range(0..28))
            });
        let district_digits: String = village.code[..8].replace('.', "");
        let day = birth.day() + if female { 40 } else { 0 };
        let nik = format!(
            "{district_digits}{day:02}{:02}{:02}{:04}",
            birth.month(),
            birth.year().rem_euclid(100),
            self.rng.random_range(1..=9999)
        );
        let given = *pick(&mut self.rng, if female { WOMEN } else { MEN });
        let family = *pick(&mut self.rng, FAMILY);
        let total: u32 = SECTORS.iter().map(|s| s.1).sum();
        let mut roll = self.rng.random_range(0..total);
        let (sector, kinds) = SECTORS
            .iter()
            .find(|s| {
                if roll < s.1 {
                    true
                } else {
                    roll -= s.1;
                    false
                }
            })
            .map_or(("I", SECTORS[0].2), |s| (s.0, s.2));
        let kind = *pick(&mut self.rng, kinds);
        let business_name = if self.rng.random_bool(0.5) {
            format!("{kind} {given}")
        } else {
            format!("{kind} Bu/Pak {family}")
        };
        let business_name = if female {
            business_name.replace("Bu/Pak", "Bu")
        } else {
            business_name.replace("Bu/Pak", "Pak")
        };
        let phone = format!(
            "{}{:08}",
            pick(&mut self.rng, MOBILE_PREFIXES),
            self.rng.random_range(0..100_000_000)
        );
        let email = self.rng.random_bool(0.4).then(|| {
            let host = *pick(
                &mut self.rng,
                &["gmail.com", "yahoo.co.id", "gmail.com", "outlook.com"],
            );
            format!(
                "{}.{}{}@{host}",
                given.to_lowercase(),
                family.to_lowercase(),
                self.rng.random_range(1..999)
            )
        });
        let online_share = if registered_on.year() >= 2020 {
            0.45
        } else {
            0.1
        };
        MemberDraft {
            nik: Some(nik),
            full_name: Some(format!("{given} {family}")),
            birth_date: Some(birth.to_string()),
            sex: Some(if female { "F" } else { "M" }.into()),
            phone: Some(phone),
            email,
            address: Some(format!(
                "Jl. {} No. {}, RT {:03}/RW {:03}, {}",
                pick(&mut self.rng, STREETS),
                self.rng.random_range(1..200),
                self.rng.random_range(1..15),
                self.rng.random_range(1..12),
                village.name
            )),
            village_code: Some(village.code.clone()),
            business_name: Some(business_name),
            sector: Some(sector.into()),
            channel: Some(
                if self.rng.random_bool(online_share) {
                    "online"
                } else {
                    "centre"
                }
                .into(),
            ),
            registered_on: Some(registered_on.to_string()),
            consent: Some(true),
        }
    }
}

/// A service the demo gives a member: its kind, date and agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoService {
    pub kind: &'static str,
    pub on: NaiveDate,
    pub agency: &'static str,
}

/// The share of registrants that reached each facility in the October 2021 release
/// (264,213 fostered; 165,329 trained; 125,864 mentored; 140,442 permits; 42,939 market
/// access; 32,059 financial-report training; 5,621 capital), and the services that
/// reach it. Members choose facilities freely, so each is drawn on its own.
const FACILITY_SHARES: [(&str, f64, &[&str]); 6] = [
    ("P2", 165_329.0 / 264_213.0, &["training_completed"]),
    ("P3", 125_864.0 / 264_213.0, &["mentoring_session"]),
    ("P4", 140_442.0 / 264_213.0, &["permit_issued"]),
    (
        "P5",
        42_939.0 / 264_213.0,
        &["bazaar", "exhibition", "outlet", "bazaar"],
    ),
    ("P6", 32_059.0 / 264_213.0, &["finance_training_completed"]),
    ("P7", 5_621.0 / 264_213.0, &["financing_disbursed"]),
];

const DEMO_AGENCIES: [(&str, u32); 6] = [
    ("PPKUKM", 70),
    ("PPAPP", 8),
    ("KPKP", 8),
    ("PAREKRAF", 6),
    ("SOSIAL", 4),
    ("NAKERTRANSGI", 4),
];

impl DemoGenerator {
    fn agency(&mut self) -> &'static str {
        let mut roll = self.rng.random_range(0..100);
        for (a, w) in DEMO_AGENCIES {
            if roll < w {
                return a;
            }
            roll -= w;
        }
        "PPKUKM"
    }

    /// The services of a member registered on `registered_on`, each facility drawn with
    /// its published share; a second service of a facility now and then. Before 2020 (OK
    /// OCE) facilities came in order, so a member who skipped one waits for Jakpreneur's
    /// free order (1 January 2020) before the next; dates never pass `today`.
    pub fn services(&mut self, registered_on: NaiveDate) -> Vec<DemoService> {
        let free_from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(registered_on);
        let mut out = Vec::new();
        let mut cursor = registered_on;
        let mut skipped = false;
        for (_, share, kinds) in FACILITY_SHARES {
            if !self.rng.random_bool(share) {
                skipped = true;
                continue;
            }
            let mut on = cursor + Duration::days(self.rng.random_range(7..240));
            if skipped && on < free_from {
                on = free_from + Duration::days(self.rng.random_range(0..180));
            }
            if on > self.today {
                continue;
            }
            if on < free_from {
                cursor = on;
            }
            let kind = *pick(&mut self.rng, kinds);
            let agency = self.agency();
            out.push(DemoService { kind, on, agency });
            if self.rng.random_bool(0.25) {
                let again = on + Duration::days(self.rng.random_range(14..365));
                if again <= self.today {
                    out.push(DemoService {
                        kind,
                        on: again,
                        agency,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewMember;

    #[test]
    fn every_demo_draft_is_valid_and_reproducible() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut g = DemoGenerator::new(7, today);
        let drafts: Vec<_> = (0..3000).map(|_| g.draft()).collect();
        for d in &drafts {
            NewMember::parse(d, today).unwrap_or_else(|e| panic!("{d:?}: {e}"));
        }
        assert_eq!(DemoGenerator::new(7, today).draft(), drafts[0]);
        let villages: std::collections::HashSet<_> =
            drafts.iter().map(|d| d.village_code.clone()).collect();
        assert!(
            villages.len() > 200,
            "spread over villages: {}",
            villages.len()
        );
    }
}
