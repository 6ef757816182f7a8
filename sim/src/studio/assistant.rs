//! `miri.assistant`: a general conversation, by reading the director's newest message for one of
//! the studio's verbs (approve, reject, refine, generate, render, budget — in Hebrew or English)
//! and the shot numbers it names ("אשר את שוט 2", "approve shots 1 and 3", "approve all").
//! It proposes the action for every named shot whose status allows it, and says why for the
//! rest; a rejection takes its reason from after "because" / "כי" / a colon, a refinement its
//! command from after a colon, a budget the amount in the message. It answers in the message's
//! language. A broken answer approves a shot that does not exist, which Miri refuses.

use super::newest_said;
use miri_core::prompt::edit;
use serde_json::{Value, json};

/// The verbs of each tool, first match in the message wins.
const VERBS: &[(&str, &[&str])] = &[
    ("approve", &["approve", "אשר", "אשרי", "תאשר", "תאשרי", "לאשר", "אישור"]),
    ("reject", &["reject", "דחה", "דחי", "תדחה", "תדחי", "לדחות", "דחייה"]),
    ("refine", &["refine", "edit", "ערוך", "ערכי", "תערוך", "לערוך", "עריכה", "תקן", "תקני", "שפר"]),
    ("generate", &["generate", "create", "צור", "צרי", "תצור", "לייצר", "ייצר", "הפק", "הפיקי"]),
    ("render", &["render", "animatic", "רנדר", "רנדור", "רינדור", "אנימטיק"]),
    ("set_budget_cap", &["budget", "cap", "תקציב", "התקציב"]),
];
const ALL: &[&str] = &["all", "every", "כל", "כולם", "הכל"];
const ANIMATIC: &[&str] = &["animatic", "אנימטיק", "טיוטה"];
const OVERLAY: &[&str] = &["overlay", "numbers", "מספרים", "כיתוב"];

pub fn answer(data: &Value, broken: bool) -> Value {
    let said = newest_said(data);
    let hebrew = said.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c));
    let say = |he: &str, en: &str| if hebrew { he.to_string() } else { en.to_string() };
    let words: Vec<String> = said
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .map(|w| w.trim_matches('.').to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()) || list.iter().any(|v| w.strip_prefix('ו') == Some(v)));
    let tool = words.iter().find_map(|w| {
        VERBS.iter().find(|(_, verbs)| verbs.contains(&w.as_str()) || verbs.iter().any(|v| w.strip_prefix('ו') == Some(v))).map(|(t, _)| *t)
    });
    let Some(tool) = tool else {
        return json!({ "reply": say(
            "אני יכול/ה ליצור, לאשר, לדחות או לערוך שוט, להפיק רינדור או אנימטיק ולשנות את התקציב. למשל: \"אשר את שוט 2\".",
            "I can generate, approve, reject or refine a shot, render the film or an animatic, and change the budget. For example: \"approve shot 2\".",
        ) });
    };
    if broken {
        return json!({ "reply": say("מאשר.", "Approving."), "actions": [{ "tool": "approve", "shotId": "00000000-0000-4000-8000-000000000000" }] });
    }
    let numbers: Vec<f64> = words.iter().filter_map(|w| w.parse::<f64>().ok()).collect();
    match tool {
        "render" => {
            let animatic = has(ANIMATIC);
            let mut action = json!({ "tool": "render", "mode": if animatic { "animatic" } else { "final" } });
            if animatic && has(OVERLAY) {
                action["overlay"] = json!(true);
            }
            let reply = if animatic { say("אפיק אנימטיק של כל הסרט.", "I will render an animatic of the whole film.") } else { say("אפיק את הסרט המלא.", "I will render the final film.") };
            json!({ "reply": reply, "actions": [action] })
        }
        "set_budget_cap" => match numbers.first() {
            Some(cap) => json!({
                "reply": say(&format!("אקבע את תקרת התקציב ל-{cap} דולר."), &format!("I will set the budget cap to ${cap}.")),
                "actions": [{ "tool": "set_budget_cap", "capUsd": cap }],
            }),
            None => json!({ "reply": say("לכמה דולר לקבוע את התקציב?", "What should the budget cap be, in dollars?") }),
        },
        shot_tool => shot_actions(data, shot_tool, &said, &numbers, has(ALL), hebrew),
    }
}

