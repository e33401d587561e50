//! Loads the embedded reference data (regions, KBLI sectors) and the programme definitions
//! (agencies, stages, event kinds, order rules) into their tables, so members
//! can point at them with foreign keys. Runs after every migration; idempotent.

use jakpreneur_core::programme::programmes;
use jakpreneur_core::reference::reference;

use crate::Result;
use crate::db::Store;
use crate::query::query;

const UPSERT_REGION: &str = "INSERT INTO regions (code, level, name, parent_code) VALUES ($1, $2, \
    $3, $4) \
     ON CONFLICT (code) DO UPDATE SET level = excluded.level, name = excluded.name, parent_code = \
     excluded.parent_code";
const UPSERT_SECTOR: &str = "INSERT INTO sectors (code, name_id, name_en) VALUES ($1, $2, $3) \
     ON CONFLICT (code) DO UPDATE SET name_id = excluded.name_id, name_en = excluded.name_en";

impl Store {
    pub(crate) async fn sync_reference_data(&self) -> Result<()> {
        let r = reference();
        let mut tx = self.begin().await?;
        // The file lists each parent before its children.
        for reg in &r.regions {
            query(UPSERT_REGION)
                .bind(&reg.code)
                .bind(reg.level.as_str())
                .bind(&reg.name)
                .bind(&reg.parent_code)
                .execute(&mut tx)
                .await?;
        }
        for s in &r.sectors {
            query(UPSERT_SECTOR)
                .bind(&s.code)
                .bind(&s.name_id)
                .bind(&s.name_en)
                .execute(&mut tx)
                .await?;
        }
        let p = programmes();
        for a in &p.agencies {
            query(
                "INSERT INTO agencies (code, name_id, name_en) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET name_id = excluded.name_id, \
                 name_en = excluded.name_en",
            )
            .bind(&a.code)
            .bind(&a.name_id)
            .bind(&a.name_en)
            .execute(&mut tx)
            .await?;
        }
        for g in &p.programmes {
            query(
                "INSERT INTO programmes (code, name_id, name_en) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET name_id = excluded.name_id, \
                 name_en = excluded.name_en",
            )
            .bind(&g.code)
            .bind(&g.name_id)
            .bind(&g.name_en)
            .execute(&mut tx)
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
            .execute(&mut tx)
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
            .execute(&mut tx)
            .await?;
        }
        // The rules are replaced whole: a rule removed from the file must not linger.
        for g in &p.programmes {
            query("DELETE FROM programme_rules WHERE programme = $1")
                .bind(&g.code)
                .execute(&mut tx)
                .await?;
        }
        for r in &p.rules {
            query(
                "INSERT INTO programme_rules (programme, effective_from, rule) VALUES ($1, $2, $3)",
            )
            .bind(&r.programme)
            .bind(r.effective_from)
            .bind(r.rule.as_str())
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await
    }
}
