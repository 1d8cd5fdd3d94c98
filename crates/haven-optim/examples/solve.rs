//! Benchmark / debugging driver (the `haven solve` command lives in haven-cli).
//!
//! ```text
//! cargo run --release -p haven-optim --example solve -- [--time-limit-ms T] [--seed S]
//!     [--threads N] [--max] [--json] FILE...        # OR-Library GAP files (min cost)
//! cargo run --release -p haven-optim --example solve -- --resettle N M [--seed S] [--dump FILE] ...
//! cargo run --release -p haven-optim --example solve -- --bench-item-sets SETS [--size F]
//!     [--repeat R] [--seed S] --start ASSIGNMENT FILE   # the LNS's sub-problem kernel
//! ```
//! Prints one JSON line per instance: name, objective, bound, gap, optimal, feasible, time_ms.
//! With `--resettle` it also prints a warm re-solve after one capacity change and the peak
//! memory (VmHWM) of the process. With `--bench-item-sets` it re-places SETS random item
//! sets of F items (default 60) from the assignment in ASSIGNMENT (one 0-based place a
//! line in item order, `#` comments) with no clock, R times (default 5), and prints the
//! work, each time and the fastest.

use haven_optim::{
    ResettlementParams, Sense, SolveOptions, check_assignment, generate_resettlement,
    read_json_problem, read_orlib_gap, solve, solve_warm,
};
use std::process::ExitCode;

/// An assignment file: one 0-based place a line, in item order; `#` lines are comments.
fn read_assignment(path: &str) -> Result<Vec<Option<usize>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
    let mut a = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let place = line.parse().map_err(|_| {
            format!(
                "{path}:{}: a place index is expected (value: {line:?})",
                n + 1
            )
        })?;
        a.push(Some(place));
    }
    Ok(a)
}

