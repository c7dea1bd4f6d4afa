//! The CAPTCHA image: the answer as distorted SVG text a person can read (each letter
//! turned, shifted and sized at random, over noise lines), served by
//! `/accounts/Captcha?ctoken=…`.

use rand_core::{OsRng, RngCore};

use crate::emulator::http::esc;

/// Width and height of the image, in pixels.
const WIDTH: u32 = 220;
const HEIGHT: u32 = 70;

/// The SVG of `answer`.
pub fn svg(answer: &str) -> String {
    let mut noise = [0u8; 64];
    OsRng.fill_bytes(&mut noise);
    let mut r = noise.iter().copied().cycle();
    let mut next = move |span: u32| u32::from(r.next().unwrap_or(0)) % span.max(1);
    let count = u32::try_from(answer.chars().count()).unwrap_or(1).max(1);
    let step = (WIDTH - 30) / count;
    let mut out = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' \
         viewBox='0 0 {WIDTH} {HEIGHT}'><rect width='100%' height='100%' fill='#f3efe6'/>"
    );
    for _ in 0..5 {
        out.push_str(&format!(
            "<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='#9a8f7a' stroke-width='{}'/>",
            next(WIDTH),
            next(HEIGHT),
            next(WIDTH),
            next(HEIGHT),
            1 + next(2)
        ));
    }
    for (i, c) in (0u32..).zip(answer.chars()) {
        let x = 15 + i * step + next(8);
        let y = 42 + next(14);
        let angle = i64::from(next(50)) - 25;
        out.push_str(&format!(
            "<text x='{x}' y='{y}' transform='rotate({angle} {x} {y})' font-family='monospace' \
             font-size='{}' font-weight='bold' fill='#2b2b40'>{}</text>",
            30 + next(8),
            esc(&c.to_string())
        ));
    }
    out.push_str(&format!(
        "<path d='M0 {} Q {} {} {WIDTH} {}' stroke='#2b2b40' fill='none' stroke-width='1.5'/></svg>\n",
        20 + next(30),
        WIDTH / 2,
        next(HEIGHT),
        20 + next(30)
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_letter_is_drawn() {
        let s = super::svg("abc");
        assert!(s.starts_with("<svg"));
        assert_eq!(s.matches("<text").count(), 3);
        for c in ["'>a<", "'>b<", "'>c<"] {
            assert!(s.contains(c), "{s}");
        }
    }
}
