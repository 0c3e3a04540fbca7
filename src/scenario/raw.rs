//! The scenario file as written: serde structs that mirror the TOML keys one
//! for one. Every key is documented once, by dotted path, in
//! `docs/scenario.md` and in [`super::paths::DOCS`] (what `brink params`
//! prints). Unknown keys are errors. Nothing here is checked beyond its type;
//! `validate` turns a `RawScenario` into the engine's [`crate::model::Scenario`].

// Each field is documented once, by its dotted path, in `paths::DOCS`
// (checked by a test); doc comments here would only repeat it.
#![allow(missing_docs)]

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A table keyed by id, in file order.
pub type Table<T> = IndexMap<String, T>;

/// The whole file after includes and `--set` overrides are merged.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawScenario {
    /// Another scenario file this one extends (path relative to this file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// The `[scenario]` header.
    pub scenario: RawHeader,
    /// Places events can happen in, keyed by id.
    pub places: Table<RawPlace>,
    /// Escalation ladder, level 0 first.
    pub ladder: Table<RawLevel>,
    /// Actors keyed by id.
    pub actors: Table<RawActor>,
    /// Directed relationships keyed by id.
    pub dyads: Table<RawDyad>,
    /// Exogenous drivers keyed by id.
    pub drivers: Table<RawDriver>,
    /// Negotiation tracks keyed by id.
    pub tracks: Table<RawTrack>,
    /// Triggers keyed by id, fired in file order.
    pub triggers: Table<RawTrigger>,
    /// Terminal outcomes keyed by id, checked in file order.
    pub outcomes: Table<RawOutcome>,
    /// Windowed quantities keyed by id, written to `trials.csv` in file order.
    pub metrics: Table<RawMetric>,
    /// Implementation phases keyed by id.
    pub phases: Table<RawPhase>,
    /// Iterated two-player game, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game: Option<RawGame>,
}

/// `[scenario]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawHeader {
    pub name: String,
    pub description: String,
    /// `YYYY-MM-DD` of step 0, as a TOML date or a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    pub step_unit: String,
    pub horizon: i64,
    pub trials: i64,
    pub seed: i64,
    pub horizon_outcome: String,
}

impl Default for RawHeader {
    fn default() -> Self {
        RawHeader {
            name: String::new(),
            description: String::new(),
            start_date: None,
            step_unit: "day".into(),
            horizon: 365,
            trials: 1000,
            seed: 1,
            horizon_outcome: "horizon".into(),
        }
    }
}

/// `[places.<id>]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPlace {
    pub name: String,
}

/// `[ladder.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawLevel {
    pub name: String,
    pub severity: f64,
    pub wound: f64,
    pub wounded: f64,
    pub kill: f64,
    pub killed: f64,
}

impl Default for RawLevel {
    fn default() -> Self {
        RawLevel {
            name: String::new(),
            severity: 0.0,
            wound: 0.0,
            wounded: 1.0,
            kill: 0.0,
            killed: 1.0,
        }
    }
}

/// `[actors.<id>]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawActor {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patron: Option<String>,
    pub obey: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pressure: Option<RawPressure>,
    /// Game mode only: the classic strategy this actor plays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// Game mode: forgiveness of `gtft` (default from the payoffs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generosity: Option<f64>,
    /// Game mode: cooperation probability of `random`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// Game mode: `memory_one` cooperation probabilities after CC, CD, DC, DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub four_vector: Option<Vec<f64>>,
    /// Game mode: probability of cooperating in round 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<f64>,
    /// A risk stock of the actor's own (issue 15).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<RawRisk>,
    /// Actions other than violence the actor may choose (issue 15).
    #[serde(skip_serializing_if = "Table::is_empty")]
    pub actions: Table<RawAction>,
}

/// `[actors.<id>.actions.<id>]`: an action the actor may choose.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawAction {
    #[serde(rename = "do", skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
    pub policy: String,
    pub stock: String,
    pub intercept: f64,
    pub slope: f64,
    pub threshold: f64,
    pub noise_sd: f64,
    pub refractory: i64,
    pub max: i64,
    pub relief: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    pub comply: Table<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    pub duration: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub weight: f64,
}

