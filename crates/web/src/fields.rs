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

impl Field<'_> {
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
