//! Transliteration-tolerant name search keys.
//!
//! A person registered as `Mohammad` in one office is `Muhammad`, `Mohammed` or `محمد`
//! in another. Haven must find all of them from any one spelling. This module turns a
//! name token, in Latin or Persian/Arabic script, into a **search key**: a consonant
//! skeleton in a small ASCII alphabet. Two spellings of the same name give the same key;
//! the search looks candidates up by key and ranks them with [`similarity`].
//!
//! A key is **never a display name** and never stored in place of what was registered:
//! it loses vowels and merges letters on purpose.
//!
//! # How a key is made
//!
//! Persian script writes consonants and long vowels and leaves short vowels out; Latin
//! transliterations write every vowel, each office its own way. Their common ground is
//! the consonants, so the key keeps consonants only, each mapped to a class:
//!
//! | key | Persian / Arabic | Latin |
//! | --- | --- | --- |
//! | `b` `p` `d` `r` `k` `g` `l` `m` `n` | ب پ د ر ک(ك) گ ل م ن | b p d r k/c g l m n |
//! | `f` | ف | f, ph |
//! | `t` | ت ط | t |
//! | `s` | ث س ص | s |
//! | `z` | ذ ز ض ظ | z |
//! | `j` | ج ژ | j, dj, zh |
//! | `ch` | چ | ch, tch |
//! | `sh` | ش | sh, sch |
//! | `h` | ح ه (ة) | h |
//! | `x` | خ | kh, x |
//! | `q` | غ ق | gh, q |
//! | `v` | و when consonantal | v, w when consonantal |
//! | `y` | ی (ي ى) at the start of a token | y at the start, before a vowel |
//! | — | ا آ أ إ ٱ, ی inside a token, و as a vowel | a e i o u, y inside a token |
//! | — (glottal) | ع ء ؤ ئ | `'` and other punctuation |
//!
//! Rules, applied the same way to both scripts:
//!
//! 1. **Normalise.** Latin goes through `any_ascii` (so `Ḥusayn` is `Husayn`) and is
//!    lower-cased; only letters count. Arabic letter variants become Persian ones
//!    (ي ى → ی, ك → ک, ة → ه, أ إ آ ٱ → ا); harakat, shadda, superscript alef, tatweel
//!    and joiners are removed.
//! 2. **Vowels go.** Latin a e i o u; Persian ا; `y`/ی except at the start of a token
//!    (Maryam/مریم → `mrm`, Aly/علی → `l`).
//! 3. **و and v/w.** Persian و is the consonant `v` at the start of a token, after ا, or
//!    before ا or ی (Javad/جواد → `jvd`, Mousavi/موسوی → `msv`) and a vowel otherwise
//!    (Mahmoud/محمود → `mhmd`). Latin `v`/`w` are `v` except after a vowel and before a
//!    consonant or the end (the diphthong of Khosrow, Nowruz), where they are a vowel.
//! 4. **Glottals go** (ع and the hamza forms; Ja'far/جعفر → `jfr`) but, like vowels,
//!    they separate letters for rule 5.
//! 5. **Doubled consonants collapse** when written next to each other (Hossein → `hsn`,
//!    Mohammad → `mhmd`, الله → `l`), but not across a vowel (Leila/لیلا → `ll`).
//! 6. **A final `h` goes.** Latin `-eh`/`-ah` cannot tell a silent ه (Fatemeh/فاطمه) from
//!    ح (Saleh/صالح), and Arabic-style spellings drop it (Fatima). So a token-final ه is
//!    a vowel (the silent `-e`), a token-final ح is dropped, and a Latin token-final `h`
//!    is dropped: Fatemeh, Fatima, فاطمه → `ftm`; Saleh, صالح → `sl`; Maliheh, ملیحه →
//!    `mlh`.
//!
//! # What the key does not do
//!
//! It is a recall tool. Different names can share a skeleton, and the ranking must sort
//! them: Hossein and Hassan (`hsn`), Mohammad and Mahmoud (`mhmd`), Reza and Raziyeh
//! (`rz`), Saeed and Seyed (`sd`), Zahra and Zohreh (`zhr`). Known misses: a consonantal
//! و between two consonants in Persian script (توکلی → `tkl` but Tavakoli → `tvkl`),
//! assimilated spellings (Abdorreza vs Abdolreza), and ZWNJ-split compounds against
//! one-word Latin forms (محمد‌رضا gives two keys, Mohammadreza one: see [`joined_key`]).
//! Arabic presentation forms (U+FB50–U+FEFF) are not decoded and contribute nothing.

