//! Plan: the backlog board by keyboard and drag, an item in full, and the CLI agreeing.

use crate::steps::*;
use crate::webdriver::Result;

pub(crate) fn the_backlog_board_adds_moves_by_keyboard_and_drag_opens_an_item_and_agrees_with_the_cli(
) -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.wait_text("[data-testid=column-done]", "the empty Done column", |t| {
        t.contains("items move here when their fix goes live")
    })?;
    // A sprint first: the Sprint column takes its name.
    s.execute("const n = document.querySelector('[data-testid=sprint-name]'); n.value = 'Sprint 1'; n.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=sprint-start]")?)?;
    s.wait_text(
        "[data-testid=column-sprint]",
        "the sprint's name on its column",
        |t| t.starts_with("Sprint 1"),
    )?;
    s.wait_text("[data-testid=plan-page]", "the sprint's CLI twin", |t| {
        t.contains("devloop plan sprint 'Sprint 1' --days 14")
    })?;
    // A bug, added with the form; its CLI twin is shown.
    s.execute("const k = document.querySelector('[data-testid=item-kind]'); k.value = 'bug'; k.dispatchEvent(new Event('change', { bubbles: true })); const t = document.querySelector('[data-testid=item-title]'); t.value = \"Health check flaps under load\"; t.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=item-add]")?)?;
    s.wait_text("[data-testid=column-backlog]", "#1 in the backlog", |t| {
        t.contains("#1") && t.contains("Health check flaps under load")
    })?;
    s.wait_text("[data-testid=plan-page]", "the add's CLI twin", |t| {
        t.contains("devloop plan add --kind bug --title 'Health check flaps under load'")
    })?;
    // The keyboard: the new card has the focus; → twice takes it to Doing.
    s.wait("the new card focused", || {
        Ok(s.focused_testid()?.filter(|id| id == "item-1"))
    })?;
    s.press(ARROW_RIGHT)?;
    s.wait_text("[data-testid=column-sprint]", "#1 in the sprint", |t| {
        t.contains("#1")
    })?;
    s.press(ARROW_RIGHT)?;
    s.wait_text("[data-testid=column-doing]", "#1 doing", |t| {
        t.contains("#1")
    })?;
    s.wait_text("[data-testid=plan-page]", "the move's CLI twin", |t| {
        t.contains("devloop plan move 1 doing")
    })?;
    // The terminal sees the same board.
    let list = home.cli(&["plan", "list"], &[])?;
    check(
        list.contains("Doing\n  #1    bug     Health check flaps under load"),
        list.clone(),
    )?;
    // The home loop now says what Plan holds.
    s.execute("location.hash = '#/';")?;
    s.wait_text(
        "[data-testid=stage-state-plan]",
        "the sprint on the loop",
        |t| t == "1 in the sprint",
    )?;

    // Drag and drop with a real pointer: a second item from the backlog onto the sprint.
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.type_text(&s.find("[data-testid=item-title]")?, "Dark mode")?;
    s.click(&s.find("[data-testid=item-add]")?)?;
    s.wait_text("[data-testid=column-backlog]", "#2 in the backlog", |t| {
        t.contains("#2")
    })?;
    s.drag(
        &s.find("[data-testid=item-2]")?,
        &s.find("[data-testid=column-sprint]")?,
    )?;
    s.wait_text(
        "[data-testid=column-sprint]",
        "#2 dropped in the sprint",
        |t| t.contains("#2") && t.contains("Dark mode"),
    )?;
    s.wait_text("[data-testid=plan-page]", "the drop's CLI twin", |t| {
        t.contains("devloop plan move 2 sprint")
    })?;
    // A click opens the item; its description is markdown, and what is hostile in it is gone.
    s.click(&s.find("[data-testid=item-2]")?)?;
    s.type_text(
        &s.find("[data-testid=edit-description]")?,
        "Follow the **system** theme.\n\n<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>",
    )?;
    s.click(&s.find("[data-testid=item-save]")?)?;
    s.wait_text(
        "[data-testid=item-description]",
        "the description shown",
        |t| t.contains("Follow the system theme."),
    )?;
    let rendered = s.execute(
        "const d = document.querySelector('[data-testid=item-description]'); \
         return [d.querySelectorAll('strong').length, d.querySelectorAll('script, [onerror], img[src]').length, document.title];",
    )?;
    check(
        rendered == serde_json::json!([1, 0, "DevLoop"]),
        format!("bold kept, no script, handler or image source left, title untouched: {rendered}"),
    )?;
    s.wait_text("[data-testid=item-panel]", "the edit's CLI twin", |t| {
        t.contains("devloop plan edit 2 --description 'Follow the **system** theme.")
    })?;
    s.wait_text(
        "[data-testid=item-commits]",
        "no commit yet, and how to link one",
        |t| t.contains("\"fix #2\""),
    )?;
    // Esc closes it and the keyboard is back on the card; Enter opens it again.
    s.press(ESCAPE)?;
    s.wait("the panel closed, the card focused", || {
        Ok((s.find_all("[data-testid=item-panel]")?.is_empty()
            && s.focused_testid()?.as_deref() == Some("item-2"))
        .then_some(()))
    })?;
    s.press(ENTER)?;
    s.wait_text("[data-testid=item-panel]", "the panel by keyboard", |t| {
        t.contains("#2 Dark mode")
    })?;
    s.press(ESCAPE)?;
    s.wait("the card focused again", || {
        Ok((s.focused_testid()?.as_deref() == Some("item-2")).then_some(()))
    })?;
    // → takes it to Doing, under #1; ↑ walks up to #1.
    s.press(ARROW_RIGHT)?;
    s.wait_text("[data-testid=column-doing]", "#2 doing, under #1", |t| {
        t.find("#1").zip(t.find("#2")).is_some_and(|(a, b)| a < b)
    })?;
    s.press(ARROW_UP)?;
    s.wait("↑ on #1", || {
        Ok((s.focused_testid()?.as_deref() == Some("item-1")).then_some(()))
    })?;
    let shown = home.cli(&["plan", "show", "2"], &[])?;
    check(
        shown.starts_with("#2 Dark mode (Feature), in Doing") && shown.contains("**system**"),
        shown.clone(),
    )?;
    // In Korean, the board and the retrospective speak it too.
    s.click(&s.find("[data-testid=locale-ko]")?)?;
    s.wait_text(
        "[data-testid=column-doing]",
        "the Doing column in Korean",
        |t| t.starts_with("진행 중"),
    )?;
    s.click(&s.find("[data-testid=nav-refine]")?)?;
    s.wait_text("[data-testid=retro]", "the retrospective in Korean", |t| {
        t.contains("잘된 점") && t.contains("개선할 점")
    })?;
    Ok(())
}
