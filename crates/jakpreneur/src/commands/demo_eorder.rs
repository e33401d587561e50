//! The demo's e-order market, told through the same store calls as the pages: the
//! province's buying units in their hierarchy (departments, the city and district offices,
//! a hospital, a school, two provincial companies), a team of four buyer accounts in six of
//! them, packages for last year and this year, accounts for the listed members that sell,
//! and a year of orders in every state — paid by transfer (with a proof and a withholding
//! slip) or by autodebit, received but not yet paid, partly received, declined, cancelled,
//! rated and complained about.

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use chrono::{Datelike, Duration, NaiveDate};
use jakpreneur_core::catalogue::ProductDraft;
use jakpreneur_core::demo_catalogue::DemoProducts;
use jakpreneur_core::eorder::{
    ComplaintOutcome, LineDraft, NewOrder, NewPackage, NewUnit, OrderAction, OrderDraft,
    PackageDraft, PaymentMethod, Rating, Receipt, ReceiptDraft, ReceivedLineDraft, UnitDraft,
};
use jakpreneur_core::{Actor, Role};
use jakpreneur_store::{
    AccountPolicy, CatalogueItem, CatalogueQuery, NewReport, NewUser, PaymentUpload, Store,
    StoreError, media,
};

/// A buying unit: code, name, kind, parent, region, address, and the name its team's
/// accounts carry (`pa.<team>`, `ppk.<team>`, `pengadaan.<team>`, `bendahara.<team>`), if
/// it has a team in the demo.
struct UnitSpec {
    code: &'static str,
    name: &'static str,
    kind: &'static str,
    parent: Option<&'static str>,
    region: &'static str,
    address: &'static str,
    team: Option<&'static str>,
}

const UNITS: [UnitSpec; 11] = [
    UnitSpec {
        code: "SETDA",
        name: "Sekretariat Daerah Provinsi DKI Jakarta",
        kind: "opd",
        parent: None,
        region: "31",
        address: "Balai Kota, Jl. Medan Merdeka Selatan No. 8-9, Gambir",
        team: Some("setda"),
    },
    UnitSpec {
        code: "DPPKUKM",
        name: "Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah",
        kind: "opd",
        parent: None,
        region: "31",
        address: "Jakarta Timur (alamat demo)",
        team: Some("dppkukm"),
    },
    UnitSpec {
        code: "DINKES",
        name: "Dinas Kesehatan Provinsi DKI Jakarta",
        kind: "opd",
        parent: None,
        region: "31",
        address: "Jakarta Pusat (alamat demo)",
        team: None,
    },
    UnitSpec {
        code: "RSUD-TARAKAN",
        name: "RSUD Tarakan",
        kind: "opd",
        parent: Some("DINKES"),
        region: "31.71",
        address: "Gambir, Jakarta Pusat (alamat demo)",
        team: Some("tarakan"),
    },
    UnitSpec {
        code: "DISDIK",
        name: "Dinas Pendidikan Provinsi DKI Jakarta",
        kind: "opd",
        parent: None,
        region: "31",
        address: "Jakarta Pusat (alamat demo)",
        team: None,
    },
    UnitSpec {
        code: "SMAN-1-JKT",
        name: "SMA Negeri 1 Jakarta",
        kind: "opd",
        parent: Some("DISDIK"),
        region: "31.71",
        address: "Sawah Besar, Jakarta Pusat (alamat demo)",
        team: None,
    },
    UnitSpec {
        code: "KOTA-JAKPUS",
        name: "Pemerintah Kota Administrasi Jakarta Pusat",
        kind: "opd",
        parent: None,
        region: "31.71",
        address: "Kantor Wali Kota Jakarta Pusat, Jl. Tanah Abang I",
        team: Some("jakpus"),
    },
    UnitSpec {
        code: "KEC-GAMBIR",
        name: "Kecamatan Gambir",
        kind: "opd",
        parent: Some("KOTA-JAKPUS"),
        region: "31.71.01",
        address: "Kantor Kecamatan Gambir, Jakarta Pusat (alamat demo)",
        team: Some("gambir"),
    },
    UnitSpec {
        code: "KEC-MENTENG",
        name: "Kecamatan Menteng",
        kind: "opd",
        parent: Some("KOTA-JAKPUS"),
        region: "31.71",
        address: "Kantor Kecamatan Menteng, Jakarta Pusat (alamat demo)",
        team: None,
    },
    UnitSpec {
        code: "PAMJAYA",
        name: "Perumda Air Minum Jaya",
        kind: "bumd",
        parent: None,
        region: "31",
        address: "Jakarta Pusat (alamat demo)",
        team: Some("pamjaya"),
    },
    UnitSpec {
        code: "TRANSJAKARTA",
        name: "PT Transportasi Jakarta",
        kind: "bumd",
        parent: None,
        region: "31",
        address: "Jakarta Timur (alamat demo)",
        team: None,
    },
];

