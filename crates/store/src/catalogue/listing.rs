//! Where a member is paid (its bank account, the number encrypted and shown masked) and
//! listing a product in the e-order catalogue. A listing needs a certificate in force, the
//! member's issued NIB and NPWP, and a bank account; each missing one is its own refusal
//! code. Listing writes the member's `catalogue_listing` (P5) event.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::text::{given, parse_text};
use jakpreneur_core::{Actor, FieldError, Permission, ValidationErrors};
use serde::Serialize;
use serde_json::json;

use super::{Product, owner_for_write};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::ledger::{member_facts_locked, member_for_write, write_event};
use crate::query::{Tx, query};
use crate::{Result, Store, StoreError};

/// A member's bank account as shown: the number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BankAccount {
    pub bank: String,
    pub account_name: String,
    /// `••••••1234`: only the last four digits.
    pub account_no_masked: String,
    /// Registered for VAT (PKP): a government buyer's treasurer collects VAT on its sales.
    pub vat_registered: bool,
    /// Holds the certificate for the small-business final income tax (0.5%), which the
    /// treasurer then withholds instead of PPh 22.
    pub umkm_final: bool,
    pub version: i64,
}

/// A bank account to record, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankAccount {
    pub bank: String,
    pub account_name: String,
    pub account_no: String,
    /// The supplier's tax status, for e-order payments (both `false` unless given).
    pub vat_registered: bool,
    pub umkm_final: bool,
}

impl NewBankAccount {
    pub fn parse(
        bank: Option<&str>,
        account_name: Option<&str>,
        account_no: Option<&str>,
    ) -> std::result::Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let bank = errs.take(parse_text("bank", bank.unwrap_or(""), 2, 80));
        let account_name = errs.take(parse_text(
            "account_name",
            account_name.unwrap_or(""),
            3,
            120,
        ));
        let account_no = match given(account_no) {
            None => {
                errs.push(FieldError::required("account_no"));
                None
            }
            Some(raw) => {
                let digits: String = raw
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '-' | '.'))
                    .collect();
                if (6..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Some(digits)
                } else {
                    errs.push(FieldError::new(
                        "account_no",
                        "account_no_invalid",
                        "account_no must be 6 to 20 digits (spaces, dots and dashes are ignored)",
                    ));
                    None
                }
            }
        };
        match (bank, account_name, account_no) {
            (Some(bank), Some(account_name), Some(account_no)) if errs.is_empty() => Ok(Self {
                bank,
                account_name,
                account_no,
                vat_registered: false,
                umkm_final: false,
            }),
            _ => Err(errs),
        }
    }
}

impl NewBankAccount {
    /// The same account with the supplier's tax status.
    pub fn with_tax(mut self, vat_registered: bool, umkm_final: bool) -> Self {
        self.vat_registered = vat_registered;
        self.umkm_final = umkm_final;
        self
    }
}

fn masked(last4: &str) -> String {
    format!("••••••{last4}")
}

