use super::{Column, IndicatorKind, Indicators};
use std::borrow::Cow;

/// One line per case: `(Kind, input) => [Column: [values...], ...]`; every column not listed
/// must be empty. `=> []` means nothing is extracted.
macro_rules! cases {
    ($( ($kind:ident, $input:expr) => [ $( $col:ident : [ $($v:expr),* $(,)? ] ),* $(,)? ] ;)*) => {
        vec![ $( (
            IndicatorKind::$kind,
            $input,
            vec![ $( (Column::$col, vec![ $($v),* ]) ),* ],
        ) ),* ]
    };
}

type Case = (
    IndicatorKind,
    &'static str,
    Vec<(Column, Vec<&'static str>)>,
);

fn run(cases: Vec<Case>) {
    for (kind, input, expected) in cases {
        let mut ind = Indicators::new();
        ind.scan(kind, input);
        ind.finish();
        for c in Column::ALL {
            let want: Vec<&str> = expected
                .iter()
                .find(|(col, _)| *col == c)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let got: Vec<&str> = ind.column(c).iter().map(AsRef::as_ref).collect();
            assert_eq!(got, want, "{kind:?} {input:?} column {}", c.name());
        }
    }
}

#[test]
fn ip() {
    run(cases! {
        (Ip, "1.2.3.4") => [IpAddresses: ["1.2.3.4"]];
        (Ip, " 10.0.0.1 ") => [IpAddresses: ["10.0.0.1"]];
        (Ip, "\u{a0}10.0.0.1\t\n") => [IpAddresses: ["10.0.0.1"]];
        (Ip, "::1") => [IpAddresses: ["::1"]];
        (Ip, "::ffff:1.2.3.4") => [IpAddresses: ["::ffff:1.2.3.4"]];
        (Ip, "2001:DB8::1") => [IpAddresses: ["2001:DB8::1"]];
        (Ip, "1.2.3.4:80") => [];
        (Ip, "01.2.3.4") => [];
        (Ip, "10.0.0.0/8") => [];
        (Ip, "fe80::1%eth0") => [];
        (Ip, "[::1]") => [];
        (Ip, "example.com") => [];
        (Ip, "") => [];
        (Ip, "   ") => [];
    });
}

#[test]
fn domain_and_hostname() {
    run(cases! {
        (Domain, "example.com") => [DomainNames: ["example.com"]];
        (Domain, " Example.COM ") => [DomainNames: ["Example.COM"]];
        (Domain, "1.2.3.4") => [DomainNames: ["1.2.3.4"]];
        (Domain, "not a domain!") => [DomainNames: ["not a domain!"]];
        (Domain, "xn--bcher-kva.example") => [DomainNames: ["bücher.example"]];
        (Domain, "xn--bcher-kv!.example") => [DomainNames: ["xn--bcher-kv!.example"]];
        // Decoded as Panther's decodePunycode does: only a value that starts with `xn--`
        // (review s40-h1 F1), and labels of basic code points alone too.
        (Domain, "xn--google-.com") => [DomainNames: ["google.com"]];
        (Domain, "www.xn--bcher-kva.example") => [DomainNames: ["www.xn--bcher-kva.example"]];
        (Domain, "XN--bcher-kva.example") => [DomainNames: ["XN--bcher-kva.example"]];
        (Domain, " xn--") => [];
        (Domain, "") => [];
        (Domain, " \t") => [];
        (Hostname, "127.0.0.1") => [IpAddresses: ["127.0.0.1"]];
        (Hostname, " ::1 ") => [IpAddresses: ["::1"]];
        (Hostname, "localhost") => [DomainNames: ["localhost"]];
        (Hostname, "xn--mnchen-3ya.de") => [DomainNames: ["münchen.de"]];
        (Hostname, "1.2.3.4:80") => [DomainNames: ["1.2.3.4:80"]];
        (Hostname, "") => [];
    });
}

#[test]
fn url() {
    run(cases! {
        (Url, "https://user@Example.com:8080/x") => [DomainNames: ["Example.com"]];
        (Url, "https://user:pw@10.1.2.3:8443/a?b=c#d") => [IpAddresses: ["10.1.2.3"]];
        (Url, "http://[::1]:8080/") => [IpAddresses: ["::1"]];
        (Url, "//cdn.example.com/lib.js") => [DomainNames: ["cdn.example.com"]];
        (Url, "http://xn--bcher-kva.example/") => [DomainNames: ["bücher.example"]];
        (Url, "http://b%C3%BCcher.example/") => [DomainNames: ["bücher.example"]];
        (Url, "https://www.example.com:443/a/b?c=d&e=%2F#frag") => [DomainNames: ["www.example.com"]];
        (Url, "http://user:p%40ss@host.example:8080/") => [DomainNames: ["host.example"]];
        (Url, "http://a@b@host.example/") => [DomainNames: ["host.example"]];
        // Trimmed before parsing, as Panther's final ScanURL does (the one with net_addr).
        (Url, " https://a.example/x \n") => [DomainNames: ["a.example"]];
        (Url, "http://[2001:db8::1]:443/x") => [IpAddresses: ["2001:db8::1"]];
        (Url, "http://[2001:db8::1]/x") => [IpAddresses: ["2001:db8::1"]];
        (Url, "http://[fe80::1%25eth0]/") => [DomainNames: ["fe80::1%eth0"]];
        (Url, "http://[::1]:80:80/") => [];
        (Url, "http://example.com./x") => [DomainNames: ["example.com."]];
        (Url, "http://EXAMPLE.com:99999/") => [DomainNames: ["EXAMPLE.com"]];
        (Url, "http://example.com:8x/") => [];
        (Url, "http://example.com:/") => [DomainNames: ["example.com"]];
        (Url, "http://10.0.0.1:8080") => [IpAddresses: ["10.0.0.1"]];
        (Url, "http://10.0.0.256/") => [DomainNames: ["10.0.0.256"]];
        (Url, "http://ex%41mple.com/") => [];
        (Url, "http://ex%c3%a4mple.com/") => [DomainNames: ["exämple.com"]];
        (Url, "http://example.com/%7e?%zz") => [DomainNames: ["example.com"]];
        (Url, "http://example.com/%7") => [];
        (Url, "http://example.com?x#%") => [];
        (Url, "HTTPS://Mixed.Case.Example/") => [DomainNames: ["Mixed.Case.Example"]];
        (Url, "http://XN--BCHER-KVA.example/") => [DomainNames: ["XN--BCHER-KVA.example"]];
        (Url, "http://xn--BCHER-KVA.example/") => [DomainNames: ["BüCHER.example"]];
        (Url, "http://www.xn--bcher-kva.example/") => [DomainNames: ["www.xn--bcher-kva.example"]];
        (Url, "http://xn--.example/") => [DomainNames: [".example"]];
        (Url, "https://xn--google-.com/login") => [DomainNames: ["google.com"]];
        (Url, "http://a--b.example/") => [DomainNames: ["a--b.example"]];
        (Url, "http://bücher.example/") => [DomainNames: ["bücher.example"]];
        (Url, " http://a.example/ ") => [DomainNames: ["a.example"]];
        (Url, "http://a.example/\t") => [DomainNames: ["a.example"]];
        (Url, "http://a.example/\u{7f}") => [];
        (Url, "ht-tp://a.example/") => [DomainNames: ["a.example"]];
        (Url, "1http://a.example/") => [];
        (Url, "http://a.example\\x/") => [];
        (Url, "example.com/x") => [];
        (Url, "example.com") => [];
        (Url, "mailto:a@example.com") => [];
        (Url, "http:///x") => [];
        (Url, "http://host:port/") => [];
        (Url, " https://example.com") => [DomainNames: ["example.com"]];
        (Url, "") => [];
    });
}

#[test]
fn net_addr() {
    run(cases! {
        (NetAddr, "[::1]:443") => [IpAddresses: ["::1"]];
        (NetAddr, "1.2.3.4:80") => [IpAddresses: ["1.2.3.4"]];
        (NetAddr, " 1.2.3.4:80 ") => [IpAddresses: ["1.2.3.4"]];
        (NetAddr, "1.2.3.4") => [IpAddresses: ["1.2.3.4"]];
        (NetAddr, "::1") => [IpAddresses: ["::1"]];
        (NetAddr, "example.com:443") => [DomainNames: ["example.com"]];
        (NetAddr, "example.com") => [DomainNames: ["example.com"]];
        (NetAddr, "[::1]") => [DomainNames: ["[::1]"]];
        (NetAddr, ":80") => [];
        (NetAddr, "") => [];
    });
}

#[test]
fn strings() {
    run(cases! {
        (Email, " a@b.c ") => [Emails: ["a@b.c"]];
        (Email, "@") => [Emails: ["@"]];
        (Email, "no-at-sign") => [];
        (Email, "") => [];
        (Username, " Jon Bixton ") => [Usernames: ["Jon Bixton"]];
        (Username, "  ") => [];
        (TraceId, "abc-123") => [TraceIds: ["abc-123"]];
        (TraceId, "") => [];
        (AwsTag, " key:value ") => [AwsTags: [" key:value "]];
        (AwsTag, " ") => [AwsTags: [" "]];
        (AwsTag, "") => [];
    });
}

#[test]
fn hashes() {
    run(cases! {
        (Md5, "d41d8cd98f00b204e9800998ecf8427e") => [Md5Hashes: ["d41d8cd98f00b204e9800998ecf8427e"]];
        (Md5, " D41D8CD98F00B204E9800998ECF8427E ") => [Md5Hashes: ["d41d8cd98f00b204e9800998ecf8427e"]];
        (Md5, "d41d8cd98f00b204e9800998ecf8427") => [];
        (Md5, "d41d8cd98f00b204e9800998ecf8427g") => [];
        (Md5, "da39a3ee5e6b4b0d3255bfef95601890afd80709") => [];
        (Sha1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709") => [Sha1Hashes: ["da39a3ee5e6b4b0d3255bfef95601890afd80709"]];
        (Sha1, "d41d8cd98f00b204e9800998ecf8427e") => [];
        (Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") => [Sha256Hashes: ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]];
        (Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85") => [];
        (Sha256, "") => [];
    });
}

#[test]
fn aws() {
    run(cases! {
        (AwsArn, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234") => [
            AwsArns: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234"],
            AwsAccountIds: ["123456789012"],
            AwsInstanceIds: ["i-0abcd1234"],
        ];
        (AwsArn, "arn:aws:iam::123456789012:role/Admin") => [
            AwsArns: ["arn:aws:iam::123456789012:role/Admin"],
            AwsAccountIds: ["123456789012"],
        ];
        (AwsArn, "arn:aws:s3:::bucket") => [AwsArns: ["arn:aws:s3:::bucket"]];
        (AwsArn, "arn:aws:ec2:r:1234:instance/x") => [AwsArns: ["arn:aws:ec2:r:1234:instance/x"]];
        (AwsArn, "arn:aws:s3::bucket") => [];
        (AwsArn, " arn:aws:s3:::bucket") => [];
        (AwsArn, "123456789012") => [];
        (AwsArnOnly, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234") => [
            AwsArns: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0abcd1234"],
        ];
        (AwsArnOnly, "arn:aws") => [];
        (AwsAccountId, "123456789012") => [AwsAccountIds: ["123456789012"]];
        (AwsAccountId, " 123456789012") => [];
        (AwsAccountId, "12345678901") => [];
        (AwsInstanceId, "i-0abcd1234") => [AwsInstanceIds: ["i-0abcd1234"]];
        (AwsInstanceId, " i-0abcd1234") => [];
        (AwsInstanceId, "0abcd1234") => [];
    });
}

#[test]
fn borrowed_unless_transformed() {
    let mut ind = Indicators::new();
    ind.scan(IndicatorKind::Md5, "d41d8cd98f00b204e9800998ecf8427e");
    ind.scan(
        IndicatorKind::Sha1,
        "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
    );
    ind.scan(IndicatorKind::Domain, " example.com ");
    ind.scan(IndicatorKind::Url, "http://xn--bcher-kva.example/");
    ind.scan(IndicatorKind::Ip, " 1.2.3.4 ");
    ind.finish();
    assert!(matches!(ind.column(Column::Md5Hashes)[0], Cow::Borrowed(_)));
    assert!(matches!(ind.column(Column::Sha1Hashes)[0], Cow::Owned(_)));
    // Sorted: "bücher.example" (decoded) before "example.com".
    assert!(matches!(ind.column(Column::DomainNames)[0], Cow::Owned(_)));
    assert!(matches!(
        ind.column(Column::DomainNames)[1],
        Cow::Borrowed(_)
    ));
    assert!(matches!(
        ind.column(Column::IpAddresses)[0],
        Cow::Borrowed(_)
    ));
}

#[test]
fn dedup_and_bytewise_sort() {
    let mut ind = Indicators::new();
    assert!(ind.is_empty());
    for v in [
        "52.119.169.95",
        "172.31.20.31",
        "52.119.169.95",
        " 172.31.20.31",
    ] {
        ind.scan(IndicatorKind::Ip, v);
    }
    for v in ["b.com", "B.com", "a.com", "b.com", "ä.com"] {
        ind.scan(IndicatorKind::Hostname, v);
    }
    ind.scan(IndicatorKind::Username, "Jon Bixton");
    ind.scan(IndicatorKind::Username, "Jon Bixton");
    ind.finish();
    assert!(!ind.is_empty());
    let col = |c| -> Vec<&str> { ind.column(c).iter().map(AsRef::as_ref).collect() };
    assert_eq!(col(Column::IpAddresses), ["172.31.20.31", "52.119.169.95"]);
    assert_eq!(
        col(Column::DomainNames),
        ["B.com", "a.com", "b.com", "ä.com"]
    );
    assert_eq!(col(Column::Usernames), ["Jon Bixton"]);
}

#[test]
fn multiple_scanners_on_one_value() {
    let mut ind = Indicators::new();
    let v = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc";
    for k in [
        IndicatorKind::AwsArn,
        IndicatorKind::AwsArnOnly,
        IndicatorKind::Username,
    ] {
        ind.scan(k, v);
    }
    ind.finish();
    assert_eq!(ind.column(Column::AwsArns).len(), 1);
    assert_eq!(ind.column(Column::Usernames).len(), 1);
    assert_eq!(ind.column(Column::AwsInstanceIds), ["i-0abc"]);
}

#[test]
fn finish_sorts_and_dedups_like_a_sorted_set() {
    // Random lists, short (insertion sort) and long (permutation), with repeats within
    // and across columns, owned and borrowed; compared with a BTreeSet of (column, text).
    let mut next = crate::testing::xorshift(0x51_7c_c1_b7_27_22_0a_95);
    let texts: Vec<String> = (0..12).map(|i| format!("v{}", i % 7)).collect();
    let mut ind = Indicators::new();
    for round in 0..400 {
        let n = if round % 4 == 0 { next(80) } else { next(17) };
        let mut want = std::collections::BTreeSet::new();
        for _ in 0..n {
            let c = Column::ALL[next(Column::COUNT)];
            let t = &texts[next(texts.len())];
            want.insert((c, t.clone()));
            let v = if next(2) == 0 {
                Cow::Borrowed(t.as_str())
            } else {
                Cow::Owned(t.clone())
            };
            ind.push(c, v);
        }
        ind.finish();
        let got: Vec<(Column, String)> = Column::ALL
            .iter()
            .flat_map(|&c| ind.column(c).iter().map(move |v| (c, v.to_string())))
            .collect();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "round {round}");
        ind = ind.recycle();
    }
}

#[test]
fn finish_two_values() {
    // Two values take a shortcut: in order, out of order, equal (borrowed and owned),
    // in one column or two.
    type Case = (
        Column,
        &'static str,
        Column,
        &'static str,
        &'static [(Column, &'static str)],
    );
    let cases: [Case; 6] = [
        (
            Column::Emails,
            "a",
            Column::Emails,
            "b",
            &[(Column::Emails, "a"), (Column::Emails, "b")],
        ),
        (
            Column::Emails,
            "b",
            Column::Emails,
            "a",
            &[(Column::Emails, "a"), (Column::Emails, "b")],
        ),
        (
            Column::Emails,
            "a",
            Column::Emails,
            "a",
            &[(Column::Emails, "a")],
        ),
        (
            Column::Emails,
            "a",
            Column::IpAddresses,
            "b",
            &[(Column::IpAddresses, "b"), (Column::Emails, "a")],
        ),
        (
            Column::IpAddresses,
            "b",
            Column::Emails,
            "a",
            &[(Column::IpAddresses, "b"), (Column::Emails, "a")],
        ),
        (
            Column::Usernames,
            "a",
            Column::IpAddresses,
            "a",
            &[(Column::IpAddresses, "a"), (Column::Usernames, "a")],
        ),
    ];
    for (c0, v0, c1, v1, want) in cases {
        let mut ind = Indicators::new();
        ind.push(c0, Cow::Borrowed(v0));
        ind.push(c1, Cow::Owned(v1.to_owned()));
        ind.finish();
        let got: Vec<(Column, &str)> = Column::ALL
            .iter()
            .flat_map(|&c| ind.column(c).iter().map(move |v| (c, v.as_ref())))
            .collect();
        assert_eq!(got, want, "{c0:?} {v0} {c1:?} {v1}");
    }
}

#[test]
fn recycle_keeps_capacity() {
    let owned: Vec<String> = (0..100).map(|i| format!("10.0.0.{i}")).collect();
    let mut ind = Indicators::new();
    for v in &owned {
        ind.scan(IndicatorKind::Ip, v);
        ind.scan(IndicatorKind::Username, v);
    }
    ind.finish();
    let caps = |ind: &Indicators<'_>| {
        (
            (ind.columns.capacity(), ind.columns.as_ptr().cast::<u8>()),
            (ind.values.capacity(), ind.values.as_ptr().cast::<u8>()),
        )
    };
    let before = caps(&ind);
    assert!(before.0 .0 >= 200 && before.1 .0 >= 200);
    let mut ind = ind.recycle();
    // The recycled buffer no longer borrows the first record's input.
    drop(owned);
    let second = String::from("192.168.0.1");
    assert!(ind.is_empty());
    assert_eq!(caps(&ind), before);
    ind.scan(IndicatorKind::Ip, &second);
    ind.finish();
    assert_eq!(ind.column(Column::IpAddresses), ["192.168.0.1"]);
}