/// The four roles of a team, with the prefix of their demo usernames.
const SEATS: [(&str, &str); 4] = [
    ("pa", "pa_kpa"),
    ("ppk", "ppk"),
    ("pengadaan", "procurement_officer"),
    ("bendahara", "treasurer"),
];

/// How many of the listed members get a seller's account (`penjual`, `penjual2`, …) and
/// receive orders.
const SELLERS: usize = 12;

/// A unit's team, as actors.
struct Team {
    unit: &'static str,
    pa: Actor,
    ppk: Actor,
    officer: Actor,
    treasurer: Actor,
    /// The package for food and for everything else, per fiscal year.
    packages: HashMap<(i32, bool), i64>,
    /// BAST numbers given so far.
    basts: u32,
}

/// Fills e-order for the demo: called once, after the demo catalogue.
pub async fn run(
    store: &Store,
    policy: &AccountPolicy,
    password: &str,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let admin = super::cli_actor();
    for (i, u) in UNITS.iter().enumerate() {
        let unit = NewUnit::parse(&UnitDraft {
            code: Some(u.code.into()),
            name: Some(u.name.into()),
            kind: Some(u.kind.into()),
            parent: u.parent.map(str::to_owned),
            region: Some(u.region.into()),
            address: Some(u.address.into()),
            bank: Some("Bank DKI".into()),
            account_no: Some(format!("10100{:05}", i + 1)),
        })
        .map_err(|e| anyhow!("demo unit {}: {e}", u.code))?;
        store
            .create_unit(&admin, &unit)
            .await
            .with_context(|| format!("creating the demo unit {}", u.code))?;
    }
    let mut teams = Vec::new();
    for u in UNITS.iter().filter(|u| u.team.is_some()) {
        teams.push(team(store, policy, password, u, today).await?);
    }
    let sellers = sellers(store, policy, password, today).await?;
    if sellers.is_empty() {
        eprintln!("No member is listed in the catalogue: the demo has no e-orders.");
        return Ok(());
    }
    let city = staff(store, "jakpus").await?;
    let mut g = DemoProducts::new(2023);
    let mut market = Market {
        store,
        today,
        sellers,
        city,
        placed: 0,
        refused: 0,
    };
    let bar = indicatif::ProgressBar::new(365);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} days of e-orders")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    for back in (0..365).rev() {
        let on = today - Duration::days(back);
        // Working days: more orders than at weekends, fewer in the first weeks of the year
        // while budgets are not yet released.
        let weekend = on.weekday().number_from_monday() >= 6;
        let early_year = on.ordinal() < 30;
        let n = match (weekend, early_year) {
            // This morning's orders wait for their suppliers.
            _ if back == 0 => 3,
            (true, _) => 0,
            (false, true) => g.between(0, 1),
            (false, false) => g.between(0, 3),
        };
        for _ in 0..n {
            let t = g.between(0, teams.len() as i64 - 1) as usize;
            market.order(&mut g, &mut teams[t], on).await?;
        }
        bar.inc(1);
    }
    bar.finish();
    // The notifications of the past year went out when they were due; only what happens
    // from now on goes through the server's outbox worker.
    store
        .deliver_notifications(i64::MAX, |_| Ok(()))
        .await
        .context("closing the demo's past notifications")?;
    eprintln!(
        "Added e-order: {} buying units, {} orders ({} refused by the catalogue's checks).",
        UNITS.len(),
        market.placed,
        market.refused
    );
    Ok(())
}

