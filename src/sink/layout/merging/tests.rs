//! Naming and grouping of the part files to merge.

use super::*;

#[test]
fn part_names_tell_their_writer() {
    assert_eq!(
        parse_name("part-3.parquet", "parquet"),
        Some((Writer::Anonymous, (0, 0, 3)))
    );
    assert_eq!(
        parse_name("part-0a1b2c3d-12-4-0.ndjson", "ndjson"),
        Some((Writer::Pull("0a1b2c3d".into()), (12, 4, 0)))
    );
    // A run with an identity, and names that are not part files.
    for name in [
        "part-0123456789abcdef-0.parquet",
        "part-x.parquet",
        "part-1.parquet.tmp-1-ab",
        ".part-1.parquet",
        "part--1.parquet",
        "part-0a1b2c3d-1-2.parquet",
    ] {
        assert_eq!(parse_name(name, "parquet"), None, "{name}");
    }
}

fn part(name: &str, bytes: u64) -> Part {
    let (writer, order) = parse_name(name, "parquet").expect("part name");
    Part {
        path: PathBuf::from(name),
        ext: "parquet",
        writer,
        id: FileId::default(),
        order,
        bytes,
    }
}

#[test]
fn groups_keep_writers_apart_in_order() {
    let parts = vec![
        part("part-aaaaaaaa-2-1-0.parquet", 10),
        part("part-1.parquet", 10),
        part("part-aaaaaaaa-1-9-0.parquet", 10),
        part("part-bbbbbbbb-1-1-0.parquet", 10),
        part("part-aaaaaaaa-10-1-0.parquet", 10),
        part("part-0.parquet", 10),
    ];
    let names =
        |g: &Vec<Part>| -> Vec<String> { g.iter().map(|p| p.path.display().to_string()).collect() };
    let want = [
        vec!["part-0.parquet", "part-1.parquet"],
        vec![
            "part-aaaaaaaa-1-9-0.parquet",
            "part-aaaaaaaa-2-1-0.parquet",
            "part-aaaaaaaa-10-1-0.parquet",
        ],
    ];
    let all: Vec<Vec<String>> = groups(parts.clone(), None).iter().map(names).collect();
    assert_eq!(all, want);
    // The target size cuts the merged files, not the groups.
    let within: Vec<Vec<String>> = groups(parts.clone(), Some(25)).iter().map(names).collect();
    assert_eq!(within, want);
    // Files of three quarters of it are left as they are.
    assert!(groups(parts, Some(13)).is_empty());
}

#[test]
fn files_of_two_formats_are_never_merged() {
    let mut ndjson = part("part-1.parquet", 10);
    ndjson.ext = "ndjson";
    let parts = vec![
        part("part-0.parquet", 10),
        ndjson,
        part("part-2.parquet", 10),
    ];
    let formats: Vec<Vec<&str>> = groups(parts, None)
        .iter()
        .map(|g| g.iter().map(|p| p.ext).collect())
        .collect();
    assert_eq!(formats, [vec!["parquet", "parquet"]]);
}

#[test]
fn merged_files_take_a_free_name_of_their_writer() {
    let group = vec![
        part("part-aaaaaaaa-1-1-0.parquet", 1),
        part("part-aaaaaaaa-3-2-0.parquet", 1),
    ];
    let mut taken = vec![
        "part-aaaaaaaa-1-1-0.parquet".to_owned(),
        "part-aaaaaaaa-3-2-0.parquet".to_owned(),
        "part-aaaaaaaa-3-2-1.parquet".to_owned(),
    ];
    assert_eq!(
        output_name(&group, &mut taken),
        "part-aaaaaaaa-3-2-2.parquet"
    );
    let anonymous = vec![part("part-0.parquet", 1), part("part-7.parquet", 1)];
    let mut taken = vec!["part-0.parquet".to_owned(), "part-7.parquet".to_owned()];
    assert_eq!(output_name(&anonymous, &mut taken), "part-8.parquet");
    assert_eq!(output_name(&anonymous, &mut taken), "part-9.parquet");
}

#[test]
fn files_of_three_quarters_of_the_target_stay_as_they_are() {
    // Exactly three quarters stays out; a byte less is merged.
    let parts = vec![
        part("part-0.parquet", 75),
        part("part-1.parquet", 10),
        part("part-2.parquet", 74),
        part("part-3.parquet", 10),
    ];
    let names: Vec<Vec<String>> = groups(parts, Some(100))
        .iter()
        .map(|g| g.iter().map(|p| p.path.display().to_string()).collect())
        .collect();
    assert_eq!(
        names,
        [vec!["part-1.parquet", "part-2.parquet", "part-3.parquet"]]
    );
}

#[test]
fn partitions_come_in_time_order() {
    let mut dirs: Vec<PathBuf> = [
        "t/year=2024/month=10/day=1/hour=0",
        "t/year=2024/month=2/day=12/hour=10",
        "t/year=2024/month=2/day=12/hour=9",
        "t/year=2024/month=2/day=3/hour=23",
        "t/year=2023/month=12/day=31/hour=23",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    dirs.sort_by(|a, b| partition_order(a, b));
    let sorted: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    assert_eq!(
        sorted,
        [
            "t/year=2023/month=12/day=31/hour=23",
            "t/year=2024/month=2/day=3/hour=23",
            "t/year=2024/month=2/day=12/hour=9",
            "t/year=2024/month=2/day=12/hour=10",
            "t/year=2024/month=10/day=1/hour=0",
        ]
    );
}
