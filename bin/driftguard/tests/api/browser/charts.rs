//! The charts on their own: each golden chart page of `crates/web/tests/golden/` (a chart and
//! the table of its numbers) passes axe in the browser, so the charts bring no violation to
//! whatever page shows them.

use super::axe;
use super::harness::browser_alone;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_chart_passes_axe() {
    let Some((browser, axe_source)) = browser_alone().await else {
        return;
    };
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/web/tests/golden");
    let folder = folder
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
    let mut pages: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    assert!(
        pages.len() >= 6,
        "the golden charts in {}",
        folder.display()
    );
    for page in &pages {
        let url = format!("file://{}", page.display());
        browser
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        axe::assert_accessible(&browser, &axe_source, &page.display().to_string()).await;
    }
}
