//! Programme definitions as the database holds them: the compiled-in files, copied at
//! every start, and any programme an administrator loaded since from files of the same
//! form (`jakpreneur programme load DIR`). A programme added this way needs no table of
//! its own: its people enrol in `enrolments` and its services go to `enrolment_events`.

use chrono::NaiveDate;
use jakpreneur_core::programme::{
    Agency, Kind, OrderRule, ProgrammeRow, Programmes, Rule, Stage, programmes,
};
use jakpreneur_core::{Actor, Permission};
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{Conn, query};
use crate::{Result, Store, StoreError};

/// Writes `p`'s programmes, stages, kinds and rules (a programme's rules replaced whole)
/// inside the caller's transaction.
pub(crate) async fn write_definitions(tx: &mut (impl Conn + ?Sized), p: &Programmes) -> Result<()> {
    for g in &p.programmes {
        query(
            "INSERT INTO programmes (code, name_id, name_en, number_prefix, lead_agency) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET \
             name_id = excluded.name_id, name_en = excluded.name_en, \
             number_prefix = excluded.number_prefix, lead_agency = excluded.lead_agency",
        )
        .bind(&g.code)
        .bind(&g.name_id)
        .bind(&g.name_en)
        .bind(&g.number_prefix)
        .bind(&g.lead_agency)
        .execute(&mut *tx)
        .await?;
    }
    for st in &p.stages {
        query(
            "INSERT INTO programme_stages (programme, stage, position, name_id, name_en) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (programme, stage) DO UPDATE \
             SET position = excluded.position, name_id = excluded.name_id, \
             name_en = excluded.name_en",
        )
        .bind(&st.programme)
        .bind(&st.stage)
        .bind(i64::from(st.position))
        .bind(&st.name_id)
        .bind(&st.name_en)
        .execute(&mut *tx)
        .await?;
    }
    for k in &p.kinds {
        query(
            "INSERT INTO event_kinds (programme, kind, stage, qualifying) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (programme, kind) DO UPDATE \
             SET stage = excluded.stage, qualifying = excluded.qualifying",
        )
        .bind(&k.programme)
        .bind(&k.kind)
        .bind(&k.stage)
        .bind(k.qualifying)
        .execute(&mut *tx)
        .await?;
    }
    // The rules are replaced whole: a rule removed from the file must not linger.
    for g in &p.programmes {
        query("DELETE FROM programme_rules WHERE programme = $1")
            .bind(&g.code)
            .execute(&mut *tx)
            .await?;
    }
    for r in &p.rules {
        query("INSERT INTO programme_rules (programme, effective_from, rule) VALUES ($1, $2, $3)")
            .bind(&r.programme)
            .bind(r.effective_from)
            .bind(r.rule.as_str())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

type ProgrammeTuple = (String, String, String, Option<String>, Option<String>);

impl Store {
    /// Every programme definition the database holds (the compiled-in ones and those
    /// loaded since), read in one snapshot.
    pub async fn programme_definitions(&self) -> Result<Programmes> {
        let mut tx = self.begin_read().await?;
        let rows: Vec<ProgrammeTuple> = query(
            "SELECT code, name_id, name_en, number_prefix, lead_agency FROM programmes ORDER BY code",
        )
        .fetch_all(&mut tx)
        .await?;
        let stages: Vec<(String, String, i64, String, String)> = query(
            "SELECT programme, stage, CAST(position AS BIGINT), name_id, name_en FROM programme_stages \
             ORDER BY programme, position",
        )
        .fetch_all(&mut tx)
        .await?;
        let kinds: Vec<(String, String, String, bool)> = query(
            "SELECT k.programme, k.kind, k.stage, k.qualifying FROM event_kinds k \
             JOIN programme_stages s ON s.programme = k.programme AND s.stage = k.stage \
             ORDER BY k.programme, s.position, k.kind",
        )
        .fetch_all(&mut tx)
        .await?;
        let rules: Vec<(String, NaiveDate, String)> = query(
            "SELECT programme, effective_from, rule FROM programme_rules \
             ORDER BY programme, effective_from",
        )
        .fetch_all(&mut tx)
        .await?;
        let agencies: Vec<(String, String, String)> =
            query("SELECT code, name_id, name_en FROM agencies ORDER BY code")
                .fetch_all(&mut tx)
                .await?;
        tx.rollback().await?;
        // The compiled-in order first (Jakpreneur, then job training), loaded ones after.
        let compiled: Vec<&str> = programmes()
            .programmes
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        let mut rows = rows;
        rows.sort_by_key(|r| {
            (
                compiled
                    .iter()
                    .position(|c| *c == r.0)
                    .unwrap_or(usize::MAX),
                r.0.clone(),
            )
        });
        Ok(Programmes {
            programmes: rows
                .into_iter()
                .map(|(code, name_id, name_en, prefix, lead)| ProgrammeRow {
                    code,
                    name_id,
                    name_en,
                    number_prefix: prefix.unwrap_or_default(),
                    lead_agency: lead.unwrap_or_default(),
                })
                .collect(),
            stages: stages
                .into_iter()
                .map(|(programme, stage, position, name_id, name_en)| Stage {
                    programme,
                    stage,
                    position: u8::try_from(position).unwrap_or(u8::MAX),
                    name_id,
                    name_en,
                })
                .collect(),
            kinds: kinds
                .into_iter()
                .map(|(programme, kind, stage, qualifying)| Kind {
                    programme,
                    kind,
                    stage,
                    qualifying,
                })
                .collect(),
            rules: rules
                .into_iter()
                .map(|(programme, effective_from, rule)| Rule {
                    programme,
                    effective_from,
                    rule: if rule == "free" {
                        OrderRule::Free
                    } else {
                        OrderRule::Sequential
                    },
                })
                .collect(),
            agencies: agencies
                .into_iter()
                .map(|(code, name_id, name_en)| Agency {
                    code,
                    name_id,
                    name_en,
                })
                .collect(),
        })
    }

    /// The codes of every programme the database holds.
    pub async fn programme_codes(&self) -> Result<Vec<String>> {
        Ok(self
            .programme_definitions()
            .await?
            .programmes
            .into_iter()
            .map(|p| p.code)
            .collect())
    }

    /// Adds (or changes) programmes from definition files, checked by
    /// [`Programmes::from_files`]. The compiled-in programmes cannot be changed this way
    /// (their files are part of the build); a loaded programme can be loaded again with
    /// more stages or kinds, but a stage or kind once stored is never removed, since
    /// recorded services may name it. Administrators only; audited.
    pub async fn load_programmes(&self, actor: &Actor, p: &Programmes) -> Result<Vec<String>> {
        require(actor, Permission::UserManage)?;
        let built_in = programmes();
        for g in &p.programmes {
            if built_in.programmes.iter().any(|b| b.code == g.code) {
                return Err(StoreError::invalid(
                    "programmes.csv",
                    "programme_built_in",
                    format!(
                        "{} is defined by the build itself and cannot be loaded over",
                        g.code
                    ),
                ));
            }
        }
        let now = chrono::Utc::now();
        let mut tx = self.begin().await?;
        write_definitions(&mut tx, p).await?;
        let changes: Vec<Change> = p
            .programmes
            .iter()
            .map(|g| Change {
                who: Who::from(actor),
                action: "programme.load",
                record_type: "programme",
                record_id: g.code.clone(),
                before: None,
                after: Some(json!({
                    "name_id": g.name_id,
                    "stages": p.stages_of(&g.code).map(|s| &s.stage).collect::<Vec<_>>(),
                    "kinds": p.kinds.iter().filter(|k| k.programme == g.code)
                        .map(|k| &k.kind).collect::<Vec<_>>(),
                })),
            })
            .collect();
        audit::append(&mut tx, self.vault()?, now, &changes).await?;
        tx.commit().await?;
        Ok(p.programmes.iter().map(|g| g.code.clone()).collect())
    }
}