/// A demo account by username, as an actor.
async fn staff(store: &Store, username: &str) -> anyhow::Result<Actor> {
    let u = store
        .list_users(&super::cli_actor())
        .await?
        .into_iter()
        .find(|u| u.username == username)
        .ok_or_else(|| anyhow!("the demo account {username} is missing"))?;
    let role = Role::parse("role", &u.role).map_err(|e| anyhow!("{e}"))?;
    Ok(Actor::for_account(
        u.id,
        &u.username,
        role,
        u.region_code.as_deref(),
        u.member_no.as_deref(),
        None,
    ))
}

async fn account(
    store: &Store,
    policy: &AccountPolicy,
    user: NewUser,
) -> anyhow::Result<jakpreneur_store::User> {
    let name = user.username.clone();
    store
        .create_user(&super::cli_actor(), &user, policy)
        .await
        .with_context(|| format!("creating the demo account {name}"))
}

/// A unit's four accounts, its packages for last year and this year (food for meetings,
/// and souvenirs and supplies), each assigned by the PA/KPA to the PPK and by the PPK to
/// the procurement officer.
async fn team(
    store: &Store,
    policy: &AccountPolicy,
    password: &str,
    u: &UnitSpec,
    today: NaiveDate,
) -> anyhow::Result<Team> {
    let name = u.team.unwrap_or(u.code);
    let mut actors = Vec::new();
    for (prefix, role) in SEATS {
        let made = account(
            store,
            policy,
            NewUser {
                username: format!("{prefix}.{name}"),
                role: "buyer".into(),
                region: None,
                member_no: None,
                nik: None,
                agency: None,
                partner: None,
                unit: Some(u.code.into()),
                buyer_role: Some(role.into()),
                password: password.into(),
            },
        )
        .await?;
        actors.push(Actor::for_account(
            made.id,
            &made.username,
            Role::Buyer,
            None,
            None,
            None,
        ));
    }
    let [pa, ppk, officer, treasurer] =
        <[Actor; 4]>::try_from(actors).map_err(|_| anyhow!("a demo team has four accounts"))?;
    let mut packages = HashMap::new();
    let big = u.region == "31";
    for year in [today.year() - 1, today.year()] {
        for food in [true, false] {
            let (what, ceiling) = if food {
                ("Makanan dan minuman rapat", if big { 900 } else { 400 })
            } else {
                (
                    "Cinderamata dan perlengkapan acara",
                    if big { 300 } else { 120 },
                )
            };
            let p = NewPackage::parse(&PackageDraft {
                unit: None,
                name: Some(format!("{what} {year}")),
                budget_code: Some(format!(
                    "DPA-{}-{year}-{}",
                    u.code,
                    if food { 1 } else { 2 }
                )),
                ceiling: Some(format!("{ceiling}000000")),
                fiscal_year: Some(year.to_string()),
            })
            .map_err(|e| anyhow!("demo package: {e}"))?;
            let made = store.create_package(&pa, &p).await?;
            store.assign_package(&pa, made.id, &ppk.name).await?;
            store.assign_package(&ppk, made.id, &officer.name).await?;
            packages.insert((year, food), made.id);
        }
    }
    Ok(Team {
        unit: u.code,
        pa,
        ppk,
        officer,
        treasurer,
        packages,
        basts: 0,
    })
}

/// Accounts for the members with the most products in the catalogue a year ago or now:
/// `penjual` for the first, then `penjual2`, … Each seller's actor and member number.
async fn sellers(
    store: &Store,
    policy: &AccountPolicy,
    password: &str,
    today: NaiveDate,
) -> anyhow::Result<Vec<(Actor, String)>> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for on in [today - Duration::days(365), today] {
        for item in listed(store, on).await? {
            *count.entry(item.member_no).or_default() += 1;
        }
    }
    let mut members: Vec<(String, usize)> = count.into_iter().collect();
    members.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = Vec::new();
    for (i, (member_no, _)) in members.into_iter().take(SELLERS).enumerate() {
        let username = match i {
            0 => "penjual".to_owned(),
            _ => format!("penjual{}", i + 1),
        };
        // A member's account is tied to it by its member number and NIK, as when the
        // member signs up itself.
        let nik = store
            .get_member(&super::cli_actor(), &member_no, true)
            .await?
            .personal
            .filter(|p| p.nik_revealed)
            .map(|p| p.nik)
            .ok_or_else(|| anyhow!("the NIK of demo member {member_no} cannot be read"))?;
        let made = account(
            store,
            policy,
            NewUser {
                username,
                role: "member".into(),
                region: None,
                member_no: Some(member_no.clone()),
                nik: Some(nik),
                agency: None,
                partner: None,
                unit: None,
                buyer_role: None,
                password: password.into(),
            },
        )
        .await?;
        let actor = Actor::for_account(
            made.id,
            &made.username,
            Role::Member,
            None,
            Some(&member_no),
            None,
        );
        if matches!(i, 2 | 5) {
            // Two sellers are medium-sized businesses (capital above Rp 5 billion): their
            // sales do not count toward the 40% for micro and small businesses.
            let month = today - Duration::days(400);
            let report = NewReport::parse(
                Some(&month.format("%Y-%m").to_string()),
                Some("1500000000"),
                Some("1150000000"),
                Some("35"),
                Some("7000000000"),
                Some(&(today - Duration::days(370)).to_string()),
                today,
            )
            .map_err(|e| anyhow!("demo report: {e}"))?;
            store.file_report(&actor, &member_no, &report).await?;
        }
        out.push((actor, member_no));
    }
    Ok(out)
}

