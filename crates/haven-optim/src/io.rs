//! Readers: OR-Library GAP files and the JSON problem format (see `docs/optimiser.md`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{OptimError, Result};
use crate::model::{Mode, Problem, ProblemBuilder, Sense};

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| OptimError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "problem".into())
}

/// Read an OR-Library generalised assignment file.
///
/// Accepts both layouts: one instance (`m n`, costs, weights, capacities — as in
/// `shared/data/gap`) and the original OR-Library files `gap1`…`gap12`, `gapa`…`gapd` that
/// start with the number of instances P followed by P blocks. Every instance is returned as
/// a [`Mode::AssignAll`], [`Sense::Minimize`] problem with one resource; set
/// `problem.sense = Sense::Maximize` to solve the OR-Library `gap1`..`gap12` profits the
/// way the literature does.
///
/// Names: the file stem for a single instance, `stem-r` (r from 0) for multi-instance files.
pub fn read_orlib_gap(path: impl AsRef<Path>) -> Result<Vec<Problem>> {
    let path = path.as_ref();
    let text = read_text(path)?;
    parse_orlib_gap(&text, path)
}

struct Tokens<'a> {
    toks: Vec<(usize, &'a str)>,
    pos: usize,
    path: &'a Path,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str, path: &'a Path) -> Self {
        let toks = text
            .lines()
            .enumerate()
            .flat_map(|(l, line)| line.split_whitespace().map(move |t| (l + 1, t)))
            .collect();
        Tokens { toks, pos: 0, path }
    }
    fn err(&self, line: usize, value: &str, message: impl Into<String>) -> OptimError {
        OptimError::Parse {
            path: self.path.to_path_buf(),
            line,
            value: value.to_string(),
            message: message.into(),
        }
    }
    fn next(&mut self, what: &str) -> Result<(usize, &'a str)> {
        match self.toks.get(self.pos) {
            Some(&t) => {
                self.pos += 1;
                Ok(t)
            }
            None => {
                let line = self.toks.last().map(|t| t.0).unwrap_or(0);
                Err(self.err(
                    line,
                    "<end of file>",
                    format!("file ends early: expected {what}"),
                ))
            }
        }
    }
    fn count(&mut self, what: &str) -> Result<usize> {
        let (line, t) = self.next(what)?;
        match t.parse::<usize>() {
            Ok(v) if v > 0 => Ok(v),
            _ => Err(self.err(line, t, format!("{what} must be a positive integer"))),
        }
    }
    fn number(&mut self, what: &dyn Fn() -> String, nonneg: bool) -> Result<f64> {
        let (line, t) = self.next(&what())?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && (!nonneg || v >= 0.0) => Ok(v),
            Ok(_) if nonneg => {
                Err(self.err(line, t, format!("{} must be finite and >= 0", what())))
            }
            _ => Err(self.err(line, t, format!("{} is not a number", what()))),
        }
    }
}

/// Parse the text of an OR-Library GAP file (see [`read_orlib_gap`]); `path` is used in
/// error messages and names.
pub fn parse_orlib_gap(text: &str, path: &Path) -> Result<Vec<Problem>> {
    let mut tk = Tokens::new(text, path);
    let total = tk.toks.len();
    if total < 2 {
        return Err(tk.err(
            0,
            "",
            "empty GAP file: expected `m n` or the number of instances",
        ));
    }
    let first = tk.toks[0].1.parse::<usize>().ok();
    let second = tk.toks[1].1.parse::<usize>().ok();
    let single = matches!((first, second), (Some(m), Some(n)) if m.checked_mul(n).and_then(|mn| mn.checked_mul(2)).and_then(|x| x.checked_add(2 + m)) == Some(total));
    let name = stem(path);
    let mut out = Vec::new();
    if single {
        out.push(parse_block(&mut tk, name)?);
    } else {
        let p = tk.count("number of instances P (or `m n` of a single instance)")?;
        for r in 0..p {
            out.push(parse_block(&mut tk, format!("{name}-{r}"))?);
        }
    }
    if tk.pos < total {
        let (line, t) = tk.toks[tk.pos];
        return Err(tk.err(line, t, "unexpected data after the last instance"));
    }
    Ok(out)
}

fn parse_block(tk: &mut Tokens<'_>, name: String) -> Result<Problem> {
    let m = tk.count("number of agents m")?;
    let n = tk.count("number of jobs n")?;
    if m.saturating_mul(n) > 50_000_000 {
        return Err(OptimError::InvalidFile {
            path: tk.path.to_path_buf(),
            message: format!("instance {name}: m × n = {m} × {n} is too large"),
        });
    }
    let mut cost = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            cost[i * n + j] =
                tk.number(&|| format!("cost c[{i}][{j}] of instance {name}"), false)?;
        }
    }
    let mut weight = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            weight[i * n + j] =
                tk.number(&|| format!("weight r[{i}][{j}] of instance {name}"), true)?;
        }
    }
    let mut b = ProblemBuilder::new(vec!["capacity".into()], Sense::Minimize, Mode::AssignAll);
    b.name(name.clone());
    for i in 0..m {
        let cap = tk.number(&|| format!("capacity b[{i}] of instance {name}"), true)?;
        b.place(format!("agent{i}"), &[cap])?;
    }
    for j in 0..n {
        b.item(format!("job{j}"), &[weight[j]])?;
        for i in 0..m {
            b.option_with_need(i, cost[i * n + j], &[weight[i * n + j]])?;
        }
    }
    b.build()
}

