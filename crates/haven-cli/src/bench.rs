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

/// `haven bench relocate`: plans the relocation of every closing camp to its temporary
/// site (the n-th camp to the n-th temporary site) through the real use case, timing
/// each plan, then times the planner alone on the whole operation as one problem.
pub async fn relocate(app: &App, ctx: &haven_app::Ctx, seats: u32, per_day: u32) -> Result<()> {
    use haven_core::registry::SiteKind;
    use haven_core::relocation::{
        HouseholdToMove, Rules, Traveller, UnitSpace, convoy_slots, plan,
    };

    let sites = app.store.sites().await?;
    let ids = |kind: SiteKind| -> Vec<String> {
        let mut v: Vec<String> = sites
            .iter()
            .filter(|s| s.site.kind == kind)
            .map(|s| s.site.site_id.clone())
            .collect();
        v.sort();
        v
    };
    let (camps, temporary) = (ids(SiteKind::ClosingCamp), ids(SiteKind::TemporarySite));
    if camps.is_empty() || temporary.is_empty() {
        anyhow::bail!("the database has no closing camp and temporary site to plan between");
    }

    // The planner alone, on the whole operation as one problem.
    let standards = app.store.standards().await?;
    let today = app.today_day()?;
    let t = Instant::now();
    let mut households: Vec<HouseholdToMove> = Vec::new();
    for c in &camps {
        for r in app.store.people_at_site(c).await? {
            let p = r.person;
            let traveller = Traveller {
                adult: p.date_of_birth.age_on(today) >= 18,
                sex: p.sex,
                specific_needs: p.specific_needs,
                hold: None,
                person_id: p.person_id,
            };
            match households.last_mut() {
                Some(h) if h.household_id == p.household_id => h.members.push(traveller),
                _ => households.push(HouseholdToMove {
                    household_id: p.household_id,
                    members: vec![traveller],
                }),
            }
        }
    }
    let mut units = Vec::new();
    for s in &temporary {
        for (u, n) in app.store.shelter_units(s).await? {
            let room = haven_core::standards::assess_unit(&u, n, &standards).persons_at_standard;
            units.push(UnitSpace {
                unit_id: u.unit_id,
                free: u32::try_from((room - n).max(0)).unwrap_or(0),
                group: None,
                near_facilities: u.near_facilities,
            });
        }
    }
    let read = t.elapsed().as_secs_f64();
    let people: usize = households.iter().map(|h| h.members.len()).sum();
    // A year of convoys: more seats than the operation needs, so seats never bind.
    let slots =
        convoy_slots("2027-01-01..2027-12-31", per_day, seats).map_err(|e| anyhow::anyhow!(e))?;
    let t = Instant::now();
    let p = plan(&households, &units, &slots, &Rules::default(), None);
    let alone = t.elapsed().as_secs_f64();
    println!(
        "planner alone: {} households ({people} people) into {} units on {} convoys: {:.1} ms (reading inputs {:.0} ms); {} people planned, {} households held",
        households.len(),
        units.len(),
        slots.len(),
        alone * 1000.0,
        read * 1000.0,
        p.people_moving(),
        p.held.len()
    );

    // Through the use case, one plan per camp, written to the database.
    println!(
        "{:<12} {:<12} {:>8} {:>8} {:>8} {:>10}",
        "from", "to", "people", "planned", "convoys", "ms"
    );
    let mut times = Vec::new();
    let mut planned = 0;
    let total = Instant::now();
    for (from, to) in camps.iter().zip(temporary.iter()) {
        let t = Instant::now();
        let s = app
            .plan_relocation(
                ctx,
                &haven_app::relocation::PlanRequest {
                    from_site: from.clone(),
                    to_site: to.clone(),
                    convoys: convoy_slots("2027-01-01..2027-01-31", per_day, seats)
                        .map_err(|e| anyhow::anyhow!(e))?,
                    rules: Rules::default(),
                },
            )
            .await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        planned += s.people_planned;
        println!(
            "{from:<12} {to:<12} {:>8} {:>8} {:>8} {ms:>10.1}",
            s.people_at_origin,
            s.people_planned,
            s.convoys.len()
        );
    }
    let all = total.elapsed().as_secs_f64();
    let (m, p99, max) = stats(&mut times);
    println!(
        "{} plans, {planned} people planned in {all:.2} s (per plan: median {m:.1} ms, p99 {p99:.1} ms, max {max:.1} ms)",
        times.len()
    );
    Ok(())
}

