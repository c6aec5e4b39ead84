//! `spam.flood`'s clock: the dates dumps write, read as minutes, and the per-author window.
//!
//! A dump is not in time order: a WordPress export lists comments post by post, an API export
//! often newest first. So the window is a sorted set of the timestamps seen, and a comment is a
//! flood when some stretch of `minutes` that holds it also holds more than `max` comments seen so
//! far. In time order that is exactly "the `max + 1`-th comment within `minutes`"; newest first
//! it finds the same bursts (the oldest comment of the burst is flagged); in any order a flag is
//! only ever raised on comments really that close together.

use std::collections::VecDeque;

/// Minutes since 1970 (UTC) of a dump's date, or `None` for one this does not read as a date:
/// ISO 8601 (`2013-11-07T06:20:48Z`, `2010-01-01 12:00`, `2024-05-01`, with seconds, a fraction,
/// `Z` or an offset `+05:30` / `+0530` / `+05` applied) and RFC 2822 (`Thu, 07 Nov 2013 06:20:48
/// +0000`, as RSS and mail write it). Out-of-range fields (`2020-13-45`, `25:61`) and WordPress's
/// unset date `0000-00-00 00:00:00` are no date: a comment without a date is never counted in a
/// flood, where a wrong one would be counted with strangers' comments.
pub fn parse_minutes(ts: &str) -> Option<i64> {
    let ts = ts.trim();
    let b = ts.as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) && b.get(4) == Some(&b'-') {
        iso(b)
    } else {
        rfc2822(ts)
    }
}

/// `n` ASCII digits at `b[at..at + n]`.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0, |v, d| v * 10 + i64::from(d - b'0')))
}

fn iso(b: &[u8]) -> Option<i64> {
    let (y, m, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    if b.get(7) != Some(&b'-') {
        return None;
    }
    let rest = &b[10..];
    let (hh, mm, rest) = match rest.first() {
        None => (0, 0, rest),
        Some(b'T' | b't' | b' ') if rest.len() > 1 => {
            let (hh, mm) = (digits(rest, 1, 2)?, digits(rest, 4, 2)?);
            if rest.get(3) != Some(&b':') {
                return None;
            }
            (hh, mm, seconds(&rest[6..])?)
        }
        _ => return None,
    };
    let offset = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), tz @ ..] => offset(*sign, tz)?,
        _ => return None,
    };
    minutes(y, m, d, hh, mm, offset)
}

/// What follows `HH:MM`: optional `:SS` and a fraction; returns the rest.
fn seconds(b: &[u8]) -> Option<&[u8]> {
    let Some(rest) = b.strip_prefix(b":") else { return Some(b) };
    (digits(rest, 0, 2)? <= 60).then_some(())?;
    let rest = &rest[2..];
    match rest.strip_prefix(b".").or_else(|| rest.strip_prefix(b",")) {
        Some(frac) => {
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            (n > 0).then_some(&frac[n..])
        }
        None => Some(rest),
    }
}

/// `HH:MM`, `HHMM` or `HH` after the sign, as minutes east of UTC.
fn offset(sign: u8, tz: &[u8]) -> Option<i64> {
    let hh = digits(tz, 0, 2)?;
    let mm = match tz.len() {
        2 => 0,
        4 => digits(tz, 2, 2)?,
        5 if tz[2] == b':' => digits(tz, 3, 2)?,
        _ => return None,
    };
    if hh > 23 || mm > 59 {
        return None;
    }
    Some(if sign == b'-' { -(hh * 60 + mm) } else { hh * 60 + mm })
}

/// `[Day,] DD Mon YYYY HH:MM[:SS] [+hhmm | UT | GMT | Z]`.
fn rfc2822(ts: &str) -> Option<i64> {
    let ts = ts.split_once(',').map_or(ts, |(day, rest)| if day.len() <= 9 { rest } else { ts });
    let mut f = ts.split_ascii_whitespace();
    let (d, mon, y, time, zone) = (f.next()?, f.next()?, f.next()?, f.next()?, f.next());
    if f.next().is_some() || !(1..=2).contains(&d.len()) || y.len() != 4 {
        return None;
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let m = MONTHS.iter().position(|n| mon.eq_ignore_ascii_case(n))? as i64 + 1;
    let (d, y) = (digits(d.as_bytes(), 0, d.len())?, digits(y.as_bytes(), 0, 4)?);
    let t = time.as_bytes();
    let (hh, mm) = (digits(t, 0, 2)?, digits(t, 3, 2)?);
    if t.get(2) != Some(&b':') || !seconds(&t[5..])?.is_empty() {
        return None;
    }
    let offset = match zone.map(str::as_bytes) {
        None | Some(b"UT" | b"UTC" | b"GMT" | b"Z") => 0,
        Some([sign @ (b'+' | b'-'), tz @ ..]) if tz.len() == 4 => offset(*sign, tz)?,
        Some(_) => return None,
    };
    minutes(y, m, d, hh, mm, offset)
}

/// Minutes since 1970 of a checked civil date and time, `offset` minutes east of UTC.
fn minutes(y: i64, m: i64, d: i64, hh: i64, mm: i64, offset: i64) -> Option<i64> {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if y == 0 || !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] || hh > 23 || mm > 59 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 1440 + hh * 60 + mm - offset)
}