/// The catalogue as a buyer saw it on `on`.
async fn listed(store: &Store, on: NaiveDate) -> anyhow::Result<Vec<CatalogueItem>> {
    let page = store
        .catalogue(
            &CatalogueQuery {
                limit: 1000,
                ..CatalogueQuery::default()
            },
            on,
        )
        .await?;
    Ok(page
        .items
        .into_iter()
        .filter(|i| i.listed_on.is_none_or(|l| l <= on))
        .collect())
}

/// The orders placed so far, and the state they need.
struct Market<'a> {
    store: &'a Store,
    today: NaiveDate,
    sellers: Vec<(Actor, String)>,
    /// Central Jakarta's officer, who closes complaints about its members' orders.
    city: Actor,
    placed: u32,
    refused: u32,
}

impl Market<'_> {
    /// One order from `team` on `on` and everything that followed it up to today.
    async fn order(
        &mut self,
        g: &mut DemoProducts,
        team: &mut Team,
        on: NaiveDate,
    ) -> anyhow::Result<()> {
        // The first sellers sell most: a supplier of meeting boxes near the office is
        // ordered from again and again.
        let pick = g.between(0, 99) as usize;
        let (seller, member_no) = self.sellers
            [(pick * pick / 100 * self.sellers.len() / 100).min(self.sellers.len() - 1)]
        .clone();
        let seller = &seller;
        let offer: Vec<CatalogueItem> = listed(self.store, on)
            .await?
            .into_iter()
            .filter(|i| i.member_no == member_no)
            .collect();
        let Some(first) = offer.first() else {
            return Ok(());
        };
        let food = matches!(
            first.category.as_str(),
            "snacks" | "catering" | "food_drink"
        );
        let Some(&package) = team.packages.get(&(on.year(), food)) else {
            return Ok(());
        };
        // A meeting's worth: 1 to 3 products, Rp 1–12 million in all.
        let budget = g.between(1_000, 12_000) * 1_000;
        let lines: Vec<&CatalogueItem> = offer
            .iter()
            .filter(|i| matches!(i.category.as_str(), "snacks" | "catering" | "food_drink") == food)
            .take(g.between(1, 3) as usize)
            .collect();
        let mut drafts = Vec::new();
        let mut lead = 0;
        for item in &lines {
            let share = budget / lines.len() as i64;
            let quantity = (share / item.price.max(1)).clamp(item.min_order, 2_000);
            if let Some(stock) = item.stock
                && stock < quantity
            {
                // The seller restocks before it can take the order.
                let change = ProductDraft {
                    stock: Some((stock + quantity + g.between(20, 200)).to_string()),
                    ..ProductDraft::default()
                };
                self.store
                    .update_product(seller, item.id, &change, None)
                    .await
                    .context("restocking a demo product")?;
            }
            lead = lead.max(item.lead_days);
            drafts.push(LineDraft {
                product_id: Some(item.id.to_string()),
                quantity: Some(quantity.to_string()),
            });
        }
        let needed_on = on + Duration::days(lead + g.between(1, 6));
        let draft = OrderDraft {
            package_id: Some(package.to_string()),
            lines: drafts,
            delivery_address: Some(format!(
                "{}, ruang rapat lantai {}",
                team.unit,
                g.between(1, 9)
            )),
            needed_on: Some(needed_on.to_string()),
            note: Some(if food {
                "Untuk rapat koordinasi; mohon dikemas per kotak.".into()
            } else {
                "Untuk tamu acara; mohon dibungkus rapi.".into()
            }),
        };
        let new = NewOrder::parse(&draft).map_err(|e| anyhow!("demo order: {e}"))?;
        let key = format!("demo-{}-{on}-{}", team.unit, self.placed + self.refused);
        let placed = match self
            .store
            .place_order(&team.officer, &new, Some(&key), on)
            .await
        {
            Ok(p) => p.order,
            // Over the package's ceiling or the transaction limit: the officer did not buy.
            Err(StoreError::Invalid(_)) => {
                self.refused += 1;
                return Ok(());
            }
            Err(e) => return Err(e).context("placing a demo order"),
        };
        self.placed += 1;
        self.follow(g, team, seller, placed.id, on, needed_on).await
    }

    /// What happened to order `id` after it was placed on `on`, as far as today.
    async fn follow(
        &mut self,
        g: &mut DemoProducts,
        team: &mut Team,
        seller: &Actor,
        id: i64,
        on: NaiveDate,
        needed_on: NaiveDate,
    ) -> anyhow::Result<()> {
        let s = self.store;
        let today = self.today;
        let done = |day: NaiveDate| day <= today;
        let answered = on + Duration::days(g.between(0, 3));
        if !done(answered) {
            return Ok(());
        }
        match g.between(1, 100) {
            1..=4 => {
                let why = "Bahan baku tidak tersedia untuk tanggal yang diminta.";
                s.order_step(seller, id, OrderAction::Decline, Some(why), answered)
                    .await?;
                return Ok(());
            }
            5..=7 => {
                let why = "Rapat ditunda; pesanan dibatalkan sebelum diterima penjual.";
                s.order_step(&team.officer, id, OrderAction::Cancel, Some(why), answered)
                    .await?;
                return Ok(());
            }
            _ => {}
        }
        s.order_step(seller, id, OrderAction::Accept, None, answered)
            .await?;
        let shipped = needed_on.max(answered);
        if !done(shipped) {
            return Ok(());
        }
        s.order_step(seller, id, OrderAction::Ship, None, shipped)
            .await?;
        // The PPK signs the BAST a day or a few after delivery.
        let received_on = shipped + Duration::days(g.between(1, 4));
        if !done(received_on) {
            return Ok(());
        }
        team.basts += 1;
        let order = s.order(&team.ppk, id).await?;
        let short = g.chance(0.05);
        let receipt = Receipt::parse(
            &ReceiptDraft {
                bast_no: Some(format!(
                    "BAST/{}/{}/{:04}",
                    team.unit,
                    received_on.year(),
                    team.basts
                )),
                received_on: Some(received_on.to_string()),
                lines: short.then(|| {
                    order
                        .lines
                        .iter()
                        .enumerate()
                        .map(|(i, l)| ReceivedLineDraft {
                            product_id: Some(l.product_id.to_string()),
                            quantity: Some(
                                if i == 0 {
                                    l.quantity - (l.quantity / 10).max(1)
                                } else {
                                    l.quantity
                                }
                                .max(1)
                                .to_string(),
                            ),
                        })
                        .collect()
                }),
                note: short
                    .then(|| "Sebagian kemasan rusak saat pengiriman dan dikembalikan.".to_owned()),
            },
            received_on,
        )
        .map_err(|e| anyhow!("demo receipt: {e}"))?;
        let received = s.receive_order(&team.ppk, id, &receipt).await?;
        if g.chance(0.7) {
            let rated = received_on + Duration::days(g.between(0, 4));
            if done(rated) {
                let (stars, note) = match g.between(1, 20) {
                    1 => ("2", "Terlambat dan sebagian kurang rapi."),
                    2..=4 => ("3", "Cukup; pengiriman agak terlambat."),
                    5..=11 => ("4", "Enak dan tepat waktu."),
                    _ => ("5", "Sangat memuaskan, akan pesan lagi."),
                };
                let r = Rating::parse(Some(stars), Some(note))
                    .map_err(|e| anyhow!("demo rating: {e}"))?;
                s.rate_order(&team.ppk, id, &r, rated).await?;
            }
        }
        if g.chance(0.03) {
            let text = "Pesanan tiba dua jam setelah acara dimulai; mohon ditindaklanjuti.";
            let c = s.complain(&team.ppk, id, text, received_on).await?;
            let closed = received_on + Duration::days(g.between(5, 20));
            if done(closed) {
                let (outcome, note) = if g.chance(0.5) {
                    (
                        ComplaintOutcome::Upheld,
                        "Penjual mengakui keterlambatan dan diberi teguran tertulis.",
                    )
                } else {
                    (
                        ComplaintOutcome::Rejected,
                        "Bukti pengiriman menunjukkan pesanan tiba sesuai jadwal.",
                    )
                };
                s.close_complaint(&self.city, c.id, outcome, note, closed)
                    .await?;
            }
        }
        // Days to pay: most within two weeks, a tail beyond a month.
        let wait = if g.chance(0.15) {
            g.between(31, 60)
        } else {
            g.between(2, 14)
        };
        let paid_on = received_on + Duration::days(wait);
        if g.chance(0.4) {
            // The treasurer asks soon after receipt; the PA/KPA approves when it pays.
            let asked = (received_on + Duration::days(g.between(1, 3))).min(paid_on);
            if !done(asked) {
                return Ok(());
            }
            let (payment, _) = s
                .pay_order(&team.treasurer, id, PaymentMethod::Autodebit, None, asked)
                .await?;
            if done(paid_on) {
                s.approve_payment(&team.pa, payment.id, paid_on).await?;
            }
            return Ok(());
        }
        if !done(paid_on) {
            return Ok(());
        }
        let amount = jakpreneur_core::eorder::rupiah(received.amount_due);
        let proof = pdf(
            "BUKTI TRANSFER",
            &[
                format!("Dari: {} (rekening Bank DKI)", team.unit),
                format!("Untuk pesanan e-order #{id}"),
                format!("Nilai tagihan: {amount}"),
                format!("Tanggal: {paid_on}"),
            ],
        );
        let slip = pdf(
            "BUKTI PEMOTONGAN PAJAK",
            &[
                format!("Pemotong: bendahara {}", team.unit),
                format!("Pesanan e-order #{id}, nilai {amount}"),
                format!("Tanggal: {paid_on}"),
            ],
        );
        let upload = PaymentUpload {
            proof: media::check_document("proof", &proof).map_err(|e| anyhow!("{e}"))?,
            slip: media::check_document("slip", &slip).map_err(|e| anyhow!("{e}"))?,
        };
        s.pay_order(
            &team.treasurer,
            id,
            PaymentMethod::Transfer,
            Some(&upload),
            paid_on,
        )
        .await?;
        Ok(())
    }
}

