//! The page shell: landmarks (banner, navigation, main, contentinfo), a skip link, the
//! navigation with the current page marked, and the sign-out form.

use driftguard_core::Role;
use maud::{DOCTYPE, Markup, html};

use crate::assets::stylesheet_path;
use crate::session::{CSRF_FIELD, Viewer};

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Overview.
    Overview,
    /// Models and a model's page.
    Models,
    /// Policies.
    Policies,
    /// Audit log.
    Audit,
    /// Users (admins).
    Users,
}

const SECTIONS: [(Nav, &str, &str); 5] = [
    (Nav::Overview, "", "Overview"),
    (Nav::Models, "/models", "Models"),
    (Nav::Policies, "/policies", "Policies"),
    (Nav::Audit, "/audit", "Audit log"),
    (Nav::Users, "/users", "Users"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · DriftGuard" }
            link rel="stylesheet" href=(stylesheet_path());
        }
    }
}

/// A page for a signed-in user.
pub fn page(viewer: &Viewer, current: Nav, title: &str, body: Markup) -> Markup {
    let admin = viewer.user.role == Role::Admin;
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.banner {
                    a.brand href=(crate::BASE) { "DriftGuard" }
                    nav aria-label="Main" {
                        ul {
                            @for (nav, path, label) in SECTIONS {
                                @if nav != Nav::Users || admin {
                                    li {
                                        a href={ (crate::BASE) (path) }
                                          aria-current=[(nav == current).then_some("page")] { (label) }
                                    }
                                }
                            }
                        }
                    }
                    form.sign-out method="post" action={ (crate::BASE) "/sign-out" } {
                        span.who { (viewer.user.email) " · " (viewer.user.role.as_str()) }
                        input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                        button #sign-out type="submit" { "Sign out" }
                    }
                }
                main #main tabindex="-1" { (body) }
                (footer())
            }
        }
    }
}

/// A page without a session: sign-in and error pages.
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.banner { a.brand href=(crate::BASE) { "DriftGuard" } }
                main #main.narrow tabindex="-1" { (body) }
                (footer())
            }
        }
    }
}

fn footer() -> Markup {
    html! {
        footer.contentinfo {
            "DriftGuard " (env!("CARGO_PKG_VERSION")) " · the governance gate between models and production"
        }
    }
}
