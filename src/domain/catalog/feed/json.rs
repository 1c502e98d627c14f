//! JSON feeds: an array of products, read one element at a time into the [`Checker`].

use std::collections::HashSet;
use std::io::BufRead;

use super::{column_field, set_field, Checker, Next, RawProduct};

/// A JSON array of products, read one element at a time.
pub(super) fn read_json<R: BufRead, E>(reader: R, checker: &mut Checker<'_, E>) -> Result<(), E> {
    use serde::de::{Deserializer as _, SeqAccess, Visitor};

    struct Items<'c, 'a, E> {
        checker: &'c mut Checker<'a, E>,
        failure: Option<E>,
        position: u64,
    }

    impl<'de, E> Visitor<'de> for &mut Items<'_, '_, E> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of products")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            loop {
                self.position += 1;
                let Some(item) = seq.next_element::<JsonItem>()? else {
                    return Ok(());
                };
                let raw = match item.0 {
                    Ok(raw) => raw,
                    Err((field, reason)) => {
                        self.checker.summary.products += 1;
                        self.checker.problem(self.position, field, reason);
                        continue;
                    }
                };
                match self.checker.accept(self.position, raw) {
                    Ok(Next::Continue) => {}
                    Ok(Next::Stop) => return Err(serde::de::Error::custom(STOPPED)),
                    Err(e) => {
                        self.failure = Some(e);
                        return Err(serde::de::Error::custom(STOPPED));
                    }
                }
            }
        }
    }

    const STOPPED: &str = "reading stopped";
    let mut items = Items {
        checker,
        failure: None,
        position: 0,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = (&mut de)
        .deserialize_seq(&mut items)
        .and_then(|()| de.end());
    if let Some(e) = items.failure {
        return Err(e);
    }
    if let Err(e) = result {
        if e.to_string().starts_with(STOPPED) {
            return Ok(());
        }
        let row = if e.is_data() && items.position <= 1 {
            0
        } else {
            items.position
        };
        let reason = if e.is_data() && items.position <= 1 {
            "the file must be a JSON array of products".to_owned()
        } else {
            format!("not valid JSON: {e}")
        };
        items.checker.problem(row, "", reason);
    }
    Ok(())
}

/// One JSON product, read without building a document tree: known fields as strings (a
/// number is accepted for `price_minor` and `category`), unknown fields skipped unread, and any
/// wrong shape (an item that is not an object, an array or object where a text goes, a field
/// given twice) a problem of this product alone, so the products after it are still checked.
struct JsonItem(Result<RawProduct, (&'static str, String)>);

/// A JSON value where a product field goes.
enum Scalar {
    Text(String),
    Null,
    Number(String),
    Other,
}

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a product field")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.to_string()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

fn not_an_object() -> JsonItem {
    JsonItem(Err(("", "each product must be a JSON object".into())))
}

impl<'de> serde::Deserialize<'de> for JsonItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<JsonItem, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = JsonItem;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a product")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<JsonItem, A::Error> {
                let mut raw = RawProduct::default();
                let mut seen = HashSet::new();
                let mut problem = None;
                while let Some(key) = a.next_key::<String>()? {
                    let Some(field) = column_field(&key) else {
                        a.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    };
                    let value = a.next_value::<Scalar>()?;
                    if !seen.insert(field) {
                        problem = problem.or(Some((field, "is given twice".to_owned())));
                        continue;
                    }
                    match value {
                        Scalar::Text(text) => set_field(&mut raw, field, text),
                        Scalar::Number(n) if matches!(field, "price_minor" | "category") => {
                            set_field(&mut raw, field, n)
                        }
                        Scalar::Null => {}
                        Scalar::Number(_) | Scalar::Other => {
                            problem = problem.or(Some((field, "has the wrong type".to_owned())));
                        }
                    }
                }
                Ok(JsonItem(problem.map_or(Ok(raw), Err)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<JsonItem, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(not_an_object())
            }
            fn visit_str<E>(self, _: &str) -> Result<JsonItem, E> {
                Ok(not_an_object())
            }
            fn visit_u64<E>(self, _: u64) -> Result<JsonItem, E> {
                Ok(not_an_object())
            }
            fn visit_i64<E>(self, _: i64) -> Result<JsonItem, E> {
                Ok(not_an_object())
            }
            fn visit_f64<E>(self, _: f64) -> Result<JsonItem, E> {
                Ok(not_an_object())
            }
            fn visit_bool<E>(self, _: bool) -> Result<JsonItem, E> {
                Ok(not_an_object())
            }
            fn visit_unit<E>(self) -> Result<JsonItem, E> {
                Ok(not_an_object())
            }
        }
        d.deserialize_any(V)
    }
}