/// A one-page PDF with a title and lines of text (ASCII), as a bank's or a tax office's
/// printout would be uploaded.
fn pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let text = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii)
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .collect()
    };
    let mut content = format!("BT /F1 16 Tf 56 780 Td ({}) Tj /F1 11 Tf", text(title));
    for l in lines {
        content.push_str(&format!(" 0 -24 Td ({}) Tj", text(l)));
    }
    content.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 \
         R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawn_pdf_passes_the_document_check_and_points_at_its_table() {
        let bytes = pdf("BUKTI (uji)", &["Rp 1.250.000 — lunas".to_owned()]);
        assert!(media::check_document("proof", &bytes).is_ok());
        let text = String::from_utf8(bytes.clone()).unwrap();
        let at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(text[at..].starts_with("xref\n"));
        assert!(text.contains("(BUKTI \\(uji\\)) Tj"));
        assert!(text.contains("(Rp 1.250.000  lunas) Tj"));
    }

    #[test]
    fn every_team_unit_and_parent_is_defined_once() {
        let codes: Vec<&str> = UNITS.iter().map(|u| u.code).collect();
        for (i, u) in UNITS.iter().enumerate() {
            assert!(!codes[..i].contains(&u.code), "{} twice", u.code);
            if let Some(p) = u.parent {
                assert!(codes[..i].contains(&p), "{} before its parent {p}", u.code);
            }
        }
        assert_eq!(UNITS.iter().filter(|u| u.team.is_some()).count(), 6);
    }
}
