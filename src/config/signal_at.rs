//! A rule's `signal` table with where each of its values is written.
//!
//! [`Signal`] is an internally tagged enum (`type = "model"` picks the variant), and serde
//! buffers such a table before it picks one, so a `toml::Spanned` inside a variant loses its
//! span. A model rule's bad `path` was then located at the rule's `id`. Here the table is read
//! key by key straight from the TOML (each value `Spanned`), the `type` first-class (an unknown
//! one is located at its value, as before), and then the variant is read from the plain values,
//! with serde's own messages (`unknown field`, `invalid type`), located at the table as before.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::Signal;

/// A rule's `signal` and the byte span of each of its values in the config file.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalAt {
    /// The signal.
    pub signal: Signal,
    /// Where each key's value is written (`path`, `label`, `min`, `deny`, ...).
    spans: BTreeMap<String, Range<usize>>,
}

impl SignalAt {
    /// Where `key`'s value is written; `or` (the rule's id, say) when the key is absent.
    pub fn span(&self, key: &str, or: &Range<usize>) -> Range<usize> {
        self.spans.get(key).cloned().unwrap_or_else(|| or.clone())
    }
}

impl From<Signal> for SignalAt {
    fn from(signal: Signal) -> Self {
        SignalAt { signal, spans: BTreeMap::new() }
    }
}

/// The names of [`Signal`]'s variants, read alone so that an unknown `type` is an error at its
/// value (serde's tagged enum reads the tag straight from the TOML too).
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum SignalType {
    Kind,
    Links,
    LinkDomain,
    Caps,
    RepeatedChars,
    Model,
}

/// A `type` value that names a [`SignalType`].
struct TypeName(String);

impl<'de> Deserialize<'de> for TypeName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        SignalType::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&name))?;
        Ok(TypeName(name))
    }
}

impl<'de> Deserialize<'de> for SignalAt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SignalVisitor)
    }
}

struct SignalVisitor;

impl<'de> Visitor<'de> for SignalVisitor {
    type Value = SignalAt;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a signal table (`{ type = \"...\", ... }`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SignalAt, A::Error> {
        let mut table = toml::Table::new();
        let mut spans = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if table.contains_key(&key) {
                return Err(A::Error::custom(format!("duplicate key `{key}`")));
            }
            let value = if key == "type" {
                // Checked inside the value's own read, so the error is located at it.
                let t: Spanned<TypeName> = map.next_value()?;
                spans.insert(key.clone(), t.span());
                toml::Value::String(t.into_inner().0)
            } else {
                let v: Spanned<toml::Value> = map.next_value()?;
                spans.insert(key.clone(), v.span());
                v.into_inner()
            };
            table.insert(key, value);
        }
        let signal = Signal::deserialize(toml::Value::Table(table)).map_err(|e| A::Error::custom(e.message()))?;
        Ok(SignalAt { signal, spans })
    }
}