impl Store {
    /// Records (or replaces) a member's bank account.
    pub async fn set_bank_account(
        &self,
        actor: &Actor,
        member_no: &str,
        b: &NewBankAccount,
    ) -> Result<BankAccount> {
        require(actor, Permission::ProductManage)?;
        let vault = self.vault()?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let cipher = vault.encrypt_nik(&b.account_no);
        let last4 = &b.account_no[b.account_no.len() - 4..];
        query(
            "INSERT INTO bank_accounts (member_id, bank, account_name, account_no_cipher, \
             account_no_last4, updated_by, updated_at, vat_registered, umkm_final) VALUES ($1, \
             $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (member_id) DO UPDATE SET bank = \
             excluded.bank, account_name = excluded.account_name, account_no_cipher = \
             excluded.account_no_cipher, account_no_last4 = excluded.account_no_last4, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at, vat_registered \
             = excluded.vat_registered, umkm_final = excluded.umkm_final, version = \
             bank_accounts.version + 1",
        )
        .bind(f.id)
        .bind(&b.bank)
        .bind(&b.account_name)
        .bind(cipher)
        .bind(last4)
        .bind(&who.name)
        .bind(now)
        .bind(b.vat_registered)
        .bind(b.umkm_final)
        .execute(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "member.bank_account",
                record_type: "member",
                record_id: member_no.to_owned(),
                before: None,
                after: Some(json!({ "bank": b.bank, "account_name": b.account_name,
                    "account_no": vault.field_fingerprint("account_no", &b.account_no),
                    "vat_registered": b.vat_registered, "umkm_final": b.umkm_final })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.bank_account(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The member's bank account, masked; `None` when it has none.
    pub async fn bank_account(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<Option<BankAccount>> {
        require(actor, Permission::MemberRead)?;
        self.member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row: Option<(String, String, String, bool, bool, i64)> = query(
            "SELECT b.bank, b.account_name, b.account_no_last4, b.vat_registered, b.umkm_final, \
             b.version FROM bank_accounts b JOIN members m ON m.id = b.member_id WHERE \
             m.member_no = $1",
        )
        .bind(member_no)
        .fetch_optional(self.read())
        .await?;
        Ok(row.map(
            |(bank, account_name, last4, vat_registered, umkm_final, version)| BankAccount {
                bank,
                account_name,
                account_no_masked: masked(&last4),
                vat_registered,
                umkm_final,
                version,
            },
        ))
    }

    /// What the product still lacks to be listed on `today` (empty: it may be listed).
    async fn listing_gaps(
        &self,
        tx: &mut Tx,
        product_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<&'static str>> {
        let (curated, nib, npwp, bank): (bool, bool, bool, bool) = query(
            "SELECT (p.grade IS NOT NULL AND p.certificate_valid_until >= $2), EXISTS (SELECT 1 \
             FROM permits x WHERE x.member_id = p.member_id AND x.permit_type = 'nib' AND \
             x.status = 'issued' AND (x.expires_on IS NULL OR x.expires_on >= $2)), EXISTS \
             (SELECT 1 FROM permits x WHERE x.member_id = p.member_id AND x.permit_type = 'npwp' \
             AND x.status = 'issued' AND (x.expires_on IS NULL OR x.expires_on >= $2)), EXISTS \
             (SELECT 1 FROM bank_accounts b WHERE b.member_id = p.member_id) FROM products p \
             WHERE p.id = $1",
        )
        .bind(product_id)
        .bind(today)
        .fetch_one(&mut *tx)
        .await?;
        let mut gaps = Vec::new();
        for (ok, code) in [
            (curated, "not_curated"),
            (nib, "no_nib"),
            (npwp, "no_npwp"),
            (bank, "no_bank_account"),
        ] {
            if !ok {
                gaps.push(code);
            }
        }
        Ok(gaps)
    }

    /// Lists a product in the e-order catalogue. Refused (422) with one error per missing
    /// requirement; listing an already listed product changes nothing.
    #[tracing::instrument(skip_all)]
    pub async fn list_product(
        &self,
        actor: &Actor,
        product_id: i64,
        today: NaiveDate,
    ) -> Result<Product> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let o = owner_for_write(&mut tx, actor, product_id).await?;
        let gaps = self.listing_gaps(&mut tx, product_id, today).await?;
        if !gaps.is_empty() {
            let mut errs = ValidationErrors::default();
            for code in gaps {
                let (field, message) = match code {
                    "not_curated" => (
                        "curation",
                        "the product holds no curation certificate in force",
                    ),
                    "no_nib" => ("nib", "the member has no issued NIB business permit"),
                    "no_npwp" => ("npwp", "the member has no issued NPWP tax number"),
                    _ => ("bank_account", "the member has no bank account recorded"),
                };
                errs.push(FieldError::new(field, code, message));
            }
            return Err(StoreError::Invalid(errs));
        }
        let (listed, name): (bool, String) =
            query("SELECT listed, name FROM products WHERE id = $1")
                .bind(product_id)
                .fetch_one(&mut tx)
                .await?;
        if listed {
            drop(tx);
            return self.product_unscoped(product_id).await;
        }
        let f = member_facts_locked(&mut tx, &o.member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let agency = actor.agency_or_default();
        let event = NewEvent {
            programme: JAKPRENEUR.into(),
            stage: "P5".into(),
            kind: "catalogue_listing".into(),
            qualifying: true,
            occurred_on: today,
            place_code: Some(f.district_code.clone()),
            agency: Some(agency.clone()),
            reference: Some(format!("product {product_id}")),
            note: Some(name),
        };
        let event_id = write_event(&mut tx, &f, &event, &agency, &who, None, now).await?;
        query(
            "UPDATE products SET listed = $1, listed_on = $2, version = version + 1, updated_at \
             = $3 WHERE id = $4",
        )
        .bind(true)
        .bind(today)
        .bind(now)
        .bind(product_id)
        .execute(&mut tx)
        .await?;
        query(
            "INSERT INTO product_listings (product_id, listed_on, event_id, listed_by) VALUES \
             ($1, $2, $3, $4)",
        )
        .bind(product_id)
        .bind(today)
        .bind(event_id)
        .bind(&who.name)
        .execute(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "product.list",
                record_type: "product",
                record_id: product_id.to_string(),
                before: None,
                after: Some(json!({ "listed_on": today, "event_id": event_id })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.product_unscoped(product_id).await
    }

    /// Takes a product out of the catalogue. The `catalogue_listing` event stays: the
    /// member did have that market access.
    pub async fn delist_product(
        &self,
        actor: &Actor,
        product_id: i64,
        today: NaiveDate,
    ) -> Result<Product> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        owner_for_write(&mut tx, actor, product_id).await?;
        let n = query(
            "UPDATE products SET listed = $1, listed_on = NULL, version = version + 1, updated_at \
             = $2 WHERE id = $3 AND listed = $4",
        )
        .bind(false)
        .bind(now)
        .bind(product_id)
        .bind(true)
        .execute(&mut tx)
        .await?;
        if n > 0 {
            query(
                "UPDATE product_listings SET delisted_on = $1, delisted_by = $2 WHERE product_id \
                 = $3 AND delisted_on IS NULL",
            )
            .bind(today)
            .bind(&who.name)
            .bind(product_id)
            .execute(&mut tx)
            .await?;
            audit::append(
                &mut tx,
                self.vault()?,
                now,
                &[Change {
                    who,
                    action: "product.delist",
                    record_type: "product",
                    record_id: product_id.to_string(),
                    before: Some(json!({ "listed": true })),
                    after: Some(json!({ "listed": false })),
                }],
            )
            .await?;
            tx.commit().await?;
        }
        self.product_unscoped(product_id).await
    }
}
