use yew::prelude::*;

use super::columns::FIRST_COLUMNS;
use crate::data::Profile;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub profile: std::rc::Rc<Profile>,
}

/// The first rows as the parser read them: of a wide file, the columns the column table shows
/// at first (the rest would be a scroll no one reads, at thousands of cells to draw).
#[function_component(PreviewTable)]
pub fn preview_table(props: &Props) -> Html {
    let profile = &props.profile;
    let total = profile.columns.len();
    let shown = total.min(FIRST_COLUMNS);
    html! {
        <div class="preview-wrap">
            <table id="preview" class="preview">
                <thead>
                    <tr>{ for profile.columns.iter().take(shown).map(|column| html! { <th>{ &column.name }</th> }) }</tr>
                </thead>
                <tbody>
                    { for profile.preview.iter().map(|row| html! {
                        <tr>{ for row.iter().take(shown).map(|cell| html! { <td>{ cell }</td> }) }</tr>
                    }) }
                </tbody>
            </table>
            if shown < total {
                <p class="muted">{ format!("The first {shown} of {total} columns.") }</p>
            }
        </div>
    }
}