use std::collections::HashSet;

/// One element of a token before it becomes a key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Unit {
    Vowel,
    Glottal,
    Cons(&'static str),
}

/// The search key of one name token (see the module documentation). Empty when the
/// token has no consonant (e.g. `Ali` gives `l`; `Aia` gives an empty key).
pub fn name_key(token: &str) -> String {
    let units = if is_arabic_script(token) {
        persian_units(token)
    } else {
        latin_units(token)
    };
    finish(units)
}

/// The keys of a full name: one per token, splitting on whitespace, hyphens, commas and
/// the zero-width non-joiner; empty keys dropped; duplicates dropped, first order kept.
pub fn name_keys(full_name: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    for token in tokens(full_name) {
        let key = name_key(token);
        if !key.is_empty() && seen.insert(key.clone()) {
            keys.push(key);
        }
    }
    keys
}

/// The key of a whole name written as one word: the token keys concatenated. Lets a
/// search match `Mohammadreza` against `Mohammad Reza` or `محمد‌رضا` (and the reverse).
pub fn joined_key(full_name: &str) -> String {
    tokens(full_name).map(name_key).collect()
}

/// How alike two names are, in `[0, 1]`, for ranking search candidates (1 = same).
///
/// Within one script: `0.6 ×` Jaro-Winkler on the normalised spelling `+ 0.4 ×`
/// Jaro-Winkler on the keys, so Muhammad ranks above Mahmoud for Mohammad even though
/// all three share the key `mhmd`. Across scripts only the keys are comparable, so it is
/// Jaro-Winkler on the keys. Symmetric; two names with no letters are alike (1).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (arabic_a, form_a) = normalised_form(a);
    let (arabic_b, form_b) = normalised_form(b);
    if form_a.is_empty() || form_b.is_empty() {
        return if form_a.is_empty() && form_b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let keys_a = name_keys(a).join(" ");
    let keys_b = name_keys(b).join(" ");
    let on_keys = strsim::jaro_winkler(&keys_a, &keys_b);
    let score = if arabic_a == arabic_b {
        0.6 * strsim::jaro_winkler(&form_a, &form_b) + 0.4 * on_keys
    } else {
        on_keys
    };
    score.clamp(0.0, 1.0)
}

fn tokens(full_name: &str) -> impl Iterator<Item = &str> {
    full_name
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '-' | '\u{2010}'
                        | '\u{2011}'
                        | '\u{2012}'
                        | '\u{2013}'
                        | '\u{2014}'
                        | ','
                        | '\u{060C}'
                        | '\u{200C}'
                )
        })
        .filter(|t| !t.is_empty())
}

fn is_arabic_block(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}')
}

fn is_arabic_script(s: &str) -> bool {
    s.chars()
        .any(|c| is_arabic_block(c) && canonical_persian(c).is_some())
}

/// A name's spelling for [`similarity`]: whether it is in Arabic script, and its letters
/// normalised (Latin: ASCII lower case; Persian: canonical letters), tokens joined by a
/// space.
fn normalised_form(name: &str) -> (bool, String) {
    let arabic = is_arabic_script(name);
    let mut out = String::new();
    for token in tokens(name) {
        let letters: String = if arabic {
            token.chars().filter_map(canonical_persian).collect()
        } else {
            any_ascii::any_ascii(token)
                .chars()
                .filter(char::is_ascii_alphabetic)
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        if !letters.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&letters);
        }
    }
    (arabic, out)
}