impl Default for RawAction {
    fn default() -> Self {
        RawAction {
            act: None,
            policy: "hazard".into(),
            stock: "pressure".into(),
            intercept: -10.0,
            slope: 0.0,
            threshold: 0.0,
            noise_sd: 0.0,
            refractory: 0,
            max: 0,
            relief: 0.0,
            regime: None,
            comply: Table::new(),
            track: None,
            duration: 0,
            factor: None,
            target: None,
            weight: 0.0,
        }
    }
}

/// A stock fed by hostile events (Richardson-style accumulation with
/// decay): `initial`, `decay` and `inputs`, shared by `[actors.<id>.pressure]`
/// and `[actors.<id>.risk]`, then the stock's own keys.
macro_rules! stock_keys {
    ($(#[$doc:meta])* $name:ident { $($key:ident: $ty:ty = $default:expr,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize, Serialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            pub initial: f64,
            pub decay: f64,
            pub inputs: Table<RawPressureInput>,
            $(pub $key: $ty,)*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    initial: 0.0,
                    decay: 0.95,
                    inputs: Table::new(),
                    $($key: $default,)*
                }
            }
        }
    };
}

stock_keys! {
    /// `[actors.<id>.pressure]`.
    RawPressure {
        relief: Table<RawRelief> = Table::new(),
    }
}

stock_keys! {
    /// `[actors.<id>.risk]`.
    RawRisk {}
}

/// `[actors.<id>.pressure.inputs.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPressureInput {
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_level: Option<String>,
    pub per: String,
    pub weight: f64,
}

impl Default for RawPressureInput {
    fn default() -> Self {
        RawPressureInput {
            from: "*".into(),
            to: "*".into(),
            place: None,
            min_level: None,
            per: "event".into(),
            weight: 1.0,
        }
    }
}

/// `[actors.<id>.pressure.relief.<track>]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawRelief {
    pub progress: f64,
    pub active: f64,
    pub agreement: f64,
}

/// `[dyads.<id>]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDyad {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    pub regimes: Table<RawRegime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiative: Option<RawInitiative>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<RawResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hazard: Option<RawHazard>,
    pub noise: RawNoise,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub misattribution: Option<RawMisattribution>,
}

/// `[dyads.<id>.misattribution]`: answers that land on another group.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMisattribution {
    pub p: f64,
    /// Relative weights of the actors an answer may land on instead.
    pub to: Table<f64>,
}

/// `[dyads.<id>.regimes.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawRegime {
    pub rate: f64,
    pub respond: bool,
    /// The response rule in this regime: the dyad's response keys with
    /// these on top.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<RawRegimeResponse>,
}

impl Default for RawRegime {
    fn default() -> Self {
        RawRegime {
            rate: 1.0,
            respond: true,
            response: None,
        }
    }
}

/// `[dyads.<id>.initiative]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawInitiative {
    pub rate: f64,
    pub levels: Table<f64>,
    pub places: Table<f64>,
    pub beta: f64,
    pub memory: f64,
    pub excitation: f64,
    pub kernel: f64,
    pub history: f64,
    pub pressure: f64,
    pub max_rate: f64,
    pub drivers: Table<RawDriverEffect>,
}

impl Default for RawInitiative {
    fn default() -> Self {
        RawInitiative {
            rate: 0.0,
            levels: Table::new(),
            places: Table::new(),
            beta: 0.0,
            memory: 0.9,
            excitation: 0.0,
            kernel: 0.9,
            history: 0.0,
            pressure: 0.0,
            max_rate: 50.0,
            drivers: Table::new(),
        }
    }
}

/// `[dyads.<id>.initiative.drivers.<driver>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDriverEffect {
    pub active: f64,
    pub inactive: f64,
}

impl Default for RawDriverEffect {
    fn default() -> Self {
        RawDriverEffect {
            active: 1.0,
            inactive: 1.0,
        }
    }
}

/// How a regime's key applies over the dyad's (see `response_keys!`).
macro_rules! apply_key {
    (value, $to:expr, $from:expr) => {
        if let Some(v) = &$from {
            $to = v.clone();
        }
    };
    (option, $to:expr, $from:expr) => {
        if $from.is_some() {
            $to = $from.clone();
        }
    };
    (levels, $to:expr, $from:expr) => {
        for (k, v) in &$from {
            $to.insert(k.clone(), *v);
        }
    };
}