/// One author's (or IP's) recent timestamps, sorted; at most `2 * max + 1` (the neighbours a
/// burst around the next comment can need when the dump runs forwards or backwards in time).
#[derive(Debug, Default)]
pub struct FloodWindow(VecDeque<i64>);

impl FloodWindow {
    /// Adds a comment at `t`; true when a stretch shorter than `minutes` holding it holds more
    /// than `max` of the comments seen.
    pub fn add(&mut self, t: i64, max: usize, minutes: u64) -> bool {
        let w = &mut self.0;
        let at = w.partition_point(|&s| s <= t);
        w.insert(at, t);
        let minutes = i64::try_from(minutes).unwrap_or(i64::MAX);
        let flood = (at.saturating_sub(max)..=at)
            .any(|j| w.get(j + max).is_some_and(|&last| last.saturating_sub(w[j]) < minutes));
        // Forget the timestamp farthest from this one: in time order the oldest, newest first
        // the newest, so either way the neighbours of the next comment stay.
        while w.len() > max.saturating_mul(2).saturating_add(1) {
            let (first, last) = (w[0], w[w.len() - 1]);
            if t.saturating_sub(first) >= last.saturating_sub(t) {
                w.pop_front();
            } else {
                w.pop_back();
            }
        }
        flood
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_with_their_offsets_and_checked() {
        let base = parse_minutes("2013-11-07T06:20:48").unwrap();
        for same in [
            "2013-11-07 06:20",
            "2013-11-07T06:20:48Z",
            "2013-11-07T06:20:48.123+00:00",
            "2013-11-07T11:50:00+05:30",
            "2013-11-07T01:20-0500",
            "Thu, 07 Nov 2013 06:20:48 +0000",
            "7 Nov 2013 07:20 +0100",
            "Thu, 07 Nov 2013 06:20:00 GMT",
        ] {
            assert_eq!(parse_minutes(same), Some(base), "{same}");
        }
        assert_eq!(parse_minutes("2024-05-01"), Some(parse_minutes("2024-05-01 00:00").unwrap()));
        assert_eq!(parse_minutes("1970-01-01T00:01Z"), Some(1));
        for junk in [
            "0000-00-00 00:00:00",
            "2020-13-01",
            "2021-02-29",
            "2020-01-01 24:00",
            "2020-01-01 10:60",
            "+020-01-01",
            "2020-01-01 10:00 later",
            "Mon, 32 Jun 2020 10:00:00 +0000",
            "yesterday",
            "",
        ] {
            assert_eq!(parse_minutes(junk), None, "{junk}");
        }
        assert!(parse_minutes("2020-02-29").is_some() && parse_minutes("9999-12-31 23:59").is_some());
    }

    #[test]
    fn a_window_finds_bursts_in_any_order_and_nothing_else() {
        let run = |order: &[i64]| {
            let mut w = FloodWindow::default();
            order.iter().map(|&t| w.add(t, 3, 10)).collect::<Vec<_>>()
        };
        // Four comments within 10 minutes: the fourth seen is the flood, forwards and backwards.
        assert_eq!(run(&[0, 2, 4, 6]), [false, false, false, true]);
        assert_eq!(run(&[6, 4, 2, 0]), [false, false, false, true]);
        // A month apart, in any order: never.
        let months: Vec<i64> = (0..40).map(|i| (i * 7919 % 40) * 43_200).collect();
        assert!(run(&months).iter().all(|&f| !f));
        assert!(run(&months.iter().rev().copied().collect::<Vec<_>>()).iter().all(|&f| !f));
        // Exactly 10 minutes apart is outside the window.
        assert_eq!(run(&[0, 10, 20, 30]), [false; 4]);
    }
}
