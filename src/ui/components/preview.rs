use yew::prelude::*;

use crate::data::Profile;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub profile: std::rc::Rc<Profile>,
}

/// The first rows as the parser read them.
#[function_component(PreviewTable)]
pub fn preview_table(props: &Props) -> Html {
    let profile = &props.profile;
    html! {
        <div class="preview-wrap">
            <table id="preview" class="preview">
                <thead>
                    <tr>{ for profile.columns.iter().map(|column| html! { <th>{ &column.name }</th> }) }</tr>
                </thead>
                <tbody>
                    { for profile.preview.iter().map(|row| html! {
                        <tr>{ for row.iter().map(|cell| html! { <td>{ cell }</td> }) }</tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
