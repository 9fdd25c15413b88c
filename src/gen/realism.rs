//! Hand-tuned records for the shipped log types, shaped like the vendors' API output.
//!
//! Used only when the loaded schema has exactly the shipped fields, so a user schema that
//! reuses a shipped name with other fields gets the generic generator.

use std::io::Write as _;

use super::text::{self, NAMES, WORDS};
use super::times::write_rfc3339;
use super::{Rec, State};
use crate::schema::{IpVersion, Schema};

/// A shipped log type with hand-tuned values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Realism {
    ZendeskAudit,
    ZoomActivity,
    ZoomOperation,
}

const ZENDESK_FIELDS: &[&str] = &[
    "action",
    "action_label",
    "actor_id",
    "change_description",
    "created_at",
    "id",
    "ip_address",
    "source_id",
    "source_label",
    "source_type",
    "url",
];
const ACTIVITY_FIELDS: &[&str] = &[
    "client_type",
    "email",
    "ip_address",
    "time",
    "type",
    "version",
];
const OPERATION_FIELDS: &[&str] = &[
    "action",
    "category_type",
    "operation_detail",
    "operator",
    "time",
];

impl Realism {
    pub(super) fn for_schema(schema: &Schema) -> Option<Realism> {
        let (r, expected) = match schema.schema.as_str() {
            "Zendesk.Audit" => (Realism::ZendeskAudit, ZENDESK_FIELDS),
            "Zoom.Activity" => (Realism::ZoomActivity, ACTIVITY_FIELDS),
            "Zoom.Operation" => (Realism::ZoomOperation, OPERATION_FIELDS),
            _ => return None,
        };
        let mut names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        names.sort_unstable();
        (names == expected).then_some(r)
    }

    pub(super) fn write(self, rng: &mut State, rec: &mut Rec<'_, '_>, serial: u64) {
        match self {
            Realism::ZendeskAudit => zendesk_audit(rng, rec, serial),
            Realism::ZoomActivity => zoom_activity(rng, rec),
            Realism::ZoomOperation => zoom_operation(rng, rec),
        }
    }
}

const SUBDOMAINS: &[&str] = &["acme", "duff", "initech-support", "globex", "springfield"];

/// `(action, action_label, source types)`.
const ZENDESK_ACTIONS: &[(&str, &str, &[&str])] = &[
    ("login", "Signed in", &["user"]),
    (
        "create",
        "Created",
        &[
            "user",
            "ticket_field",
            "trigger",
            "macro",
            "group",
            "brand",
            "api_token",
            "organization",
        ],
    ),
    (
        "update",
        "Updated",
        &[
            "account_setting",
            "user",
            "rule",
            "trigger",
            "ticket_field",
            "brand",
            "zendesk/app_market/app",
        ],
    ),
    (
        "destroy",
        "Deleted",
        &["user", "macro", "trigger", "api_token", "group"],
    ),
    ("exported", "Exported", &["ticket", "user"]),
];

const ROLES: &[&str] = &[
    "Administrator",
    "Agent",
    "End User",
    "Light Agent",
    "Admin",
    "not set",
];
const PRODUCTS: &[&str] = &["Explore", "Guide", "Support", "Talk", "Chat", "Sell"];
const RULE_NAMES: &[&str] = &[
    "Escalate to tier 2",
    "Notify requester «Ticket received»",
    "VIP — route to Jürgen’s queue",
    "Auto-close after 72h",
    "Tag \"urgent\" from Slack",
    "Répondre en français",
];
const SETTINGS: &[&str] = &[
    "Security: Single sign-on",
    "Security: Two-factor authentication",
    "Agent Workspace",
    "Allowed domains",
    "IP restrictions",
    "Password policy",
];

fn zendesk_audit(rng: &mut State, rec: &mut Rec<'_, '_>, serial: u64) {
    let (action, label, sources) = *rng.pick(ZENDESK_ACTIONS);
    let source_type = *rng.pick(sources);
    let id = 360_000_000_000 + serial * 7 + rng.below_u64(7);
    let sub = *rng.pick(SUBDOMAINS);
    rec.quoted("url", |out| {
        let _ = write!(out, "https://{sub}.zendesk.com/api/v2/audit_logs/{id}.json");
    });
    rec.int("id", id);
    rec.str("action_label", label);
    rec.int("actor_id", 360_000_000 + rng.below_u64(90_000_000));
    rec.int("source_id", 1 + rng.below_u64(10_000_000_000));
    rec.str("source_type", source_type);
    let mut buf = String::with_capacity(256);
    source_label(rng, source_type, &mut buf);
    rec.str("source_label", &buf);
    rec.str("action", action);
    buf.clear();
    change_description(rng, action, source_type, &mut buf);
    rec.str("change_description", &buf);
    if rng.chance(0.1) {
        rec.null("ip_address");
    } else {
        rec.quoted("ip_address", |out| text::ip(rng, out, IpVersion::Any));
    }
    rec.quoted("created_at", |out| realistic_time(rng, out, 0.3, 0.25));
    if rng.chance(0.3) {
        // A key the schema does not name, as newer API versions send: dropped on input.
        rec.str("actor_name", rng.choose(NAMES));
    }
}

