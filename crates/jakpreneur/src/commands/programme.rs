//! `jakpreneur programme list|load`: the programmes the database holds, and adding one
//! from its definition files.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_core::programme::{DefinitionFiles, Programmes};
use jakpreneur_store::Store;

use crate::cli::ProgrammeCommand;

pub async fn run(store: &Store, cmd: ProgrammeCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ProgrammeCommand::List => {
            let defs = store.programme_definitions().await?;
            for p in &defs.programmes {
                let stages: Vec<String> = defs
                    .stages_of(&p.code)
                    .map(|s| format!("{} {}", s.stage, s.name_id))
                    .collect();
                println!("{}\t{}\t{}", p.code, p.name_id, stages.join(" → "));
            }
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Load { dir } => {
            let files = read_dir(&dir)?;
            let defs = match Programmes::from_files(&files) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let actor = super::cli_actor();
            match store.load_programmes(&actor, &defs).await {
                Ok(codes) => {
                    for c in codes {
                        println!("loaded {c}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(jakpreneur_store::StoreError::Invalid(errs)) => {
                    for e in errs.0 {
                        eprintln!("error: {}: {}", e.field, e.message);
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

fn read_dir(dir: &Path) -> anyhow::Result<DefinitionFiles> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    Ok(DefinitionFiles {
        programmes: read("programmes.csv")?,
        stages: read("stages.csv")?,
        kinds: read("kinds.csv")?,
        rules: read("rules.csv")?,
    })
}
