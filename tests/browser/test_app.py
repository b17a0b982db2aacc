"""`make app`: the Playground served by Voila, code hidden; change a control, train, the plot changes."""
from test_lab import decode, move_slider, press_and_wait, wait_for_new_picture


def test_playground_app_trains_and_redraws(voila_app, page, artifacts):
    page.goto(voila_app.url(""))
    train = page.locator("button.widget-button", has_text="Train")
    train.wait_for(timeout=120_000)
    assert page.get_by_text("widgets.playground()").count() == 0  # the code is hidden
    assert page.locator(".cm-editor, .CodeMirror").count() == 0
    app = page.locator("body")
    status = page.locator(".widget-html").first
    press_and_wait(train, status, "done:")
    before = app.locator('.widget-output img[src^="data:image/png"]').last.get_attribute("src")
    units = page.locator(".widget-slider", has=page.locator("label.widget-label", has_text="units"))
    move_slider(units, "ArrowLeft", times=4)
    text = press_and_wait(train, status, "done:")
    after = wait_for_new_picture(app, before)
    assert decode(after).shape[2] == 3
    assert page.locator("button.widget-button", has_text="Train").is_enabled()
    assert "done: 100 epochs" in text
    page.screenshot(path=str(artifacts / "app-playground.png"), full_page=True)
