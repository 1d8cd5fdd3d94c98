//! `cargo run --release -p haven-scenario --example generate -- [SEED] [PEOPLE] [OUT_DIR]`
//! writes a camp-closure operation and prints its summary and the time it took.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let people: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3_200);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "out/scenario".into()));
    let cfg = haven_scenario::ScenarioConfig::new(seed, people);
    let started = Instant::now();
    let summary = haven_scenario::generate_camp_closure(&cfg, &out)?;
    let elapsed = started.elapsed();
    println!("{summary:#?}");
    println!("wrote {} in {:.2} s", out.display(), elapsed.as_secs_f64());
    Ok(())
}