/// The response rule's keys, listed once. Each line reads `key: the
/// dyad's type = its default, serialised unless; the regime's type,
/// serialised unless, how it applies`. From the list come
/// `[dyads.<id>.response]` ([`RawResponse`], each key with its default),
/// `[dyads.<id>.regimes.<id>.response]` ([`RawRegimeResponse`], each key
/// an override; absent keys keep the dyad's) and
/// [`RawRegimeResponse::over`]. How a key applies: `value` replaces the
/// dyad's, `option` replaces an optional key, `levels` merges a table
/// level by level.
macro_rules! response_keys {
    ($($key:ident: $ty:ty = $default:expr, $skip:literal; $rty:ty, $rskip:literal, $apply:ident;)*) => {
        /// `[dyads.<id>.response]`: the reciprocity rule toward `to`.
        #[derive(Debug, Clone, Deserialize, Serialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct RawResponse {
            $(#[serde(skip_serializing_if = $skip)] pub $key: $ty,)*
        }

        impl Default for RawResponse {
            fn default() -> Self {
                RawResponse { $($key: $default,)* }
            }
        }

        /// `[dyads.<id>.regimes.<id>.response]`: the keys of a
        /// [`RawResponse`] that this regime changes; absent keys keep the dyad's.
        #[derive(Debug, Clone, Default, Deserialize, Serialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct RawRegimeResponse {
            $(#[serde(skip_serializing_if = $rskip)] pub $key: $rty,)*
        }

        impl RawRegimeResponse {
            /// The dyad's response (or the defaults) with this regime's keys on
            /// top; generosity merges level by level, places are replaced whole.
            pub fn over(&self, base: Option<&RawResponse>) -> RawResponse {
                let mut r = base.cloned().unwrap_or_default();
                $(apply_key!($apply, r.$key, self.$key);)*
                r
            }
        }
    };
}

/// `skip_serializing_if` for keys always written.
fn never<T>(_: &T) -> bool {
    false
}

response_keys! {
    rule: String = "graded".into(), "never"; Option<String>, "Option::is_none", value;
    proportionality: f64 = 1.0, "never"; Option<f64>, "Option::is_none", value;
    delay: i64 = 1, "never"; Option<i64>, "Option::is_none", value;
    threshold: f64 = 0.0, "never"; Option<f64>, "Option::is_none", value;
    generosity: Table<f64> = Table::new(), "never"; Table<f64>, "Table::is_empty", levels;
    generosity_if_wounded: Option<f64> = None, "Option::is_none"; Option<f64>, "Option::is_none", option;
    generosity_if_killed: Option<f64> = None, "Option::is_none"; Option<f64>, "Option::is_none", option;
    severity_if_wounded: f64 = 0.0, "never"; Option<f64>, "Option::is_none", value;
    severity_if_killed: f64 = 0.0, "never"; Option<f64>, "Option::is_none", value;
    refractory: i64 = 0, "never"; Option<i64>, "Option::is_none", value;
    min_level: Option<String> = None, "Option::is_none"; Option<String>, "Option::is_none", option;
    max_level: Option<String> = None, "Option::is_none"; Option<String>, "Option::is_none", option;
    level: Option<String> = None, "Option::is_none"; Option<String>, "Option::is_none", option;
    four_vector: Option<Vec<f64>> = None, "Option::is_none"; Option<Vec<f64>>, "Option::is_none", option;
    places: Table<f64> = Table::new(), "never"; Option<Table<f64>>, "Option::is_none", value;
}

/// `[dyads.<id>.hazard]`: a pressure-driven response.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawHazard {
    pub stock: String,
    pub intercept: f64,
    pub slope: f64,
    pub decay: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    pub refractory: i64,
    pub places: Table<f64>,
}

impl Default for RawHazard {
    fn default() -> Self {
        RawHazard {
            stock: "grievance".into(),
            intercept: -10.0,
            slope: 0.0,
            decay: 0.95,
            level: None,
            refractory: 0,
            places: Table::new(),
        }
    }
}

/// `[dyads.<id>.noise]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawNoise {
    pub execution: f64,
    pub perception: f64,
}

/// `[drivers.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDriver {
    pub name: String,
    pub start: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<i64>,
    pub end_hazard: f64,
}

impl Default for RawDriver {
    fn default() -> Self {
        RawDriver {
            name: String::new(),
            start: 0,
            end: None,
            end_hazard: 0.0,
        }
    }
}