#[test]
fn names_round_trip() {
    for k in IndicatorKind::ALL {
        assert_eq!(IndicatorKind::from_name(k.name()), Some(k));
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(json, format!("\"{}\"", k.name()));
        let back: IndicatorKind = serde_json::from_str(&json).unwrap();
        assert_eq!(back, k);
        assert!(!k.columns().is_empty());
        assert!(k.columns().windows(2).all(|w| w[0] < w[1]));
    }
    assert_eq!(IndicatorKind::from_name("IP"), None);
    assert_eq!(IndicatorKind::from_name("net-addr"), None);
    assert_eq!(IndicatorKind::from_name(""), None);
    for (i, c) in Column::ALL.iter().enumerate() {
        assert_eq!(c.index(), i);
        assert!(c.name().starts_with("p_any_"));
    }
    assert_eq!(Column::ALL.len(), Column::COUNT);
    assert_eq!(Column::IpAddresses.name(), "p_any_ip_addresses");
    assert_eq!(Column::Usernames.name(), "p_any_usernames");
}

#[test]
fn columns_cover_what_scanners_write() {
    // Scan values that trigger every output of every scanner; nothing may land outside
    // `kind.columns()`.
    let inputs = [
        "1.2.3.4",
        "example.com",
        "http://example.com/",
        "http://1.2.3.4/",
        "1.2.3.4:80",
        "a@b",
        "d41d8cd98f00b204e9800998ecf8427e",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
        "123456789012",
        "i-0abc",
    ];
    for k in IndicatorKind::ALL {
        let mut ind = Indicators::new();
        for v in inputs {
            ind.scan(k, v);
        }
        ind.finish();
        for c in Column::ALL {
            if !ind.column(c).is_empty() {
                assert!(k.columns().contains(&c), "{k:?} wrote {}", c.name());
            }
        }
        for c in k.columns() {
            assert!(!ind.column(*c).is_empty(), "{k:?} never wrote {}", c.name());
        }
    }
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        "",
        ":",
        "[",
        "]",
        "[]:",
        "%",
        "%2",
        "http://%",
        "http://[",
        "http://[]",
        "//",
        "///",
        "arn:",
        "arn:::::",
        "xn--",
        "xn--.xn--",
        "ü",
        "http://ü/",
        "[ü]:1",
        "ü:ü",
        "\u{0}",
        "http://a@b@c/",
        "xn--ü",
        "XN--A",
        "xn--99999999999999999",
    ];
    let mut ind = Indicators::new();
    for v in odd {
        for k in IndicatorKind::ALL {
            ind.scan(k, v);
        }
    }
    ind.finish();
    // Pseudo-random strings over an alphabet of the characters the parsers care about.
    let alphabet: Vec<char> = "arnx-:/[]%@.?#i25fF0 \u{e4}\u{a0}".chars().collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut inputs = Vec::new();
    for _ in 0..5000 {
        let mut s = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = usize::try_from(state % 24).unwrap();
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push(alphabet[usize::try_from(state % alphabet.len() as u64).unwrap()]);
        }
        inputs.push(s);
    }
    let mut ind = Indicators::new();
    for v in &inputs {
        for k in IndicatorKind::ALL {
            ind.scan(k, v);
        }
    }
    ind.finish();
}