/// One amount or one per resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amounts {
    /// A single number (only when there is one resource).
    One(f64),
    /// One number per resource, in the order of `resources`.
    Many(Vec<f64>),
}

impl Amounts {
    fn to_vec(&self) -> Vec<f64> {
        match self {
            Amounts::One(x) => vec![*x],
            Amounts::Many(v) => v.clone(),
        }
    }
}

/// A place referenced by index (0-based) or by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PlaceRef {
    /// 0-based index into `places`.
    Index(usize),
    /// The place's `name`.
    Name(String),
}

/// JSON problem (see `docs/optimiser.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonProblem {
    /// Optional name.
    #[serde(default)]
    pub name: Option<String>,
    /// `"maximize"` (default) or `"minimize"`.
    #[serde(default = "default_sense")]
    pub sense: Sense,
    /// `"optional"` (default) or `"assign_all"`.
    #[serde(default = "default_mode")]
    pub mode: Mode,
    /// Resource names; default `["capacity"]`.
    #[serde(default)]
    pub resources: Option<Vec<String>>,
    /// The places.
    pub places: Vec<JsonPlace>,
    /// The items, in order (the assignment is reported in this order).
    pub items: Vec<JsonItem>,
}

fn default_sense() -> Sense {
    Sense::Maximize
}
fn default_mode() -> Mode {
    Mode::Optional
}

/// A place in the JSON format.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonPlace {
    /// Unique name.
    pub name: String,
    /// Capacity per resource.
    pub capacity: Amounts,
}

/// An item in the JSON format.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonItem {
    /// Optional name (default `item<j>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Default need per resource, used by options without their own `need`.
    #[serde(default)]
    pub need: Option<Amounts>,
    /// Eligible places; absent places are ineligible.
    pub options: Vec<JsonOption>,
}

/// One eligible item–place pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonOption {
    /// The place.
    pub place: PlaceRef,
    /// Value (profit when maximising, cost when minimising).
    pub value: f64,
    /// Place-specific need, overriding the item's.
    #[serde(default)]
    pub need: Option<Amounts>,
}

/// Read a problem in the JSON format documented in `docs/optimiser.md`.
pub fn read_json_problem(path: impl AsRef<Path>) -> Result<Problem> {
    let path = path.as_ref();
    let text = read_text(path)?;
    parse_json_problem(&text, path)
}

/// Parse JSON problem text; `path` is used in error messages and as the default name.
pub fn parse_json_problem(text: &str, path: &Path) -> Result<Problem> {
    let jp: JsonProblem = serde_json::from_str(text).map_err(|e| {
        let line = e.line();
        let value = text
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| {
                let c = e.column().saturating_sub(1).min(l.len());
                let s: String = l.chars().skip(c.saturating_sub(20)).take(40).collect();
                s
            })
            .unwrap_or_default();
        OptimError::Parse {
            path: path.to_path_buf(),
            line,
            value,
            message: format!("invalid JSON problem: {e}"),
        }
    })?;
    json_to_problem(jp, path)
}

fn json_to_problem(jp: JsonProblem, path: &Path) -> Result<Problem> {
    let bad = |message: String| OptimError::InvalidFile {
        path: path.to_path_buf(),
        message,
    };
    let resources = jp.resources.unwrap_or_else(|| vec!["capacity".into()]);
    let k = resources.len();
    let mut b = ProblemBuilder::new(resources, jp.sense, jp.mode);
    b.name(jp.name.unwrap_or_else(|| stem(path)));
    let mut by_name = BTreeMap::new();
    for (i, pl) in jp.places.iter().enumerate() {
        if by_name.insert(pl.name.clone(), i).is_some() {
            return Err(bad(format!("places[{i}]: name {:?} used twice", pl.name)));
        }
        b.place(pl.name.clone(), &pl.capacity.to_vec())
            .map_err(|e| bad(format!("places[{i}]: {e}")))?;
    }
    let m = jp.places.len();
    for (j, it) in jp.items.iter().enumerate() {
        let name = it.name.clone().unwrap_or_else(|| format!("item{j}"));
        let need = it.need.as_ref().map(Amounts::to_vec);
        let default = need.clone().unwrap_or_else(|| vec![0.0; k]);
        b.item(name.clone(), &default)
            .map_err(|e| bad(format!("items[{j}] ({name}): {e}")))?;
        for (q, op) in it.options.iter().enumerate() {
            let place = match &op.place {
                PlaceRef::Index(i) if *i < m => *i,
                PlaceRef::Index(i) => {
                    return Err(bad(format!(
                        "items[{j}] ({name}).options[{q}].place: index {i} out of range (there are {m} places)"
                    )));
                }
                PlaceRef::Name(s) => *by_name.get(s).ok_or_else(|| {
                    bad(format!(
                        "items[{j}] ({name}).options[{q}].place: unknown place {s:?}"
                    ))
                })?,
            };
            let res = match (&op.need, &need) {
                (Some(nd), _) => b.option_with_need(place, op.value, &nd.to_vec()),
                (None, Some(_)) => b.option(place, op.value),
                (None, None) => {
                    return Err(bad(format!(
                        "items[{j}] ({name}).options[{q}]: no `need` here and the item has no default `need`"
                    )));
                }
            };
            res.map_err(|e| bad(format!("items[{j}] ({name}).options[{q}]: {e}")))?;
        }
    }
    b.build().map_err(|e| bad(e.to_string()))
}