/// `[tracks.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTrack {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub between: Option<Vec<String>>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_step: Option<i64>,
    pub watch: Vec<String>,
    pub precondition: RawPrecondition,
    pub progress: RawProgress,
    pub working_groups: Table<RawWorkingGroup>,
    pub pause: RawPause,
    pub collapse: RawCollapse,
    pub signing: RawSigning,
    pub effects: Table<RawTrackEffect>,
    /// Talks that bargain (issue 15); absent = the clock model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bargaining: Option<RawBargaining>,
}

/// `[tracks.<id>.bargaining]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBargaining {
    pub ripeness: f64,
    pub hurt: Table<f64>,
    pub drivers: Table<RawDriverEffect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concession: Option<RawConcession>,
}

/// `[tracks.<id>.bargaining.concession]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConcession {
    pub intercept: f64,
    pub ripeness: f64,
    pub learning: f64,
    pub jump: f64,
}

impl Default for RawConcession {
    fn default() -> Self {
        RawConcession {
            intercept: -10.0,
            ripeness: 0.0,
            learning: 0.0,
            jump: 1.0,
        }
    }
}

impl Default for RawTrack {
    fn default() -> Self {
        RawTrack {
            between: None,
            status: "not_started".into(),
            open_step: None,
            watch: Vec::new(),
            precondition: RawPrecondition::default(),
            progress: RawProgress::default(),
            working_groups: Table::new(),
            pause: RawPause::default(),
            collapse: RawCollapse::default(),
            signing: RawSigning::default(),
            effects: Table::new(),
            bargaining: None,
        }
    }
}

/// `[tracks.<id>.precondition]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPrecondition {
    pub enabled: bool,
    pub calm: i64,
    pub actors: Vec<String>,
}

/// `[tracks.<id>.progress]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawProgress {
    pub rate: f64,
    pub violence: f64,
    pub memory: f64,
}

impl Default for RawProgress {
    fn default() -> Self {
        RawProgress {
            rate: 0.01,
            violence: 0.0,
            memory: 0.9,
        }
    }
}

/// `[tracks.<id>.working_groups.<id>]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawWorkingGroup {
    pub name: String,
    pub rate: f64,
}

impl Default for RawWorkingGroup {
    fn default() -> Self {
        RawWorkingGroup {
            name: String::new(),
            rate: 1.0,
        }
    }
}

/// `[tracks.<id>.pause]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPause {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    pub on_kill: RawOnKill,
    pub steps: i64,
}

/// `tracks.<id>.pause.on_kill`: `true` (any death in a watched event),
/// `false`, or the actors whose deaths pause the talks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RawOnKill {
    /// Every actor's deaths (true) or none (false).
    All(bool),
    /// These actors' deaths.
    Actors(Vec<String>),
}

/// By hand, so that a wrong type reads "expected true, false or a list of
/// actor ids" rather than serde's note on untagged enums.
impl<'de> Deserialize<'de> for RawOnKill {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawOnKill;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or a list of actor ids")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<RawOnKill, E> {
                Ok(RawOnKill::All(b))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawOnKill, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                Ok(RawOnKill::Actors(ids))
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for RawOnKill {
    fn default() -> Self {
        RawOnKill::All(false)
    }
}

/// `[tracks.<id>.collapse]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCollapse {
    pub hazard: f64,
    pub violence: f64,
}

/// `[tracks.<id>.signing]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSigning {
    pub calm: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// `[tracks.<id>.effects.<dyad>]`: multipliers on a dyad's initiative rate.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTrackEffect {
    pub not_started: f64,
    pub active: f64,
    pub paused: f64,
    pub agreement: f64,
    pub collapsed: f64,
    pub progress: f64,
}

impl Default for RawTrackEffect {
    fn default() -> Self {
        RawTrackEffect {
            not_started: 1.0,
            active: 1.0,
            paused: 1.0,
            agreement: 1.0,
            collapsed: 1.0,
            progress: 0.0,
        }
    }
}

