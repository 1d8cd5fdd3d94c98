//! Charts as inline SVG, drawn here so that pages need no script and no download: one
//! horizontal bar per row, labelled with its value.

/// Escapes text for SVG/HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar chart of `(label, value)` rows, scaled to the largest value.
pub fn bars(title: &str, rows: &[(String, i64)]) -> String {
    const LABEL_W: i64 = 210;
    const BAR_W: i64 = 380;
    const ROW_H: i64 = 26;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = ROW_H * rows.len() as i64 + 8;
    let width = LABEL_W + BAR_W + 80;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">",
        escape(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i as i64 * ROW_H + 4;
        // In i128: a value near i64::MAX times the bar width must not overflow.
        let w = (i128::from(*value.max(&0)) * i128::from(BAR_W) / i128::from(max)) as i64;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text>\
             <rect x=\"{LABEL_W}\" y=\"{y}\" width=\"{w}\" height=\"{}\" class=\"bar\"><title>{}: {value}</title></rect>\
             <text x=\"{}\" y=\"{}\" class=\"value\">{value}</text>",
            LABEL_W - 8,
            y + 16,
            escape(label),
            ROW_H - 8,
            escape(label),
            LABEL_W + w + 6,
            y + 16,
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars("funnel", &[("registered".into(), 200), ("<b>".into(), 100)]);
        assert!(svg.contains("width=\"380\""));
        assert!(svg.contains("width=\"190\""));
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn empty_and_zero_rows_draw_nothing_wrong() {
        assert!(bars("x", &[]).starts_with("<svg"));
        assert!(bars("x", &[("a".into(), 0)]).contains("width=\"0\""));
    }
}
