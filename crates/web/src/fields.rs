//! Form fields with their errors: a label, the control, and under it what is wrong with the
//! last value sent (`aria-invalid`, and `aria-describedby` pointing at the message), the same
//! on every form so that an error summary's link lands on a field that says why.

use maud::{Markup, html};

/// What a field is, and what is wrong with it (nothing, most of the time).
pub struct Field<'a> {
    /// The control's id (the summary links to `#id`); the message's is `{id}-error`.
    pub id: &'a str,
    /// The name the form sends.
    pub name: &'a str,
    /// The visible label, or the words of a visually hidden one (a table's cells).
    pub label: &'a str,
    /// Whether the label is only for screen readers.
    pub hidden_label: bool,
    /// The messages of the last try.
    pub errors: &'a [&'a str],
}

impl<'a> Field<'a> {
    /// A field with a visible label.
    pub fn new(id: &'a str, name: &'a str, label: &'a str, errors: &'a [&'a str]) -> Self {
        Self {
            id,
            name,
            label,
            hidden_label: false,
            errors,
        }
    }

    fn label(&self) -> Markup {
        html! {
            @if self.hidden_label { label.visually-hidden for=(self.id) { (self.label) } }
            @else { label for=(self.id) { (self.label) } }
        }
    }

    fn invalid(&self) -> Option<&'static str> {
        (!self.errors.is_empty()).then_some("true")
    }

    fn described(&self) -> Option<String> {
        (!self.errors.is_empty()).then(|| format!("{}-error", self.id))
    }

    /// The messages under the control.
    pub fn errors(&self) -> Markup {
        html! {
            @if !self.errors.is_empty() {
                p.field-error id={ (self.id) "-error" } { (self.errors.join("; ")) }
            }
        }
    }

    /// A text input holding `value`.
    pub fn text(&self, value: &str) -> Markup {
        html! {
            (self.label())
            input id=(self.id) name=(self.name) value=(value)
              aria-invalid=[self.invalid()] aria-describedby=[self.described()];
            (self.errors())
        }
    }

    /// A text input holding `value` with a suggestion list (`<datalist id=list>`).
    pub fn text_with_list(&self, value: &str, list: &str) -> Markup {
        html! {
            (self.label())
            input id=(self.id) name=(self.name) value=(value) list=(list)
              aria-invalid=[self.invalid()] aria-describedby=[self.described()];
            (self.errors())
        }
    }

    /// A text area holding `value`, with `hint` under the label (`{id}-hint`, described by
    /// it as well as by the error). No `minlength` or `required`: the server's message, at the
    /// field and in the summary, is the one the user sees.
    pub fn textarea(&self, value: &str, hint: &str) -> Markup {
        let hint_id = format!("{}-hint", self.id);
        let described = match self.described() {
            Some(error) => format!("{hint_id} {error}"),
            None => hint_id.clone(),
        };
        html! {
            (self.label())
            p.hint id=(hint_id) { (hint) }
            textarea id=(self.id) name=(self.name) rows="4" maxlength="2000"
              aria-invalid=[self.invalid()] aria-describedby=(described) { (value) }
            (self.errors())
        }
    }

    /// A select of `options`, `chosen` selected.
    pub fn select(&self, options: &[&str], chosen: &str) -> Markup {
        html! {
            (self.label())
            select id=(self.id) name=(self.name)
              aria-invalid=[self.invalid()] aria-describedby=[self.described()] {
                @for option in options { option value=(option) selected[*option == chosen] { (option) } }
            }
            (self.errors())
        }
    }
}

/// The summary of a refused form at the top of its page (`#error-summary`, `role="alert"`):
/// `title`, then each message, as a link to the field (`#id`) that says it again when the
/// form has one for it. Every form of the UI says its refusals here.
pub fn error_summary(title: &str, errors: &[(Option<String>, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div #error-summary.alert role="alert" tabindex="-1" {
                h2 { (title) }
                ul { @for (id, message) in errors {
                    li { @match id {
                        Some(id) => a href={ "#" (id) } { (message) },
                        None => (message),
                    } }
                } }
            }
        }
    }
}
