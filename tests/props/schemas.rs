//! Generated schemas: fields of every type, nested objects and arrays, and a record of each.

use super::*;

fn field_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "name", "user.id", "x-y", "_k", "@t", "nï", "a b"])
        .prop_map(str::to_owned)
}

fn leaf_type() -> BoxedStrategy<ValueSchema> {
    let scalar = prop::sample::select(vec![
        FieldType::String,
        FieldType::Int,
        FieldType::Smallint,
        FieldType::Bigint,
        FieldType::Float,
        FieldType::Boolean,
        FieldType::Json,
    ])
    .prop_map(ValueSchema::new);
    let time = (
        prop::sample::select(vec![
            "rfc3339",
            "unix",
            "unix_ms",
            "unix_us",
            "unix_ns",
            "%Y-%m-%d %H:%M:%S",
        ]),
        any::<bool>(),
    )
        .prop_map(|(f, et)| {
            let mut v = ValueSchema::new(FieldType::Timestamp);
            v.time_format = Some(f.into());
            v.is_event_time = et;
            v
        });
    let string = (
        prop::sample::subsequence(
            vec!["ip", "domain", "email", "username", "md5", "aws_tag"],
            0..3,
        ),
        prop::option::of(prop::collection::vec("[a-z]{1,4}", 1..3)),
    )
        .prop_map(|(kinds, allow)| {
            let mut v = ValueSchema::new(FieldType::String);
            v.indicators = kinds
                .into_iter()
                .map(|k| normalog::indicators::IndicatorKind::from_name(k).expect("known"))
                .collect();
            if let Some(allow) = allow {
                let mut allow = allow;
                allow.sort();
                allow.dedup();
                v.validate = Some(Validate {
                    allow,
                    ..Validate::default()
                });
            }
            v
        });
    prop_oneof![3 => scalar, 2 => time, 2 => string].boxed()
}

fn value_schema() -> BoxedStrategy<ValueSchema> {
    leaf_type()
        .prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                fields(inner.clone()).prop_map(|fields| {
                    let mut v = ValueSchema::new(FieldType::Object);
                    v.fields = fields;
                    v
                }),
                inner.prop_map(|e| {
                    let mut v = ValueSchema::new(FieldType::Array);
                    v.element = Some(Box::new(e));
                    v
                }),
            ]
        })
        .boxed()
}

fn fields(value: BoxedStrategy<ValueSchema>) -> impl Strategy<Value = Vec<Field>> {
    prop::collection::vec((field_name(), any::<bool>(), value), 1..5).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            // Unique even as table columns: the index is part of the name.
            .map(|(i, (name, required, value))| Field {
                name: format!("{name}{i}"),
                required,
                description: (i % 2 == 0).then(|| format!("field {i}")),
                value,
                span: normalog::schema::Span::default(),
            })
            .collect()
    })
}

pub(crate) fn schema() -> impl Strategy<Value = Schema> {
    (fields(value_schema()), prop::option::of(value_schema())).prop_map(|(mut fields, def)| {
        let mut definitions = std::collections::BTreeMap::new();
        if let Some(def) = def {
            definitions.insert("Def".to_owned(), def);
            let mut r = ValueSchema::new(FieldType::Ref);
            r.target = Some("Def".into());
            fields.push(Field {
                name: "ref".into(),
                required: false,
                description: None,
                value: r,
                span: normalog::schema::Span::default(),
            });
        }
        Schema {
            schema: "Custom.Generated".into(),
            parser: None,
            description: Some("generated".into()),
            reference_url: None,
            version: 0,
            definitions,
            fields,
            origin: None,
            span: normalog::schema::Span::default(),
            key_spans: normalog::schema::KeySpans::default(),
        }
    })
}

pub(crate) fn schema_and_record() -> impl Strategy<Value = (Schema, Value)> {
    schema().prop_flat_map(|s| {
        let record = object(&s, &s.fields);
        (Just(s), record)
    })
}
