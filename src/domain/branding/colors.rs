//! Brand colours: `#RRGGBB` (or `#RGB`) hex, and the contrast of text on them as WCAG 2.1
//! measures it (relative luminance of sRGB, ratio `(L1 + 0.05) / (L2 + 0.05)`), so a brand is
//! refused with the ratio it measured when its text would be hard to read. Floating point is
//! fine here: these are colours, not money.

/// The contrast WCAG 2.1 level AA asks of normal text.
pub const CONTRAST_AA: f64 = 4.5;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    /// Red, 0 to 255.
    pub r: u8,
    /// Green, 0 to 255.
    pub g: u8,
    /// Blue, 0 to 255.
    pub b: u8,
}

/// Black.
pub const BLACK: Rgb = Rgb { r: 0, g: 0, b: 0 };
/// White.
pub const WHITE: Rgb = Rgb {
    r: 255,
    g: 255,
    b: 255,
};

impl Rgb {
    /// A colour written `#RRGGBB` or `#RGB` (hex digits in either case).
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize| -> Option<u8> {
            let c = hex.as_bytes().get(i).copied()?;
            char::from(c)
                .to_digit(16)
                .and_then(|d| u8::try_from(d).ok())
        };
        match hex.len() {
            6 => Some(Rgb {
                r: digit(0)? * 16 + digit(1)?,
                g: digit(2)? * 16 + digit(3)?,
                b: digit(4)? * 16 + digit(5)?,
            }),
            3 => Some(Rgb {
                r: digit(0)? * 17,
                g: digit(1)? * 17,
                b: digit(2)? * 17,
            }),
            _ => None,
        }
    }

    /// `#rrggbb`, the one way the network writes a colour.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// The relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }
}

/// The contrast ratio of two colours, 1 to 21, whichever is lighter.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// Black or white, whichever reads better on `background`.
pub fn text_on(background: Rgb) -> Rgb {
    if contrast(BLACK, background) >= contrast(WHITE, background) {
        BLACK
    } else {
        WHITE
    }
}

/// A ratio as people write it, rounded down to two decimals (`4.48:1`), so a refusal never
/// shows a ratio that reads as passing.
pub fn ratio_text(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_in_long_and_short_hex_only() {
        assert_eq!(
            Rgb::parse("#1a2B3c"),
            Some(Rgb {
                r: 0x1a,
                g: 0x2b,
                b: 0x3c
            })
        );
        assert_eq!(Rgb::parse("#fff"), Some(WHITE));
        assert_eq!(
            Rgb::parse("#1a2b3c").map(Rgb::to_hex).as_deref(),
            Some("#1a2b3c")
        );
        for bad in [
            "1a2b3c",
            "#1a2b3",
            "#1a2b3c4",
            "#gg0000",
            "#",
            "",
            "# fff",
            "#ffF\u{0}",
            "red",
            "#+12345",
        ] {
            assert_eq!(Rgb::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn contrast_is_measured_as_wcag_does() {
        assert!((contrast(BLACK, WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // The classic AA boundary: #767676 on white passes, #777777 does not.
        let pass = contrast(Rgb::parse("#767676").unwrap(), WHITE);
        let fail = contrast(Rgb::parse("#777777").unwrap(), WHITE);
        assert!(pass >= CONTRAST_AA && fail < CONTRAST_AA, "{pass} {fail}");
        assert_eq!(ratio_text(pass), "4.54:1");
        assert_eq!(ratio_text(fail), "4.47:1");
        assert_eq!(text_on(Rgb::parse("#ffd700").unwrap()), BLACK);
        assert_eq!(text_on(Rgb::parse("#003366").unwrap()), WHITE);
    }
}