fn source_label(rng: &mut State, source_type: &str, out: &mut String) {
    use std::fmt::Write as _;
    let _ = match source_type {
        "user" => write!(out, "{}", rng.pick(NAMES)),
        "ticket" => write!(
            out,
            "Ticket #{}: {}",
            1000 + rng.below(900_000),
            rng.pick(&[
                "Printer on fire",
                "Can't log in — «invalid token»",
                "Rückerstattung für Bestellung 4711",
                "Invoice \"INV-2023-07\" missing",
                "注文がまだ届きません",
            ])
        ),
        "trigger" | "macro" | "rule" => write!(out, "{}", rng.pick(RULE_NAMES)),
        "account_setting" => write!(out, "{}", rng.pick(SETTINGS)),
        "api_token" => write!(out, "Token for «{}» integration", rng.pick(WORDS)),
        "zendesk/app_market/app" => write!(out, "{} for Zendesk", rng.pick(WORDS)),
        _ => write!(out, "{} {}", rng.pick(WORDS), rng.pick(WORDS)),
    };
}

fn change_description(rng: &mut State, action: &str, source_type: &str, out: &mut String) {
    use std::fmt::Write as _;
    match (action, source_type) {
        ("login", _) => {
            let _ = write!(
                out,
                "Successful sign-in using {} from https://{}.zendesk.com/access/login",
                rng.pick(&["Zendesk password", "Google", "Microsoft", "SAML"]),
                rng.pick(SUBDOMAINS)
            );
        }
        ("exported", _) => {
            let _ = write!(
                out,
                "Exported {} created between 2023-0{}-01 and 2023-0{}-28 as {}",
                if source_type == "ticket" {
                    "tickets"
                } else {
                    "users"
                },
                1 + rng.below(4),
                5 + rng.below(4),
                rng.pick(&["CSV", "JSON", "XML"])
            );
        }
        ("update", "user") => {
            // One line per product role, like Zendesk's multi-product role changes.
            let n = 1 + rng.below(4);
            for i in 0..n {
                if i > 0 {
                    out.push('\n');
                }
                let _ = write!(
                    out,
                    "{} role changed from {} to {}",
                    PRODUCTS[(i + rng.below(2)) % PRODUCTS.len()],
                    rng.pick(ROLES),
                    rng.pick(ROLES)
                );
            }
        }
        ("update", "account_setting") => {
            let _ = write!(
                out,
                "{}: turned {}\nAllowed domains changed from \"{}\" to \"{}, exämple.de\"",
                rng.pick(SETTINGS),
                rng.pick(&["on", "off"]),
                rng.pick(text::DOMAINS),
                rng.pick(text::DOMAINS)
            );
        }
        ("update", _) => {
            let _ = write!(
                out,
                "Title changed from \"{}\" to \"{} (v{})\"\nConditions: added \"Ticket: Priority is {}\"",
                rng.pick(RULE_NAMES),
                rng.pick(RULE_NAMES),
                1 + rng.below(9),
                rng.pick(&["Urgent", "High", "Normal"])
            );
        }
        ("create", _) => {
            let _ = write!(out, "Created “{}”", rng.pick(RULE_NAMES));
        }
        _ => {
            let _ = write!(out, "Deleted {} “{}”", source_type, rng.pick(RULE_NAMES));
        }
    }
}

/// A quoted-string body: RFC 3339 with fractional seconds with probability `frac` and a
/// non-UTC offset with probability `offset`.
fn realistic_time(rng: &mut State, out: &mut Vec<u8>, frac: f64, offset: f64) {
    let (secs, nanos) = super::times::record_time(rng);
    let digits = if rng.chance(frac) {
        *rng.pick(&[3, 6, 9])
    } else {
        0
    };
    let off = if rng.chance(offset) {
        *rng.pick(&[120, 60, -240, -300, -420, 330, 540, 600])
    } else {
        0
    };
    write_rfc3339(out, secs, nanos, digits, off);
}

