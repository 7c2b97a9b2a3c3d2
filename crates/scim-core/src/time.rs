//! xsd:dateTime (RFC 7643 §2.3.5) formatting and parsing, without a clock.

use crate::clock::Millis;

/// Formats milliseconds since the epoch as `YYYY-MM-DDThh:mm:ss.mmmZ`.
pub fn format_millis(ms: Millis) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rem) = (rem / 3_600_000, rem % 3_600_000);
    let (mi, rem) = (rem / 60_000, rem % 60_000);
    let (s, milli) = (rem / 1000, rem % 1000);
    // Written digit by digit: `format!` costs several times more, and every write stamps
    // `meta.lastModified` with this.
    let mut out = String::with_capacity(24);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z");
    }
    push_digits(&mut out, y, 4);
    out.push('-');
    push_digits(&mut out, m, 2);
    out.push('-');
    push_digits(&mut out, d, 2);
    out.push('T');
    push_digits(&mut out, h, 2);
    out.push(':');
    push_digits(&mut out, mi, 2);
    out.push(':');
    push_digits(&mut out, s, 2);
    out.push('.');
    push_digits(&mut out, milli, 3);
    out.push('Z');
    out
}

/// Appends the low `width` decimal digits of a non-negative `n`, zero-padded.
fn push_digits(out: &mut String, n: i64, width: u32) {
    let mut div = 10i64.pow(width.saturating_sub(1));
    while div > 0 {
        let digit = u8::try_from((n / div).rem_euclid(10)).unwrap_or_default();
        out.push(char::from(b'0' + digit));
        div /= 10;
    }
}

/// Parses an xsd:dateTime (`2008-01-23T04:56:22Z`, fractional seconds and `±hh:mm`
/// offsets allowed) to milliseconds since the epoch. `None` when it is not one.
pub fn parse_datetime(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or_default();
    if b.len() < 19 || at(4) != b'-' || at(7) != b'-' || !(at(10) == b'T' || at(10) == b't') {
        return None;
    }
    if at(13) != b':' || at(16) != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while at(i).is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = s.get(start..i.min(start + 3))?;
        let mut v: i64 = frac.parse().ok()?;
        for _ in frac.len()..3 {
            v *= 10;
        }
        millis = v;
    }
    let offset_min = match s.get(i..)? {
        "Z" | "z" => 0,
        rest if rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes().get(3) == Some(&b':') =>
        {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (oh * 60 + om)
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + sec * 1000 + millis)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil calendar algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_datetime("2026-01-01T00:00:00Z");
        assert_eq!(t, Some(crate::clock::EPOCH));
        assert_eq!(format_millis(crate::clock::EPOCH), "2026-01-01T00:00:00.000Z");
        for ms in
            [0i64, 1, 999, 86_399_999, 951_782_400_123, 4_102_444_800_000, 253_402_300_799_999, -1, -62_167_219_200_001]
        {
            let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
            let (y, m, d) = civil_from_days(days);
            let reference = format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
                rem / 3_600_000,
                rem % 3_600_000 / 60_000,
                rem % 60_000 / 1000,
                rem % 1000
            );
            assert_eq!(format_millis(ms), reference, "{ms}");
        }
        assert_eq!(
            parse_datetime("2008-01-23T04:56:22.5+01:00").map(format_millis).as_deref(),
            Some("2008-01-23T03:56:22.500Z")
        );
    }

    #[test]
    fn rejects_non_dates() {
        for s in [
            "",
            "2008-13-01T00:00:00Z",
            "2008-02-30T00:00:00Z",
            "yesterday",
            "2008-01-01",
            "2008-01-01T00:00:00",
            "2008-01-01T00:00:00.Z",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
    }
}