/// Collapse doubled consonants, drop a final `h`, keep consonant classes.
fn finish(units: Vec<Unit>) -> String {
    let mut collapsed: Vec<Unit> = Vec::with_capacity(units.len());
    for u in units {
        if matches!(u, Unit::Cons(_)) && collapsed.last() == Some(&u) {
            continue;
        }
        collapsed.push(u);
    }
    // Rule 6: a token-final h goes (silent ه, or the -eh/-ah Latin cannot read).
    if collapsed.last() == Some(&Unit::Cons("h")) {
        collapsed.pop();
    }
    collapsed
        .into_iter()
        .filter_map(|u| match u {
            Unit::Cons(s) => Some(s),
            Unit::Vowel | Unit::Glottal => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Latin script

fn is_latin_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn latin_units(token: &str) -> Vec<Unit> {
    let s: Vec<u8> = any_ascii::any_ascii(token)
        .bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut units = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let (unit, len) = if rest.starts_with(b"tch") {
            (Unit::Cons("ch"), 3)
        } else if rest.starts_with(b"sch") {
            (Unit::Cons("sh"), 3)
        } else if rest.starts_with(b"kh") {
            (Unit::Cons("x"), 2)
        } else if rest.starts_with(b"gh") {
            (Unit::Cons("q"), 2)
        } else if rest.starts_with(b"sh") {
            (Unit::Cons("sh"), 2)
        } else if rest.starts_with(b"ch") {
            (Unit::Cons("ch"), 2)
        } else if rest.starts_with(b"ph") {
            (Unit::Cons("f"), 2)
        } else if rest.starts_with(b"zh") || rest.starts_with(b"dj") {
            (Unit::Cons("j"), 2)
        } else {
            let b = rest[0];
            let prev_vowel = i > 0 && is_latin_vowel(s[i - 1]);
            let next = s.get(i + 1).copied();
            let unit = match b {
                b'a' | b'e' | b'i' | b'o' | b'u' => Unit::Vowel,
                b'y' => {
                    if i == 0 && next.is_some_and(is_latin_vowel) {
                        Unit::Cons("y")
                    } else {
                        Unit::Vowel
                    }
                }
                b'v' | b'w' => {
                    // Diphthong: after a vowel, before a consonant or the end.
                    let next_is_vowel = next.is_some_and(|n| is_latin_vowel(n) || n == b'y');
                    if prev_vowel && !next_is_vowel {
                        Unit::Vowel
                    } else {
                        Unit::Cons("v")
                    }
                }
                b'c' | b'k' => Unit::Cons("k"),
                b'q' => Unit::Cons("q"),
                b'x' => Unit::Cons("x"),
                other => Unit::Cons(latin_letter(other)),
            };
            (unit, 1)
        };
        units.push(unit);
        i += len;
    }
    units
}

fn latin_letter(b: u8) -> &'static str {
    match b {
        b'b' => "b",
        b'd' => "d",
        b'f' => "f",
        b'g' => "g",
        b'h' => "h",
        b'j' => "j",
        b'l' => "l",
        b'm' => "m",
        b'n' => "n",
        b'p' => "p",
        b'r' => "r",
        b's' => "s",
        b't' => "t",
        b'z' => "z",
        // Every other ASCII letter is handled by the caller.
        _ => "",
    }
}

// ---------------------------------------------------------------------------------
// Persian / Arabic script

/// The canonical Persian letter for an Arabic-script character, or `None` for marks,
/// tatweel, joiners, digits and punctuation (which carry no consonant).
fn canonical_persian(c: char) -> Option<char> {
    match c {
        'ي' | 'ى' | 'ی' | 'ۍ' | 'ې' => Some('ی'),
        'ك' | 'ک' | 'ڪ' => Some('ک'),
        'ة' | 'ۀ' | 'ه' | 'ھ' | 'ہ' => Some('ه'),
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ا' | 'ٲ' | 'ٳ' => Some('ا'),
        'ؤ' | 'ئ' | 'ء' | 'ٔ' => Some('ء'),
        // Harakat, shadda, sukun, superscript alef, Quranic marks, tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | 'ـ' => None,
        'ب' | 'پ' | 'ت' | 'ث' | 'ج' | 'چ' | 'ح' | 'خ' | 'د' | 'ذ' | 'ر' | 'ز' | 'ژ' | 'س' | 'ش'
        | 'ص' | 'ض' | 'ط' | 'ظ' | 'ع' | 'غ' | 'ف' | 'ق' | 'گ' | 'ل' | 'م' | 'ن' | 'و' => {
            Some(c)
        }
        _ => None,
    }
}

fn persian_units(token: &str) -> Vec<Unit> {
    let mut letters: Vec<char> = Vec::with_capacity(token.len() / 2);
    for c in token.chars().filter_map(canonical_persian) {
        // Identical letters written next to each other are one sound (داوود, الله).
        if letters.last() != Some(&c) {
            letters.push(c);
        }
    }
    let mut units = Vec::with_capacity(letters.len());
    for (i, &c) in letters.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| letters.get(j)).copied();
        let next = letters.get(i + 1).copied();
        let unit = match c {
            'ا' => Unit::Vowel,
            // The silent final -e (فاطمه); rule 6 drops a final ح in `finish`.
            'ه' if i > 0 && i + 1 == letters.len() => Unit::Vowel,
            'ء' | 'ع' => Unit::Glottal,
            'ی' => {
                if i == 0 {
                    Unit::Cons("y")
                } else {
                    Unit::Vowel
                }
            }
            'و' => {
                if i == 0 || prev == Some('ا') || matches!(next, Some('ا' | 'ی')) {
                    Unit::Cons("v")
                } else {
                    Unit::Vowel
                }
            }
            other => Unit::Cons(persian_consonant(other)),
        };
        units.push(unit);
    }
    units
}

