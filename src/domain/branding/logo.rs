//! Brand logos: PNG only, checked chunk by chunk before anything is stored. An SVG is refused
//! (it can carry scripts, event handlers and external references); so is anything that is not
//! a complete, well-formed PNG of a sensible size.

/// Largest logo, in bytes.
pub const LOGO_BYTES_MAX: usize = 256 * 1024;
/// Largest side of a logo, in pixels.
pub const LOGO_SIDE_MAX: u32 = 2048;
/// Smallest side of a logo, in pixels.
pub const LOGO_SIDE_MIN: u32 = 16;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A logo that passed the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogoSize {
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

/// Checks a logo; the reason when it is refused.
pub fn check_png(bytes: &[u8]) -> Result<LogoSize, String> {
    if bytes.len() > LOGO_BYTES_MAX {
        return Err(format!(
            "the logo is {} bytes; at most {LOGO_BYTES_MAX}",
            bytes.len()
        ));
    }
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(512)).unwrap_or_default())
        .to_ascii_lowercase();
    if head.trim_start().starts_with('<') || head.contains("<svg") {
        return Err(
            "SVG logos are refused (an SVG can carry scripts and external references): send a PNG"
                .into(),
        );
    }
    if bytes.get(..8) != Some(&SIGNATURE[..]) {
        return Err("the logo must be a PNG image".into());
    }
    let mut at = 8_usize;
    let mut size = None;
    let mut ended = false;
    while at < bytes.len() {
        let length = be_u32(bytes, at).ok_or("a PNG chunk is cut short")?;
        let length = usize::try_from(length).map_err(|_| "a PNG chunk is too long")?;
        let kind = bytes
            .get(at + 4..at + 8)
            .ok_or("a PNG chunk is cut short")?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err("the PNG holds a malformed chunk".into());
        }
        let end = at
            .checked_add(12)
            .and_then(|n| n.checked_add(length))
            .filter(|end| *end <= bytes.len())
            .ok_or("a PNG chunk runs past the end of the file")?;
        if size.is_none() {
            if kind != b"IHDR" || length != 13 {
                return Err("the PNG does not start with its header".into());
            }
            let width = be_u32(bytes, at + 8).ok_or("the PNG header is cut short")?;
            let height = be_u32(bytes, at + 12).ok_or("the PNG header is cut short")?;
            size = Some(LogoSize { width, height });
        }
        at = end;
        if kind == b"IEND" {
            ended = true;
            break;
        }
    }
    if !ended || at != bytes.len() {
        return Err("the PNG must end with its IEND chunk and nothing after it".into());
    }
    let size = size.ok_or("the PNG has no header")?;
    let sides = LOGO_SIDE_MIN..=LOGO_SIDE_MAX;
    if !sides.contains(&size.width) || !sides.contains(&size.height) {
        return Err(format!(
            "the logo is {}x{} pixels; each side must be {LOGO_SIDE_MIN} to {LOGO_SIDE_MAX}",
            size.width, size.height
        ));
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal structurally valid PNG of `w` x `h` (the checks do not decode pixels).
    pub fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            out.extend_from_slice(&[0, 0, 0, 0]);
        };
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", &[0; 10]);
        chunk(b"IEND", &[]);
        out
    }

    #[test]
    fn only_whole_pngs_of_a_sensible_size_pass() {
        assert_eq!(
            check_png(&png(64, 32)),
            Ok(LogoSize {
                width: 64,
                height: 32
            })
        );
        assert!(check_png(&png(8, 64)).unwrap_err().contains("8x64"));
        assert!(check_png(&png(64, 4096)).is_err());
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>"#;
        assert!(check_png(svg)
            .unwrap_err()
            .starts_with("SVG logos are refused"));
        let mut trailing = png(64, 64);
        trailing.extend_from_slice(b"<script>");
        assert!(check_png(&trailing).is_err(), "nothing after IEND");
        let cut = png(64, 64);
        assert!(check_png(&cut[..cut.len() - 6]).is_err());
        assert!(check_png(b"GIF89a").is_err());
        assert!(check_png(&vec![0; LOGO_BYTES_MAX + 1])
            .unwrap_err()
            .contains("at most"));
    }
}
