//! Human-readable output of the command line. JSON output is serde's, elsewhere.

use haven_app::{
    HouseholdView, ImportSummary, LedgerReport, Overview, PersonView, SearchHit, StandardsReport,
};
use haven_core::standards::{Limit, Standards};
use haven_store::{MovementRecord, PersonRecord, SiteOverview};

pub fn import_summary(s: &ImportSummary) {
    let people = if s.records == "households" {
        format!(" ({} people)", s.people)
    } else {
        String::new()
    };
    println!(
        "{}: imported {} {}{people}, {} already present unchanged",
        s.file, s.imported, s.records, s.unchanged
    );
}

fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub fn ledger(r: &LedgerReport, every_account: bool) {
    let accounts = if every_account {
        &r.balance.accounts
    } else {
        &r.by_place
    };
    if every_account {
        println!("Trial balance of the population ledger (every account)");
    } else {
        println!(
            "Trial balance of the population ledger (units folded into their site; --accounts lists each)"
        );
    }
    let width = accounts.keys().map(String::len).max().unwrap_or(7).max(10);
    for (account, n) in accounts {
        println!("  {account:<width$}  {:>9}", thousands(*n));
    }
    println!("  {:<width$}  {:>9}", "total", thousands(r.balance.total));
    println!(
        "  {:<width$}  {:>9}",
        "registered",
        thousands(r.balance.registered)
    );
    if r.balance.balanced {
        println!("balanced: every registered person is in exactly one place account");
    } else {
        println!(
            "NOT BALANCED: accounts hold {} people, {} are registered",
            r.balance.total, r.balance.registered
        );
    }
    for (account, books, places) in &r.disagreements {
        println!("DISAGREEMENT in {account}: ledger says {books}, current places say {places}");
    }
}

