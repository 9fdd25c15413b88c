//! The names and small forms of Go's syntax that [`super::translate`] looks up: the classes
//! Go knows by name, the ASCII meanings of its Perl classes, and what a repeat is.

/// Go's POSIX classes (`[:alpha:]`, and `[:^alpha:]`), which the crate reads alike.
pub(super) const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Go's Unicode general categories (`unicode.Categories` of Go 1.19).
const CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

/// Go's Unicode scripts, as Go spells them (`unicode.Scripts`): those of Go 1.19 (Unicode
/// 13), then the ones Unicode 14 and 15 added, which later Go releases know. The crate reads
/// looser spellings too (`IsGreek`, `OldItalic`, the code `Grek`), which Go refuses.
pub(super) const SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Ugaritic",
    "Vai",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
    // Unicode 14 and 15.
    "Cypro_Minoan",
    "Kawi",
    "Nag_Mundari",
    "Old_Uyghur",
    "Tangsa",
    "Toto",
    "Vithkuqi",
];

/// Whether Go's `\p{name}` knows `name`: `Any`, a category, or a script, spelled as Go
/// spells them.
pub(super) fn unicode_name(name: &str) -> bool {
    name == "Any" || CATEGORIES.contains(&name) || SCRIPTS.contains(&name)
}

/// `\d \w \s` (negated: upper case) with Go's ASCII meanings: inside brackets the members
/// (`[\w-]` is `[0-9A-Za-z_-]`) or, negated, a nested class; outside, a class.
pub(super) fn perl_class(c: char, in_class: bool) -> &'static str {
    match (c, in_class) {
        ('d', true) => "0-9",
        ('w', true) => "0-9A-Za-z_",
        ('s', true) => r"\t\n\x0C\r\x20",
        ('d', false) => "[0-9]",
        ('w', false) => "[0-9A-Za-z_]",
        ('s', false) => r"[\t\n\x0C\r\x20]",
        ('D', _) => "[^0-9]",
        ('W', _) => "[^0-9A-Za-z_]",
        _ => r"[^\t\n\x0C\r\x20]",
    }
}

/// The length of the repeat `{n}`, `{n,}` or `{n,m}` that `s` starts with, as Go's
/// `parseRepeat` reads one (a number has no leading zero); `None` when `{` is a literal.
pub(super) fn repeat_len(s: &str) -> Option<usize> {
    fn number(s: &str) -> usize {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 1 && s.starts_with('0') {
            0
        } else {
            digits
        }
    }
    let mut at = 1;
    let min = number(s.get(at..)?);
    if min == 0 {
        return None;
    }
    at += min;
    if s[at..].starts_with(',') {
        at += 1;
        if !s[at..].starts_with('}') {
            let max = number(&s[at..]);
            if max == 0 {
                return None;
            }
            at += max;
        }
    }
    s[at..].starts_with('}').then_some(at + 1)
}