const CLIENT_TYPES: &[&str] = &[
    "Browser",
    "mac",
    "win",
    "iphone",
    "android",
    "ipad",
    "linux",
    "Zoom Rooms",
];
const ZOOM_VERSIONS: &[&str] = &[
    "5.13.7.15481",
    "5.15.7.21404",
    "5.16.10 (26186)",
    "5.17.5.31030",
    "6.0.2.33403",
    "6.1.1.36333",
];

fn zoom_activity(rng: &mut State, rec: &mut Rec<'_, '_>) {
    rec.quoted("email", |out| text::email(rng, out));
    rec.quoted("time", |out| realistic_time(rng, out, 0.15, 0.1));
    rec.str(
        "type",
        if rng.chance(0.6) {
            "Sign in"
        } else {
            "Sign out"
        },
    );
    if rng.chance(0.05) {
        rec.null("ip_address");
    } else {
        rec.quoted("ip_address", |out| text::ip(rng, out, IpVersion::Any));
    }
    let client = *rng.pick(CLIENT_TYPES);
    rec.str("client_type", client);
    if client != "Browser" {
        rec.str("version", rng.choose(ZOOM_VERSIONS));
    }
}

const CATEGORIES: &[&str] = &[
    "User",
    "Account",
    "User Group",
    "Recording",
    "Meeting",
    "Webinar",
    "Role",
    "Zoom Rooms",
    "Phone",
];
const OP_ACTIONS: &[&str] = &[
    "Update",
    "Add",
    "Delete",
    "Batch Update",
    "SCIM API - Update",
    "Batch Delete",
];
const ZOOM_ROLES: &[&str] = &[
    "Owner",
    "Admin",
    "Co-Owner",
    "Member",
    "Billing Admin",
    "User",
];
const ZOOM_SETTINGS: &[&str] = &[
    "Security  - Require that all meetings are secured with one security option",
    "Security  - Automatically sign users out after a specified time",
    "Sign-in Methods  - Allow users to sign in with Google",
    "Sign-in Methods  - Allow users to sign in with Apple ID",
    "In Meeting (Basic)  - Allow participants to rename themselves",
    "Recording  - Cloud recording",
];
const TOPICS: &[&str] = &[
    "Q3 planning — Équipe Lyon",
    "週次定例",
    "Café chat",
    "Board meeting \"FY24\"",
    "1:1 Zoë / Søren",
    "All hands",
];

fn zoom_operation(rng: &mut State, rec: &mut Rec<'_, '_>) {
    rec.quoted("time", |out| realistic_time(rng, out, 0.1, 0.1));
    rec.quoted("operator", |out| text::email(rng, out));
    let category = *rng.pick(CATEGORIES);
    rec.str("category_type", category);
    rec.str("action", rng.choose(OP_ACTIONS));
    let mut detail = Vec::with_capacity(160);
    let d = &mut detail;
    let _ = match category {
        "User" | "Role" => {
            if rng.chance(0.5) {
                d.extend_from_slice(b"Change Role  - ");
                text::email(rng, d);
                write!(
                    d,
                    ": from {} to {}",
                    rng.pick(ZOOM_ROLES),
                    rng.pick(ZOOM_ROLES)
                )
            } else {
                d.extend_from_slice(b"Edit User ");
                text::email(rng, d);
                write!(
                    d,
                    "  - Change Type: from {} to {}",
                    rng.pick(&["Basic", "Licensed"]),
                    rng.pick(&["Licensed", "Basic", "On-Prem"])
                )
            }
        }
        "Account" => write!(
            d,
            "{}: from {} to {}",
            rng.pick(ZOOM_SETTINGS),
            rng.pick(&["On", "Off"]),
            rng.pick(&["Off", "On"])
        ),
        "User Group" => write!(
            d,
            "Edit Group {}  - Personal Meeting ID (PMI) Passcode: from On to Off",
            rng.pick(WORDS)
        ),
        "Recording" => {
            write!(d, "Delete Recording «{}» of host ", rng.pick(TOPICS)).and_then(|()| {
                text::email(rng, d);
                Ok(())
            })
        }
        _ => write!(
            d,
            "Update Meeting \"{}\" (ID: {} {} {})  - Waiting Room: from On to Off",
            rng.pick(TOPICS),
            800 + rng.below(199),
            1000 + rng.below(8999),
            1000 + rng.below(8999)
        ),
    };
    rec.str(
        "operation_detail",
        std::str::from_utf8(&detail).unwrap_or_default(),
    );
}
