"""`make app`: the Playground served by Voila, code hidden; change a control, train, the plot changes."""
import re
import time

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


def set_slider(page, label, value):
    """Type ``value`` into the slider's readout, as a student may, and wait until it shows."""
    slider = page.locator(".widget-slider", has=page.locator("label.widget-label", has_text=label))
    readout = slider.locator(".widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 10
    while readout.inner_text().strip() != str(value):
        assert time.monotonic() < deadline, f"{label} shows {readout.inner_text()!r}, not {value}"
        time.sleep(0.1)
    time.sleep(0.5)  # let the value reach the kernel before the next click


def test_stop_ends_a_long_run_and_train_comes_back(voila_app, page, artifacts):
    """Batch 1, 500 epochs, 4 x 32 hidden units: about 20 s of training. The Stop button must
    reach the kernel while it trains (the run is in a thread) and end it within seconds."""
    page.goto(voila_app.url(""))
    train = page.locator("button.widget-button", has_text="Train")
    stop = page.locator("button.widget-button", has_text="Stop")
    train.wait_for(timeout=120_000)
    assert stop.is_disabled()
    set_slider(page, "layers", 4)
    set_slider(page, "units", 32)
    set_slider(page, "epochs", 500)
    page.locator(".widget-dropdown", has=page.locator("label", has_text="batch size")) \
        .locator("select").select_option(label="1")
    time.sleep(0.5)
    status = page.locator(".widget-html").first
    batch = page.locator(".widget-dropdown", has=page.locator("label", has_text="batch size")).locator("select")
    clicked = time.monotonic()
    train.click()
    deadline = time.monotonic() + 30
    while stop.is_disabled():  # the run has started
        assert time.monotonic() < deadline, "Stop never became clickable"
        time.sleep(0.1)
    # at once, before any epoch: the status says so and the controls are greyed
    while "training (moons, lr 0.1)" not in status.inner_text():
        assert time.monotonic() - clicked < 2, f"status 2 s after Train: {status.inner_text()!r}"
        time.sleep(0.05)
    assert train.is_disabled() and batch.is_disabled()
    time.sleep(2)
    clicked = time.monotonic()
    stop.click()
    while "stopped after" not in status.inner_text():
        assert time.monotonic() - clicked < 10, f"no stop 10 s after the click: {status.inner_text()!r}"
        time.sleep(0.1)
    waited = time.monotonic() - clicked
    text = status.inner_text()
    epochs = int(re.search(r"stopped after (\d+) of 500 epochs", text).group(1))
    assert 1 <= epochs < 500, text
    deadline = time.monotonic() + 10
    while train.is_disabled():
        assert time.monotonic() < deadline, "Train stayed disabled after the stop"
        time.sleep(0.1)
    assert stop.is_disabled() and batch.is_enabled()
    pictures = page.locator('.widget-output img[src^="data:image/png"]')
    assert pictures.count() == 3  # the loss, the stopped model's boundary, its hidden units
    batch.select_option(label="16")  # a setting changed after the run: the pictures are stale
    deadline = time.monotonic() + 10
    while "settings changed: press Train" not in status.inner_text():
        assert time.monotonic() < deadline, status.inner_text()
        time.sleep(0.1)
    page.screenshot(path=str(artifacts / "app-playground-stopped.png"), full_page=True)
    print(f"stopped {waited:.1f} s after the click, after {epochs} epochs")