/// `[triggers.<id>]`: a condition (`when`) and an action (`do`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTrigger {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    #[serde(rename = "do", skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    pub once: bool,
    pub probability: f64,
    // condition: event
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_level: Option<String>,
    pub killed: bool,
    pub wounded: bool,
    pub within: i64,
    // condition: step
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    // condition: pressure
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    // condition or action: track
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    // actions
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dyad: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    pub delay: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_killed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_wounded: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    pub duration: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patron: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    // condition: action (an actor's chosen action was taken)
    #[serde(rename = "action", skip_serializing_if = "Option::is_none")]
    pub taken: Option<String>,
    // repetition
    pub refractory: i64,
    // combined conditions
    #[serde(skip_serializing_if = "Table::is_empty")]
    pub all: Table<RawCondition>,
    #[serde(skip_serializing_if = "Table::is_empty")]
    pub any: Table<RawCondition>,
}

/// `[triggers.<id>.all.<id>]` and `[triggers.<id>.any.<id>]`: one
/// condition of a combined trigger.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCondition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_level: Option<String>,
    pub killed: bool,
    pub wounded: bool,
    pub within: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dyad: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    #[serde(rename = "action", skip_serializing_if = "Option::is_none")]
    pub taken: Option<String>,
}

impl Default for RawCondition {
    fn default() -> Self {
        RawCondition {
            when: None,
            from: "*".into(),
            to: "*".into(),
            min_level: None,
            killed: false,
            wounded: false,
            within: 1,
            at: None,
            until: None,
            actor: None,
            above: None,
            track: None,
            status: None,
            driver: None,
            active: None,
            dyad: None,
            regime: None,
            taken: None,
        }
    }
}

impl RawTrigger {
    /// The condition written at the trigger's top level (`when` and the
    /// keys it reads), if `when` is given.
    pub fn top_condition(&self) -> Option<RawCondition> {
        self.when.as_ref()?;
        Some(RawCondition {
            when: self.when.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            min_level: self.min_level.clone(),
            killed: self.killed,
            wounded: self.wounded,
            within: self.within,
            at: self.at,
            until: self.until,
            actor: self.actor.clone(),
            above: self.above,
            track: self.track.clone(),
            status: self.status.clone(),
            driver: self.driver.clone(),
            active: self.active,
            dyad: self.dyad.clone(),
            regime: self.regime.clone(),
            taken: self.taken.clone(),
        })
    }
}

impl Default for RawTrigger {
    fn default() -> Self {
        RawTrigger {
            when: None,
            action: None,
            once: true,
            probability: 1.0,
            from: "*".into(),
            to: "*".into(),
            min_level: None,
            killed: false,
            wounded: false,
            within: 1,
            at: None,
            until: None,
            actor: None,
            above: None,
            track: None,
            status: None,
            dyad: None,
            level: None,
            delay: 0,
            place: None,
            force_killed: None,
            force_wounded: None,
            regime: None,
            duration: 0,
            patron: None,
            driver: None,
            active: None,
            taken: None,
            refractory: 0,
            all: Table::new(),
            any: Table::new(),
        }
    }
}

/// `[outcomes.<id>]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOutcome {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_step: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// `[phases.<id>]`: an implementation phase after a track's agreement.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPhase {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    pub duration: i64,
    pub slip: f64,
    pub setback: i64,
    #[serde(rename = "break")]
    pub break_hazard: f64,
    pub spoilers: Table<String>,
}

impl Default for RawPhase {
    fn default() -> Self {
        RawPhase {
            track: None,
            duration: 1,
            slip: 0.0,
            setback: 0,
            break_hazard: 0.0,
            spoilers: Table::new(),
        }
    }
}

/// `[metrics.<id>]`: a quantity over a window of steps or dates.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMetric {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dyads: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actors: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// `[from, to]`: steps (integers) or dates, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Vec<toml::Value>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// `[game]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawGame {
    pub rounds: i64,
    pub noise: f64,
    pub perception_noise: f64,
    pub payoffs: RawPayoffs,
}

impl Default for RawGame {
    fn default() -> Self {
        RawGame {
            rounds: 200,
            noise: 0.0,
            perception_noise: 0.0,
            payoffs: RawPayoffs::default(),
        }
    }
}

/// `[game.payoffs]`: the prisoner's dilemma table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
#[allow(non_snake_case)]
pub struct RawPayoffs {
    pub R: f64,
    pub S: f64,
    pub T: f64,
    pub P: f64,
}

impl Default for RawPayoffs {
    fn default() -> Self {
        RawPayoffs {
            R: 3.0,
            S: 0.0,
            T: 5.0,
            P: 1.0,
        }
    }
}
