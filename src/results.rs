//! What a downloaded result holds, made readable: a zip's file list with sizes, its
//! `output.info` and `.json` sidecars; a JSON or CSV result as it is. Runs off the UI thread.

use std::io::Read;
use std::path::Path;

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::api::download::{FileKind, Saved};

/// The most of one member of a zip that is read for display.
const MEMBER_LIMIT: u64 = 1024 * 1024;
/// The most of a JSON or CSV result that is shown (the file on disk is always whole).
const SHOW_LIMIT: u64 = 256 * 1024 * 1024;

/// The body the response pane shows for a saved result: a zip's summary as JSON, or the JSON
/// or CSV result itself.
pub fn summarize(job: &str, saved: &Saved) -> Result<Bytes, String> {
    match saved.kind {
        FileKind::Zip => zip_summary(job, saved).map(|v| Bytes::from(v.to_string())),
        FileKind::Json | FileKind::Csv => {
            if saved.bytes > SHOW_LIMIT {
                return Err(format!("the result is saved but too large to show ({} bytes)", saved.bytes));
            }
            std::fs::read(&saved.path)
                .map(Bytes::from)
                .map_err(|e| format!("cannot read {}: {e}", saved.path.display()))
        }
    }
}

fn zip_summary(job: &str, saved: &Saved) -> Result<Value, String> {
    let file =
        std::fs::File::open(&saved.path).map_err(|e| format!("cannot open {}: {e}", saved.path.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| format!("{} is not a readable zip: {e}", saved.path.display()))?;
    let mut files = Map::new();
    let mut info = Value::Null;
    let mut sidecars = Map::new();
    let mut texts = Map::new();
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|e| format!("zip member {i}: {e}"))?;
        let name =
            member.name().map_or_else(|_| format!("(member {i}: unreadable name)"), |n| n.into_owned());
        files.insert(name.clone(), json!(member.size()));
        let wanted = name == "output.info" || name.ends_with(".json") || name.ends_with(".txt");
        if !wanted || member.is_dir() {
            continue;
        }
        let mut text = String::new();
        if (&mut member).take(MEMBER_LIMIT).read_to_string(&mut text).is_err() {
            continue;
        }
        let parsed = serde_json::from_str::<Value>(&text).ok();
        match (name.as_str(), parsed) {
            ("output.info", Some(v)) => info = v,
            ("output.info", None) => info = Value::String(text),
            (_, Some(v)) if name.ends_with(".json") => {
                sidecars.insert(name, v);
            }
            _ => {
                texts.insert(name, Value::String(text.trim_end().to_owned()));
            }
        }
    }
    let mut summary = Map::new();
    summary.insert("job".into(), json!(job));
    summary.insert("saved".into(), json!(display_path(&saved.path)));
    summary.insert("bytes".into(), json!(saved.bytes));
    summary.insert("files".into(), Value::Object(files));
    summary.insert("output.info".into(), info);
    summary.insert("sidecars".into(), Value::Object(sidecars));
    summary.extend(texts);
    Ok(Value::Object(summary))
}

fn display_path(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Duration;

    use super::*;

    fn saved(path: std::path::PathBuf, kind: FileKind) -> Saved {
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Saved { path, bytes, kind, elapsed: Duration::ZERO }
    }

    #[test]
    fn a_zip_is_listed_with_its_info_and_sidecars() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("1.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        zip.start_file("a.tiff", opts).unwrap();
        zip.write_all(&[0u8; 100]).unwrap();
        zip.start_file("a.tiff.json", opts).unwrap();
        zip.write_all(br#"{"pixelType":"fl"}"#).unwrap();
        zip.start_file("output.info", opts).unwrap();
        zip.write_all(br#"{"files":[{"name":"a.tiff"}]}"#).unwrap();
        zip.start_file("data_acknowledgement.txt", opts).unwrap();
        zip.write_all(b"Thanks\n").unwrap();
        zip.finish().unwrap();

        let body = summarize("1", &saved(path, FileKind::Zip)).unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["files"]["a.tiff"], 100);
        assert_eq!(v["files"].as_object().unwrap().len(), 4);
        assert_eq!(v["output.info"]["files"][0]["name"], "a.tiff");
        assert_eq!(v["sidecars"]["a.tiff.json"]["pixelType"], "fl");
        assert_eq!(v["data_acknowledgement.txt"], "Thanks");
    }

    #[test]
    fn a_broken_zip_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("2.zip");
        std::fs::write(&path, b"PK\x03\x04garbage").unwrap();
        let err = summarize("2", &saved(path, FileKind::Zip)).unwrap_err();
        assert!(err.contains("not a readable zip"), "{err}");
    }

    #[test]
    fn csv_is_shown_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("3.csv");
        std::fs::write(&path, "layerId,value\n1,2\n").unwrap();
        let body = summarize("3", &saved(path, FileKind::Csv)).unwrap();
        assert_eq!(&body[..], b"layerId,value\n1,2\n");
    }
}