/// `haven bench placement`: the placement pipeline in memory on the first `households`
/// households of the database, all treated as recognised, against `pledges` generated
/// pledges with varied criteria (a quarter with a legal bar).
pub async fn placement(
    app: &App,
    households: usize,
    pledges: usize,
    time_limit_ms: u64,
) -> Result<()> {
    use haven_app::placement::{RunRequest, bench_placement};
    use haven_core::placement::{OpenPledge, Weights};
    use haven_core::pledge::{BarOp, Criteria, LegalBar, Pledge};
    use haven_core::registry::Household;

    const COUNTRIES: [&str; 40] = [
        "CAN", "USA", "AUS", "DEU", "SWE", "FRA", "NOR", "FIN", "DNK", "NLD", "BEL", "GBR", "IRL",
        "ESP", "PRT", "ITA", "CHE", "AUT", "NZL", "JPN", "KOR", "BRA", "ARG", "URY", "CHL", "MEX",
        "ISL", "LUX", "CZE", "POL", "SVK", "SVN", "EST", "LVA", "LTU", "HRV", "ROU", "BGR", "GRC",
        "CYP",
    ];
    let t = Instant::now();
    let mut all: Vec<Household> = Vec::new();
    for r in app.store.all_people().await? {
        match all.last_mut() {
            Some(h) if h.household_id == r.person.household_id => h.members.push(r.person),
            _ => {
                if all.len() == households {
                    break;
                }
                all.push(Household {
                    household_id: r.person.household_id.clone(),
                    members: vec![r.person],
                });
            }
        }
    }
    let read_ms = t.elapsed().as_secs_f64() * 1000.0;
    let people: usize = all.iter().map(|h| h.members.len()).sum();
    let per_pledge = u32::try_from(people / 3 / pledges.max(1))
        .unwrap_or(u32::MAX)
        .max(1);
    let open: Vec<OpenPledge> = (0..pledges)
        .map(|i| {
            let mut c = Criteria::default();
            if i % 4 == 0 {
                c.legal_bars.push(LegalBar {
                    attribute: "affiliation".into(),
                    op: BarOp::Present,
                    values: vec![],
                    description: "designated organisation".into(),
                });
            }
            if i % 3 == 0 {
                c.household_size_max = Some(6);
            }
            if i % 5 == 0 {
                c.excluded_needs = vec!["SM".into()];
            }
            if i % 7 == 0 {
                c.languages = vec!["eng".into()];
            }
            OpenPledge {
                pledge: Pledge {
                    pledge_id: format!("PL-{:02}", i + 1),
                    country: COUNTRIES[i % COUNTRIES.len()].into(),
                    places: per_pledge,
                    period_start: "2027-01-01".into(),
                    period_end: "2027-12-31".into(),
                    criteria: c,
                },
                places_left: per_pledge,
            }
        })
        .collect();
    let f = bench_placement(
        all,
        &open,
        &RunRequest {
            weights: Weights::default(),
            time_limit_ms,
            seed: 0,
        },
        app.today_day()?,
    )?;
    let r = &f.result;
    println!(
        "{} households ({people} people) × {} pledges ({} places): {} eligible pairs",
        f.households, f.pledges, r.places_left, f.eligible_pairs
    );
    println!(
        "read {read_ms:.0} ms · inputs {:.0} ms · solve {:.0} ms (limit {time_limit_ms}) · JSON stored {:.0} ms ({:.1} MB) · what-if +10 places {:.0} ms",
        f.build_inputs_ms,
        f.solve_ms,
        f.serialise_ms,
        f.stored_json_bytes as f64 / 1e6,
        f.whatif_ms
    );
    println!(
        "placed {} people in {} households; value {:.0}, bound {:.0}, gap {:.3} %{}",
        r.people_placed,
        r.placements.len(),
        r.objective.unwrap_or(0.0),
        r.bound.unwrap_or(0.0),
        r.gap.unwrap_or(0.0) * 100.0,
        if r.optimal { " (optimal)" } else { "" }
    );
    Ok(())
}
