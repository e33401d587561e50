//! The demo's curated catalogue, told as one story through the same store calls a user's
//! actions go through: Central Jakarta members with their permits and products (photos
//! drawn here), a mentor for each, three years of calls for curation with submissions in
//! every state, certificates, listings (one expired, a few suspended by a change), and a
//! bazaar whose booths were allocated with a published seed.

use std::collections::HashMap;
use std::io::Cursor;

use anyhow::{Context, anyhow};
use chrono::{Duration, NaiveDate};
use image::{DynamicImage, ImageBuffer, Rgb};
use jakpreneur_core::catalogue::NewProduct;
use jakpreneur_core::curation::{Action, CallDraft, GradeDraft, Grading, NewCall};
use jakpreneur_core::demo_catalogue::DemoProducts;
use jakpreneur_core::permit::{PermitIssue, PermitType};
use jakpreneur_core::reference::reference;
use jakpreneur_core::{Actor, RegionCode, Role, Status};
use jakpreneur_store::{
    AccountPolicy, Member, MemberFilter, NewBankAccount, NewMarketEvent, NewUser, Page,
    PermitDecision, Store, media,
};

/// Central Jakarta, where the demo's curation runs (its officers are demo accounts).
const CITY: &str = "31.71";

/// The accounts the story acts as.
struct Cast {
    admin: Actor,
    province: Actor,
    city: Actor,
    mentor: Actor,
    curator: Actor,
    /// A district officer for each of the city's districts.
    districts: HashMap<String, Actor>,
}

impl Cast {
    fn district(&self, member: &Member) -> anyhow::Result<&Actor> {
        self.districts
            .get(&member.district_code)
            .ok_or_else(|| anyhow!("no demo officer for district {}", member.district_code))
    }
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The mentor, the curator and one officer per Central Jakarta district (`kec.<name>`),
/// with the demo password; then every account the story needs, as actors.
async fn cast(store: &Store, policy: &AccountPolicy, password: &str) -> anyhow::Result<Cast> {
    let admin = super::cli_actor();
    let mut wanted: Vec<(String, &str, String)> = vec![
        ("pendamping".into(), "mentor", CITY.into()),
        ("kurator".into(), "curator", "31.74".into()),
    ];
    for d in reference().children(CITY) {
        if d.code != "31.71.01" {
            wanted.push((
                format!("kec.{}", slug(&d.name)),
                "district_officer",
                d.code.clone(),
            ));
        }
    }
    let existing: Vec<String> = store
        .list_users(&admin)
        .await?
        .into_iter()
        .map(|u| u.username)
        .collect();
    for (username, role, region) in wanted {
        if existing.contains(&username) {
            continue;
        }
        store
            .create_user(
                &admin,
                &NewUser {
                    username: username.clone(),
                    role: role.into(),
                    region: Some(region),
                    member_no: None,
                    nik: None,
                    agency: None,
                    partner: None,
                    unit: None,
                    buyer_role: None,
                    password: password.into(),
                },
                policy,
            )
            .await
            .with_context(|| format!("creating the demo account {username}"))?;
    }
    let mut actors = HashMap::new();
    for u in store.list_users(&admin).await? {
        let role = Role::parse("role", &u.role).map_err(|e| anyhow!("{e}"))?;
        let actor = Actor::for_account(
            u.id,
            &u.username,
            role,
            u.region_code.as_deref(),
            None,
            None,
        );
        actors.insert(u.username, (actor, u.region_code));
    }
    let take = |name: &str| {
        actors
            .get(name)
            .map(|(a, _)| a.clone())
            .ok_or_else(|| anyhow!("the demo account {name} is missing"))
    };
    let (province, city, mentor, curator) = (
        take("provinsi")?,
        take("jakpus")?,
        take("pendamping")?,
        take("kurator")?,
    );
    let districts = actors
        .values()
        .filter(|(a, _)| a.role == Role::DistrictOfficer)
        .filter_map(|(a, region)| region.clone().map(|r| (r, a.clone())))
        .collect();
    Ok(Cast {
        admin,
        province,
        city,
        mentor,
        curator,
        districts,
    })
}

/// A product photo: a plate of the category's colour on a table, with some texture.
fn photo(g: &mut DemoProducts, category: &str) -> Vec<u8> {
    let (r, gr, b) = match category {
        "snacks" => (214, 150, 60),
        "catering" => (230, 200, 120),
        "food_drink" => (150, 80, 40),
        "crafts" => (180, 60, 50),
        "fashion_batik" => (90, 60, 130),
        "beauty" => (120, 170, 110),
        _ => (90, 130, 170),
    };
    let (cx, cy) = (g.between(200, 280) as f32, g.between(150, 210) as f32);
    let radius = g.between(90, 130) as f32;
    let grain = g.between(3, 9) as u32;
    let img = ImageBuffer::from_fn(480, 360, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let d = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt();
        let shade = |c: u8, k: f32| (f32::from(c) * k).clamp(0.0, 255.0) as u8;
        if d < radius * 0.8 {
            let t = if (x / grain + y / grain).is_multiple_of(2) {
                1.0
            } else {
                0.9
            };
            Rgb([shade(r, t), shade(gr, t), shade(b, t)])
        } else if d < radius {
            Rgb([245, 245, 240])
        } else {
            let k = 0.75 + 0.25 * (fy / 360.0);
            Rgb([shade(160, k), shade(120, k), shade(90, k)])
        }
    });
    let mut out = Cursor::new(Vec::new());
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    DynamicImage::ImageRgb8(img)
        .write_with_encoder(enc)
        .expect("encoding a drawn image in memory cannot fail");
    out.into_inner()
}

