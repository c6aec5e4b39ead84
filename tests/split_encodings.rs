//! `--split` of an XML export saved as UTF-16 or UTF-32: the moderated copy must carry the
//! verdicts (before, the rewrite parsed the raw bytes, failed at once and copied the export
//! unchanged, so a blocked comment stayed approved) and stay in the export's own encoding, so its
//! XML declaration is still true.

mod common;

const WXR: &str = r#"<?xml version="1.0" encoding="ENC"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<item>
  <title>Bridge vote — “tonight”</title>
  <wp:comment>
    <wp:comment_id>1</wp:comment_id>
    <wp:comment_author><![CDATA[Zoë]]></wp:comment_author>
    <wp:comment_content><![CDATA[The council's plan looks sound to me.]]></wp:comment_content>
    <wp:comment_approved>0</wp:comment_approved>
  </wp:comment>
  <wp:comment>
    <wp:comment_id>2</wp:comment_id>
    <wp:comment_author><![CDATA[Troll]]></wp:comment_author>
    <wp:comment_content><![CDATA[You are a fucking idiot, shut up.]]></wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved>
  </wp:comment>
</item>
</channel>
</rss>
"#;

const DISQUS: &str = r#"<?xml version="1.0" encoding="ENC"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="t1"><id>a-1</id></thread>
  <post dsq:id="p1">
    <message><![CDATA[Thanks for the thorough report, Zoë.]]></message>
    <isSpam>true</isSpam>
    <author><name>Ann</name></author>
    <thread dsq:id="t1"/>
  </post>
  <post dsq:id="p2">
    <message><![CDATA[You are a fucking idiot, shut up.]]></message>
    <isSpam>false</isSpam>
    <author><name>Troll</name></author>
    <thread dsq:id="t1"/>
  </post>
</disqus>
"#;

#[derive(Clone, Copy, Debug)]
enum Enc {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

fn encode(text: &str, enc: Enc) -> Vec<u8> {
    let mut out = Vec::new();
    match enc {
        Enc::Utf16Le => text.encode_utf16().for_each(|u| out.extend_from_slice(&u.to_le_bytes())),
        Enc::Utf16Be => text.encode_utf16().for_each(|u| out.extend_from_slice(&u.to_be_bytes())),
        Enc::Utf32Le => text.chars().for_each(|c| out.extend_from_slice(&(c as u32).to_le_bytes())),
        Enc::Utf32Be => text.chars().for_each(|c| out.extend_from_slice(&(c as u32).to_be_bytes())),
    }
    out
}

fn decode(bytes: &[u8], enc: Enc) -> String {
    match enc {
        Enc::Utf16Le | Enc::Utf16Be => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| if matches!(enc, Enc::Utf16Le) { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
                .collect();
            String::from_utf16(&units).expect("the moderated copy is valid UTF-16")
        }
        Enc::Utf32Le | Enc::Utf32Be => bytes
            .chunks_exact(4)
            .map(|c| {
                let v = if matches!(enc, Enc::Utf32Le) { u32::from_le_bytes([c[0], c[1], c[2], c[3]]) } else { u32::from_be_bytes([c[0], c[1], c[2], c[3]]) };
                char::from_u32(v).expect("the moderated copy is valid UTF-32")
            })
            .collect(),
    }
}

/// Runs `moderate run FILE --split OUT` and returns the one moderated file's bytes.
fn split(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Vec<u8> {
    let input = dir.join(name);
    std::fs::write(&input, bytes).unwrap();
    let out = dir.join(format!("out-{name}"));
    let o = common::moderate(&["run", "-q", "-o", "/dev/null", "--split", out.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::read(&files[0]).unwrap()
}

fn check(template: &str, ext: &str, approved: &str, values: &[&str]) {
    let d = tempfile::tempdir().unwrap();
    // The UTF-8 export's moderated copy is what every other encoding must give, re-encoded.
    let utf8 = template.replace("ENC", "UTF-8");
    let expected = String::from_utf8(split(d.path(), &format!("u8.{ext}"), utf8.as_bytes())).unwrap();
    for (value, text) in values.iter().zip(expected.split(&format!("<{approved}>")).skip(1)) {
        assert!(text.starts_with(&format!("{value}</{approved}>")), "UTF-8 copy: {text:.40}");
    }
    let cases: [(Enc, &str, &[u8]); 6] = [
        (Enc::Utf16Le, "UTF-16", b"\xFF\xFE"),
        (Enc::Utf16Be, "UTF-16", b"\xFE\xFF"),
        (Enc::Utf16Le, "UTF-16LE", b""),
        (Enc::Utf16Be, "UTF-16BE", b""),
        (Enc::Utf32Le, "UTF-32", b"\xFF\xFE\x00\x00"),
        (Enc::Utf32Be, "UTF-32", b"\x00\x00\xFE\xFF"),
    ];
    for (i, (enc, name, bom)) in cases.into_iter().enumerate() {
        let text = template.replace("ENC", name);
        let mut bytes = bom.to_vec();
        bytes.extend(encode(&text, enc));
        let got = split(d.path(), &format!("e{i}.{ext}"), &bytes);
        assert!(got.starts_with(bom), "{enc:?} {name}: the byte order mark is kept");
        let got = decode(&got[bom.len()..], enc);
        assert_eq!(got, expected.replace("UTF-8", name), "{enc:?} {name} with a {}-byte mark", bom.len());
    }
}

#[test]
fn a_utf16_or_utf32_wxr_gets_its_verdicts_in_its_own_encoding() {
    check(WXR, "wxr", "wp:comment_approved", &["1", "spam"]);
}

#[test]
fn a_utf16_or_utf32_disqus_export_gets_its_verdicts_in_its_own_encoding() {
    // The first post is allowed but the export had it as spam, which the copy keeps.
    check(DISQUS, "xml", "isSpam", &["true", "true"]);
}