fn persian_consonant(c: char) -> &'static str {
    match c {
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ط' => "t",
        'ث' | 'س' | 'ص' => "s",
        'ج' | 'ژ' => "j",
        'چ' => "ch",
        'ح' | 'ه' => "h",
        'خ' => "x",
        'د' => "d",
        'ذ' | 'ز' | 'ض' | 'ظ' => "z",
        'ر' => "r",
        'ش' => "sh",
        'غ' | 'ق' => "q",
        'ف' => "f",
        'ک' => "k",
        'گ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        // canonical_persian admits nothing else.
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spellings of one name that registrations really produce; each group must share
    /// one key, given here.
    const GROUPS: &[(&str, &[&str])] = &[
        (
            "mhmd",
            &[
                "Mohammad",
                "Muhammad",
                "Mohammed",
                "Mohamad",
                "Mohamed",
                "MOHAMMAD",
                "محمد",
                "مُحَمَّد",
            ],
        ),
        (
            "hsn",
            &[
                "Hossein", "Hosein", "Husain", "Hussein", "Hussain", "Ḥusayn", "حسین", "حسين",
            ],
        ),
        ("rz", &["Reza", "Rezaa", "Riza", "رضا"]),
        ("zhr", &["Zahra", "Zahraa", "زهرا"]),
        (
            "ftm",
            &[
                "Fatemeh",
                "Fatima",
                "Fatemah",
                "Fateme",
                "Fatimah",
                "فاطمه",
                "فاطمة",
            ],
        ),
        ("l", &["Ali", "Aly", "Alee", "علی", "علي", "عليّ"]),
        ("mhmd", &["Mahmoud", "Mahmud", "Mahmood", "محمود"]),
        ("msd", &["Masoud", "Masood", "Masud", "Mas'ud", "مسعود"]),
        ("ysf", &["Yousef", "Yusuf", "Yosef", "Yousof", "یوسف"]),
        (
            "brhm",
            &["Ebrahim", "Ibrahim", "Ebraheem", "ابراهیم", "إبراهيم"],
        ),
        (
            "sml",
            &["Esmaeil", "Esmail", "Ismail", "Esmaiel", "اسماعیل"],
        ),
        ("qlm", &["Gholam", "Qolam", "Gholaam", "غلام"]),
        ("qsm", &["Ghasem", "Qasem", "Qassem", "قاسم"]),
        (
            "xdj",
            &["Khadijeh", "Khadija", "Khadijah", "خدیجه", "خديجة"],
        ),
        ("sd", &["Seyed", "Seyyed", "Sayyed", "Sayed", "سید", "سيّد"]),
        (
            "dvd",
            &["Davood", "Davoud", "Dawood", "Davud", "داوود", "داود"],
        ),
        ("jvd", &["Javad", "Jawad", "جواد"]),
        ("msv", &["Mousavi", "Musavi", "Moosavi", "Mousawi", "موسوی"]),
        ("sdq", &["Sadegh", "Sadeq", "Sadiq", "صادق"]),
        ("mstf", &["Mostafa", "Mustafa", "Mostapha", "مصطفی"]),
        ("znb", &["Zeinab", "Zaynab", "Zainab", "Zeynab", "زینب"]),
        ("mrm", &["Maryam", "Mariam", "Maryaam", "مریم"]),
        ("xsr", &["Khosrow", "Khosro", "Khosrau", "خسرو"]),
        ("jfr", &["Ja'far", "Jafar", "Jaafar", "Jaefar", "جعفر"]),
        ("mhd", &["Mehdi", "Mahdi", "Mehdy", "مهدی"]),
        ("ll", &["Leila", "Leyla", "Layla", "Leyli", "لیلا"]),
        ("jl", &["Jaleh", "Zhaleh", "Jale", "ژاله"]),
        ("rq", &["Roghayeh", "Roqayyeh", "Ruqaya", "Roqaye", "رقیه"]),
        ("msm", &["Masoumeh", "Masumeh", "Maasoume", "معصومه"]),
        ("svsh", &["Siavash", "Siyavash", "Siavoush", "سیاوش"]),
        ("nrz", &["Nowruz", "Norooz", "Nouruz", "نوروز"]),
        (
            "bdl",
            &["Abdollah", "Abdullah", "Abdolah", "عبدالله", "عبدالّله"],
        ),
        ("sl", &["Saleh", "Salih", "صالح"]),
        ("mlh", &["Maliheh", "Malihe", "Maleeha", "ملیحه"]),
        ("sh", &["Shah", "شاه"]),
    ];

    #[test]
    fn variant_groups_collide() {
        let mut failures = Vec::new();
        for (expected, spellings) in GROUPS {
            for s in *spellings {
                let got = name_key(s);
                if got != *expected {
                    failures.push(format!("{s}: {got} (expected {expected})"));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn different_names_do_not_collide() {
        let pairs = [
            ("Ali", "Leila"),
            ("علی", "لیلا"),
            ("Ali", "Alavi"),
            ("Reza", "Rahim"),
            ("Mohammad", "Ahmad"),
            ("محمد", "احمد"),
            ("Mohammad", "Mehdi"),
            ("Hossein", "Hamid"),
            ("Hassan", "Hashem"),
            ("Fatemeh", "Farideh"),
            ("Zahra", "Sara"),
            ("Maryam", "Marzieh"),
            ("Karim", "Kazem"),
            ("Javad", "Jafar"),
            ("Khadijeh", "Khadem"),
            ("Gholam", "Golnaz"),
            ("Shirin", "Sirus"),
            ("Parvin", "Parviz"),
            ("Mahmoud", "Masoud"),
        ];
        for (a, b) in pairs {
            assert_ne!(name_key(a), name_key(b), "{a} vs {b}");
        }
    }

    /// Different names that share a skeleton: documented, and sorted by `similarity`.
    #[test]
    fn documented_collisions_are_ranked_apart() {
        let cases = [
            // (query, true variant, different name with the same key)
            ("Mohammad", "Muhammad", "Mahmoud"),
            ("Hossein", "Hosein", "Hassan"),
            ("Reza", "Rezaa", "Raziyeh"),
            ("Saeed", "Saeid", "Seyed"),
            ("Zahra", "Zahraa", "Zohreh"),
            ("محمد", "محمّد", "محمود"),
        ];
        for (query, variant, other) in cases {
            assert_eq!(name_key(query), name_key(other), "{query} vs {other}");
            assert!(
                similarity(query, variant) > similarity(query, other),
                "{query}: {variant} {} <= {other} {}",
                similarity(query, variant),
                similarity(query, other)
            );
        }
    }

    #[test]
    fn keys_of_full_names() {
        assert_eq!(name_keys("Mohammad Reza Hosseini"), ["mhmd", "rz", "hsn"]);
        assert_eq!(name_keys("Seyed-Ali  Mousavi"), ["sd", "l", "msv"]);
        assert_eq!(name_keys("محمد\u{200C}رضا حسینی"), ["mhmd", "rz", "hsn"]);
        // Duplicates dropped, first order kept; Hossein and Hosseini share a key.
        assert_eq!(name_keys("Hossein Hosseini"), ["hsn"]);
        assert_eq!(name_keys("Ali ALI Aly Reza"), ["l", "rz"]);
        // Tokens without consonants and punctuation give nothing.
        assert_eq!(name_keys("Aia - , Ali"), ["l"]);
        assert!(name_keys("").is_empty());
        assert!(name_keys("   \u{200C} - ").is_empty());
        assert_eq!(name_key(""), "");
        assert_eq!(name_key("ـــ"), "");
    }

    #[test]
    fn joined_key_bridges_compounds() {
        assert_eq!(joined_key("Mohammad Reza"), name_key("Mohammadreza"));
        assert_eq!(joined_key("محمد\u{200C}رضا"), name_key("Mohammadreza"));
        assert_eq!(joined_key("Gholam-Reza"), name_key("Gholamreza"));
    }

    #[test]
    fn normalisation_of_letter_variants() {
        // Arabic yeh/kaf/teh marbuta and Persian ones; tatweel; harakat; hamza seats.
        assert_eq!(name_key("كريم"), name_key("کریم"));
        assert_eq!(name_key("کـــریم"), "krm");
        assert_eq!(name_key("Karim"), "krm");
        assert_eq!(name_key("فاطِمَة"), "ftm");
        assert_eq!(name_key("رئیس"), name_key("Raees"));
        assert_eq!(name_key("مؤمن"), name_key("Moemen"));
        assert_eq!(name_key("Mo'men"), "mmn");
        assert_eq!(name_key("Çelik"), name_key("Celik"));
    }

    #[test]
    fn similarity_properties() {
        let names: Vec<&str> = GROUPS.iter().flat_map(|(_, s)| s.iter().copied()).collect();
        for a in &names {
            assert!((similarity(a, a) - 1.0).abs() < 1e-12, "{a}");
            for b in &names {
                let s = similarity(a, b);
                assert!((0.0..=1.0).contains(&s), "{a} {b} {s}");
                assert!((s - similarity(b, a)).abs() < 1e-12, "{a} {b}");
            }
        }
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("Ali", ""), 0.0);
        // Across scripts, equal keys are a full match.
        assert_eq!(similarity("Mohammad Hosseini", "محمد حسینی"), 1.0);
        // Variants rank above different names.
        assert!(similarity("Mohammad", "Mohammed") > similarity("Mohammad", "Mehdi"));
        assert!(
            similarity("Fatemeh Rezaei", "Fatima Rezaee")
                > similarity("Fatemeh Rezaei", "Farideh Razavi")
        );
    }
}
