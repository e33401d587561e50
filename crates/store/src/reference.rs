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
        crate::programmes::write_definitions(&mut tx, p).await?;
        tx.commit().await
    }
}