pub fn sites(sites: &[SiteOverview]) {
    println!(
        "{:<14} {:<34} {:<15} {:>9} {:>7} {:>10} {:>10} {:>9}",
        "site", "name", "kind", "capacity", "units", "unit cap.", "occupancy", "deadline"
    );
    for s in sites {
        println!(
            "{:<14} {:<34} {:<15} {:>9} {:>7} {:>10} {:>10} {:>9}",
            s.site.site_id,
            truncate(&s.site.name, 34),
            s.site.kind.as_str(),
            thousands(s.site.capacity),
            thousands(s.units),
            thousands(s.unit_capacity),
            thousands(s.occupancy),
            s.site.closing_deadline.as_deref().unwrap_or("-"),
        );
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

pub fn overview(db: &str, o: &Overview) {
    println!();
    println!("Operation in {db}");
    println!(
        "  {} people in {} households; {} sites with {} shelter units; {} audit entries",
        thousands(o.counts.people),
        thousands(o.counts.households),
        o.counts.sites,
        thousands(o.counts.shelter_units),
        thousands(o.counts.audit_entries)
    );
    println!();
    sites(&o.sites);
    println!();
    ledger(&o.ledger, false);
}

fn person_line(r: &PersonRecord) -> String {
    let p = &r.person;
    format!(
        "{:<10} {:<14} {:<28} {:<22} {} {:<10} {}",
        p.person_id,
        p.relationship.as_str(),
        truncate(&p.name.latin(), 28),
        // Right-to-left names are isolated so that the line around them stays in order.
        format!("\u{2068}{}\u{2069}", p.name.original()),
        p.sex.as_str(),
        p.date_of_birth.to_string(),
        r.place
    )
}

fn history(h: &[MovementRecord]) {
    println!("History (population ledger):");
    for m in h {
        let from = m.from.as_deref().unwrap_or("(registered)");
        let split = m
            .split_reason
            .as_deref()
            .map(|s| format!(" [split: {s}]"))
            .unwrap_or_default();
        println!(
            "  {}  {:<10} {} -> {}  {} (by {}){}",
            m.at, m.person_id, from, m.to, m.reason, m.actor, split
        );
    }
}

pub fn person(v: &PersonView) {
    let p = &v.record.person;
    println!("Person {}", p.person_id);
    println!("  name (Latin)     {}", p.name.latin());
    println!("  name (original)  \u{2068}{}\u{2069}", p.name.original());
    println!("  sex              {}", p.sex.as_str());
    println!(
        "  date of birth    {} ({})",
        p.date_of_birth,
        p.date_of_birth.precision.as_str()
    );
    println!("  nationality      {}", p.nationality);
    println!("  languages        {}", p.languages.join(", "));
    println!("  specific needs   {}", p.specific_needs.join(", "));
    for (k, val) in &p.attributes {
        println!("  {k:<16} {val}");
    }
    println!(
        "  household        {} ({})",
        p.household_id,
        p.relationship.as_str()
    );
    println!(
        "  registered       {} at {}{}",
        p.registered_on,
        p.site_id,
        p.unit_id
            .as_deref()
            .map(|u| format!(" / {u}"))
            .unwrap_or_default()
    );
    println!("  place now        {}", v.record.place);
    if let Some(h) = &v.hold {
        println!(
            "  on hold          {} (since {}, by {})",
            h.reason, h.since, h.actor
        );
    }
    for (convoy, status, unit) in &v.convoys {
        println!("  convoy           {convoy}: {status}, unit {unit}");
    }
    println!("  RSD              {}", v.rsd.summary);
    history(&v.history);
    if !v.audit.is_empty() {
        println!("Audited changes:");
        for a in &v.audit {
            println!("  #{} {} {} by {}", a.seq, a.at, a.action, a.actor);
        }
    }
}

pub fn household(v: &HouseholdView) {
    println!("Household {} ({} members)", v.household_id, v.members.len());
    for m in &v.members {
        println!("  {}", person_line(m));
    }
    history(&v.history);
    if !v.audit.is_empty() {
        println!("Audited changes:");
        for a in &v.audit {
            println!("  #{} {} {} by {}", a.seq, a.at, a.action, a.actor);
        }
    }
}

pub fn search(text: &str, hits: &[SearchHit]) {
    if hits.is_empty() {
        println!("no one found for '{text}'");
        return;
    }
    for h in hits {
        println!("{:.2}  {}", h.score, person_line(&h.record));
    }
}

pub fn standards_in_force(s: &Standards) {
    println!(
        "Standards in force: covered area ≥ {} m² per person · water ≥ {} litres per person per day · \
         ≤ {} people per latrine · ≤ {} people per shower",
        s.covered_area_m2_per_person,
        s.water_litres_per_person_day,
        s.persons_per_latrine,
        s.persons_per_shower
    );
}

fn limit_name(l: Limit) -> &'static str {
    match l {
        Limit::CoveredArea => "covered area",
        Limit::Water => "water",
        Limit::Latrines => "latrines",
        Limit::Showers => "showers",
    }
}

pub fn standards(r: &StandardsReport, worst_units: usize) {
    standards_in_force(&r.standards);
    let opt = |v: Option<i64>| v.map_or("not recorded".to_string(), thousands);
    for a in &r.sites {
        println!();
        println!("{} — {} ({})", a.site_id, a.name, a.kind);
        println!(
            "  declared capacity {}; {} places in shelter units; {} people here now",
            thousands(a.declared_capacity),
            thousands(a.unit_capacity),
            thousands(a.occupancy)
        );
        println!(
            "  people it can hold to standard: shelter {} · water {} · latrines {} · showers {}",
            thousands(a.shelter_at_standard),
            opt(a.water_at_standard),
            opt(a.latrines_at_standard),
            opt(a.showers_at_standard)
        );
        let note = if a.facilities_recorded {
            ""
        } else {
            " (facilities not recorded: shelter only)"
        };
        println!(
            "  → holds {} to every standard, limited by {}{note}",
            thousands(a.capacity_at_standards),
            limit_name(a.limited_by)
        );
        if a.units_below_standard > 0 {
            println!(
                "  {} units below the covered-area standard: {} places too many, {:.1} m² of covered area short; {} people now living below it",
                thousands(a.units_below_standard as i64),
                thousands(a.places_over_standard),
                a.area_short_m2,
                thousands(a.occupants_over_standard)
            );
            for u in a.units.iter().take(worst_units) {
                println!(
                    "    {:<16} {:>5.2} m² per person at capacity {} ({:.1} m²): holds {} to standard, {} now",
                    u.unit_id,
                    u.m2_per_person_at_capacity.unwrap_or(0.0),
                    u.capacity,
                    u.covered_area_m2,
                    u.persons_at_standard,
                    u.occupancy
                );
            }
        }
    }
    println!();
    if r.shortfall == 0 {
        println!(
            "Operation: {} residents present; the temporary sites can hold {} to the standards — room for all, {} to spare.",
            thousands(r.residents_present),
            thousands(r.temporary_sites_capacity_at_standards),
            thousands(r.temporary_sites_capacity_at_standards - r.residents_present)
        );
    } else {
        println!(
            "Operation: {} residents present; the temporary sites can hold {} to the standards — {} short.",
            thousands(r.residents_present),
            thousands(r.temporary_sites_capacity_at_standards),
            thousands(r.shortfall)
        );
    }
}

pub fn relocation_plan(s: &haven_app::relocation::PlanSummary) {
    println!(
        "Relocation plan {} from {} to {}: {} people in {} households on {} convoys",
        s.plan_id,
        s.from_site,
        s.to_site,
        thousands(s.people_planned as i64),
        thousands(s.households_planned as i64),
        s.convoys.iter().filter(|c| c.passengers > 0).count()
    );
    println!(
        "  {} at {} ({} already on an earlier plan's convoy)",
        thousands(s.people_at_origin as i64),
        s.from_site,
        thousands(s.already_planned as i64)
    );
    if let Some(room) = s.site_room {
        println!(
            "  room at {} to its facility standards before this plan: {}",
            s.to_site,
            thousands(room)
        );
    }
    println!(
        "  {:<9} {:<10} {:>5} {:>10} {:>10} {:>8}",
        "convoy", "date", "seats", "passengers", "households", "priority"
    );
    for c in &s.convoys {
        println!(
            "  {:<9} {:<10} {:>5} {:>10} {:>10} {:>8}",
            c.convoy_id, c.date, c.seats, c.passengers, c.households, c.priority_passengers
        );
    }
    held(&s.held);
}

fn held(held: &[haven_core::relocation::Held]) {
    if held.is_empty() {
        println!("  no household held back");
        return;
    }
    let people: usize = held.iter().map(|h| h.person_ids.len()).sum();
    println!(
        "  held back: {} households, {} people",
        held.len(),
        thousands(people as i64)
    );
    for h in held.iter().take(20) {
        println!(
            "    {} ({} people): {}",
            h.household_id,
            h.person_ids.len(),
            h.reason
        );
    }
    if held.len() > 20 {
        println!("    ... and {} more (see --json)", held.len() - 20);
    }
}

pub fn relocation_overview(o: &haven_app::relocation::RelocationOverview) {
    if o.convoys.is_empty() {
        println!("No convoys planned. Plan some with `haven relocate plan`.");
        return;
    }
    println!(
        "{:<9} {:<10} {:<10} {:<18} {:>5}  manifest",
        "convoy", "date", "status", "route", "seats"
    );
    for c in &o.convoys {
        let manifest: Vec<String> = c
            .manifest
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        println!(
            "{:<9} {:<10} {:<10} {:<18} {:>5}  {}",
            c.convoy_id,
            c.date,
            c.status,
            format!("{} → {}", c.from_site, c.to_site),
            c.seats,
            manifest.join(", ")
        );
    }
    if let Some(p) = &o.latest_plan {
        println!(
            "Latest plan {} ({} → {}, {}):",
            p.plan_id, p.from_site, p.to_site, p.created_at
        );
        held(&p.held);
    }
}

pub fn convoy(d: &haven_app::relocation::ConvoyDetail) {
    let c = &d.convoy;
    println!(
        "Convoy {} on {}: {} → {}, {} seats, {}",
        c.convoy_id, c.date, c.from_site, c.to_site, c.seats, c.status
    );
    if let Some(t) = &c.departed_at {
        println!("  departed at {t}");
    }
    if let Some(t) = &c.arrived_at {
        println!("  arrived at {t}");
    }
    for l in &d.manifest {
        let p = &l.person.person;
        println!(
            "  {:<10} {:<10} {:<28} {:<3} {:<12} {:<9} {}{}",
            p.household_id,
            p.person_id,
            format!("{} {}", p.name.given_latin, p.name.family_latin),
            p.sex.as_str(),
            l.to_unit,
            l.status,
            if l.priority { "priority " } else { "" },
            l.note.as_deref().unwrap_or("")
        );
    }
}

pub fn demo_story(s: &haven_app::demo::DemoStory, camp: &str, temporary: &str) {
    if !s.staged {
        println!("The operation's story was staged on an earlier run; left as it is.");
        return;
    }
    println!(
        "Relocation from {camp} to {temporary} under way: {} convoys planned, {} arrived ({} people relocated), {} on the road.",
        s.convoys_planned, s.convoys_arrived, s.people_relocated, s.convoys_in_transit
    );
    if let Some(p) = &s.on_hold {
        println!("  {p} is in hospital: their household waits (haven relocate show).");
    }
    for p in &s.missing {
        println!(
            "  {p} was not checked in on arrival: whereabouts unknown (haven person show {p})."
        );
    }
    println!(
        "Refugee status determination: {} of {} claims decided in the last two weeks ({} recognised), {} appealed (haven rsd queue).",
        s.claims_decided, s.claims, s.claims_recognised, s.claims_appealed
    );
    if let Some(run) = &s.placement_run {
        println!(
            "Resettlement: placement run {run} approved, {} referrals; countries accepted {} and declined {}; {} people departed (haven referral list, haven report progress).",
            s.referrals, s.accepted, s.declined, s.departed_people
        );
    }
    if let Some(p) = &s.returning {
        println!(
            "  {p} asked to go home: counselled, consent signed, awaiting verification (haven return list)."
        );
    }
}

pub fn pledges(pledges: &[haven_core::pledge::Pledge]) {
    if pledges.is_empty() {
        println!("No pledges. Import them with `haven pledge import FILE`.");
        return;
    }
    println!(
        "{:<16} {:<7} {:>7}  {:<23}  criteria",
        "pledge", "country", "places", "period"
    );
    let mut total = 0i64;
    for p in pledges {
        total += i64::from(p.places);
        let c = &p.criteria;
        let mut rules = Vec::new();
        if c.household_size_min.is_some() || c.household_size_max.is_some() {
            rules.push(format!(
                "household {}–{}",
                c.household_size_min.map_or("1".into(), |n| n.to_string()),
                c.household_size_max.map_or("any".into(), |n| n.to_string())
            ));
        }
        if !c.accepts_specific_needs {
            rules.push("no specific needs".into());
        } else if !c.excluded_needs.is_empty() {
            rules.push(format!("not {}", c.excluded_needs.join(", ")));
        }
        if !c.languages.is_empty() {
            rules.push(format!("speaks {}", c.languages.join("/")));
        }
        if !c.nationalities.is_empty() {
            rules.push(format!("nationals of {}", c.nationalities.join("/")));
        }
        if let Some(a) = c.max_age {
            rules.push(format!("aged {a} or under"));
        }
        for b in &c.legal_bars {
            rules.push(format!("legal bar: {}", b.description));
        }
        println!(
            "{:<16} {:<7} {:>7}  {} – {}  {}",
            p.pledge_id,
            p.country,
            thousands(i64::from(p.places)),
            p.period_start,
            p.period_end,
            if rules.is_empty() {
                "none".to_string()
            } else {
                rules.join("; ")
            }
        );
    }
    println!("{:<16} {:<7} {:>7}", "total", "", thousands(total));
}