/// Convert a problem to the JSON format (round-trips through [`parse_json_problem`]).
pub fn problem_to_json(p: &Problem) -> JsonProblem {
    let k = p.num_resources();
    JsonProblem {
        name: Some(p.name.clone()),
        sense: p.sense,
        mode: p.mode,
        resources: Some(p.resources.clone()),
        places: (0..p.num_places())
            .map(|i| JsonPlace {
                name: p.place_name(i).to_string(),
                capacity: Amounts::Many(p.capacity(i).to_vec()),
            })
            .collect(),
        items: (0..p.num_items())
            .map(|j| {
                let need = p.item_need[j * k..(j + 1) * k].to_vec();
                JsonItem {
                    name: Some(p.item_name(j).to_string()),
                    options: p
                        .options(j)
                        .map(|o| JsonOption {
                            place: PlaceRef::Index(p.option_place(o)),
                            value: p.option_value(o),
                            need: (p.option_need(j, o) != need.as_slice())
                                .then(|| Amounts::Many(p.option_need(j, o).to_vec())),
                        })
                        .collect(),
                    need: Some(Amounts::Many(need)),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_multi() {
        let single = "2 3\n1 2 3\n4 5 6\n1 1 1\n2 2 2\n5 6\n";
        let v = parse_orlib_gap(single, Path::new("x/gapz")).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].name, "gapz");
        assert_eq!(v[0].num_items(), 3);
        assert_eq!(v[0].num_places(), 2);
        assert_eq!(v[0].option_value(v[0].find_option(2, 1).unwrap()), 6.0);
        assert_eq!(v[0].option_need(1, v[0].find_option(1, 1).unwrap()), &[2.0]);
        let multi = format!("2\n{single}{single}");
        let v = parse_orlib_gap(&multi, Path::new("gap9")).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].name, "gap9-1");
    }

    #[test]
    fn gap_errors_name_line_and_value() {
        let e = parse_orlib_gap("2 3\n1 2 x\n4 5 6\n1 1 1\n2 2 2\n5 6\n", Path::new("f"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("f:2:") && e.contains("\"x\""), "{e}");
        let e = parse_orlib_gap("2 3\n1 2 3\n4 5 6\n1 1 1\n2 2 -2\n5 6\n", Path::new("f"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("f:5:") && e.contains(">= 0"), "{e}");
        let e = parse_orlib_gap("1\n2 3\n1 2 3\n", Path::new("f"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("ends early"), "{e}");
        assert!(parse_orlib_gap("", Path::new("f")).is_err());
        assert!(
            parse_orlib_gap("2 3\n1 2 3\n4 5 6\n1 1 1\n2 2 2\n5 6 7 8\n", Path::new("f")).is_err()
        );
    }

    #[test]
    fn json_roundtrip_and_errors() {
        let text = r#"{"name":"t","sense":"maximize","mode":"optional","resources":["persons","medical"],
          "places":[{"name":"A","capacity":[10,1]},{"name":"B","capacity":[5,0]}],
          "items":[{"name":"h1","need":[4,1],"options":[{"place":"A","value":3}]},
                   {"need":[2,0],"options":[{"place":1,"value":2},{"place":"A","value":1,"need":[3,0]}]}]}"#;
        let p = parse_json_problem(text, Path::new("t.json")).unwrap();
        assert_eq!(p.num_items(), 2);
        assert_eq!(p.option_need(1, p.find_option(1, 0).unwrap()), &[3.0, 0.0]);
        let back = serde_json::to_string(&problem_to_json(&p)).unwrap();
        let q = parse_json_problem(&back, Path::new("t.json")).unwrap();
        assert_eq!(p, q);
        let e = parse_json_problem(
            &text
                .replace("\"B\"}", "\"B\"")
                .replace("\"place\":\"A\",\"value\":3", "\"place\":\"Z\",\"value\":3"),
            Path::new("t.json"),
        );
        assert!(e.is_err());
        let e = parse_json_problem(
            &text.replace("\"place\":\"A\",\"value\":3", "\"place\":\"Z\",\"value\":3"),
            Path::new("t.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown place \"Z\""), "{e}");
        let e = parse_json_problem("{\"places\": [], \"items\": 3}", Path::new("t.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.json:1:"), "{e}");
    }
}