/// The action `tool` for every shot the message names (or every shot that allows it, for
/// "all"), with the reason a named shot was left out.
fn shot_actions(data: &Value, tool: &str, said: &str, numbers: &[f64], all: bool, hebrew: bool) -> Value {
    let say = |he: String, en: String| if hebrew { he } else { en };
    let shots: Vec<&Value> = data["shots"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let allowed = |s: &Value| {
        let status = s["status"].as_str().unwrap_or_default();
        if tool == "generate" { matches!(status, "DRAFT" | "FAILED") } else { status == "AWAITING_APPROVAL" }
    };
    let named: Vec<&Value> = if all {
        shots.iter().copied().filter(|s| allowed(s)).collect()
    } else {
        numbers.iter().filter_map(|n| shots.iter().copied().find(|s| s["number"].as_f64() == Some(*n))).collect()
    };
    if named.is_empty() {
        return json!({ "reply": say(
            "איזה שוט? כתוב/כתבי את המספר שלו, למשל \"שוט 2\".".into(),
            "Which shot? Give its number, e.g. \"shot 2\".".into(),
        ) });
    }
    let extra = match tool {
        "reject" => match after(said, &["because", "כי", "בגלל", ":"]) {
            Some(reason) => json!({ "reason": reason }),
            None => return json!({ "reply": say("למה לדחות? כתוב/כתבי את הסיבה אחרי \"כי\".".into(), "Why reject it? Give the reason after \"because\".".into()) }),
        },
        "refine" => match after(said, &[":"]).filter(|c| edit::validate(c).is_empty()) {
            Some(command) => json!({ "command": command }),
            None => return json!({ "reply": say(
                "מה לשנות? כתוב/כתבי אחרי נקודתיים פקודת עריכה אחת באנגלית שמתחילה בפועל, למשל: Remove the bench".into(),
                "What should change? After a colon, give one edit command that starts with its verb, e.g.: Remove the bench".into(),
            ) }),
        },
        _ => json!({}),
    };
    let mut actions = Vec::new();
    let mut notes = Vec::new();
    for shot in named {
        let number = shot["number"].as_u64().unwrap_or_default();
        if !allowed(shot) {
            let status = shot["status"].as_str().unwrap_or_default();
            notes.push(say(format!("שוט {number} במצב {status}, ולכן אי אפשר עכשיו."), format!("shot {number} is {status}, so not now.")));
            continue;
        }
        let mut action = json!({ "tool": tool, "shotId": shot["shotId"] });
        for (k, v) in extra.as_object().into_iter().flatten() {
            action[k] = v.clone();
        }
        actions.push((number, action));
    }
    let list = actions.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>().join(", ");
    let verb = |he: &str, en: &str| say(he.to_string(), en.to_string());
    let (he, en) = match tool {
        "approve" => ("אאשר", "I will approve"),
        "reject" => ("אדחה", "I will reject"),
        "refine" => ("אערוך", "I will refine"),
        _ => ("אייצר", "I will generate"),
    };
    let mut reply = if actions.is_empty() { String::new() } else { verb(&format!("{he} את שוט {list}."), &format!("{en} shot {list}.")) };
    for note in notes {
        reply = format!("{reply} {note}").trim().to_string();
    }
    json!({ "reply": reply, "actions": actions.into_iter().map(|(_, a)| a).collect::<Vec<_>>() })
}

/// What follows the first of `markers` in `said`, trimmed; none when nothing does.
fn after(said: &str, markers: &[&str]) -> Option<String> {
    let lower = said.to_lowercase();
    markers
        .iter()
        .filter_map(|m| {
            let at = if m.chars().all(char::is_alphabetic) {
                lower.match_indices(m).find(|(i, _)| lower[..*i].chars().next_back().is_none_or(|c| !c.is_alphanumeric()))
            } else {
                lower.match_indices(m).next()
            };
            at.map(|(i, _)| i + m.len())
        })
        .min()
        .map(|i| said[i..].trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(said: &str) -> Value {
        let shots = json!([
            {"number": 1, "shotId": "s1", "status": "COMPLETED"},
            {"number": 2, "shotId": "s2", "status": "AWAITING_APPROVAL"},
            {"number": 3, "shotId": "s3", "status": "AWAITING_APPROVAL"},
            {"number": 4, "shotId": "s4", "status": "FAILED"},
        ]);
        answer(&json!({ "shots": shots, "conversation": [{ "speaker": "user", "content": said }] }), false)
    }

    #[test]
    fn a_named_shot_is_approved_in_the_messages_language() {
        let a = asked("אשר את שוט 2");
        assert_eq!(a["actions"], json!([{ "tool": "approve", "shotId": "s2" }]));
        assert!(a["reply"].as_str().unwrap().contains("שוט 2"));
        let a = asked("please approve shots 1 and 3");
        assert_eq!(a["actions"], json!([{ "tool": "approve", "shotId": "s3" }]));
        assert!(a["reply"].as_str().unwrap().contains("shot 1 is COMPLETED"), "{a}");
        assert_eq!(asked("approve all")["actions"].as_array().unwrap().len(), 2);
        assert_eq!(asked("צור את שוט 4")["actions"], json!([{ "tool": "generate", "shotId": "s4" }]));
    }

    #[test]
    fn reject_and_refine_take_their_words_from_the_message() {
        assert_eq!(asked("דחה את שוט 3 כי הנעליים חסרות")["actions"][0]["reason"], "הנעליים חסרות");
        assert!(asked("reject shot 3")["actions"].is_null(), "no reason, no action");
        assert_eq!(asked("refine shot 2: Remove the bench")["actions"][0]["command"], "Remove the bench");
        assert!(asked("refine shot 2: nicer please")["actions"].is_null());
    }

    #[test]
    fn render_and_budget_need_no_shot() {
        assert_eq!(asked("רנדר אנימטיק")["actions"], json!([{ "tool": "render", "mode": "animatic" }]));
        assert_eq!(asked("render the film")["actions"], json!([{ "tool": "render", "mode": "final" }]));
        assert_eq!(asked("render an animatic with overlay")["actions"][0]["overlay"], true);
        assert_eq!(asked("set the budget to 40")["actions"], json!([{ "tool": "set_budget_cap", "capUsd": 40.0 }]));
        let help = asked("מה שלומך?");
        assert!(help.get("actions").is_none() && help["reply"].as_str().unwrap().contains("אשר את שוט 2"));
        let broken = answer(&json!({ "conversation": [{ "speaker": "user", "content": "approve shot 2" }] }), true);
        assert_eq!(broken["actions"][0]["tool"], "approve");
    }
}