/// Issues a permit of `t` to the member, applied and issued on the given days.
async fn permit(
    store: &Store,
    actor: &Actor,
    no: &str,
    t: PermitType,
    number: &str,
    on: NaiveDate,
    today: NaiveDate,
) -> anyhow::Result<i64> {
    let p = store.apply_permit(actor, no, t, on, None).await?;
    let issue = PermitIssue::parse(
        t,
        Some(number),
        Some(&(on + Duration::days(10)).to_string()),
        None,
        today,
    )
    .map_err(|e| anyhow!("demo permit: {e}"))?;
    store
        .decide_permit(actor, no, p.id, &PermitDecision::Issue(issue))
        .await?;
    Ok(p.id)
}

/// A call open for 30 days from `opens`.
fn call(
    title: &str,
    opens: NaiveDate,
    region: &str,
    categories: &[&str],
    places: i64,
) -> anyhow::Result<NewCall> {
    NewCall::parse(&CallDraft {
        title: Some(title.into()),
        opens_on: Some(opens.to_string()),
        closes_on: Some((opens + Duration::days(30)).to_string()),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        region: Some(region.into()),
        places: Some(places.to_string()),
        exclude_own_region_curators: Some(true),
    })
    .map_err(|e| anyhow!("demo call: {e}"))
}

/// How far a submission goes, and its grade if graded.
#[derive(Clone, Copy)]
enum Reach {
    Submitted,
    Verified,
    Validated,
    Forwarded,
    Returned,
    Graded(&'static str),
}

/// Takes submission `id` of `member` along the chain, one step every few days from `from`.
async fn chain(
    store: &Store,
    cast: &Cast,
    g: &mut DemoProducts,
    id: i64,
    member: &Member,
    from: NaiveDate,
    reach: Reach,
) -> anyhow::Result<()> {
    let district = cast.district(member)?;
    let mut on = from;
    let mut step = |actor: &Actor, action: Action, note: &str, grading: Option<Grading>| {
        on += Duration::days(3);
        let (actor, note, day) = (actor.clone(), note.to_owned(), on);
        async move {
            store
                .curation_step(&actor, id, action, &note, grading.as_ref(), day)
                .await
                .map(|_| ())
        }
    };
    if matches!(reach, Reach::Submitted) {
        return Ok(());
    }
    step(
        &cast.mentor,
        Action::Verify,
        "Foto dan label sudah diperiksa.",
        None,
    )
    .await?;
    if matches!(reach, Reach::Verified) {
        return Ok(());
    }
    if matches!(reach, Reach::Returned) {
        let why = "Label PIRT belum tercantum pada kemasan; mohon foto ulang kemasannya.";
        return Ok(step(district, Action::Return, why, None).await?);
    }
    step(district, Action::Validate, "", None).await?;
    if matches!(reach, Reach::Validated) {
        return Ok(());
    }
    step(&cast.city, Action::Forward, "", None).await?;
    let Reach::Graded(grade) = reach else {
        return Ok(());
    };
    let base = match grade {
        "A" => 5,
        "B" => 4,
        "C" => 3,
        _ => 2,
    };
    let mut score = || (base - g.between(0, 1)).clamp(1, 5).to_string();
    let grading = Grading::parse(&GradeDraft {
        grade: Some(grade.into()),
        taste: Some(score()),
        packaging: Some(score()),
        hygiene: Some(score()),
        halal: Some(score()),
        photos: Some(score()),
        note: Some(
            match grade {
                "A" => "Rasa khas dan konsisten, kemasan siap dijual ke instansi.",
                "B" => "Layak jual; kemasan dapat diperbaiki.",
                "C" => "Layak dengan catatan: perbaiki label dan foto produk.",
                _ => "Belum layak: kebersihan produksi perlu dibenahi.",
            }
            .into(),
        ),
    })
    .map_err(|e| anyhow!("demo grade: {e}"))?;
    Ok(step(&cast.curator, Action::Grade, "", Some(grading)).await?)
}

fn grade_for(g: &mut DemoProducts) -> &'static str {
    match g.between(1, 100) {
        1..=30 => "A",
        31..=70 => "B",
        71..=85 => "C",
        _ => "fail",
    }
}