fn peak_mem_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> ExitCode {
    let mut opts = SolveOptions::default();
    let mut files = Vec::new();
    let mut maximize = false;
    let mut resettle: Option<(usize, usize)> = None;
    let mut full = false;
    let mut dump: Option<String> = None;
    let mut bench_sets: Option<usize> = None;
    let mut bench_size = 60usize;
    let mut repeat = 5u64;
    let mut start: Option<String> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let num = |i: usize| -> u64 {
        args.get(i).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            eprintln!("bad number after {}", args[i - 1]);
            std::process::exit(2)
        })
    };
    while i < args.len() {
        match args[i].as_str() {
            "--time-limit-ms" => {
                i += 1;
                opts.time_limit_ms = num(i);
            }
            "--seed" => {
                i += 1;
                opts.seed = num(i);
            }
            "--threads" => {
                i += 1;
                opts.threads = num(i) as usize;
            }
            "--max-rounds" => {
                i += 1;
                opts.max_rounds = Some(num(i));
            }
            "--max" => maximize = true,
            "--full" => full = true,
            "--dump" => {
                i += 1;
                dump = args.get(i).cloned();
            }
            "--bench-item-sets" => {
                i += 1;
                bench_sets = Some(num(i) as usize);
            }
            "--repeat" => {
                i += 1;
                repeat = num(i);
            }
            "--size" => {
                i += 1;
                bench_size = num(i) as usize;
            }
            "--start" => {
                i += 1;
                start = args.get(i).cloned();
            }
            "--resettle" => {
                resettle = Some((num(i + 1) as usize, num(i + 2) as usize));
                i += 2;
            }
            f => files.push(f.to_string()),
        }
        i += 1;
    }
    if let Some((n, m)) = resettle {
        let t = std::time::Instant::now();
        let par = ResettlementParams {
            households: n,
            places: m,
            seed: opts.seed + 1,
            ..Default::default()
        };
        let p = generate_resettlement(&par);
        let gen_ms = t.elapsed().as_millis();
        if let Some(path) = &dump {
            let written = serde_json::to_string(&haven_optim::problem_to_json(&p))
                .map_err(|e| e.to_string())
                .and_then(|text| std::fs::write(path, text).map_err(|e| e.to_string()));
            if let Err(e) = written {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        }
        let s = solve(&p, &opts);
        let chk = check_assignment(&p, &s.assignment);
        println!(
            "{}",
            serde_json::json!({
                "name": p.name, "options": p.num_options(), "generate_ms": gen_ms as u64,
                "objective": s.objective, "bound": s.bound, "gap": s.gap, "feasible": s.feasible,
                "checker": chk.feasible, "time_ms": s.time_ms, "stats": s.stats,
            })
        );
        // warm re-solve: the most valuable binding place loses 10 % of its persons capacity
        let mut best = (0usize, -1.0);
        for (pl, v) in s.shadow_prices.iter().enumerate() {
            if v[0] > best.1 {
                best = (pl, v[0]);
            }
        }
        let mut q = p.clone();
        let cap = q.capacity(best.0)[0];
        if let Err(e) = q.set_capacity(best.0, 0, (cap * 0.9).floor()) {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
        let wopts = SolveOptions {
            time_limit_ms: 1000,
            ..opts.clone()
        };
        let w = solve_warm(&q, &s, &wopts);
        let chk = check_assignment(&q, &w.assignment);
        println!(
            "{}",
            serde_json::json!({
                "warm_resolve": true, "place": best.0, "capacity_before": cap, "capacity_after": (cap * 0.9).floor(),
                "objective": w.objective, "bound": w.bound, "gap": w.gap, "feasible": w.feasible,
                "checker": chk.feasible, "time_ms": w.time_ms, "peak_mem_mb": peak_mem_mb(),
            })
        );
        return ExitCode::SUCCESS;
    }
    if let Some(sets) = bench_sets {
        let (Some(start), [f]) = (start, files.as_slice()) else {
            eprintln!("--bench-item-sets needs --start ASSIGNMENT and one GAP file");
            return ExitCode::from(2);
        };
        let run = read_assignment(&start).and_then(|a| {
            let p = read_orlib_gap(f)
                .map_err(|e| e.to_string())?
                .into_iter()
                .next()
                .ok_or_else(|| format!("{f}: no instance"))?;
            // the same work each time: the fastest time is the least disturbed
            let mut runs = Vec::new();
            for _ in 0..repeat.max(1) {
                runs.push(
                    haven_optim::bench_item_sets(&p, &a, sets, bench_size, opts.seed)
                        .map_err(|e| format!("{start}: {e}"))?,
                );
            }
            Ok(runs)
        });
        return match run {
            Ok(runs) => {
                let times: Vec<f64> = runs.iter().map(|b| b.time_ms).collect();
                let fastest = times.iter().copied().fold(f64::INFINITY, f64::min);
                println!(
                    "{}",
                    serde_json::json!({"kernel": runs[0], "times_ms": times, "fastest_ms": fastest})
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut status = ExitCode::SUCCESS;
    for f in files {
        let probs = if f.ends_with(".json") {
            read_json_problem(&f).map(|p| vec![p])
        } else {
            read_orlib_gap(&f)
        };
        let probs = match probs {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        for mut p in probs {
            if maximize {
                p.sense = Sense::Maximize;
            }
            let s = solve(&p, &opts);
            if full {
                println!("{}", serde_json::to_string(&s).unwrap_or_default());
            } else {
                println!(
                    "{{\"file\":\"{f}\",\"name\":\"{}\",\"objective\":{},\"bound\":{},\"gap\":{},\"optimal\":{},\"feasible\":{},\"time_ms\":{},\"stats\":{}}}",
                    p.name,
                    s.objective.map_or("null".into(), |v| v.to_string()),
                    s.bound.map_or("null".into(), |v| v.to_string()),
                    s.gap.map_or("null".into(), |v| format!("{v:.6}")),
                    s.optimal,
                    s.feasible,
                    s.time_ms,
                    serde_json::to_string(&s.stats).unwrap_or_default()
                );
            }
        }
    }
    status
}
