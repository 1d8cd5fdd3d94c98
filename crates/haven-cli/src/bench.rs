//! `haven bench search`: search latency measured in-process against a loaded database,
//! so that what is timed is the search, not process start-up.

use std::time::Instant;

use anyhow::Result;
use haven_app::App;

/// Builds a search query from a registered person.
type QueryOf = fn(&haven_store::PersonRecord) -> String;

/// Runs `queries` searches built from a deterministic sample of registered people, in
/// three shapes (full Latin name, Persian-script name, given name alone — the common,
/// worst case), and prints median and 99th-percentile latency per shape and overall.
pub async fn search(app: &App, queries: usize) -> Result<()> {
    let people = app.store.counts().await?.people;
    let per_shape = queries.div_ceil(3).max(1) as i64;
    let stride = (people / per_shape).max(1);
    let sample = app.store.sample_people(stride, per_shape).await?;
    if sample.is_empty() {
        anyhow::bail!("the database holds no people to search for");
    }
    let shapes: [(&str, QueryOf); 3] = [
        ("full name (Latin)", |r| r.person.name.latin()),
        ("full name (Persian)", |r| r.person.name.original()),
        ("given name only", |r| r.person.name.given_latin.clone()),
    ];
    let mut all = Vec::new();
    println!(
        "search latency over {people} people ({} queries per shape)",
        sample.len()
    );
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>8}",
        "query", "median ms", "p99 ms", "max ms", "found*"
    );
    for (label, make) in shapes {
        let mut times = Vec::with_capacity(sample.len());
        let mut found = 0;
        for r in &sample {
            let q = make(r);
            if q.trim().is_empty() {
                continue;
            }
            let t = Instant::now();
            let hits = app.search(&q, 20).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            // Found: the person, or someone whose name is spelled exactly the same (a
            // name search cannot tell them apart), is among the hits.
            let same = |h: &haven_app::SearchHit| {
                h.record.person.person_id == r.person.person_id
                    || make(&h.record).trim() == q.trim()
            };
            if hits.iter().any(same) {
                found += 1;
            } else if std::env::var("HAVEN_BENCH_DEBUG").is_ok() {
                let top: Vec<String> = hits.iter().take(3).map(|h| make(&h.record)).collect();
                eprintln!("not found: {q} ({}) -> {top:?}", r.person.person_id);
            }
        }
        let (m, p99, max) = stats(&mut times);
        println!(
            "{label:<22} {m:>10.2} {p99:>10.2} {max:>10.2} {found:>4}/{:<4}",
            times.len()
        );
        all.extend(times);
    }
    let (m, p99, max) = stats(&mut all);
    println!("{:<22} {m:>10.2} {p99:>10.2} {max:>10.2}", "all");
    println!("* the person, or someone with exactly the same name, among the top 20 hits");
    Ok(())
}

fn stats(times: &mut [f64]) -> (f64, f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99), times[times.len() - 1])
}