/// Fills the catalogue for the demo: called once, right after the demo members.
pub async fn run(
    store: &Store,
    policy: &AccountPolicy,
    password: &str,
    today: NaiveDate,
    members: u64,
) -> anyhow::Result<()> {
    let cast = cast(store, policy, password).await?;
    let mut g = DemoProducts::new(2017);
    let d = |days: i64| today - Duration::days(days);
    let chosen: Vec<Member> = store
        .list_members(
            &cast.admin,
            &MemberFilter {
                region: Some(RegionCode::parse("region", CITY).map_err(|e| anyhow!("{e}"))?),
                registered_to: Some(d(1100)),
                status: Some(Status::Active),
                ..MemberFilter::default()
            },
            Page {
                limit: u32::try_from((members / 40).clamp(20, 250)).unwrap_or(250),
                after: None,
            },
        )
        .await?
        .items;
    debug_assert!(chosen.iter().all(|m| m.city_code == CITY));
    let year = chrono::Datelike::year(&today);
    // Four calls: two closed (2023, last year), this year's open one, next month's.
    let specs = [
        (
            &cast.province,
            call("Kurasi Produk Jakpreneur 2023", d(1000), "31", &[], 300)?,
        ),
        (
            &cast.province,
            call(
                &format!("Kurasi Produk Unggulan {}", chrono::Datelike::year(&d(400))),
                d(400),
                "31",
                &[],
                400,
            )?,
        ),
        (
            &cast.city,
            call(
                &format!("Kurasi Pangan Jakarta Pusat {year}"),
                d(20),
                CITY,
                &["food_drink", "snacks", "catering"],
                200,
            )?,
        ),
        (
            &cast.province,
            call(
                "Kurasi Kriya, Batik dan Kecantikan",
                today + Duration::days(30),
                "31",
                &["crafts", "fashion_batik", "beauty"],
                80,
            )?,
        ),
    ];
    let mut calls = Vec::new();
    for (actor, c) in specs {
        calls.push(store.create_call(actor, &c, today).await?);
    }
    let bar = indicatif::ProgressBar::new(chosen.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} members' products and curation",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut listed = Vec::new();
    let mut made_products = 0;
    for (i, m) in chosen.iter().enumerate() {
        let no = &m.member_no;
        let admin = &cast.admin;
        store
            .assign_mentor(admin, no, "pendamping", d(1050))
            .await?;
        let serial = 1_000_000 + i as i64;
        let nib = g.chance(0.9);
        let npwp = g.chance(0.85);
        if nib {
            permit(
                store,
                admin,
                no,
                PermitType::Nib,
                &format!("912{serial:010}"),
                d(1040),
                today,
            )
            .await?;
        }
        if npwp {
            permit(
                store,
                admin,
                no,
                PermitType::Npwp,
                &format!("0{serial:014}"),
                d(1040),
                today,
            )
            .await?;
        }
        let food_permit = if g.chance(0.6) {
            let (t, number) = if g.chance(0.4) {
                (PermitType::Halal, format!("ID31110000{serial}"))
            } else {
                (PermitType::Pirt, format!("P-IRT 2{serial}"))
            };
            Some(permit(store, admin, no, t, &number, d(1030), today).await?)
        } else {
            None
        };
        if g.chance(0.9) {
            let mut b = NewBankAccount::parse(
                Some(if g.chance(0.6) { "Bank DKI" } else { "BRI" }),
                Some(&m.business_name),
                Some(&format!("{:010}", 4_000_000_000 + serial)),
            )
            .map_err(|e| anyhow!("demo bank account: {e}"))?;
            // For e-order's taxes: half hold the final 0.5% certificate of PP 55/2022, one in
            // twenty is VAT-registered.
            b.umkm_final = serial % 2 == 0;
            b.vat_registered = serial % 20 == 0;
            store.set_bank_account(admin, no, &b).await?;
        }
        let mut products = Vec::new();
        for _ in 0..g.between(1, 3) {
            let mut draft = g.product(&m.sector);
            let p = NewProduct::parse(&draft).map_err(|e| anyhow!("demo product: {e}"))?;
            if p.category.is_food() {
                draft.halal_permit_id = food_permit.map(|id| id.to_string());
            }
            let p = NewProduct::parse(&draft).map_err(|e| anyhow!("demo product: {e}"))?;
            let made = store.create_product(admin, no, &p).await?;
            for _ in 0..g.between(1, 2) {
                let bytes = photo(&mut g, p.category.as_str());
                let checked =
                    media::check_photo("photo", &bytes).map_err(|e| anyhow!("demo photo: {e}"))?;
                store.add_photo(admin, made.id, &checked).await?;
            }
            products.push((made.id, p.category.is_food()));
            made_products += 1;
        }
        let (first, first_food) = products[0];
        // Who went through which call: a tenth in 2023 (certificates now expired), half in
        // last year's call, a third in this year's open call (every stage of the chain).
        let roll = g.between(1, 100);
        let old = roll <= 10;
        let last_year = (11..=60).contains(&roll);
        let open = roll > 60 && roll <= 90 && first_food;
        if old || last_year {
            let (k, opened) = if old { (0, d(1000)) } else { (1, d(400)) };
            let submitted = opened + Duration::days(5);
            let s = store
                .submit_to_call(admin, calls[k].id, first, submitted)
                .await?;
            let grade = grade_for(&mut g);
            chain(
                store,
                &cast,
                &mut g,
                s.id,
                m,
                submitted,
                Reach::Graded(grade),
            )
            .await?;
            if grade != "fail" && nib && npwp {
                let on = submitted + Duration::days(30);
                match store.list_product(admin, first, on).await {
                    Ok(_) => listed.push(first),
                    Err(jakpreneur_store::StoreError::Invalid(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        } else if open {
            let submitted = d(g.between(13, 18));
            let s = store
                .submit_to_call(admin, calls[2].id, first, submitted)
                .await?;
            let reach = match g.between(1, 100) {
                1..=25 => Reach::Submitted,
                26..=45 => Reach::Verified,
                46..=60 => Reach::Validated,
                61..=80 => Reach::Forwarded,
                81..=90 => Reach::Returned,
                _ => Reach::Graded(grade_for(&mut g)),
            };
            chain(store, &cast, &mut g, s.id, m, submitted, reach).await?;
        }
        bar.inc(1);
    }
    bar.finish();
    // A few members changed what curation judged after listing: suspended until curated
    // again.
    for id in listed.iter().step_by(15).take(4) {
        let p = store.product(&cast.admin, *id).await?;
        let change = jakpreneur_core::catalogue::ProductDraft {
            name: Some(format!("{} Kemasan Baru", p.name)),
            ..Default::default()
        };
        store
            .update_product(&cast.admin, *id, &change, None)
            .await?;
    }
    fair(store, &cast, &chosen, today).await?;
    eprintln!(
        "Added the catalogue: {made_products} products of {} members, {} of them listed.",
        chosen.len(),
        listed.len()
    );
    Ok(())
}

/// The monthly bazaar at City Hall with more applicants than booths, allocated with a
/// published seed; next month's is still open for applications.
async fn fair(
    store: &Store,
    cast: &Cast,
    members: &[Member],
    today: NaiveDate,
) -> anyhow::Result<()> {
    let starts = today + Duration::days(14);
    let m = NewMarketEvent::parse(
        Some("bazaar"),
        Some("Bazar Jakpreneur Balai Kota"),
        Some("local"),
        Some("31.71.01"),
        Some(&starts.to_string()),
        Some(&(starts + Duration::days(2)).to_string()),
        Some("1"),
    )
    .map_err(|e| anyhow!("demo bazaar: {e}"))?;
    let made = store.create_market_events(&cast.city, &m).await?;
    for (k, event) in made.iter().enumerate() {
        let applicants = if k == 0 { 24 } else { 9 };
        for member in members.iter().skip(k * 30).take(applicants) {
            store
                .apply_for_booth(&cast.admin, event.id, &member.member_no)
                .await?;
        }
    }
    if let Some(first) = made.first() {
        let seed = format!("bazar-balai-kota-{starts}");
        store
            .allocate_booths(&cast.city, first.id, 16, &seed)
            .await?;
    }
    Ok(())
}
