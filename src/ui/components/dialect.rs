use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::data::Dialect;
use crate::protocol::DialectChoice;

const DELIMITERS: [(char, &str); 4] = [
    (',', "comma"),
    (';', "semicolon"),
    ('\t', "tab"),
    ('|', "pipe"),
];

#[derive(Properties, PartialEq)]
pub struct Props {
    /// What the parser used for the current dataset.
    pub used: Dialect,
    /// The user's corrections so far (`None` = the parser's guess).
    pub choice: DialectChoice,
    pub on_change: Callback<DialectChoice>,
}

/// The parser's guesses, each one correctable; a correction re-reads the file.
#[function_component(DialectControls)]
pub fn dialect_controls(props: &Props) -> Html {
    let on_delimiter = {
        let (choice, on_change) = (props.choice.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let delimiter = select.value().chars().next();
                on_change.emit(DialectChoice {
                    delimiter,
                    ..choice.clone()
                });
            }
        })
    };
    let on_header = {
        let (choice, on_change) = (props.choice.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                on_change.emit(DialectChoice {
                    has_header: Some(input.checked()),
                    ..choice.clone()
                });
            }
        })
    };
    let on_decimal = {
        let (choice, on_change) = (props.choice.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                on_change.emit(DialectChoice {
                    decimal_comma: Some(input.checked()),
                    ..choice.clone()
                });
            }
        })
    };
    let guessed = |corrected: bool| {
        if corrected {
            "(your choice)"
        } else {
            "(detected)"
        }
    };
    // Show the user's choice while the file is re-read, so a control never flips back.
    let choice = &props.choice;
    let delimiter = choice
        .delimiter
        .map_or(u32::from(props.used.delimiter), u32::from);
    let has_header = choice.has_header.unwrap_or(props.used.has_header);
    let decimal_comma = choice.decimal_comma.unwrap_or(props.used.decimal_comma);
    html! {
        <fieldset id="dialect" class="dialect">
            <legend>{ "How the file was read" }</legend>
            <label>
                { "Delimiter " }
                <select id="delimiter-select" onchange={on_delimiter}>
                    { for DELIMITERS.iter().map(|(option, name)| html! {
                        <option value={option.to_string()} selected={u32::from(*option) == delimiter}>{ *name }</option>
                    }) }
                </select>
                <small>{ guessed(props.choice.delimiter.is_some()) }</small>
            </label>
            <label>
                <input id="header-check" type="checkbox" checked={has_header} onchange={on_header} />
                { " First row is a header " }
                <small>{ guessed(props.choice.has_header.is_some()) }</small>
            </label>
            <label>
                <input id="decimal-comma-check" type="checkbox" checked={decimal_comma} onchange={on_decimal} />
                { " Decimal comma (3,5 = 3.5) " }
                <small>{ guessed(props.choice.decimal_comma.is_some()) }</small>
            </label>
        </fieldset>
    }
}
